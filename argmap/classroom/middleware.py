"""First login of an account a teacher made (or reset): the password came on paper, so the person
chooses their own before anything else.

The login view looks the flag up once (`note_login`) and keeps it in the session; on each request
this middleware only reads the session, which the page reads anyway to know who is signed in. It
costs no query for anonymous visitors and none for signed-in ones, and it leaves alone the pages a
person needs meanwhile (the password page, logging out) and the live-update poll, which must not
read the session at all.
"""

from django.conf import settings
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from argmap.classroom.accounts import must_set_password

SESSION_KEY = "argmap_must_set_password"
EXEMPT_URL_NAMES = {"password-set", "logout", "map-activity"}


def note_login(request, user) -> None:
    """Called as someone logs in: remember whether they must choose a password first."""
    if must_set_password(user):
        request.session[SESSION_KEY] = True
    else:
        request.session.pop(SESSION_KEY, None)


def forget(request) -> None:
    request.session.pop(SESSION_KEY, None)


def password_page_url(request) -> str:
    """The password page, then back to what was asked for (a page, not a form's POST; and not the
    default landing page, so that a new student lands on their class instead)."""
    url = reverse("password-set")
    target = request.get_full_path()
    if request.method in ("GET", "HEAD") and not request.htmx and target != resolve_url(settings.LOGIN_REDIRECT_URL):
        url += "?" + urlencode({"next": target})
    return url


class PasswordSetupMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.url_name in EXEMPT_URL_NAMES:
            return None
        # Without a session cookie there is nothing to read (and reading would cost nothing either).
        if settings.SESSION_COOKIE_NAME not in request.COOKIES or not request.session.get(SESSION_KEY):
            return None
        url = password_page_url(request)
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)
