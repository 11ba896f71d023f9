"""Browsing maps: the list, a map's trees (whole page or one branch for htmx), a node's focus view.

On an exercise's map every page shows what the reader's `access` allows: the graph without other
people's nodes awaiting approval (browsing.load_graph), and people's names as the reader may see
them (`name_for`, pseudonyms under anonymity).
"""

from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from argmap import editing
from argmap.browsing import TreeState, attach_nodes, hides, load_graph, node_cards, note_reviews, place_path
from argmap.comments import discussion
from argmap.history import history_entries
from argmap.judging import thesis_scores
from argmap.models import Comment, Map, Membership, Source
from argmap.permissions import deleted_node_for, map_and_access
from argmap.ratings import with_ratings
from argmap.search import find_nodes
from argmap.tree import OPPOSE, SUPPORT, parse_path
from argmap.views import kept_page
from argmap.views.rows import TreePage, page_with_trees, render_row, render_thesis
from argmap.votes import attach_child_votes, attach_row_votes


@require_safe
def map_list(request):
    maps = Map.objects.visible_to(request.user).select_related("owner").order_by("title")
    your_maps = []
    if request.user.is_authenticated:
        # "Your maps" first: those the user owns or has a role on, with that role.
        own_role = Membership.objects.filter(map=OuterRef("pk"), user=request.user).values("role")[:1]
        maps = list(maps.annotate(member_role=Subquery(own_role)))
        your_maps = [m for m in maps if m.owner_id == request.user.pk or m.member_role]
        maps = [m for m in maps if not (m.owner_id == request.user.pk or m.member_role)]
    return render(request, "maps/list.html", {"maps": maps, "your_maps": your_maps})


@require_safe
def map_detail(request, code: str, slug: str | None = None):
    map_, access = map_and_access(request, code)
    if slug != map_.slug and not request.htmx:
        url = map_.get_absolute_url()
        return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)
    return kept_page(request, access, lambda csrf_token: _map_page(request, map_, access, csrf_token))


def _map_page(request, map_, access, csrf_token: str):
    graph = load_graph(access)
    state = TreeState.from_query(request.GET, graph)
    if "toggle" in request.GET:
        # A show/hide button without JavaScript: on to the address of the tree it asked for (the
        # browser keeps the #row it came with), which a reload or a bookmark shows as it is.
        return redirect(f"{map_.get_absolute_url()}{state.query()}")
    rows = state.thesis_rows()
    note_reviews(attach_nodes(rows, state.graph, map_).values())
    attach_row_votes(rows, access)
    page = TreePage(request, map_, access, state)
    context = {
        "map": map_,
        "theses": [render_thesis(row, page) for row in rows],
        "state": state,
        "filters": [("all", "Everything"), (SUPPORT, "Supporting only"), (OPPOSE, "Opposing only"),
                    ("evidence", "Evidence only")],
        "sources": with_ratings(Source.objects.in_map(map_).order_by("mapsource__id"), map_),  # ratings in the same query
        "node_count": len(graph),
        "access": access,
        "scores": thesis_scores(access, [row.node for row in rows]),
        "csrf_token": csrf_token,
    }
    theses = context.pop("theses")
    fragment = "#trees" if request.htmx and request.htmx.target == "trees" else ""
    return page_with_trees(request, f"maps/detail.html{fragment}", context, theses)


@require_safe
def branch(request, code: str):
    """One node's row at one place in a tree, open or closed: what the expand buttons fetch.

    Without htmx the same request shows the whole map page with that branch open.
    """
    map_, access = map_and_access(request, code)
    path = parse_path(request.GET.get("path", ""))
    if path is None:
        return HttpResponseBadRequest("Which branch? The path should look like 12.34.56.")
    if not request.htmx:
        return redirect(f"{map_.get_absolute_url()}?{request.GET.urlencode()}#node-{'-'.join(map(str, path))}")
    return kept_page(request, access, lambda csrf_token: _branch_row(request, map_, access, path))


def _branch_row(request, map_, access, path):
    # No template: the row's forms take their token from get_token (signed-in pages are never shared).
    graph = load_graph(access)
    state = TreeState.from_query(request.GET, graph)
    if not state.graph.is_path(path):
        raise Http404("That branch is not in this map (any more).")
    row = state.row(path)
    note_reviews(attach_nodes([row], state.graph, map_).values())
    attach_row_votes([row], access)
    return HttpResponse(render_row(row, TreePage(request, map_, access, state)))


