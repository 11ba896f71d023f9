"""Comments on nodes: posting, replying, editing, deleting and restoring, hiding, and how a thread
reads to each person.

Every change is recorded in the history inside the same transaction as the change. The comment row
is locked first, so two people acting on one comment at once are serialised and the second one
sees the first one's change (hiding twice records one change, not two).

Who may do what is decided by `access.Access`; the views check it before calling in here.
"""

from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import urlize
from django.utils.safestring import SafeString, mark_safe

from argmap import history
from argmap.access import Access
from argmap.anchoring import check_storable_text
from argmap.models import Action, Comment, Node

MAX_LENGTH = 5000
LINK_TEXT_LIMIT = 60  # long addresses are shortened in the text shown, not in the link


class CommentTextField(forms.CharField):
    """Plain text of at most MAX_LENGTH characters, line endings made "\n" before counting.

    Browsers count a line break as one character in a textarea but send it as two ("\r\n").
    """

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


def text_field() -> CommentTextField:
    """The field a comment's text is read with: by the comment forms, and by clean_text."""
    return CommentTextField(
        max_length=MAX_LENGTH,
        error_messages={
            "required": "Write something first: the comment is empty.",
            "max_length": f"A comment can be at most {MAX_LENGTH:,} characters (this one has %(show_value)s).",
            "null_characters_not_allowed": "The text contains a NUL character, which cannot be stored.",
        },
    )


def clean_text(text: str) -> str:
    """The text as it will be stored, or ValidationError saying what is wrong with it."""
    text = text_field().clean(text)
    check_storable_text(text)  # lone surrogates
    return text


def linkify(text: str) -> SafeString:
    """The comment as HTML: everything escaped, web addresses made links (rel="nofollow"), line
    breaks kept. Only http(s), www. and e-mail addresses become links, never `javascript:`."""
    linked = urlize(text, trim_url_limit=LINK_TEXT_LIMIT, nofollow=True, autoescape=True)
    return mark_safe(linked.replace("\n", "<br>"))  # noqa: S308 (urlize escaped everything else)


# Changes


def _locked(comment: Comment) -> Comment:
    """The comment's row as it is now, locked until the transaction ends."""
    return Comment.objects.select_for_update().select_related("node").get(pk=comment.pk)


def post(node: Node, author, text: str, reply_to: Comment | None = None) -> Comment:
    """Add a comment on a node, perhaps answering another comment of the same node."""
    text = clean_text(text)
    if reply_to is not None:
        if reply_to.node_id != node.pk:
            raise ValidationError("A reply belongs to the same node as the comment it answers.")
        if reply_to.is_deleted:
            raise ValidationError("That comment was deleted, so it cannot be answered any more.")
    with transaction.atomic():
        comment = Comment.objects.create(node=node, author=author, text=text, reply_to=reply_to)
        history.record(node.map_id, author, Action.CREATE, comment)
    return comment


def edit(comment: Comment, user, text: str) -> Comment:
    text = clean_text(text)
    with transaction.atomic():
        comment = _locked(comment)
        if comment.is_deleted:
            raise ValidationError("This comment was deleted: restore it before editing it.")
        if comment.text == text:
            return comment
        before = history.snapshot(comment)
        comment.text = text
        comment.edited_at = timezone.now()
        comment.save(update_fields=["text", "edited_at", "updated_at"])
        history.record(comment.node.map_id, user, Action.EDIT, comment, before=before)
    return comment


def _change(comment: Comment, user, action: str, *, needed, apply) -> Comment:
    """Lock the comment and, if `needed(comment)` still holds, `apply(comment)` and record `action`
    with the row as it was: a second click (or someone else's) meanwhile changes nothing."""
    with transaction.atomic():
        comment = _locked(comment)
        if needed(comment):
            before = history.snapshot(comment)
            apply(comment)
            history.record(comment.node.map_id, user, action, comment, before=before)
    return comment


