"""Changing a map from its pages: add, edit, place, delete and restore nodes and quotes.

Each action has a URL that shows its form on GET (a page of its own, or the form alone for htmx,
which puts it under the row it belongs to) and does the change on POST. After a change the
browser goes back to the map with the branch open (`_back_to_map`): htmx follows that redirect
and swaps the whole `#trees`, the same way the filter does, keeping the branches the page had
open (the forms send them along from the `.tree-state` inputs of `#trees`). A form with a mistake
comes back with the message and a 4xx status, in place of the form.

On an exercise's map with moderation a student's changes are moderated (see argmap.editing):
what they add is pending, what they change goes back to pending. Others' pending nodes are not
there for them: 404 wherever one is named, and placing under one is refused like any unknown
node. Under moderation students place only their own claims elsewhere: a new place for someone
else's approved claim would be seen by everyone at once, and hiding that claim again until a
teacher approves it would take it away from its author.
"""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path as url_path
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import reswap, retarget

from argmap import editing
from argmap.browsing import load_graph, reader_id
from argmap.forms.editing import EditForm, PlaceForm, ReplyForm, StanceForm, TextForm
from argmap.models import Action, Change, Node, NodeStatus, Quote, Stance
from argmap.permissions import deleted_node_for, map_and_access, node_for, quote_for, require
from argmap.views import signed_in_to
from argmap.tree import FILTERS, Path, parse_path, path_key

GET_OR_POST = ["GET", "HEAD", "POST"]


signed_in = signed_in_to("Log in to change this map.")


# Where things are, and where to go back to

def _shown_node(access, node_id: int, graph) -> Node:
    """A live node of the map that some thesis reaches in the reader's graph; 404 for anything else."""
    if node_id not in graph:
        raise Http404("No such node in this map.")
    return node_for(access, node_id)


def _place(request, graph, node: Node) -> Path:
    """The place in the tree the form was opened from (`path`), or the node's first place."""
    path = parse_path(request.POST.get("path") or request.GET.get("path") or "")
    if path and path[-1] == node.pk and graph.is_path(path):
        return path
    return graph.path_to(node.pk) or (node.pk,)


def _parent_on(request, graph, access, node: Node) -> Node:
    """The parent of the place the form names: relation changes are addressed by their place."""
    path = parse_path(request.POST.get("path") or request.GET.get("path") or "")
    if not path or len(path) < 2 or path[-1] != node.pk or graph.edge(path[-2], node.pk) is None:
        raise Http404("That place is not in this map (any more).")
    return _shown_node(access, path[-2], graph)


def _dom(path: Path) -> str:
    """A path as it appears in element ids (`node-12-34`): dots would break CSS selectors."""
    return "-".join(map(str, path))


def _posted(request):
    """The form data on POST (even an empty body binds the form, so it answers 400), else None."""
    return request.POST if request.method == "POST" else None


def _tree_state(request) -> list[tuple[str, str]]:
    """The map page's filter and open branches, as the form sent them from `#trees`."""
    data = request.POST
    params = [("open", v) for v in dict.fromkeys(data.getlist("open")[:300]) if parse_path(v)]
    if data.get("filter") in FILTERS and data.get("filter") != "all":
        params.append(("filter", data["filter"]))
    if data.get("expand") == "all":
        params.append(("expand", "all"))
    return params


def _back_to_map(request, map_, path: Path, deleted: Path | None = None):
    """The map page with `path` showing (its ancestors opened), scrolled to it; `deleted` names a
    node just deleted from there, which the page then offers to bring back."""
    params = _tree_state(request)
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
        anchor = f"#node-{_dom(path)}"
    if anchor:
        # `at` is for editing.js, which moves the keyboard focus there after the swap.
        params.append(("at", anchor[1:]))
    query = f"?{urlencode(params)}" if params else ""
    return redirect(f"{map_.get_absolute_url()}{query}{anchor}")