@require_safe
def node_focus(request, code: str, node_id: int):
    map_, access = map_and_access(request, code)
    graph = load_graph(access)
    if node_id not in graph:
        # A deleted node still has a page for those who may restore it (404 for everyone else).
        return _deleted_node_focus(request, access, node_id)
    return kept_page(request, access, lambda csrf_token: _focus_page(request, map_, access, graph, node_id, csrf_token))


def _focus_page(request, map_, access, graph, node_id: int, csrf_token: str):
    path = parse_path(request.GET.get("path", ""))
    if not (path and path[-1] == node_id and graph.is_path(path)):
        path = graph.path_to(node_id)
    children = graph.children(node_id)
    parents = graph.parents(node_id)
    # Every thesis too: the page names each thesis the node serves, not only the one on its path.
    cards = node_cards({*path, *graph.theses, *(e.child for e in children), *(e.parent for e in parents)})
    node = cards[node_id]
    note_reviews([node])
    supporting = [_child(graph, cards, path, e) for e in children if e.stance == SUPPORT]
    opposing = [_child(graph, cards, path, e) for e in children if e.stance == OPPOSE]
    on_path = graph.edge(path[-2], node_id) if len(path) > 1 else None
    node_vote = attach_child_votes(supporting + opposing, access, on_path and on_path.relation_id)
    # Deleted and hidden comments too: they keep their place in a thread as placeholders.
    comments = Comment.objects.filter(node=node).select_related("author").order_by("created_at", "id")
    context = {
        "map": map_,
        "node": node,
        "path": path,
        "breadcrumbs": [(cards[n], path[: i + 1]) for i, n in enumerate(path[:-1])],
        "sides": [(cards[t], graph.side(t, node_id)) for t in graph.theses if graph.side(t, node_id)],
        "node_vote": node_vote,
        "supporting": supporting,
        "opposing": opposing,
        "places": [(cards[e.parent], e.stance, place_path(graph, e)) for e in parents],
        "descendant_count": graph.descendant_count(node_id),
        "comment_threads": _threads(comments, access),
        "access": access,
        "history": history_entries(node, access),
        "csrf_token": csrf_token,
    }
    return render(request, "maps/focus.html", context)


def _deleted_node_focus(request, access, node_id: int):
    """A deleted node's page, for the people who may restore it; 404 for everyone else."""
    node = deleted_node_for(access, node_id)
    if not access.can_change(node):
        raise Http404("No such node in this map.")
    went_with = editing.deleted_with(node)
    may_restore = access.can_change(went_with or node)  # restoring it restores what it went with
    history = history_entries(node, access)
    for entry in history:
        if entry.restore == "node" and not may_restore:
            entry.restore = None
    context = {"map": access.map, "node": node, "went_with": went_with, "may_restore": may_restore, "access": access,
               "history": history, "went_with_seen": went_with is not None and not hides(access, went_with)}
    return render(request, "maps/deleted_node.html", context)


def _child(graph, cards, path, edge):
    return {"node": cards[edge.child], "path": path + (edge.child,),
            "descendant_count": graph.descendant_count(edge.child), "relation_id": edge.relation_id}


def _threads(comments, access):
    """The comments as threads of replies as this reader sees them (see argmap.comments)."""
    return discussion(comments, access)


@require_safe
def node_search(request, code: str):
    """Nodes of the map whose text contains every word typed, as radio buttons to pick one from.

    Shared by the forms that need a parent (new evidence, attach, move): `name` is the form field
    the radios fill, `exclude` a node that may not be picked (and its descendants, which would
    close a cycle). Returns a fragment for htmx and the same list inside a page without it.
    """
    map_, access = map_and_access(request, code)
    field_name = request.GET.get("name", "parent")
    if field_name not in ("parent", "new_parent"):
        field_name = "parent"
    exclude = request.GET.get("exclude", "")
    found = find_nodes(access, request.GET.get("q", ""), leave_out=int(exclude) if exclude.isdigit() else None)
    context = {"map": map_, "results": found.nodes, "field_name": field_name, "query": found.query, "more": found.more}
    return render(request, "maps/node_search.html#results" if request.htmx else "maps/node_search.html", context)