def delete(comment: Comment, user) -> Comment:
    """Delete (softly): the row stays, so replies keep their place and it can be restored."""
    return _change(comment, user, Action.DELETE, needed=lambda c: not c.is_deleted,
                   apply=lambda c: c.soft_delete(by=user))


def restore(comment: Comment, user) -> Comment:
    return _change(comment, user, Action.RESTORE, needed=lambda c: c.is_deleted, apply=Comment.restore)


def _set_hidden(moderator):
    def apply(comment: Comment) -> None:
        comment.hidden_at = timezone.now() if moderator else None
        comment.hidden_by = moderator
        comment.save(update_fields=["hidden_at", "hidden_by", "updated_at"])
    return apply


def hide(comment: Comment, moderator) -> Comment:
    """Hide from everyone but moderators and the author; the thread around it stays."""
    return _change(comment, moderator, Action.HIDE, needed=lambda c: c.hidden_at is None,
                   apply=_set_hidden(moderator))


def unhide(comment: Comment, moderator) -> Comment:
    return _change(comment, moderator, Action.UNHIDE, needed=lambda c: c.hidden_at is not None,
                   apply=_set_hidden(None))


# Reading


@dataclass
class Entry:
    """One comment as one person sees it, with what they may do to it."""

    comment: Comment
    replies: list["Entry"] = field(default_factory=list)
    # "shown", "hidden" (text withheld: a moderator hid it), "deleted" (a placeholder)
    state: str = "shown"
    html: SafeString | None = None  # the text, when this person may read it
    marked_hidden: bool = False  # shown to a moderator or the author, but hidden from the rest
    can_reply: bool = False
    can_edit: bool = False
    can_delete: bool = False
    can_restore: bool = False
    can_hide: bool = False
    can_unhide: bool = False

    @property
    def has_actions(self) -> bool:
        return any((self.can_reply, self.can_edit, self.can_delete, self.can_restore, self.can_hide, self.can_unhide))


@dataclass
class Discussion:
    """A node's comments as threads of replies, for one reader."""

    roots: list[Entry]
    count: int  # live comments (hidden ones included), as the tree's comment counts say

    def __bool__(self) -> bool:
        return bool(self.roots)

    def __iter__(self):
        return iter(self.roots)


def discussion(comments, access: Access) -> Discussion:
    """Arrange a node's comments (deleted ones included) into threads as `access.user` sees them.

    A deleted comment stays as a "Comment deleted" placeholder where replies still hang from it,
    and for its author (who may restore it); otherwise it is left out. A hidden comment keeps its
    place: moderators and its author read it marked as hidden, everyone else a placeholder.
    """
    comments = list(comments)
    entries = {c.pk: _entry(c, access) for c in comments}
    roots = []
    for entry in entries.values():
        parent = entries.get(entry.comment.reply_to_id)
        (parent.replies if parent else roots).append(entry)
    return Discussion(roots=_pruned(roots), count=sum(1 for c in comments if not c.is_deleted))


def _entry(comment: Comment, access: Access) -> Entry:
    mine = access.can_change_comment(comment)
    moderator = access.can_moderate_comments
    entry = Entry(comment=comment)
    if comment.is_deleted:
        entry.state = "deleted"
        entry.can_restore = mine
        return entry
    hidden = comment.hidden_at is not None
    if hidden and not (moderator or access.owns(comment)):
        entry.state = "hidden"
    else:
        entry.html = linkify(comment.text)
        entry.marked_hidden = hidden
    entry.can_reply = access.can_comment
    entry.can_edit = mine and not hidden
    entry.can_delete = mine
    entry.can_hide = moderator and not hidden
    entry.can_unhide = moderator and hidden
    return entry


def _pruned(entries: list[Entry]) -> list[Entry]:
    """Leave out deleted comments with nothing left under them (except for their author)."""
    kept = []
    for entry in entries:
        entry.replies = _pruned(entry.replies)
        if entry.state != "deleted" or entry.replies or entry.can_restore:
            kept.append(entry)
    return kept
