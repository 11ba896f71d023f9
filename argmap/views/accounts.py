"""Accounts: sign up, log in (with a per username-and-address limit), log out."""

import math

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render, resolve_url
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from argmap import loginlimit


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
        locked_for = loginlimit.seconds_locked(username, address)
        if locked_for:
            raise ValidationError(locked_message(locked_for), code="locked")
        try:
            return super().clean()
        except ValidationError:
            if loginlimit.note_failure(username, address):
                raise ValidationError(locked_message(loginlimit.lockout_seconds()), code="locked") from None
            raise


class LoginView(auth_views.LoginView):
    form_class = LimitedAuthenticationForm

    def form_valid(self, form):
        loginlimit.clear(form.cleaned_data["username"], loginlimit.client_address(self.request))
        return super().form_valid(form)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("__all__", "locked"):
            response.status_code = 429
            response["Retry-After"] = str(
                loginlimit.seconds_locked(form.cleaned_data["username"], loginlimit.client_address(self.request))
                or loginlimit.lockout_seconds()
            )
        elif form.errors:
            response.status_code = 400
        return response


def safe_next_value(request) -> str:
    """`next` from the query or form if it points into this site, else "" (never a foreign URL)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def safe_next(request) -> str:
    """Where to go after signing up: a safe `next`, else the map list."""
    return safe_next_value(request) or resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = UserCreationForm(request.POST if request.method == "POST" else None, label_suffix="")
    if form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
        except IntegrityError:  # the same name taken a moment ago by someone else
            form.add_error("username", "A user with that username already exists.")
        else:
            login(request, user)
            return redirect(safe_next(request))
    status = 400 if form.is_bound else 200
    return render(request, "registration/signup.html", {"form": form, "next": safe_next_value(request)}, status=status)


urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", signup, name="signup"),
]
