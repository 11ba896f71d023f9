"""Changing a map from its pages: add, edit, delete and restore nodes and quotes (placing them: relations.py).

Each action has a URL that shows its form on GET (a page of its own, or the form alone for htmx,
which puts it under the row it belongs to) and does the change on POST. After a change the
browser goes back to the map with the branch open (`back_to_map`): htmx follows that redirect
and swaps the whole `#trees`, the same way the filter does, keeping the branches the page had
open (the forms send them along from the `.tree-state` inputs of `#trees`). A form with a mistake
comes back with the message and a 4xx status, in place of the form.

On an exercise's map with moderation a student's changes are moderated (see argmap.editing):
what they add is pending, what they change goes back to pending. Others' pending nodes are not
there for them: 404 wherever one is named, and placing under one is refused like any unknown
node.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path as url_path
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from argmap import editing
from argmap.browsing import load_graph
from argmap.forms.editing import EditForm, ReplyForm, TextForm
from argmap.history import deleted_nodes
from argmap.models import Node, Quote, Stance
from argmap.permissions import deleted_node_for, map_and_access, node_for, quote_for, require
from argmap.tree import parse_path
from argmap.views import (
    GET_OR_POST,
    back_to,
    back_to_map,
    dom_id,
    errors_from,
    form_response,
    place_in_tree,
    posted,
    refused,
    shown_in_tree,
    signed_in_to,
)


signed_in = signed_in_to("Log in to change this map.")


# Adding

@signed_in
@require_http_methods(GET_OR_POST)
def add_thesis(request, code: str):
    map_, access = map_and_access(request, code)
    require(access.can_contribute, "Only contributors, editors and owners add to this map.")
    form = TextForm(posted(request), auto_id="new-thesis-%s")
    if request.method == "POST" and form.is_valid():
        try:
            node = editing.add_thesis(map_, request.user, form.cleaned_data["text"], moderated=access.moderated)
        except ValidationError as error:
            errors_from(form, error)
        else:
            return back_to_map(request, map_, (node.pk,))
    context = {"map": map_, "access": access, "form": form, "title": "Add a thesis", "action": reverse("thesis-add", args=[code])}
    return form_response(request, "thesis", context, status=400 if form.errors else 200)


@signed_in
@require_http_methods(GET_OR_POST)
def reply(request, code: str, node_id: int):
    map_, access, graph, parent = shown_in_tree(request, code, node_id)
    require(access.can_contribute, "Only contributors, editors and owners add to this map.")
    path = place_in_tree(request, graph, parent)
    stance = request.GET.get("stance") if request.GET.get("stance") in Stance.values else Stance.SUPPORT
    form = ReplyForm(posted(request), initial={"stance": stance}, auto_id=f"reply-{dom_id(path)}-%s")
    if request.method == "POST" and form.is_valid():
        try:
            node, _ = editing.add_claim(parent, request.user, form.cleaned_data["text"], form.cleaned_data["stance"],
                                        moderated=access.moderated)
        except ValidationError as error:
            errors_from(form, error)
        else:
            return back_to(request, map_, path + (node.pk,), focus_node=parent)
    title = "Support" if (form["stance"].value() or stance) == Stance.SUPPORT else "Oppose"
    context = {"map": map_, "access": access, "node": parent, "path": path, "form": form, "title": f"{title} “{parent.text}”",
               "action": reverse("node-reply", args=[code, node_id])}
    return form_response(request, "reply", context, status=400 if form.errors else 200)


# Editing

@signed_in
@require_http_methods(GET_OR_POST)
def edit(request, code: str, node_id: int):
    map_, access, graph, node = shown_in_tree(request, code, node_id)
    require(access.can_change(node), "You may edit only what you wrote on this map.")
    path = place_in_tree(request, graph, node)
    form = EditForm(posted(request), initial={"text": node.text, "version": node.version},
                    auto_id=f"edit-{dom_id(path)}-%s")
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            editing.edit_text(node, form.cleaned_data["text"], form.cleaned_data["version"], request.user,
                              moderated=access.moderated)
        except editing.EditConflict as error:
            conflict = error.current
            # Resubmitting replaces their version with yours, knowingly: the form now carries theirs.
            form = EditForm({"text": form.cleaned_data["text"], "version": conflict.version},
                            auto_id=f"edit-{dom_id(path)}-%s")
        except ValidationError as error:
            errors_from(form, error)
        else:
            return back_to(request, map_, path, focus_node=node)
    context = {"map": map_, "access": access, "node": node, "path": path, "form": form, "conflict": conflict,
               "title": "Edit “" + node.text + "”", "action": reverse("node-edit", args=[code, node_id])}
    status = 409 if conflict else 400 if form.errors else 200
    return form_response(request, "edit", context, status=status)


# Deleting and restoring

@signed_in
@require_http_methods(GET_OR_POST)
def delete(request, code: str, node_id: int):
    """GET: what would go (the node and whatever only it keeps in the map); POST: delete."""
    map_, access, graph, node = shown_in_tree(request, code, node_id)
    require(access.can_change(node), "You may delete only what you wrote on this map.")
    path = place_in_tree(request, graph, node)
    if request.method == "POST":
        try:
            editing.delete_node(node, request.user, may_change=access.can_change)
        except ValidationError as error:  # deleted by someone else meanwhile
            return refused(request, access, node, error)
        if request.POST.get("back") == "focus" and len(path) > 1:
            return back_to(request, map_, path[:-1], focus_node=node_for(access, path[-2]))
        return back_to_map(request, map_, path[:-1], deleted=path)
    cascade = list(Node.objects.filter(pk__in=editing.cascade_of(node)).select_related("author"))
    blocked = [n for n in cascade if not access.can_change(n)]
    # Others' nodes awaiting approval go too, but this person may not read them: counted, not listed.
    unseen_below = sum(1 for n in cascade if n.pk not in graph)
    context = {"map": map_, "access": access, "node": node, "path": path,
               "cascade": [n for n in cascade if n.pk in graph],
               "unseen_below": unseen_below, "going": len(cascade), "blocked": blocked,
               "title": "Delete “" + node.text + "”", "action": reverse("node-delete", args=[code, node_id])}
    return form_response(request, "delete", context)


@signed_in
@require_POST
def restore(request, code: str, node_id: int):
    map_, access = map_and_access(request, code)
    node = deleted_node_for(access, node_id)
    require(access.can_change(node), "You may restore only what you wrote on this map.")
    try:
        editing.restore_node(node, request.user, may_change=access.can_change)
    except ValidationError as error:
        return refused(request, access, node, error)
    if request.POST.get("back") == "deleted":
        return redirect("map-deleted", map_.code)
    path = parse_path(request.POST.get("path", ""))
    if path and path[-1] == node.pk:
        # Undone from the notice on the map page: back to where it was.
        return back_to_map(request, map_, path)
    return redirect(reverse("node-focus", args=[map_.code, node.pk]) + "#history")


@signed_in
@require_POST
def delete_quote(request, code: str, quote_id: int):
    return _quote_change(request, code, quote_id, "You may delete only the quotes you added to this map.",
                         editing.delete_quote)


@signed_in
@require_POST
def restore_quote(request, code: str, quote_id: int):
    return _quote_change(request, code, quote_id, "You may restore only the quotes you added to this map.",
                         editing.restore_quote)


def _quote_change(request, code: str, quote_id: int, refusal: str, change):
    """Delete or restore a quote: `change(quote, user, moderated=...)`, 403 with `refusal` unless
    the requester may change it."""
    map_, access = map_and_access(request, code)
    quote = quote_for(access, quote_id)
    require(access.can_change(quote), refusal)
    try:
        change(quote, request.user, moderated=access.moderated)
    except ValidationError as error:
        return refused(request, access, quote.node, error)
    return _after_quote(request, access, quote)


def _after_quote(request, access, quote: Quote):
    map_ = access.map
    graph = load_graph(access)
    if request.POST.get("back") == "focus" or quote.node_id not in graph:
        return redirect(reverse("node-focus", args=[map_.code, quote.node_id]) + "#history")
    return back_to_map(request, map_, place_in_tree(request, graph, quote.node))


@signed_in
@require_safe
def deleted(request, code: str):
    """The map's deleted nodes, newest first, each with what went with it and a restore button."""
    map_, access = map_and_access(request, code)
    require(access.can_edit_all, "Only the map's editors and owners see what was deleted.")
    return render(request, "maps/deleted.html", {"map": map_, "entries": deleted_nodes(access), "access": access})


urlpatterns = [
    url_path("maps/<slug:code>/theses/new/", add_thesis, name="thesis-add"),
    url_path("maps/<slug:code>/deleted/", deleted, name="map-deleted"),
    url_path("maps/<slug:code>/nodes/<int:node_id>/reply/", reply, name="node-reply"),
    url_path("maps/<slug:code>/nodes/<int:node_id>/edit/", edit, name="node-edit"),
    url_path("maps/<slug:code>/nodes/<int:node_id>/delete/", delete, name="node-delete"),
    url_path("maps/<slug:code>/nodes/<int:node_id>/restore/", restore, name="node-restore"),
    url_path("maps/<slug:code>/quotes/<int:quote_id>/delete/", delete_quote, name="quote-delete"),
    url_path("maps/<slug:code>/quotes/<int:quote_id>/restore/", restore_quote, name="quote-restore"),
]
