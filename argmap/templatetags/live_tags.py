"""`{% live_poller map %}`: the element that keeps a page showing a map up to date (see argmap/live.py)."""

from django import template

from argmap.live import poller_context

register = template.Library()


@register.inclusion_tag("maps/_live.html", takes_context=True)
def live_poller(context, map_) -> dict:
    """Only on pages of a map the requester may view: the token it embeds lets its holder poll."""
    return poller_context(map_, context["request"].user)
