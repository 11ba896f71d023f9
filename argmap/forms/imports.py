"""Importing a map from a file."""

from django import forms
from django.core.exceptions import ValidationError

from argmap.imports import FORMATS, max_bytes, too_big


class ImportForm(forms.Form):
    file = forms.FileField(
        label="File",
        max_length=255,
    )
    format = forms.ChoiceField(
        label="Format",
        choices=FORMATS.items(),
        initial="json",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"At most {max_bytes() / 1024 / 1024:g} MB. The new map is private and yours."

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if problem := too_big(upload.size):  # before reading it into memory
            raise ValidationError(problem)
        return upload
