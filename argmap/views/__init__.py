"""The views, one module per area, each with its own `urlpatterns` (see argmap/urls.py), and the plumbing
several of them share: no view module imports another."""

import json
import time
import unicodedata
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import reswap, retarget

from argmap.access import Access
from argmap.browsing import load_graph
from argmap.caching import KeptRecently
from argmap.classroom.clock import when
from argmap.classroom.dashboard import REGIONS, activity_state, poll_url
from argmap.live import CHANGED_EVENT
from argmap.models import Exercise
from argmap.models import Map, Node, Source
from argmap.permissions import exercise_for_teacher, map_and_access, node_for, require
from argmap.tree import FILTERS, Path, parse_path, path_key


GET_OR_POST = ["GET", "HEAD", "POST"]  # a form's page: shown on GET (and HEAD), done on POST


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


# Changing a map from its pages (nodes.py, relations.py): where things are, and where to go back to


def shown_node(access, node_id: int, graph) -> Node:
    """A live node of the map that some thesis reaches in the reader's graph; 404 for anything else."""
    if node_id not in graph:
        raise Http404("No such node in this map.")
    return node_for(access, node_id)


def shown_in_tree(request, code: str, node_id: int):
    """The map, the requester's access, the graph they see and the node: 404 unless it is in it."""
    map_, access = map_and_access(request, code)
    graph = load_graph(access)
    return map_, access, graph, shown_node(access, node_id, graph)


def place_in_tree(request, graph, node: Node) -> Path:
    """The place in the tree the form was opened from (`path`), or the node's first place."""
    path = parse_path(request.POST.get("path") or request.GET.get("path") or "")
    if path and path[-1] == node.pk and graph.is_path(path):
        return path
    return graph.path_to(node.pk) or (node.pk,)


def dom_id(path: Path) -> str:
    """A path as it appears in element ids (`node-12-34`): dots would break CSS selectors."""
    return "-".join(map(str, path))


def posted(request):
    """The form data on POST (even an empty body binds the form, so it answers 400), else None."""
    return request.POST if request.method == "POST" else None


def tree_state(request) -> list[tuple[str, str]]:
    """The map page's filter and open branches, as the form sent them from `#trees`."""
    data = request.POST
    params = [("open", v) for v in dict.fromkeys(data.getlist("open")[:300]) if parse_path(v)]
    if data.get("filter") in FILTERS and data.get("filter") != "all":
        params.append(("filter", data["filter"]))
    if data.get("expand") == "all":
        params.append(("expand", "all"))
    return params


def back_to_map(request, map_, path: Path, deleted: Path | None = None):
    """The map page with `path` showing (its ancestors opened), scrolled to it; `deleted` names a
    node just deleted from there, which the page then offers to bring back."""
    params = tree_state(request)
    if deleted:
        params.append(("deleted", path_key(deleted)))
    opened = {v for k, v in params if k == "open"}
    for depth in range(2, len(path)):
        key = path_key(path[:depth])
        if key not in opened:
            params.append(("open", key))
            opened.add(key)
    anchor = ""
    if deleted:
        anchor = "#deleted-notice"
    elif path:
        anchor = f"#node-{dom_id(path)}"
    if anchor:
        # `at` is for editing.js, which moves the keyboard focus there after the swap.
        params.append(("at", anchor[1:]))
    query = f"?{urlencode(params)}" if params else ""
    return redirect(f"{map_.get_absolute_url()}{query}{anchor}")


def back_to(request, map_, path: Path, focus_node: Node | None = None):
    """Back where the form came from: the focus view (`back=focus`) or the map."""
    if request.POST.get("back") == "focus" and focus_node is not None and not focus_node.is_deleted:
        url = reverse("node-focus", args=[map_.code, focus_node.pk])
        return redirect(f"{url}?path={path_key(path)}" if len(path) > 1 else url)
    return back_to_map(request, map_, path)


def form_response(request, template_part: str, context: dict, status: int = 200, slot: str = "closest .edit-slot"):
    """The form alone for htmx (in its row's slot), else a page with the form on it (the context
    has the map and the reader's `access`)."""
    back = request.POST.get("back") or request.GET.get("back")
    context = {**context, "part": template_part, "inline": bool(request.htmx), "back": "focus" if back == "focus" else ""}
    if request.htmx:
        response = render(request, f"maps/edit.html#{template_part}", context, status=status)
        if status >= 400:
            # The form came from a row's slot: put the form with its message back there.
            reswap(retarget(response, slot), "innerHTML")
            response["HX-Replace-Url"] = "false"  # the address stays the map's, not the form's
        return response
    return render(request, "maps/edit.html", context, status=status)


