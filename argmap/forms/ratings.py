"""The owners' rating of a source (the reader's rating panel and its page of its own)."""

from django import forms

from argmap.models import Source
from argmap.ratings import MAX_NOTE_LENGTH, RATING_WORDS


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="Reliability",
        coerce=int,
        choices=[(n, f"{n} – {words}") for n, words in RATING_WORDS.items()],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why: who publishes it, whose side it takes, what it gets wrong.",
    )
    counts = forms.BooleanField(
        label="Evidence quoting this source starts from this rating (rating/4) instead of the middle (0.5)",
        required=False,
    )


def form_for(source: Source, data=None) -> RatingForm:
    """The form, filled with the map's rating of the source if it has one (see ratings.with_ratings)."""
    rating = getattr(source, "map_rating", None)
    initial = {"counts": True} if rating is None else {
        "rating": rating, "note": source.map_rating_note, "counts": source.map_rating_counts,
    }
    return RatingForm(data, initial=initial, auto_id="rating-%s")  # the reader has other forms with a note