def _back(request, map_, path: Path, focus_node: Node | None = None):
    """Back where the form came from: the focus view (`back=focus`) or the map."""
    if request.POST.get("back") == "focus" and focus_node is not None and not focus_node.is_deleted:
        url = reverse("node-focus", args=[map_.code, focus_node.pk])
        return redirect(f"{url}?path={path_key(path)}" if len(path) > 1 else url)
    return _back_to_map(request, map_, path)


def _form(request, template_part: str, context: dict, status: int = 200, slot: str = "closest .edit-slot"):
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


def _errors_from(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


# Adding

@signed_in
@require_http_methods(GET_OR_POST)
def add_thesis(request, code: str):
    map_, access = map_and_access(request, code)
    require(access.can_contribute, "Only contributors, editors and owners add to this map.")
    form = TextForm(_posted(request), auto_id="new-thesis-%s")
    if request.method == "POST" and form.is_valid():
        try:
            node = editing.add_thesis(map_, request.user, form.cleaned_data["text"], moderated=access.moderated)
        except ValidationError as error:
            _errors_from(form, error)
        else:
            return _back_to_map(request, map_, (node.pk,))
    context = {"map": map_, "access": access, "form": form, "title": "Add a thesis", "action": reverse("thesis-add", args=[code])}
    return _form(request, "thesis", context, status=400 if form.errors else 200)


@signed_in
@require_http_methods(GET_OR_POST)
def reply(request, code: str, node_id: int):
    map_, access = map_and_access(request, code)
    graph = load_graph(access)
    parent = _shown_node(access, node_id, graph)
    require(access.can_contribute, "Only contributors, editors and owners add to this map.")
    path = _place(request, graph, parent)
    stance = request.GET.get("stance") if request.GET.get("stance") in Stance.values else Stance.SUPPORT
    form = ReplyForm(_posted(request), initial={"stance": stance}, auto_id=f"reply-{_dom(path)}-%s")
    if request.method == "POST" and form.is_valid():
        try:
            node, _ = editing.add_claim(parent, request.user, form.cleaned_data["text"], form.cleaned_data["stance"],
                                        moderated=access.moderated)
        except ValidationError as error:
            _errors_from(form, error)
        else:
            return _back(request, map_, path + (node.pk,), focus_node=parent)
    title = "Support" if (form["stance"].value() or stance) == Stance.SUPPORT else "Oppose"
    context = {"map": map_, "access": access, "node": parent, "path": path, "form": form, "title": f"{title} “{parent.text}”",
               "action": reverse("node-reply", args=[code, node_id])}
    return _form(request, "reply", context, status=400 if form.errors else 200)


# Editing

@signed_in
@require_http_methods(GET_OR_POST)
def edit(request, code: str, node_id: int):
    map_, access = map_and_access(request, code)
    graph = load_graph(access)
    node = _shown_node(access, node_id, graph)
    require(access.can_change(node), "You may edit only what you wrote on this map.")
    path = _place(request, graph, node)
    form = EditForm(_posted(request), initial={"text": node.text, "version": node.version},
                    auto_id=f"edit-{_dom(path)}-%s")
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            editing.edit_text(node, form.cleaned_data["text"], form.cleaned_data["version"], request.user,
                              moderated=access.moderated)
        except editing.EditConflict as error:
            conflict = error.current
            # Resubmitting replaces their version with yours, knowingly: the form now carries theirs.
            form = EditForm({"text": form.cleaned_data["text"], "version": conflict.version},
                            auto_id=f"edit-{_dom(path)}-%s")
        except ValidationError as error:
            _errors_from(form, error)
        else:
            return _back(request, map_, path, focus_node=node)
    context = {"map": map_, "access": access, "node": node, "path": path, "form": form, "conflict": conflict,
               "title": "Edit “" + node.text + "”", "action": reverse("node-edit", args=[code, node_id])}
    status = 409 if conflict else 400 if form.errors else 200
    return _form(request, "edit", context, status=status)


# Placing

@signed_in
@require_http_methods(GET_OR_POST)
def attach(request, code: str, node_id: int):
    """Place the node under one more parent, picked with the node picker."""
    map_, access = map_and_access(request, code)
    graph = load_graph(access)
    node = _shown_node(access, node_id, graph)
    require(access.can_contribute, "Only contributors, editors and owners change this map.")
    require(not access.moderated or access.can_change(node),
            "While your work is moderated you may place only your own claims elsewhere: reply to this one instead.")
    return _place_form(request, access, graph, node, "parent")


@signed_in
@require_http_methods(GET_OR_POST)
def move(request, code: str, node_id: int):
    """Move the node from the place it was shown at (`path`) to another parent."""
    map_, access = map_and_access(request, code)
    graph = load_graph(access)
    node = _shown_node(access, node_id, graph)
    require(access.can_change(node), "You may move only what you wrote on this map.")
    return _place_form(request, access, graph, node, "new_parent")


def _place_form(request, access, graph, node: Node, field_name: str):
    map_ = access.map
    moving = field_name == "new_parent"
    old_parent = _parent_on(request, graph, access, node) if moving else None
    path = _place(request, graph, node)
    edge = graph.edge(old_parent.pk, node.pk) if moving else None
    initial = {"stance": edge.stance if edge else Stance.SUPPORT}
    form = PlaceForm(_posted(request), initial=initial, field_name=field_name,
                     auto_id=f"{'move' if moving else 'attach'}-{_dom(path)}-%s")
    if request.method == "POST" and form.is_valid():
        new_parent = _shown_node(access, form.cleaned_data[field_name], graph)
        stance = form.cleaned_data["stance"]
        try:
            if moving:
                editing.move(node, old_parent, new_parent, request.user, stance=stance, moderated=access.moderated)
            else:
                editing.attach(node, new_parent, stance, request.user, moderated=access.moderated)
        except ValidationError as error:
            _errors_from(form, error)
        else:
            return _back(request, map_, (graph.path_to(new_parent.pk) or (new_parent.pk,)) + (node.pk,),
                         focus_node=node)
    name = "node-move" if moving else "node-attach"
    context = {
        "map": map_, "access": access, "node": node, "path": path, "form": form, "field_name": field_name,
        "old_parent": old_parent,
        "title": ("Move “" if moving else "Also place “") + node.text + "”",
        "action": reverse(name, args=[map_.code, node.pk]),
        **_picker(request, map_, graph, node, field_name),
    }
    return _form(request, "place", context, status=400 if form.errors else 200)


PICKER_RESULTS = 12


def _picker(request, map_, graph, node: Node, field_name: str) -> dict:
    """The node picker's first answer, so the form works without JavaScript too (htmx replaces
    it as the person types, from the `node-search` view)."""
    words = request.GET.get("q", "").split()[:8]
    excluded = {node.pk, *graph.descendants(node.pk)}
    nodes = Node.objects.in_map(map_).live()
    if words:
        for word in words:
            nodes = nodes.filter(text__icontains=word[:100])
    else:
        nodes = nodes.filter(pk__in=graph.theses)
    found = [n for n in nodes.order_by("kind", "id")[: PICKER_RESULTS * 4] if n.pk in graph and n.pk not in excluded]
    return {"results": found[:PICKER_RESULTS], "more": len(found) > PICKER_RESULTS, "query": " ".join(words)}


@signed_in
@require_POST
def detach(request, code: str, node_id: int):
    """Take the node out from under the parent of the place it was shown at."""
    map_, access = map_and_access(request, code)
    graph = load_graph(access)
    node = _shown_node(access, node_id, graph)
    require(access.can_change(node), "You may change only what you wrote on this map.")
    parent = _parent_on(request, graph, access, node)
    try:
        editing.detach(node, parent, request.user, moderated=access.moderated)
    except ValidationError as error:
        return _refused(request, access, node, error)
    # Back to the node at one of its other places.
    other = next((e.parent for e in graph.parents(node.pk) if e.parent != parent.pk), None)
    path = (graph.path_to(other) + (node.pk,)) if other and graph.path_to(other) else (parent.pk,)
    return _back(request, map_, path, focus_node=node)


@signed_in
@require_POST
def change_stance(request, code: str, node_id: int):
    map_, access = map_and_access(request, code)
    graph = load_graph(access)
    node = _shown_node(access, node_id, graph)
    require(access.can_change(node), "You may change only what you wrote on this map.")
    parent = _parent_on(request, graph, access, node)
    form = StanceForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, node, ValidationError(form.errors["stance"][0]))
    try:
        editing.change_stance(node, parent, form.cleaned_data["stance"], request.user, moderated=access.moderated)
    except ValidationError as error:  # changed by someone else meanwhile
        return _refused(request, access, node, error)
    return _back(request, map_, _place(request, graph, node), focus_node=node)


