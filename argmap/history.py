"""The change history: every create, edit, move, delete and restore is recorded with its actor and
the object's state before and after (`record`), so a node's history can be shown in words as one
reader may see it (`history_entries`) and deleted things listed (`deleted_nodes`) and restored.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.template.defaultfilters import pluralize
from django.utils import timezone

from argmap.access import Access, checked
from argmap.browsing import reader_id, unseen
from argmap.models import (
    Action, Change, ClutterRange, Comment, Map, Membership, Node, NodeStatus, Quote, Relation, Source,
)


def snapshot(obj) -> dict:
    """The user-visible state of an object, as JSON-ready values."""
    if isinstance(obj, Node):
        return {"kind": obj.kind, "text": obj.text, "version": obj.version, "deleted": obj.is_deleted}
    if isinstance(obj, Relation):
        return {"child": obj.child_id, "parent": obj.parent_id, "stance": obj.stance, "deleted": obj.is_deleted}
    if isinstance(obj, Quote):
        return {
            "node": obj.node_id, "source": obj.source_id, "start": obj.start, "end": obj.end,
            "exact": obj.exact, "note": obj.note, "deleted": obj.is_deleted,
        }
    if isinstance(obj, Comment):
        return {
            "text": obj.text, "reply_to": obj.reply_to_id, "deleted": obj.is_deleted,
            "hidden": obj.hidden_at is not None,
        }
    if isinstance(obj, ClutterRange):
        return {"source": obj.source_id, "start": obj.start, "end": obj.end, "label": obj.label,
                "deleted": obj.is_deleted}
    if isinstance(obj, Membership):
        return {"user": obj.user.get_username(), "role": obj.role}
    if isinstance(obj, Source):
        return {"title": obj.title, "author": obj.author, "hash": obj.content_hash}  # the map's (Source.objects.in_map)
    raise TypeError(f"No snapshot for {type(obj).__name__}")


def _history_node_id(obj) -> int | None:
    if isinstance(obj, Node):
        return obj.pk
    if isinstance(obj, Relation):
        return obj.child_id
    if isinstance(obj, (Quote, Comment)):
        return obj.node_id
    return None


def record(map_: Map | int, actor, action: str, obj, before: dict | None = None, after: dict | None = None) -> Change:
    """Record one change. Call it inside the same transaction as the change itself.

    `after` defaults to the object's snapshot now (None for a plain delete is fine too).
    """
    if action not in Action.values:
        raise ValueError(f"Unknown action {action!r}")
    map_id = map_ if isinstance(map_, int) else map_.pk
    return Change.objects.create(
        map_id=map_id,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=type(obj).__name__.lower().replace("clutterrange", "clutter"),
        target_id=obj.pk,
        node_id=_history_node_id(obj),
        before=before,
        after=after if after is not None else snapshot(obj),
        created_at=timezone.now(),
    )


# Showing the history


def history_of(node: Node, limit: int = 50) -> list[Change]:
    """The node's recorded changes (its own, its relations', quotes' and comments'), newest first."""
    return list(Change.objects.filter(node=node).select_related("actor").order_by("-id")[:limit])


STANCE_WORDS = {"support": "supporting", "oppose": "opposing"}
STATUS_WORDS = {"approved": "approved it", "rejected": "rejected it", "pending": "sent it back for approval"}


def describe(change: Change, node: Node) -> str:
    """One change of the node's history in words, after the actor's name ("edited the text")."""
    before, after = change.before or {}, change.after or {}
    kind = "thesis" if node.is_thesis else "claim"
    action = change.action
    if change.target_type == "node":
        if action == Action.CREATE:
            if after.get("parent_text"):
                return f"added it, {STANCE_WORDS.get(after.get('stance'), '')} “{after['parent_text']}”"
            return f"added this {kind}"
        if action == Action.EDIT:
            if "status" in after and before.get("text") == after.get("text"):  # a teacher's decision
                return STATUS_WORDS.get(after["status"], "changed its status")
            return "edited the text"
        if action == Action.DELETE:
            if after.get("with"):
                return "deleted the node above it, its only place in the map, and this went with it"
            below = len(after.get("cascade", []))
            if below:
                return f"deleted it, with the {below} node{pluralize(below)} below that had no other place"
            return "deleted it"
        if action == Action.RESTORE:
            return "restored it" + (" with the node above it" if after.get("with") else "")
    if change.target_type == "relation":
        parent, was = after.get("parent_text", "a node"), before.get("parent_text", "a node")
        stance = STANCE_WORDS.get(after.get("stance"), "")
        if action == Action.ATTACH:
            return f"placed it under “{parent}” too, {stance} it"
        if action == Action.MOVE:
            return f"moved it from under “{was}” to under “{parent}”, {stance} it"
        if action == Action.DETACH:
            return f"took it out from under “{was}”"
        if action == Action.EDIT:
            return f"made it {stance} “{parent}” instead of {STANCE_WORDS.get(before.get('stance'), '')}"
        return f"{change.get_action_display()} its place under “{parent}”"
    if change.target_type == "quote":
        return f"{change.get_action_display()} a quote: “{(after or before).get('exact', '')[:160]}”"
    if change.target_type == "comment":
        return f"{change.get_action_display()} a comment"
    return f"{change.get_action_display()} {change.target_type}"


# A node's history as one reader sees it (the focus view's panel)


@dataclass
class HistoryEntry:
    change: Change
    what: str
    before_text: str | None = None
    after_text: str | None = None
    restore: str | None = None  # "node", "quote" or "comment": which restore button it gets


def history_entries(node: Node, access: Access) -> list[HistoryEntry]:
    """The node's history, newest first, each change said in words, with restore buttons on the
    deletions the viewer may undo (one query, two where deleted quotes need their authors)."""
    changes = _without_unseen_places(history_of(node), access)
    entries, seen = [], set()
    for change in changes:
        entry = HistoryEntry(change, describe(change, node))
        if change.target_type == "node" and change.action == Action.EDIT:
            before, after = (change.before or {}).get("text"), (change.after or {}).get("text")
            if before != after:  # not a teacher's decision, which leaves the text as it was
                entry.before_text, entry.after_text = before, after
        latest = (change.target_type, change.target_id) not in seen
        seen.add((change.target_type, change.target_id))
        if latest and change.action == Action.DELETE:
            entry.restore = change.target_type
        entries.append(entry)
    _allow_restores(entries, node, access)
    return entries


def _mentioned_nodes(change: Change) -> set[int]:
    """The other nodes a change names in words: the parents of the places it made or unmade."""
    if change.target_type not in ("node", "relation"):
        return set()
    values = ((change.before or {}).get("parent"), (change.after or {}).get("parent"))
    return {value for value in values if isinstance(value, int)}


def _without_unseen_places(changes: list[Change], access: Access) -> list[Change]:
    """Leave out the changes that name a node this reader may not see (a place under someone
    else's node awaiting approval): its text would otherwise show in the history."""
    if not access.map.exercise_id or access.sees_pending:
        return changes
    mentioned = set().union(*(_mentioned_nodes(c) for c in changes)) if changes else set()
    if not mentioned:
        return changes
    hidden = unseen(access) & mentioned
    return [c for c in changes if not (_mentioned_nodes(c) & hidden)]


def _allow_restores(entries: list[HistoryEntry], node: Node, access: Access) -> None:
    quote_ids = [e.change.target_id for e in entries if e.restore == "quote"]
    restorable_quotes = set()
    if quote_ids and access.can_contribute:
        quotes = Quote.objects.deleted().filter(pk__in=quote_ids, node=node)
        restorable_quotes = {q.pk for q in quotes if access.can_change(q)}
    user_id = getattr(access.user, "pk", None)
    for entry in entries:
        change = entry.change
        if entry.restore == "node":
            allowed = node.is_deleted and change.target_id == node.pk and access.can_change(node)
        elif entry.restore == "quote":
            allowed = change.target_id in restorable_quotes
        elif entry.restore == "comment":
            # Only a comment's author deletes it, and only they may restore it (argmap.comments).
            allowed = access.can_comment and change.actor_id is not None and change.actor_id == user_id
        else:
            allowed = False
        if not allowed:
            entry.restore = None


def deleted_nodes(access: Access, limit: int = 300) -> list[dict]:
    """The map's deleted nodes the reader may see, newest first: each as {"node", "change" (its
    latest deletion), "with_it" (the nodes that were deleted with it)}; a node that went with
    another is listed under that one only."""
    map_ = checked(access).map
    nodes = Node.objects.in_map(map_).deleted().select_related("author", "deleted_by")
    if map_.exercise_id and not access.sees_pending:  # a student with an editor's role
        nodes = nodes.filter(Q(status=NodeStatus.APPROVED) | Q(author_id=reader_id(access)))
    nodes = list(nodes.order_by("-deleted_at", "-id")[:limit])
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
    return listed
