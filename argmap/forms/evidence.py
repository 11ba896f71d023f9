"""Adding evidence: a passage of a source as a new claim, or as another quote of a claim."""

from django import forms
from django.core.exceptions import ValidationError

from argmap.evidence import CLAIM_MAX_LENGTH, QUOTE_MAX_LENGTH
from argmap.models import Stance

POSITION_ERRORS = {
    "invalid": "The selection's position is not a number: select the passage again.",
    "min_value": "The selection's position is outside the text: select the passage again.",
    "max_value": "The selection's position is outside the text: select the passage again.",
}


class PassageFields(forms.Form):
    """The passage: selected in the reader (exact text and its offsets) or pasted (`quote`);
    `position` is the occurrence chosen when a pasted passage occurs more than once."""

    quote = forms.CharField(
        max_length=QUOTE_MAX_LENGTH, required=False, strip=False,
        error_messages={"max_length": f"Quote at most {QUOTE_MAX_LENGTH:,} characters (this has %(show_value)d)."},
    )
    exact = forms.CharField(
        max_length=QUOTE_MAX_LENGTH, required=False, strip=False,
        error_messages={"max_length": f"Select at most {QUOTE_MAX_LENGTH:,} characters (this has %(show_value)d)."},
    )
    start = forms.IntegerField(min_value=0, max_value=10**9, required=False, error_messages=POSITION_ERRORS)
    end = forms.IntegerField(min_value=1, max_value=10**9, required=False, error_messages=POSITION_ERRORS)
    position = forms.IntegerField(min_value=0, max_value=10**9, required=False, error_messages=POSITION_ERRORS)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("exact"):
            if data.get("start") is None or data.get("end") is None:
                raise ValidationError("The selection came without its position: select the passage again.")
        elif not (data.get("quote") or "").strip():
            raise ValidationError("Select a passage in the text, or paste the passage you want to quote.")
        return data

    def passage(self) -> dict:
        """The domain call's arguments for the passage."""
        data = self.cleaned_data
        if data.get("exact"):
            return {"quote_text": data["exact"], "start": data["start"], "end": data["end"]}
        return {"quote_text": data["quote"], "position": data.get("position")}


class EvidenceForm(PassageFields):
    parent = forms.IntegerField(
        min_value=1,
        error_messages={"required": "Choose the node your evidence bears on.",
                        "invalid": "Choose the node your evidence bears on from the list."},
    )
    stance = forms.ChoiceField(
        choices=Stance.choices,
        error_messages={"required": "Say whether the passage supports or opposes that node.",
                        "invalid_choice": "Say whether the passage supports or opposes that node."},
    )
    claim = forms.CharField(
        max_length=CLAIM_MAX_LENGTH,
        error_messages={"required": "Write your claim: what this passage shows, in your own words.",
                        "max_length": f"Keep the claim to {CLAIM_MAX_LENGTH:,} characters (it has %(show_value)d)."},
    )


class QuoteForm(PassageFields):
    source = forms.ChoiceField(choices=(), error_messages={"required": "Choose the source you quote.",
                                                           "invalid_choice": "Choose one of this map's sources."})

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(s.code, s.display_title) for s in sources]
