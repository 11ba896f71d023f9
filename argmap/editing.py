"""Changing a map: adding, editing, placing, deleting and restoring nodes, relations and quotes.

Plain functions, each one transaction that locks the map row first (concurrent changes to one map
queue up) and records what it did in the change history (`argmap.history.record`) with the actor
and the state before and after. They guard the map's shape; who may do what is the views' business
(`argmap.permissions`), except where a deletion would sweep away nodes the caller may not touch:
then `may_change` (a predicate the view passes) decides.

A node is shown when some thesis reaches it through live nodes and relations. Deleting a node
therefore also deletes the nodes that only it kept in the map (its "cascade"); the primary
deletion's `after` lists them under "cascade", and each of them gets a companion Change whose
`after` names the node ("with") and the primary Change ("change") it went with. Restoring the
node (or any node of its cascade) brings the whole group back.

Moderation (an exercise's option; the views pass `moderated=access.moderated`): what a moderated
student adds is saved pending, and a change of theirs to what others see of a node (its text,
its quotes, its places and stances) sends the node back to pending. A pending node is seen only
by its author and the teachers, whole: meanwhile the other students see neither the new version
nor the approved one, nor anything hanging only from it, until a teacher approves it again.
Deleting and restoring leave the status as it was; teachers' changes never touch it.
"""

from collections import deque
from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from argmap.anchoring import check_storable_text
from argmap.history import record, snapshot
from argmap.models import Action, Change, Map, Node, NodeKind, NodeStatus, Quote, Relation, Stance

MAX_TEXT_LENGTH = 2000
SHORT = 200  # characters of a parent's text kept in a relation's history, to name it later

Predicate = Callable[[Node], bool]


class EditConflict(Exception):
    """Someone changed the node after the editor loaded it. Nothing was saved.

    `current` is the node as it is now (text, version, who changed it and when).
    """

    def __init__(self, current: Node):
        super().__init__("The node changed while you were editing it.")
        self.current = current


