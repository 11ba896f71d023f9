"""Who has which role on a map: inviting someone, changing a role."""

from django import forms

from argmap.classroom import accounts as class_accounts
from argmap.models import Map, Membership, Role


class InviteForm(forms.Form):
    username = forms.CharField(max_length=150, label="Username")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.CONTRIBUTOR)

    def __init__(self, *args, map_: Map, inviter, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.map = map_
        self.inviter = inviter

    def clean_username(self):
        name = self.cleaned_data["username"]
        # As typed (NFKC-normalised), else in another case; never a look-alike of the name.
        user = class_accounts.find_user(name)
        if user is None:
            raise forms.ValidationError(
                f"No one has signed up as “{name}”. Ask them to sign up first, then invite them by their username."
            )
        if user.pk == self.inviter.pk:
            raise forms.ValidationError("That is you: you already have a role on this map.")
        if user.pk == self.map.owner_id:
            raise forms.ValidationError(f"{user.get_username()} owns this map already.")
        existing = Membership.objects.filter(map=self.map, user=user).first()
        if existing is not None:
            raise forms.ValidationError(
                f"{user.get_username()} is already {existing.get_role_display().lower()} on this map: "
                "change their role in the list instead."
            )
        return user


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