def _refused(request, access, node: Node, error: ValidationError, status: int = 400):
    """A one-button action that could not be done: say why, with a way back."""
    graph = load_graph(access)
    path = _place(request, graph, node) if node.pk in graph else None
    context = {"map": access.map, "access": access, "node": node, "path": path, "problems": error.messages, "title": "That could not be done"}
    # A one-button action sits in the row's menu, not in its slot: name the slot.
    return _form(request, "refused", context, status=status, slot=f"#node-{_dom(path)}-slot" if path else "this")


# Deleting and restoring

@signed_in
@require_http_methods(GET_OR_POST)
def delete(request, code: str, node_id: int):
    """GET: what would go (the node and whatever only it keeps in the map); POST: delete."""
    map_, access = map_and_access(request, code)
    graph = load_graph(access)
    node = _shown_node(access, node_id, graph)
    require(access.can_change(node), "You may delete only what you wrote on this map.")
    path = _place(request, graph, node)
    if request.method == "POST":
        try:
            editing.delete_node(node, request.user, may_change=access.can_change)
        except ValidationError as error:  # deleted by someone else meanwhile
            return _refused(request, access, node, error)
        if request.POST.get("back") == "focus" and len(path) > 1:
            return _back(request, map_, path[:-1], focus_node=node_for(access, path[-2]))
        return _back_to_map(request, map_, path[:-1], deleted=path)
    cascade = list(Node.objects.filter(pk__in=editing.cascade_of(node)).select_related("author"))
    blocked = [n for n in cascade if not access.can_change(n)]
    # Others' nodes awaiting approval go too, but this person may not read them: counted, not listed.
    unseen_below = sum(1 for n in cascade if n.pk not in graph)
    context = {"map": map_, "access": access, "node": node, "path": path,
               "cascade": [n for n in cascade if n.pk in graph],
               "unseen_below": unseen_below, "going": len(cascade), "blocked": blocked,
               "title": "Delete “" + node.text + "”", "action": reverse("node-delete", args=[code, node_id])}
    return _form(request, "delete", context)


