"""A teacher's decisions on students' contributions: approve or reject a node, with a feedback note
and an optional grade, and the lists the dashboard decides from.

A decision is one transaction that locks the map row first (like argmap/editing.py), sets the
node's status, stores a Review (the feedback and grade) and records the status change in the
history (without the feedback or grade: the history is read by other students). A decision names
the node's version the teacher saw: if the student edited it since, nothing is decided
(StaleDecision) and the teacher sees the new text first.

Approving a node whose parent is still pending is allowed (the teacher may work through the list
in any order); students see it once everything above it is approved too, and the dashboard says
so (`pending_parents`).

Once the exercise has closed, nothing is decided any more (ExerciseClosed): its maps are read-only
for everyone, and a late approval would still change what classmates see. What was pending stays
pending ("not reviewed before closing"); grades and overall feedback per student remain possible.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch

from argmap.anchoring import check_storable_text
from argmap.classroom.clock import closed_message
from argmap.history import record, snapshot
from argmap.models import Action, Map, Node, NodeStatus, Quote, Relation
from argmap.models import Decision, Exercise, Review

MAX_FEEDBACK_LENGTH = 2000
MAX_GRADE_LENGTH = Review._meta.get_field("grade").max_length


class ExerciseClosed(Exception):
    """The exercise has closed: its maps are read-only, decisions included. Nothing was decided."""


class StaleDecision(Exception):
    """The node changed after the teacher loaded it. Nothing was decided; `current` is the node now."""

    def __init__(self, current: Node):
        super().__init__(
            "The student changed this contribution after you loaded it: read the new version, then decide again."
        )
        self.current = current


def clean_feedback(feedback: str | None) -> str:
    feedback = (feedback or "").replace("\r\n", "\n").strip()
    if len(feedback) > MAX_FEEDBACK_LENGTH:
        raise ValidationError(f"Keep the feedback to {MAX_FEEDBACK_LENGTH:,} characters (this has {len(feedback):,}).")
    check_storable_text(feedback)
    return feedback


def clean_grade(grade: str | None) -> str:
    grade = (grade or "").strip()
    if len(grade) > MAX_GRADE_LENGTH:
        raise ValidationError(f"A grade is at most {MAX_GRADE_LENGTH} characters, such as 8/10 or B+.")
    check_storable_text(grade)
    return grade


def approve(node: Node, by, feedback: str = "", grade: str = "", version: int | None = None) -> Review:
    """Approve the node (pending, or decided before): its author's classmates see it from now on."""
    return _decide(node, by, Decision.APPROVED, feedback, grade, version)


def reject(node: Node, by, feedback: str, grade: str = "", version: int | None = None) -> Review:
    """Reject the node with a note saying why: only its author and the teachers keep seeing it."""
    if not (feedback or "").strip():
        raise ValidationError("Say why it is rejected: the student sees your note and can improve it.")
    return _decide(node, by, Decision.REJECTED, feedback, grade, version)


def _decide(node: Node, by, decision: str, feedback: str, grade: str, version: int | None) -> Review:
    feedback, grade = clean_feedback(feedback), clean_grade(grade)
    with transaction.atomic():
        Map.objects.lock(node.map_id)
        # Only the node is locked: its exercise comes by an outer join, which cannot be locked.
        current = (Node.objects.select_for_update(of=("self",)).select_related("map__exercise__school_class")
                   .get(pk=node.pk))
        exercise = current.map.exercise
        if exercise is not None and exercise.has_closed():
            raise ExerciseClosed(closed_message(exercise))
        if current.is_deleted:
            raise ValidationError("This contribution has been deleted meanwhile: there is nothing to decide.")
        if current.map.exercise_id is None:
            raise ValidationError("Only contributions to an exercise's maps are approved or rejected.")
        if version is not None and current.version != version:
            raise StaleDecision(current)
        if current.status != decision:
            before = {**snapshot(current), "status": current.status}
            current.status = decision
            # A plain save: the map's revision moves on, so cached graphs (who sees what) are rebuilt.
            current.save(update_fields=["status", "updated_at"])
            record(current.map_id, by, Action.EDIT, current, before=before,
                   after={**snapshot(current), "status": decision})
        return Review.objects.create(
            exercise_id=current.map.exercise_id, node=current, decision=decision,
            feedback=feedback, grade=grade, reviewer=by,
        )


def pending_parents(node: Node) -> list[Node]:
    """The live nodes this one bears on that still wait for approval (or were rejected): students see
    `node` only once those are approved."""
    return list(
        Node.objects.live()
        .filter(child_links__child=node, child_links__deleted_at__isnull=True)
        .exclude(status=NodeStatus.APPROVED)
        .order_by("id")
    )


# What the dashboard lists


@dataclass
class Contribution:
    """A node as the teacher reviews it: where it is, what it bears on, its quotes, the last review."""

    node: Node
    parents: list[tuple[Node, str]] = field(default_factory=list)  # (parent, stance)
    review: Review | None = None

    @property
    def quotes(self) -> list[Quote]:
        return self.node.live_quotes

    @property
    def waiting_parents(self) -> list[Node]:
        return [parent for parent, _ in self.parents if parent.status != NodeStatus.APPROVED]


def exercise_nodes(exercise: Exercise):
    """Live nodes on the exercise's maps (the main map and every group's copy)."""
    return Node.objects.live().filter(map__exercise=exercise)


def contributions(exercise: Exercise, *, status: str | None = NodeStatus.PENDING, author=None,
                  node_id: int | None = None, limit: int | None = None) -> list[Contribution]:
    """Live nodes on the exercise's maps, oldest first, ready to show with their quotes, parents and
    latest review: the pending ones by default; `status=None` for any status (of one `author`, or
    the one node `node_id`).

    Four queries whatever the number of nodes.
    """
    nodes = exercise_nodes(exercise)
    if node_id is not None:
        nodes = nodes.filter(pk=node_id)
    if status is not None:
        nodes = nodes.filter(status=status)
    if author is not None:
        nodes = nodes.filter(author=author)
    nodes = (
        nodes.select_related("author", "map", "map__group")
        .prefetch_related(Prefetch("quotes", queryset=Quote.objects.live().with_source_details().order_by("id"),
                                   to_attr="live_quotes"))
        .order_by("created_at", "id")
    )
    if limit is not None:
        nodes = nodes[:limit]
    found = [Contribution(node) for node in nodes]
    by_id = {c.node.pk: c for c in found}
    if not by_id:
        return found
    relations = (
        Relation.objects.live()
        .filter(child_id__in=by_id, parent__deleted_at__isnull=True)
        .select_related("parent")
        .order_by("id")
    )
    for relation in relations:
        by_id[relation.child_id].parents.append((relation.parent, relation.stance))
    for review in Review.objects.filter(exercise=exercise, node_id__in=by_id).order_by("id"):
        by_id[review.node_id].review = review  # the latest wins
    return found


def latest_reviews(exercise: Exercise) -> dict[int, Review]:
    """node id -> the latest review of that node in this exercise (one query)."""
    latest = {}
    for review in Review.objects.filter(exercise=exercise).order_by("id"):
        latest[review.node_id] = review
    return latest
