"""Classes: a new class and its settings, joining one, adding students and co-teachers, joining by code."""

from django import forms

from argmap.classroom import accounts


class NewClassForm(forms.Form):
    name = forms.CharField(max_length=accounts.CLASS_NAME_MAX_LENGTH, label="Name",
                           help_text="As your students know it, e.g. “11B debate club”.")
    time_zone = forms.ChoiceField(label="Time zone", initial="Europe/Minsk",
                                  help_text="Exercises open and close by this clock.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["time_zone"].choices = [(name, name.replace("_", " ")) for name in accounts.time_zone_names()]


class ClassSettingsForm(NewClassForm):
    """A class's name and time zone, changed later by its teachers."""


class JoinForm(forms.Form):
    code = forms.CharField(max_length=40, label="Class code", help_text="Letters and digits, e.g. ABCD234.")


class BulkAddForm(forms.Form):
    names = forms.CharField(
        label="Students' names, one a line",
        max_length=accounts.MAX_NAMES * (accounts.NAME_MAX_LENGTH + 2),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"Up to {accounts.MAX_NAMES} at a time. Each gets a username and a one-time password to hand out.",
    )


class CoTeacherForm(forms.Form):
    username = forms.CharField(max_length=150, label="Username",
                               help_text="They sign up first; then add them by the username they chose.")


class JoiningForm(forms.Form):
    open = forms.BooleanField(required=False, label="Students may join with the code")
    expires_at = forms.DateTimeField(
        required=False,
        label="Code stops working at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Optional, in the class's time zone. Empty: until you close joining.",
    )
