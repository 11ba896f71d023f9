"""Source ratings in templates (templates/sources/_rating.html)."""

from django import template

from argmap import ratings
from argmap.forms.ratings import form_for

register = template.Library()


@register.filter
def rating_words(rating) -> str:
    return ratings.RATING_WORDS.get(rating, "")


@register.filter
def rating_base(rating) -> str:
    """The starting strength a counted rating gives evidence: rating/4, as 0.75."""
    return f"{rating / 4:g}" if isinstance(rating, int) else ""


@register.simple_tag
def rating_form_for(source):
    """The owners' rating form filled with the map's rating of the source (no queries)."""
    return form_for(source)
