"""Placing a node in a map's tree from its pages: under one more parent (attach), elsewhere (move),
out from under a parent (detach), and the stance of a relation.

A relation is addressed by its place in the tree (`path`). Under moderation students place only
their own claims elsewhere: a new place for someone else's approved claim would be seen by everyone
at once, and hiding that claim again until a teacher approves it would take it away from its author.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import path as url_path
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from argmap import editing
from argmap.forms.editing import PlaceForm, StanceForm
from argmap.models import Node, Stance
from argmap.permissions import require
from argmap.search import find_nodes
from argmap.tree import parse_path
from argmap.views import (
    GET_OR_POST,
    back_to,
    dom_id,
    errors_from,
    form_response,
    place_in_tree,
    posted,
    refused,
    shown_in_tree,
    shown_node,
    signed_in_to,
)


signed_in = signed_in_to("Log in to change this map.")


def _parent_on(request, graph, access, node: Node) -> Node:
    """The parent of the place the form names: relation changes are addressed by their place."""
    path = parse_path(request.POST.get("path") or request.GET.get("path") or "")
    if not path or len(path) < 2 or path[-1] != node.pk or graph.edge(path[-2], node.pk) is None:
        raise Http404("That place is not in this map (any more).")
    return shown_node(access, path[-2], graph)


@signed_in
@require_http_methods(GET_OR_POST)
def attach(request, code: str, node_id: int):
    """Place the node under one more parent, picked with the node picker."""
    map_, access, graph, node = shown_in_tree(request, code, node_id)
    require(access.can_contribute, "Only contributors, editors and owners change this map.")
    require(not access.moderated or access.can_change(node),
            "While your work is moderated you may place only your own claims elsewhere: reply to this one instead.")
    return _place_form(request, access, graph, node, "parent")


@signed_in
@require_http_methods(GET_OR_POST)
def move(request, code: str, node_id: int):
    """Move the node from the place it was shown at (`path`) to another parent."""
    map_, access, graph, node = shown_in_tree(request, code, node_id)
    require(access.can_change(node), "You may move only what you wrote on this map.")
    return _place_form(request, access, graph, node, "new_parent")


def _place_form(request, access, graph, node: Node, field_name: str):
    map_ = access.map
    moving = field_name == "new_parent"
    old_parent = _parent_on(request, graph, access, node) if moving else None
    path = place_in_tree(request, graph, node)
    edge = graph.edge(old_parent.pk, node.pk) if moving else None
    initial = {"stance": edge.stance if edge else Stance.SUPPORT}
    form = PlaceForm(posted(request), initial=initial, field_name=field_name,
                     auto_id=f"{'move' if moving else 'attach'}-{dom_id(path)}-%s")
    if request.method == "POST" and form.is_valid():
        new_parent = shown_node(access, form.cleaned_data[field_name], graph)
        stance = form.cleaned_data["stance"]
        try:
            if moving:
                editing.move(node, old_parent, new_parent, request.user, stance=stance, moderated=access.moderated)
            else:
                editing.attach(node, new_parent, stance, request.user, moderated=access.moderated)
        except ValidationError as error:
            errors_from(form, error)
        else:
            return back_to(request, map_, (graph.path_to(new_parent.pk) or (new_parent.pk,)) + (node.pk,),
                           focus_node=node)
    name = "node-move" if moving else "node-attach"
    context = {
        "map": map_, "access": access, "node": node, "path": path, "form": form, "field_name": field_name,
        "old_parent": old_parent,
        "title": ("Move “" if moving else "Also place “") + node.text + "”",
        "action": reverse(name, args=[map_.code, node.pk]),
        **_picker(request, access, node),
    }
    return form_response(request, "place", context, status=400 if form.errors else 200)


def _picker(request, access, node: Node) -> dict:
    """The node picker's first answer, so the form works without JavaScript too (htmx replaces
    it as the person types, from the `node-search` view)."""
    found = find_nodes(access, request.GET.get("q", ""), leave_out=node.pk)
    return {"results": found.nodes, "more": found.more, "query": found.query}


@signed_in
@require_POST
def detach(request, code: str, node_id: int):
    """Take the node out from under the parent of the place it was shown at."""
    map_, access, graph, node = shown_in_tree(request, code, node_id)
    require(access.can_change(node), "You may change only what you wrote on this map.")
    parent = _parent_on(request, graph, access, node)
    try:
        editing.detach(node, parent, request.user, moderated=access.moderated)
    except ValidationError as error:
        return refused(request, access, node, error)
    # Back to the node at one of its other places.
    other = next((e.parent for e in graph.parents(node.pk) if e.parent != parent.pk), None)
    path = (graph.path_to(other) + (node.pk,)) if other and graph.path_to(other) else (parent.pk,)
    return back_to(request, map_, path, focus_node=node)


@signed_in
@require_POST
def change_stance(request, code: str, node_id: int):
    map_, access, graph, node = shown_in_tree(request, code, node_id)
    require(access.can_change(node), "You may change only what you wrote on this map.")
    parent = _parent_on(request, graph, access, node)
    form = StanceForm(request.POST)
    if not form.is_valid():
        return refused(request, access, node, ValidationError(form.errors["stance"][0]))
    try:
        editing.change_stance(node, parent, form.cleaned_data["stance"], request.user, moderated=access.moderated)
    except ValidationError as error:  # changed by someone else meanwhile
        return refused(request, access, node, error)
    return back_to(request, map_, place_in_tree(request, graph, node), focus_node=node)


urlpatterns = [
    url_path("maps/<slug:code>/nodes/<int:node_id>/attach/", attach, name="node-attach"),
    url_path("maps/<slug:code>/nodes/<int:node_id>/move/", move, name="node-move"),
    url_path("maps/<slug:code>/nodes/<int:node_id>/detach/", detach, name="node-detach"),
    url_path("maps/<slug:code>/nodes/<int:node_id>/stance/", change_stance, name="node-stance"),
]
