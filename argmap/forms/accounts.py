"""Accounts: logging in (refused while a username and address are locked) and signing up."""

import math

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.exceptions import ValidationError

from argmap import loginlimit, usernames
from argmap.classroom import accounts as class_accounts


def locked_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return (
        "Too many failed attempts to log in with this username from your network. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
    )


class LimitedAuthenticationForm(AuthenticationForm):
    """Django's log-in form, refusing (without checking the password) a locked username and address."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels read "Password", not "Password:"
        super().__init__(*args, **kwargs)

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()
        address = loginlimit.client_address(self.request)
        # The attempt is taken before the password is checked, so that simultaneous guesses
        # cannot all pass a "not locked yet" test together.
        if not loginlimit.begin_login(username, address):
            locked_for = loginlimit.seconds_locked(username, address) or loginlimit.lockout_seconds()
            raise ValidationError(locked_message(locked_for), code="locked")
        try:
            return super().clean()
        except ValidationError:
            if loginlimit.note_failure(username, address):
                raise ValidationError(locked_message(loginlimit.lockout_seconds()), code="locked") from None
            raise


class SignupForm(UserCreationForm):
    code = forms.CharField(
        label="Class code",
        required=False,
        max_length=40,
        help_text="If your teacher gave you one (such as ABCD234), you join their class as you sign up.",
    )

    def clean_username(self):
        username = super().clean_username()  # NFKC-normalised; refused if taken in any case
        if usernames.is_reserved(username):
            raise ValidationError(
                f"Usernames starting with “{usernames.PLACEHOLDER_PREFIX}” are kept for people named in "
                "imported maps. Choose another."
            )
        # Maps invite people by username: a name that reads like someone else's would let its
        # owner be invited (and credited) in their place.
        if class_accounts.lookalike_of(username) is not None:
            raise ValidationError(
                "A user with a username that looks the same already exists. Choose another "
                "(add a letter or a number, for example)."
            )
        return username

    def clean_code(self):
        code = class_accounts.normalise_code(self.cleaned_data["code"])
        if not code:
            return None
        try:
            return class_accounts.class_for_code(code)
        except class_accounts.ClassroomError as error:
            raise ValidationError(error.message) from None