def clean_text(text: str | None) -> str:
    """The text as it will be stored (trimmed, Unix line ends), or ValidationError."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError("Write something: the text cannot be empty.")
    if len(text) > MAX_TEXT_LENGTH:
        raise ValidationError(f"Keep it to {MAX_TEXT_LENGTH:,} characters (this has {len(text):,}).")
    check_storable_text(text)
    return text


def clean_stance(stance: str | None) -> str:
    if stance not in Stance.values:
        raise ValidationError("Choose whether it supports or opposes.")
    return stance


def _fresh(node: Node, *, live: bool = True) -> Node:
    """The node as stored now, locked for the rest of the transaction."""
    current = Node.objects.select_for_update().get(pk=node.pk)
    if live and current.is_deleted:
        raise ValidationError(f"“{_short(current.text)}” has been deleted meanwhile.")
    return current


def _short(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _live_relation(child: Node, parent: Node) -> Relation:
    relation = Relation.objects.live().filter(child=child, parent=parent).select_for_update().first()
    if relation is None:
        raise ValidationError(f"“{_short(child.text)}” is not (or no longer) under “{_short(parent.text)}”.")
    return relation


def _relation_state(relation: Relation, parent: Node) -> dict:
    return {**snapshot(relation), "parent_text": parent.text[:SHORT]}


def new_status(moderated: bool) -> str:
    """The status of a node added by someone whose work is (or is not) moderated."""
    return NodeStatus.PENDING if moderated else NodeStatus.APPROVED


def send_back_for_approval(node: Node, moderated: bool) -> None:
    """Under moderation a student's change to what others see of a node waits for a teacher
    again (saved, so the map's revision moves and every page's graph hides it)."""
    if moderated and node.status != NodeStatus.PENDING:
        node.status = NodeStatus.PENDING
        node.save(update_fields=["status", "updated_at"])


# What is shown: reachability from the theses, read fresh inside the transaction.

def _shape(map_id: int) -> tuple[list[int], dict[int, list[tuple[int, int]]]]:
    """The live theses and, per parent, its live (relation id, child) pairs between live nodes."""
    theses = list(Node.objects.filter(map_id=map_id, kind=NodeKind.THESIS).live().values_list("id", flat=True))
    children: dict[int, list[tuple[int, int]]] = {}
    for relation_id, child, parent, _stance in Relation.objects.visible_edges(map_id):
        children.setdefault(parent, []).append((relation_id, child))
    return theses, children


def _reachable(theses: Iterable[int], children, *, without_node: int | None = None,
               without_relation: int | None = None) -> set[int]:
    seen = {t for t in theses if t != without_node}
    queue = deque(seen)
    while queue:
        for relation_id, child in children.get(queue.popleft(), ()):
            if child == without_node or relation_id == without_relation or child in seen:
                continue
            seen.add(child)
            queue.append(child)
    return seen


def cascade_of(node: Node) -> list[int]:
    """Ids of the nodes that deleting `node` would cut off from every thesis (not `node` itself)."""
    theses, children = _shape(node.map_id)
    shown = _reachable(theses, children)
    if node.pk not in shown:
        return []
    return sorted(shown - _reachable(theses, children, without_node=node.pk) - {node.pk})


def is_shown(node: Node) -> bool:
    return node.pk in _reachable(*_shape(node.map_id))


# Adding

def add_thesis(map_: Map, actor, text: str, *, moderated: bool = False) -> Node:
    text = clean_text(text)
    with transaction.atomic():
        Map.objects.lock(map_.pk)
        node = Node.objects.create(map=map_, kind=NodeKind.THESIS, text=text, author=actor, updated_by=actor,
                                   status=new_status(moderated))
        record(map_, actor, Action.CREATE, node)
    return node


def add_claim(parent: Node, actor, text: str, stance: str, *, moderated: bool = False) -> tuple[Node, Relation]:
    """A new claim supporting or opposing `parent`."""
    text, stance = clean_text(text), clean_stance(stance)
    with transaction.atomic():
        Map.objects.lock(parent.map_id)
        parent = _fresh(parent)
        node = Node.objects.create(map_id=parent.map_id, kind=NodeKind.CLAIM, text=text, author=actor,
                                   updated_by=actor, status=new_status(moderated))
        relation = Relation.objects.link(node, parent, stance, author=actor)
        record(parent.map_id, actor, Action.CREATE, node,
               after={**snapshot(node), "parent": parent.pk, "parent_text": parent.text[:SHORT], "stance": stance,
                      "relation": relation.pk})
    return node, relation


# Placing

def attach(node: Node, parent: Node, stance: str, actor, *, moderated: bool = False) -> Relation:
    """Place an existing claim under one more parent (refused if that would close a cycle)."""
    stance = clean_stance(stance)
    with transaction.atomic():
        Map.objects.lock(node.map_id)
        node, parent = _fresh(node), _fresh(parent)
        relation = Relation.objects.link(node, parent, stance, author=actor)
        record(node.map_id, actor, Action.ATTACH, relation, after=_relation_state(relation, parent))
        send_back_for_approval(node, moderated)
    return relation


def detach(node: Node, parent: Node, actor, *, moderated: bool = False) -> Relation:
    """Take `node` out from under `parent`; refused where that is its only place in the map."""
    with transaction.atomic():
        Map.objects.lock(node.map_id)
        node, parent = _fresh(node), _fresh(parent)
        relation = _live_relation(node, parent)
        theses, children = _shape(node.map_id)
        if node.pk not in _reachable(theses, children, without_relation=relation.pk):
            raise ValidationError(
                f"This is the only place of “{_short(node.text)}” in the map: delete it instead."
            )
        before = _relation_state(relation, parent)
        relation.soft_delete(by=actor)
        record(node.map_id, actor, Action.DETACH, relation, before=before, after=_relation_state(relation, parent))
        send_back_for_approval(node, moderated)
    return relation


def move(node: Node, old_parent: Node, new_parent: Node, actor, stance: str | None = None, *,
         moderated: bool = False) -> Relation:
    """Move `node` from under `old_parent` to under `new_parent` in one step, keeping its stance
    unless another is given. Refused, with nothing changed, where it would close a cycle."""
    with transaction.atomic():
        Map.objects.lock(node.map_id)
        node, old_parent, new_parent = _fresh(node), _fresh(old_parent), _fresh(new_parent)
        old = _live_relation(node, old_parent)
        if new_parent.pk == old_parent.pk:
            raise ValidationError("It is already there: pick another node to move it under.")
        stance = clean_stance(stance) if stance else old.stance
        before = _relation_state(old, old_parent)
        old.soft_delete(by=actor)
        new = Relation.objects.link(node, new_parent, stance, author=actor)
        record(node.map_id, actor, Action.MOVE, new, before=before,
               after={**_relation_state(new, new_parent), "replaces": old.pk})
        send_back_for_approval(node, moderated)
    return new


def change_stance(node: Node, parent: Node, stance: str, actor, *, moderated: bool = False) -> Relation:
    stance = clean_stance(stance)
    with transaction.atomic():
        Map.objects.lock(node.map_id)
        node, parent = _fresh(node), _fresh(parent)
        relation = _live_relation(node, parent)
        if relation.stance == stance:
            return relation
        before = _relation_state(relation, parent)
        relation.stance = stance
        relation.save(update_fields=["stance"])
        record(node.map_id, actor, Action.EDIT, relation, before=before, after=_relation_state(relation, parent))
        send_back_for_approval(node, moderated)
    return relation


# Editing

def edit_text(node: Node, text: str, version: int, actor, *, moderated: bool = False) -> Node:
    """Replace the node's text, unless it changed since `version` was read: then EditConflict."""
    text = clean_text(text)
    with transaction.atomic():
        Map.objects.lock(node.map_id)
        current = _fresh(node)
        if current.version != version:
            raise EditConflict(Node.objects.select_related("updated_by").get(pk=current.pk))
        if current.text == text:
            return current
        before = snapshot(current)
        current.text = text
        current.version += 1
        current.updated_by = actor
        if moderated:
            current.status = NodeStatus.PENDING
        current.save(update_fields=["text", "version", "updated_by", "status", "updated_at"])
        record(current.map_id, actor, Action.EDIT, current, before=before)
    return current


