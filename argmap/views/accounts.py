"""Accounts: sign up (perhaps joining a class with its code), log in (with a per username-and-address
limit, perhaps joining a class), log out, and the password a teacher-made account must choose."""

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from argmap import loginlimit
from argmap.classroom import accounts as class_accounts
from argmap.classroom import middleware as password_setup
from argmap.forms.accounts import LimitedAuthenticationForm, SignupForm
from argmap.views import next_path


def class_code_value(request) -> str:
    """A class code passed along (`?code=` or the form's `code`), as typed; "" if none."""
    return class_accounts.normalise_code((request.POST.get("code") or request.GET.get("code") or "")[:40])


def join_after_login(request, user, code: str):
    """Join the class with this code right after logging in; say how it went on the next page."""
    try:
        school_class = class_accounts.join(code, user)
    except class_accounts.AlreadyInClass as error:
        messages.info(request, error.message)
        return redirect("class-detail", class_id=error.school_class.pk)
    except class_accounts.ClassroomError as error:
        messages.error(request, error.message)
        return redirect("class-join")
    messages.success(request, f"You joined “{school_class.name}”.")
    return redirect("class-detail", class_id=school_class.pk)


class NextPathMixin:
    """`next` read as everywhere else (argmap.views.next_path): only a path on this site."""

    def get_redirect_url(self, request=None):
        return next_path(self.request)


class LoginView(NextPathMixin, auth_views.LoginView):
    form_class = LimitedAuthenticationForm

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "class_code": class_code_value(self.request)}

    def form_valid(self, form):
        loginlimit.clear(form.cleaned_data["username"], loginlimit.client_address(self.request))
        response = super().form_valid(form)
        password_setup.note_login(self.request, form.get_user())
        code = class_code_value(self.request)
        return join_after_login(self.request, form.get_user(), code) if code else response

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


class LogoutView(NextPathMixin, auth_views.LogoutView):
    pass


def next_or_home(request) -> HttpResponseRedirect:
    """To `next` (a path on this site), else to the map list."""
    return HttpResponseRedirect(next_path(request) or resolve_url(settings.LOGIN_REDIRECT_URL))


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    code = class_code_value(request)
    if request.user.is_authenticated:
        return redirect("class-join-code", code=code) if code else next_or_home(request)
    form = SignupForm(request.POST if request.method == "POST" else None, initial={"code": code}, label_suffix="")
    if form.is_valid():
        address = loginlimit.client_address(request)
        if not loginlimit.begin_signup(address):
            return signup_refused(request, form, loginlimit.seconds_until_signup(address))
        school_class = form.cleaned_data["code"]
        try:
            with transaction.atomic():
                user = form.save()
                if school_class is not None:
                    class_accounts.join(school_class, user)
        except IntegrityError:  # the same name taken a moment ago by someone else
            form.add_error("username", "A user with that username already exists.")
        except class_accounts.ClassroomError as error:  # joining closed a moment ago
            form.add_error("code", error.message)
        else:
            login(request, user)
            if school_class is None:
                return next_or_home(request)
            messages.success(request, f"Welcome! You joined “{school_class.name}”.")
            return redirect("class-detail", class_id=school_class.pk)
    status = 400 if form.is_bound else 200
    return render(request, "registration/signup.html", {"form": form, "next": next_path(request)}, status=status)


def signup_refused(request, form, seconds: int):
    """429: this address has made its share of accounts for now (with or without a class code)."""
    minutes = max(1, math.ceil(seconds / 60))
    form.add_error(
        None,
        "Too many accounts have been made from your network in the last hour. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}, or ask your teacher to make your account.",
    )
    context = {"form": form, "next": next_path(request)}
    response = render(request, "registration/signup.html", context, status=429)
    response["Retry-After"] = str(max(1, seconds))
    return response


@sensitive_post_parameters("new_password1", "new_password2")
@csrf_protect
@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def password_set(request):
    """The password a teacher-made (or reset) account chooses at its first login, without the old
    one; anyone else has nothing to do here."""
    if not class_accounts.must_set_password(request.user):
        password_setup.forget(request)
        return next_or_home(request)
    form = SetPasswordForm(request.user, request.POST if request.method == "POST" else None, label_suffix="")
    if form.is_valid():
        with transaction.atomic():
            form.save()
            class_accounts.clear_password_setup(request.user)
        update_session_auth_hash(request, request.user)  # stay signed in with the new password
        password_setup.forget(request)
        target = next_path(request)
        if target:
            return HttpResponseRedirect(target)
        # A new student starts on their class page, which also shows the message (other pages
        # would leave it waiting for a later one).
        school_class = class_accounts.landing_page_class(request.user)
        if school_class is None:
            return redirect(settings.LOGIN_REDIRECT_URL)
        messages.success(request, "Your password is set: use it from now on.")
        return redirect("class-detail", class_id=school_class.pk)
    status = 400 if form.is_bound else 200
    context = {"form": form, "next": next_path(request)}
    return render(request, "registration/password_set.html", context, status=status)


urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/signup/", signup, name="signup"),
    path("accounts/password/set/", password_set, name="password-set"),
]
