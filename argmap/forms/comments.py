"""Comments on nodes: a new comment, a reply, an edit."""

from django import forms

from argmap import comments
from argmap.anchoring import check_storable_text


class CommentForm(forms.Form):
    text = comments.text_field()

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        check_storable_text(text)  # lone surrogates
        return text


class ReplyForm(CommentForm):
    reply_to = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1,
                                  error_messages={"invalid": "Which comment does this answer?"})
