"""Comments on a node: the thread (for the focus view and the tree's inline panels) and the forms
that post, reply, edit, delete, restore, hide and unhide.

Each form posts to its own URL. htmx gets the thread section back, re-rendered, and swaps it in
place (with the form's error and a 400 when the input was bad); without JavaScript the post
redirects to the focus view at the comment.

A node the reader may not see (someone else's node awaiting approval, on an exercise's map) has no
comments for them: 404 on its thread and on its comments' URLs, as for a node that does not exist.
"""

import re

from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRefresh, reswap

from argmap import comments
from argmap.forms.comments import CommentForm, ReplyForm
from argmap.models import Comment
from argmap.permissions import comment_for, map_and_access, node_for, require
from argmap.views import next_path, signed_in_to

FOCUS_PANEL = "comments"  # the focus view's section; panels in the tree are "<row id>-comments"
PANEL_ID = re.compile(r"^node(-\d{1,19}){1,60}-comments$")


signed_in = signed_in_to("Log in to comment.")


def _panel(value: str | None) -> str:
    return value if value and PANEL_ID.match(value) else FOCUS_PANEL


def thread_context(map_, access, node, panel: str = FOCUS_PANEL, **extra) -> dict:
    """What templates/maps/_comments.html needs to draw a node's threads in one panel."""
    rows = Comment.objects.filter(node=node).select_related("author").order_by("created_at", "id")
    in_tree = panel != FOCUS_PANEL
    return {
        "map": map_,
        "node": node,
        "access": access,
        "comment_threads": comments.discussion(rows, access),
        "panel": panel,
        # Element ids must stay unique when several panels are open in the tree.
        "prefix": f"{panel}-" if in_tree else "",
        "live_url": f"{reverse('comment-thread', args=[map_.code, node.pk])}?panel={panel}" if in_tree else "",
        **extra,
    }


def _focus_url(map_, node, comment=None) -> str:
    url = reverse("node-focus", args=[map_.code, node.pk])
    return f"{url}#comment-{comment.pk}" if comment else f"{url}#comments"


def _done(request, map_, access, node, comment=None):
    """After a change: the thread again for htmx, else back to where the form was (`next`, if it
    is a page of this site) or to the focus view at the comment.

    An htmx form outside the thread (the history panel's restore button) gets the page reloaded.
    """
    if request.htmx:
        target = request.htmx.target or ""
        if target != FOCUS_PANEL and not PANEL_ID.match(target):
            return HttpResponseClientRefresh()
        return render(request, "maps/_comments.html", thread_context(map_, access, node, target))
    return HttpResponseRedirect(next_path(request) or _focus_url(map_, node, comment))


def _refused(request, map_, access, node, form, *, action: str, comment=None):
    """Bad input: the form again with its error and the text kept, status 400."""
    failed = {"action": action, "comment_id": comment.pk if comment else None, "form": form,
              "text": form.data.get("text", "").replace("\x00", "")}  # NUL cannot go back into HTML
    if request.htmx:
        context = thread_context(map_, access, node, _panel(request.htmx.target), failed=failed)
        # The error response replaces the section like a success would (see static/js/live.js).
        return reswap(render(request, "maps/_comments.html", context, status=400), "outerHTML")
    context = {"map": map_, "node": node, "failed": failed, "comment": comment,
               "back_url": _focus_url(map_, node, comment)}
    return render(request, "maps/comment_form.html", context, status=400)


@require_safe
def thread(request, code: str, node_id: int):
    """A node's threads with their forms: the panel the tree opens under a row."""
    map_, access = map_and_access(request, code)
    node = node_for(access, node_id)
    if not request.htmx:
        return redirect(_focus_url(map_, node))
    return render(request, "maps/_comments.html", thread_context(map_, access, node, _panel(request.GET.get("panel"))))


@require_POST
@signed_in
def post(request, code: str, node_id: int):
    """A new comment on the node, or a reply (`reply_to`) to one of its comments."""
    map_, access = map_and_access(request, code)
    node = node_for(access, node_id)
    require(access.can_comment, "You may not comment on this map.")
    form = ReplyForm(request.POST)
    form.is_valid()
    reply_to = None
    if form.cleaned_data.get("reply_to"):
        reply_to = Comment.objects.filter(pk=form.cleaned_data["reply_to"], node=node).first()
        if reply_to is None:
            form.add_error("reply_to", "A reply can only answer a comment on the same node.")
    if not form.errors:
        try:
            comment = comments.post(node, request.user, form.cleaned_data["text"], reply_to=reply_to)
        except ValidationError as error:
            form.add_error(None, error)
    if form.errors:
        action = "reply" if reply_to else "new"
        return _refused(request, map_, access, node, form, action=action, comment=reply_to)
    return _done(request, map_, access, node, comment)


def _comment_on(request, code: str, comment_id: int):
    """The map, the requester's access and the comment: 404 unless they see it."""
    map_, access = map_and_access(request, code)
    return map_, access, comment_for(access, comment_id)


def _change(request, code: str, comment_id: int, may, refusal: str, change):
    """One of the one-button changes (delete, restore, hide, unhide): `may(access, comment)`
    decides (403 with `refusal` when not), `change(comment, user)` does it."""
    map_, access, comment = _comment_on(request, code, comment_id)
    require(may(access, comment), refusal)
    change(comment, request.user)
    return _done(request, map_, access, comment.node, comment)


def _author(access, comment) -> bool:
    return access.can_change_comment(comment)


def _moderator(access, comment) -> bool:
    return access.can_moderate_comments


@require_POST
@signed_in
def edit(request, code: str, comment_id: int):
    map_, access, comment = _comment_on(request, code, comment_id)
    require(access.can_change_comment(comment), "Only its author may edit a comment.")
    require(comment.hidden_at is None, "A moderator hid this comment: it can no longer be edited.")
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comments.edit(comment, request.user, form.cleaned_data["text"])
        except ValidationError as error:
            form.add_error(None, error)
    if form.errors:
        return _refused(request, map_, access, comment.node, form, action="edit", comment=comment)
    return _done(request, map_, access, comment.node, comment)


@require_POST
@signed_in
def delete(request, code: str, comment_id: int):
    return _change(request, code, comment_id, _author, "Only its author may delete a comment.", comments.delete)


@require_POST
@signed_in
def restore(request, code: str, comment_id: int):
    """Undo a delete (the focus view's button, and the history panel's)."""
    return _change(request, code, comment_id, _author, "Only its author may restore a comment.", comments.restore)


@require_POST
@signed_in
def hide(request, code: str, comment_id: int):
    return _change(request, code, comment_id, _moderator, "Only owners and editors hide comments.", comments.hide)


@require_POST
@signed_in
def unhide(request, code: str, comment_id: int):
    return _change(request, code, comment_id, _moderator, "Only owners and editors unhide comments.", comments.unhide)


urlpatterns = [
    path("maps/<slug:code>/nodes/<int:node_id>/comments/", thread, name="comment-thread"),
    path("maps/<slug:code>/nodes/<int:node_id>/comments/new/", post, name="comment-post"),
    path("maps/<slug:code>/comments/<int:comment_id>/edit/", edit, name="comment-edit"),
    path("maps/<slug:code>/comments/<int:comment_id>/delete/", delete, name="comment-delete"),
    path("maps/<slug:code>/comments/<int:comment_id>/restore/", restore, name="comment-restore"),
    path("maps/<slug:code>/comments/<int:comment_id>/hide/", hide, name="comment-hide"),
    path("maps/<slug:code>/comments/<int:comment_id>/unhide/", unhide, name="comment-unhide"),
]
