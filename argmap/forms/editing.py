"""Changing a map from its pages: a thesis, a reply, an edit, placing a node, a relation's stance."""

from django import forms

from argmap import editing
from argmap.models import Stance


class TextForm(forms.Form):
    text = forms.CharField(
        max_length=editing.MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Write something: the text cannot be empty.",
            "max_length": f"Keep it to {editing.MAX_TEXT_LENGTH:,} characters.",
        },
    )

    def clean_text(self) -> str:
        return editing.clean_text(self.cleaned_data["text"])


STANCE_ERRORS = {"required": "Choose whether it supports or opposes.",
                 "invalid_choice": "Choose whether it supports or opposes."}


class ReplyForm(TextForm):
    stance = forms.ChoiceField(choices=Stance.choices, widget=forms.RadioSelect, error_messages=STANCE_ERRORS)


class EditForm(TextForm):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class PlaceForm(forms.Form):
    """Attach (field `parent`) or move (field `new_parent`): the node picker fills it."""

    stance = forms.ChoiceField(choices=Stance.choices, widget=forms.RadioSelect, error_messages=STANCE_ERRORS)

    def __init__(self, *args, field_name: str = "parent", **kwargs):
        super().__init__(*args, **kwargs)
        self.field_name = field_name
        self.fields[field_name] = forms.IntegerField(
            min_value=1, error_messages={"required": "Pick the node to place it under.",
                                         "invalid": "Pick the node to place it under.",
                                         "min_value": "Pick the node to place it under."})


class StanceForm(forms.Form):
    stance = forms.ChoiceField(choices=Stance.choices, error_messages=STANCE_ERRORS)
