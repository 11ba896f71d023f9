"""The change history: every create, edit, move, delete and restore is recorded with its actor and
the object's state before and after, so a node's history can be shown and deleted things restored.
"""

from django.utils import timezone

from argmap.models import Action, Change, ClutterRange, Comment, Map, Membership, Node, Quote, Relation, Source


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
