"""Live updates: pages poll whether their map changed, then fetch just what changed.

A page that shows a map embeds a poller (templates/maps/_live.html, via `{% live_poller map %}`)
asking `/maps/<code>/activity/?token=...&since=N` every 2 s. The token is signed: it names
the map and the person it was handed to, and expires, so the poll needs neither the session nor a
permission check, just one query for the map's activity counter. Only people who may view the map
get a token (the page that embeds it was access-checked).

Unchanged: 204, which htmx ignores. Changed: the poller again with the new counter and an
`argmap-changed` event whose detail says which nodes changed (argmap.live.changes_since: ids only).
static/js/live.js then asks `rows` for the cards of the rows it shows that changed, as this reader
may see them, and swaps them in; other regions refresh only if they show a changed node.
"""

from django.core import signing
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from argmap.browsing import TreeState, attach_nodes, load_graph, note_reviews
from argmap.judging import thesis_scores
from argmap.live import changes_since, poll_url, read_token
from argmap.models import Map
from argmap.permissions import map_and_access
from argmap.tree import parse_path
from argmap.views import poll_changed, poll_stopped
from argmap.views.rows import TreePage, render_card, render_more, render_row
from argmap.votes import attach_row_votes

# A page with more changed rows in view than this refreshes its trees whole.
MOST_ROWS = 200


@never_cache
@require_safe
def activity(request, code: str):
    """204 while the map is unchanged since `since`; else the poller again and `argmap-changed`
    with what changed.

    One query whoever asks while nothing changed: neither the session nor the user is read.
    """
    since = request.GET.get("since", "")
    if not since.isdigit() or len(since) > 19:
        return poll_stopped("Live updates stopped (a bad request). Reload the page to resume them.", 400)
    token = request.GET.get("token", "")
    try:
        payload = read_token(token)
    except signing.SignatureExpired:
        return poll_stopped("This page has been open a long time: reload it to see changes live again.", 403)
    except signing.BadSignature:
        return poll_stopped("Live updates stopped. Reload the page to resume them.", 403)
    # What changes_since needs of the map too (its graph is cached by revision), in the same query.
    map_ = Map.objects.for_poll(payload["map"])
    if map_ is None:
        return poll_stopped("Live updates stopped: this map is gone.", 404)
    if map_.code != code:
        return poll_stopped("Live updates stopped. Reload the page to resume them.", 403)
    if map_.activity == int(since):
        return HttpResponse(status=204)
    return poll_changed(poll_url(code, token, map_.activity), changes_since(map_, int(since)))


@never_cache
@require_safe
def rows(request, code: str):
    """The cards of the rows at `path` (each a tree path as on the page), as this reader sees them
    with their `filter` and `open` branches; for those whose node is in `changed` (ids) and open,
    their list of children (every child for a `whole` path, else the first page of a long level),
    unchanged children as empty placeholders the page keeps its own for; and the scoreboard with
    `scores=1`. For live.js only: a page without JavaScript reloads.
    """
    map_, access = map_and_access(request, code)
    values, whole_values = request.GET.getlist("path"), request.GET.getlist("whole")
    paths, whole = [parse_path(v) for v in values], {parse_path(v) for v in whole_values}
    changed = [value for value in request.GET.get("changed", "").split(",") if value]
    if (len(values) > MOST_ROWS or len(whole_values) > MOST_ROWS or None in paths or None in whole
            or not all(c.isdigit() and len(c) < 19 for c in changed)):
        return HttpResponseBadRequest("Which rows? Up to 200 paths like 12.34.56, and changed node ids.")
    state = TreeState.from_query(request.GET, load_graph(access))
    if not all(state.graph.is_path(p) for p in paths):
        # A row went (deleted, moved, or never there for this reader: the same answer for both) while
        # the page asked: 205 tells live.js to fetch the trees whole, with no error in the console.
        return HttpResponse(status=205)
    changed_ids = {int(c) for c in changed}
    shown = [state.row_alone(p) for p in dict.fromkeys(paths)]
    # A filter decides which children show from what lies below them, so any change may move them.
    relisted = [r for r in shown if r.expanded and (r.node_id in changed_ids or state.filter != "all")]
    # A level the page shows whole ("Show all") stays whole.
    lists = [(r, state.children_of(r, changed_ids, every=r.path in whole)) for r in relisted]
    new_rows = [child for _, children in lists for child in children if child.node_id in changed_ids]
    # The scoreboard names every thesis.
    theses = [state.row_alone((t,)) for t in state.graph.theses] if request.GET.get("scores") == "1" else []
    note_reviews(attach_nodes(shown + new_rows + theses, state.graph, map_).values())
    attach_row_votes(shown + new_rows, access)
    # Without JavaScript a vote comes back to the map page, not to this fragment's address.
    page = TreePage(request, map_, access, state, back=map_.get_absolute_url())
    context = {
        "map": map_,
        "cards": [render_card(row, page) for row in shown],
        "lists": [(r, [(c, render_row(c, page) if c.node_id in changed_ids else "") for c in children],
                   render_more(r, page) if r.more_children else "") for r, children in lists],
        "state": state,
        "scores": thesis_scores(access, [t.node for t in theses]) if theses else None,
    }
    return HttpResponse(render_to_string("maps/_live_rows.html", context, request=request))


urlpatterns = [
    path("maps/<slug:code>/activity/", activity, name="map-activity"),
    path("maps/<slug:code>/rows/", rows, name="map-rows"),
]