@signed_in
@require_POST
def restore(request, code: str, node_id: int):
    map_, access = map_and_access(request, code)
    node = deleted_node_for(access, node_id)
    require(access.can_change(node), "You may restore only what you wrote on this map.")
    try:
        editing.restore_node(node, request.user, may_change=access.can_change)
    except ValidationError as error:
        return _refused(request, access, node, error)
    if request.POST.get("back") == "deleted":
        return redirect("map-deleted", map_.code)
    path = parse_path(request.POST.get("path", ""))
    if path and path[-1] == node.pk:
        # Undone from the notice on the map page: back to where it was.
        return _back_to_map(request, map_, path)
    return redirect(reverse("node-focus", args=[map_.code, node.pk]) + "#history")


@signed_in
@require_POST
def delete_quote(request, code: str, quote_id: int):
    map_, access = map_and_access(request, code)
    quote = quote_for(access, quote_id)
    require(access.can_change(quote), "You may delete only the quotes you added to this map.")
    try:
        editing.delete_quote(quote, request.user, moderated=access.moderated)
    except ValidationError as error:
        return _refused(request, access, quote.node, error)
    return _after_quote(request, access, quote)


@signed_in
@require_POST
def restore_quote(request, code: str, quote_id: int):
    map_, access = map_and_access(request, code)
    quote = quote_for(access, quote_id)
    require(access.can_change(quote), "You may restore only the quotes you added to this map.")
    try:
        editing.restore_quote(quote, request.user, moderated=access.moderated)
    except ValidationError as error:
        return _refused(request, access, quote.node, error)
    return _after_quote(request, access, quote)


