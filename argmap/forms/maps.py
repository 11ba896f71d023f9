"""Maps one owns: a new map and its settings."""

from django import forms

from argmap.models import Map

QUESTION_MAX_LENGTH = 2000


class NewMapForm(forms.ModelForm):
    question = forms.CharField(
        label="Question or motion",
        max_length=QUESTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The question the class argues, e.g. “Is Belarus a reliable ally of Russia?”",
    )

    class Meta:
        model = Map
        fields = ["title", "question", "visibility"]
        widgets = {"visibility": forms.RadioSelect}


class MapSettingsForm(NewMapForm):
    class Meta(NewMapForm.Meta):
        fields = ["title", "question", "visibility", "viewers_can_comment", "voting", "votes_hidden_until_voted"]
        labels = {
            "viewers_can_comment": "Viewers may comment",
            "voting": "Impact voting on",
            "votes_hidden_until_voted": "Hide others' votes until one has voted",
        }