def errors_from(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


def refused(request, access, node: Node, error: ValidationError, status: int = 400):
    """A one-button action that could not be done: say why, with a way back."""
    graph = load_graph(access)
    path = place_in_tree(request, graph, node) if node.pk in graph else None
    context = {"map": access.map, "access": access, "node": node, "path": path, "problems": error.messages, "title": "That could not be done"}
    # A one-button action sits in the row's menu, not in its slot: name the slot.
    return form_response(request, "refused", context, status=status, slot=f"#node-{dom_id(path)}-slot" if path else "this")


# The teacher's dashboard of an exercise (dashboard.py, reviews.py, results.py)


def exercise_for_dashboard(request, exercise_id: int) -> Exercise:
    """The exercise, for its class's teachers; 403 for its students, 404 for anyone else."""
    return exercise_for_teacher(request, exercise_id, "Only the class's teachers see the dashboard, decisions and grades.")


def render_in_class_zone(request, exercise: Exercise, template: str, context: dict, status: int = 200):
    """Render with times shown in the class's time zone."""
    with timezone.override(exercise.school_class.zone):
        return render(request, template, {"exercise": exercise, **context}, status=status)


def dashboard_page(request, exercise: Exercise) -> str:
    """The dashboard address the teacher is on: this one on GET, else the one the form came from
    (`next`, when it is this exercise's dashboard), so a `?student=` view stays as it was."""
    home = reverse("exercise-dashboard", args=[exercise.pk])
    if request.method == "GET":
        return request.get_full_path()
    next_url = next_path(request).split("#")[0]
    if urlsplit(next_url).path == home:
        return next_url
    return home


def back_to_dashboard(request, exercise: Exercise, anchor: str):
    return redirect(f"{dashboard_page(request, exercise)}#{anchor}")


def dashboard_context(request, exercise: Exercise, **regions) -> dict:
    """The whole page; `regions` overrides what a region shows (a form's error, a saved notice)."""
    page = dashboard_page(request, exercise)
    context = {
        "maps": list(Map.objects.filter(exercise=exercise).select_related("group").order_by("group_id", "id")),
        "poll_url": poll_url(exercise, request.user, activity_state(exercise.pk)),
    }
    for name, build in REGIONS.items():
        context.update(regions.get(name) or build(exercise, page))
    return context


def dashboard_answer(request, exercise: Exercise, region: str, context: dict, status: int):
    """After a form: its region again for htmx (a 4xx swapped in all the same), else the whole page."""
    if request.htmx:
        response = render_in_class_zone(request, exercise, f"exercises/dashboard.html#{region}", context, status=status)
        return reswap(response, "outerHTML") if status >= 400 else response
    return render_in_class_zone(request, exercise, "exercises/dashboard.html",
                                dashboard_context(request, exercise, **{region: context}), status=status)


# Answers to a live poller (templates/maps/_live.html), for a map's pages and for the dashboard.
# Rendered without the request: no context processor may touch the session or the user.


def poll_stopped(message: str, status: int) -> HttpResponse:
    """htmx swaps it in for the poller (static/js/live.js lets a response with HX-Reswap through),
    which stops the polling and tells the reader why."""
    response = HttpResponse(render_to_string("maps/_live.html#stopped", {"message": message}), status=status)
    return reswap(response, "outerHTML")


def poll_changed(url: str, detail: dict | None = None) -> HttpResponse:
    """The poller again, asking `url` from now on, and the event on which live.js refreshes what
    `detail` says changed (argmap.live.changes_since's nodes, or `regions` by id, as the dashboard's
    poll names them); without one, every live region."""
    response = HttpResponse(render_to_string("maps/_live.html", {"poll_url": url}))
    # htmx fires the event on the poller (with the detail, if any); it bubbles up to live.js.
    response["HX-Trigger"] = CHANGED_EVENT if detail is None else json.dumps({CHANGED_EVENT: detail}, separators=(",", ":"))
    return response


# Pages kept whole, per map version and viewer: a reader who opens a map's page again before
# anything on the map changed gets it without a query past the access check.

PAGE_HOURS = 60 * 60  # seconds a kept page may be served at most (see page_key)
PAGES_KEPT = 2_000  # a page is 10-60 KB: at most about 100 MB per process, usually far less
_pages: KeptRecently[bytes] = KeptRecently(PAGES_KEPT)
# Stands in for the CSRF token in a kept page; this request's own token replaces it on the way out.
CSRF_MARK = "\x00csrf-token\x00"


def forget_pages() -> None:
    _pages.clear()


@receiver(setting_changed)
def _settings_changed(setting, **kwargs):
    # Pages depend on the site's settings (how much to list, expand, page) too; only tests change them.
    if setting.startswith("ARGMAP_"):
        forget_pages()


def page_key(request, access: Access) -> tuple | None:
    """Everything a map's browsing page depends on besides its map's content, or None for a page
    that is drawn afresh every time.

    The map's content is covered by its row: every change to the nodes, relations, quotes,
    comments, votes, ratings, clutter and source details bumps `activity` (argmap/signals.py,
    Map.note_activity), and a change of the map's own settings is in its other fields. Exercise
    maps are never kept: their clock, pseudonyms and moderation change what a page shows without
    touching the map. A signed-in reader's page is theirs alone (their votes, their own nodes'
    controls, the forms' tokens of their CSRF secret); anonymous readers share one.
    """
    map_ = access.map
    if map_.exercise_id:
        return None
    viewer = None
    if request.user.is_authenticated:
        secret = request.META.get("CSRF_COOKIE")
        if not secret:  # a token made while drawing would not match the next request's
            return None
        viewer = (request.user.pk, secret, access.role, access.class_role)
    htmx = request.htmx
    return (
        # The hour too: a page holds a signed live-updates token that expires (argmap/live.py), so a
        # page kept on a quiet map must not outlive it.
        int(time.time() // PAGE_HOURS),
        request.resolver_match.view_name, request.get_host(), request.get_full_path(),
        bool(htmx), htmx.target if htmx else None, htmx.boosted if htmx else None,
        tuple(getattr(map_, field.attname) for field in Map._meta.concrete_fields),
        viewer,
    )


def kept_page(request, access: Access, build) -> HttpResponse:
    """`build(csrf_token)`'s response, kept (when it is a 200) under `page_key` for the next request
    that would get the same page. `build` does the page's work and draws it with the given token
    (CSRF_MARK while keeping, so no token is ever shared between readers)."""
    key = page_key(request, access)
    if key is None:
        return build(get_token(request))
    content = _pages.find(key)
    if content is None:
        response = build(CSRF_MARK)
        if response.status_code != 200 or response.streaming:
            return response
        content = response.content
        _pages.put(key, content)
    return HttpResponse(content.replace(CSRF_MARK.encode(), get_token(request).encode()))
