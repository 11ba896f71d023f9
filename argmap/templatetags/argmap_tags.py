from django import template
from django.urls import reverse

from argmap import browsing
from argmap.tree import path_key

register = template.Library()


@register.filter
def pathkey(path) -> str:
    return path_key(path)


@register.simple_tag
def tree_url(map_, path, filter_name="all") -> str:
    return browsing.tree_url(map_, tuple(path), filter_name)


@register.simple_tag
def focus_url(map_, node, path=None) -> str:
    url = reverse("node-focus", args=[map_.code, node.pk])
    return f"{url}?path={path_key(path)}" if path and len(path) > 1 else url


@register.simple_tag
def quote_url(map_, quote) -> str:
    url = reverse("source-reader", args=[map_.code, quote.source.code])
    return f"{url}?quote={quote.pk}#quote-{quote.pk}"


@register.filter
def stance_label(stance: str) -> str:
    return {"support": "Supports", "oppose": "Opposes"}.get(stance, "")


@register.filter
def side_label(side: str) -> str:
    return {"support": "for the thesis", "oppose": "against the thesis", "contested": "contested"}.get(side, "")


@register.filter
def name_for(person, access) -> str:
    """A person's name as this reader may see it: a pseudonym under an anonymous exercise."""
    if access is None or access == "":
        return person.get_username() if person is not None else "someone"
    return access.name_of(person)
