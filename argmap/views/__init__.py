"""The views, one module per area, each with its own `urlpatterns` (see argmap/urls.py)."""

import unicodedata
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from argmap.classroom.exercises import when
from argmap.classroom.models import Exercise
from argmap.models import Map, Source
from argmap.permissions import Access, exercise_for_teacher, map_and_access, require


def next_path(request) -> str:
    """`next` from the form or the query if it is a path on this site ("/maps/…"), else "".

    Only a path: a bare word ("x") would be taken by redirect() for a view name (a 500 after the
    change was saved), and another host's address would send people off the site. Redirect to
    it with HttpResponseRedirect, never redirect().
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return ""
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in target):  # no header injection
        return ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return ""
    return target


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


# Exercises: their pages, sides and groups are for the class's teachers to set up.

EXERCISE_TEACHERS_ONLY = "Only the class's teachers set up and change its exercises."


def exercise_to_set_up(request, exercise_id: int) -> Exercise:
    """The exercise, for its class's teachers (403 for its students, 404 for anyone else)."""
    return exercise_for_teacher(request, exercise_id, EXERCISE_TEACHERS_ONLY)


def refuse_if_closed(exercise: Exercise) -> None:
    if exercise.has_closed():
        raise PermissionDenied(
            f"This exercise closed at {when(exercise.closes_at, exercise.school_class.zone)}; nothing in it changes "
            "now. Move its closing time (Edit) to open it again."
        )


# A map's sources, for its owners

SOURCE_OWNERS_ONLY = "Only the owners of this map manage its sources."


def map_for_source_admin(request, code: str) -> tuple[Map, Access]:
    map_, access = map_and_access(request, code)
    require(access.is_owner, SOURCE_OWNERS_ONLY)
    if request.method == "POST":  # a closed exercise's map keeps its sources as they were
        require(access.can_manage)
    return map_, access


def map_source(map_: Map, source_code: str) -> Source:
    """The source with this code, if the map has it, with this map's details (404 otherwise: codes
    of other sources are not confirmed)."""
    return get_object_or_404(Source.objects.in_map(map_), code=source_code)


def source_manage_url(map_: Map, source: Source, fragment: str = "") -> str:
    return reverse("source-manage", args=[map_.code, source.code]) + (f"#{fragment}" if fragment else "")