def _after_quote(request, access, quote: Quote):
    map_ = access.map
    graph = load_graph(access)
    if request.POST.get("back") == "focus" or quote.node_id not in graph:
        return redirect(reverse("node-focus", args=[map_.code, quote.node_id]) + "#history")
    return _back_to_map(request, map_, _place(request, graph, quote.node))


@signed_in
@require_safe
def deleted(request, code: str):
    """The map's deleted nodes, newest first, each with what went with it and a restore button."""
    map_, access = map_and_access(request, code)
    require(access.can_edit_all, "Only the map's editors and owners see what was deleted.")
    nodes = Node.objects.in_map(map_).deleted().select_related("author", "deleted_by")
    if map_.exercise_id and not access.sees_pending:  # a student with an editor's role
        nodes = nodes.filter(Q(status=NodeStatus.APPROVED) | Q(author_id=reader_id(access)))
    nodes = list(nodes.order_by("-deleted_at", "-id")[:300])
    deletions = {}
    for change in Change.objects.filter(map=map_, target_type="node", action=Action.DELETE,
                                        target_id__in=[n.pk for n in nodes]).order_by("id"):
        deletions[change.target_id] = change  # the latest wins
    entries = {n.pk: {"node": n, "change": deletions.get(n.pk), "with_it": []} for n in nodes}
    listed = []
    for n in nodes:
        went_with = (deletions[n.pk].after or {}).get("with") if n.pk in deletions else None
        if went_with in entries:
            entries[went_with]["with_it"].append(n)
        else:
            listed.append(entries[n.pk])
    return render(request, "maps/deleted.html", {"map": map_, "entries": listed, "access": access})


urlpatterns = [
    url_path("maps/<slug:code>/theses/new/", add_thesis, name="thesis-add"),
    url_path("maps/<slug:code>/deleted/", deleted, name="map-deleted"),
    url_path("maps/<slug:code>/nodes/<int:node_id>/reply/", reply, name="node-reply"),
    url_path("maps/<slug:code>/nodes/<int:node_id>/edit/", edit, name="node-edit"),
    url_path("maps/<slug:code>/nodes/<int:node_id>/attach/", attach, name="node-attach"),
    url_path("maps/<slug:code>/nodes/<int:node_id>/move/", move, name="node-move"),
    url_path("maps/<slug:code>/nodes/<int:node_id>/detach/", detach, name="node-detach"),
    url_path("maps/<slug:code>/nodes/<int:node_id>/stance/", change_stance, name="node-stance"),
    url_path("maps/<slug:code>/nodes/<int:node_id>/delete/", delete, name="node-delete"),
    url_path("maps/<slug:code>/nodes/<int:node_id>/restore/", restore, name="node-restore"),
    url_path("maps/<slug:code>/quotes/<int:quote_id>/delete/", delete_quote, name="quote-delete"),
    url_path("maps/<slug:code>/quotes/<int:quote_id>/restore/", restore_quote, name="quote-restore"),
]
