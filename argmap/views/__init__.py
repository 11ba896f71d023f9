"""The views, one module per area, each with its own `urlpatterns` (see argmap/urls.py)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def signed_in_to(message: str):
    """A decorator: anonymous people are sent to log in; an htmx request (a session that ran out)
    gets a 403 saying `message` instead of a login page swapped into a fragment."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                if request.htmx:
                    raise PermissionDenied(message)
                return redirect_to_login(request.get_full_path())
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