# Deleting and restoring

def delete_node(node: Node, actor, may_change: Predicate | None = None) -> Change:
    """Delete the node and the nodes only it kept in the map; returns the primary Change.

    PermissionDenied (nothing deleted) if `may_change` refuses any node of the cascade.
    """
    with transaction.atomic():
        Map.objects.lock(node.map_id)
        node = _fresh(node)
        cascade = list(Node.objects.filter(pk__in=cascade_of(node)).live().order_by("id"))
        if may_change is not None:
            refused = [n for n in cascade if not may_change(n)]
            if refused:
                raise PermissionDenied(
                    f"{len(refused)} node{'s' if len(refused) != 1 else ''} below it would be deleted with it, "
                    "and you may not delete other people's work: ask an editor of the map."
                )
        before = snapshot(node)
        node.soft_delete(by=actor)
        primary = record(node.map_id, actor, Action.DELETE, node, before=before,
                         after={**snapshot(node), "cascade": [n.pk for n in cascade]})
        _set_deleted(cascade, actor, deleted=True)
        for gone in cascade:
            record(node.map_id, actor, Action.DELETE, gone, before={**snapshot(gone), "deleted": False},
                   after={**snapshot(gone), "with": node.pk, "change": primary.pk})
    return primary


def _set_deleted(nodes: list[Node], actor, *, deleted: bool) -> None:
    """Stamp (or clear) many nodes at once; one map revision bump instead of one per node."""
    if not nodes:
        return
    stamp, by = None, None
    if deleted:
        stamp, by = timezone.now(), actor if actor is not None and actor.is_authenticated else None
    Node.objects.filter(pk__in=[n.pk for n in nodes]).update(deleted_at=stamp, deleted_by=by)
    for n in nodes:
        n.deleted_at, n.deleted_by = stamp, by
    # Their parents' lists of children and counts change too; live pages need them by id.
    ids = [n.pk for n in nodes]
    parents = Relation.objects.filter(child_id__in=ids).values_list("parent_id", flat=True)
    Map.touch(nodes[0].map_id, nodes=[*ids, *parents])


