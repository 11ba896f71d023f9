"""Template helpers for the editing controls."""

from django import template

from argmap.tree import parse_path

register = template.Library()


@register.filter
def may_change(access, obj) -> bool:
    """`{% if access|may_change:row.node %}`: show a control only to people who may use it."""
    return access is not None and access.can_change(obj)


@register.filter
def as_path(value):
    """A path from the query string (`?deleted=12.34`), or None for anything else."""
    return parse_path(value) if isinstance(value, str) else None
