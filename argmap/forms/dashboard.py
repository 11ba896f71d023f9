"""The exercise dashboard: deciding on a contribution, a student's result, releasing the results."""

from django import forms

from argmap.classroom import moderation


class TextField(forms.CharField):
    """Line endings counted as one character, as the browser counted them in the textarea."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if value else value


NUL_MESSAGE = "The text contains a NUL character, which cannot be stored."
FEEDBACK_ERRORS = {
    "max_length": f"Keep the feedback to {moderation.MAX_FEEDBACK_LENGTH:,} characters.",
    "null_characters_not_allowed": NUL_MESSAGE,
}
GRADE_ERRORS = {
    "max_length": f"A grade is at most {moderation.MAX_GRADE_LENGTH} characters, such as 8/10 or B+.",
    "null_characters_not_allowed": NUL_MESSAGE,
}


class FeedbackForm(forms.Form):
    feedback = TextField(required=False, max_length=moderation.MAX_FEEDBACK_LENGTH, error_messages=FEEDBACK_ERRORS)
    grade = forms.CharField(required=False, max_length=moderation.MAX_GRADE_LENGTH, error_messages=GRADE_ERRORS)

    def typed(self) -> dict:
        """What was typed, to put back into the form after an error (without NULs, which HTML cannot hold)."""
        return {name: self.data.get(name, "").replace("\x00", "") for name in ("feedback", "grade")}


class ReviewForm(FeedbackForm):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")],
                                 error_messages={"required": "Choose approve or reject.",
                                                 "invalid_choice": "Choose approve or reject."})
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1,
                                 error_messages={"required": "Reload the page and decide again."})


class ReleaseForm(forms.Form):
    release = forms.ChoiceField(choices=[("release", "Release"), ("hide", "Hide")])