def deletion_of(node: Node) -> Change | None:
    """The Change that deleted this node last (its own deletion or the one it went with)."""
    return (
        Change.objects.filter(target_type="node", target_id=node.pk, action=Action.DELETE)
        .select_related("actor").order_by("-id").first()
    )


def deleted_with(node: Node) -> Node | None:
    """The node whose deletion took this one with it, if it went that way and is still deleted."""
    change = deletion_of(node) if node.is_deleted else None
    if change is None or not (change.after or {}).get("with"):
        return None
    return Node.objects.deleted().filter(pk=change.after["with"], map_id=node.map_id).first()


def restore_node(node: Node, actor, may_change: Predicate | None = None) -> Node:
    """Bring a deleted node back with the nodes deleted along with it; returns the node restored
    first (the one whose deletion took `node` along, if that is how `node` went).

    Refused (ValidationError, nothing restored) where the node would come back with no place in
    the map because everything it bore on is deleted too.
    """
    with transaction.atomic():
        Map.objects.lock(node.map_id)
        node = _fresh(node, live=False)
        if not node.is_deleted:
            raise ValidationError(f"“{_short(node.text)}” is not deleted.")
        node = _fresh(deleted_with(node) or node, live=False)
        if may_change is not None and not may_change(node):
            raise PermissionDenied("You may not restore this node: ask an editor of the map.")
        deletion = deletion_of(node)
        ids = (deletion.after or {}).get("cascade", []) if deletion else []
        cascade = list(Node.objects.filter(pk__in=ids, map_id=node.map_id).deleted().order_by("id"))
        before = snapshot(node)
        node.restore()
        _set_deleted(cascade, actor, deleted=False)
        if not node.is_thesis and not is_shown(node):
            parents = Node.objects.filter(child_links__child=node, child_links__deleted_at__isnull=True)
            names = ", ".join(f"“{_short(p.text)}”" for p in parents[:3]) or "any node"
            raise ValidationError(
                f"“{_short(node.text)}” would come back with no place in the map: it bears on {names}, "
                "which is deleted too. Restore that first."
            )
        record(node.map_id, actor, Action.RESTORE, node, before=before,
               after={**snapshot(node), "cascade": [n.pk for n in cascade]})
        for back in cascade:
            record(node.map_id, actor, Action.RESTORE, back, before={**snapshot(back), "deleted": True},
                   after={**snapshot(back), "with": node.pk})
    return node


def delete_quote(quote: Quote, actor, *, moderated: bool = False) -> Quote:
    with transaction.atomic():
        quote = _fresh_quote(quote)
        if quote.is_deleted:
            raise ValidationError("This quote is already deleted.")
        before = snapshot(quote)
        quote.soft_delete(by=actor)
        record(quote.node.map_id, actor, Action.DELETE, quote, before=before)
        send_back_for_approval(quote.node, moderated)
    return quote


def restore_quote(quote: Quote, actor, *, moderated: bool = False) -> Quote:
    with transaction.atomic():
        quote = _fresh_quote(quote)
        if not quote.is_deleted:
            raise ValidationError("This quote is not deleted.")
        before = snapshot(quote)
        quote.restore()
        record(quote.node.map_id, actor, Action.RESTORE, quote, before=before)
        send_back_for_approval(quote.node, moderated)
    return quote


def _fresh_quote(quote: Quote) -> Quote:
    Map.objects.lock(quote.node.map_id)
    return Quote.objects.select_for_update().select_related("node", "source").get(pk=quote.pk)
