"""Each student's work on an exercise, across all its maps (the main map and the group copies): how
much they wrote, how far they are with the tasks the teacher set, and when they last did anything.

The tasks (targets on Exercise, 0 meaning no target):
- evidence: their claims with a live quote. With sides, only those serving their side of their
  assigned thesis (`MapGraph.sides`: an oppose of an oppose serves the thesis; contested ones do
  not count); without sides (or without an assignment), any of their evidence.
- rebuttals: their claims that directly oppose a claim on the other side of their thesis (the
  thesis itself is not a rebuttal's target: opposing it is arguing, not rebutting); without
  sides, their claims that directly oppose someone else's node.
- comments: their live comments that no teacher hid.
Only approved nodes count as done; pending ones are shown apart; rejected ones count for nothing.
Nodes that no thesis reaches any more (below a deleted node) count for nothing either.

On a group's copy the assigned thesis is the copy's thesis with the same text (copies keep the
text, not the ids).

`class_progress` reads everything in a fixed number of queries whatever the size of the class or
the number of maps, and builds each map's graph itself from one read of all their relations.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max

from argmap.models import Change, Comment, Node, NodeKind, NodeStatus, Quote, Relation
from argmap.models import ClassRole, Enrolment, Exercise, GroupMember, SideAssignment
from argmap.tree import OPPOSE, SUPPORT, Edge, MapGraph

OTHER_SIDE = {SUPPORT: OPPOSE, OPPOSE: SUPPORT}


@dataclass
class Task:
    name: str
    target: int  # 0: no target set
    done: int = 0
    pending: int = 0

    @property
    def has_target(self) -> bool:
        return self.target > 0

    @property
    def met(self) -> bool:
        return self.has_target and self.done >= self.target


@dataclass
class StudentProgress:
    user: object
    group_name: str = ""
    assignment: SideAssignment | None = None
    nodes: int = 0
    quotes: int = 0
    pending: int = 0
    approved: int = 0
    rejected: int = 0
    tasks: dict[str, Task] = field(default_factory=dict)
    last_activity: datetime | None = None

    @property
    def evidence(self) -> Task:
        return self.tasks["evidence"]

    @property
    def rebuttals(self) -> Task:
        return self.tasks["rebuttals"]

    @property
    def comments(self) -> Task:
        return self.tasks["comments"]

    @property
    def tasks_set(self) -> int:
        return sum(1 for task in self.tasks.values() if task.has_target)

    @property
    def tasks_met(self) -> int:
        return sum(1 for task in self.tasks.values() if task.met)

    def seen(self, when: datetime | None) -> None:
        if when is not None and (self.last_activity is None or when > self.last_activity):
            self.last_activity = when


@dataclass(frozen=True)
class _NodeRow:
    id: int
    map_id: int
    kind: str
    author_id: int | None
    status: str
    created_at: datetime


def class_progress(exercise: Exercise, only_user=None) -> list[StudentProgress]:
    """One StudentProgress per student of the class (by username), or just `only_user`'s."""
    enrolments = Enrolment.objects.filter(school_class_id=exercise.school_class_id, role=ClassRole.STUDENT)
    if only_user is not None:
        enrolments = enrolments.filter(user=only_user)
    students = {e.user_id: e.user for e in enrolments.select_related("user").order_by("user__username")}
    targets = {"evidence": exercise.target_evidence, "rebuttals": exercise.target_rebuttals,
               "comments": exercise.target_comments}
    progress = {
        user_id: StudentProgress(user, tasks={name: Task(name, target) for name, target in targets.items()})
        for user_id, user in students.items()
    }
    if not progress:
        return []
    for member in GroupMember.objects.filter(exercise=exercise, user_id__in=progress).select_related("group"):
        progress[member.user_id].group_name = member.group.name
    assignments = SideAssignment.objects.filter(exercise=exercise, user_id__in=progress).select_related("thesis")
    for assignment in assignments:
        progress[assignment.user_id].assignment = assignment

    nodes = [
        _NodeRow(*row)
        for row in Node.objects.live().filter(map__exercise=exercise)
        .values_list("id", "map_id", "kind", "author_id", "status", "created_at").order_by("id")
    ]
    by_id = {n.id: n for n in nodes}
    theses_by_map: dict[int, dict[str, int]] = defaultdict(dict)  # map -> thesis text -> id (first wins)
    for node_id, map_id, text in (
        Node.objects.live().filter(map__exercise=exercise, kind=NodeKind.THESIS)
        .values_list("id", "map_id", "text").order_by("id")
    ):
        theses_by_map[map_id].setdefault(text, node_id)
    edges_by_map: dict[int, list[Edge]] = defaultdict(list)
    for map_id, *edge in (
        Relation.objects.live().filter(map__exercise=exercise, child__deleted_at__isnull=True,
                                       parent__deleted_at__isnull=True)
        .values_list("map_id", "id", "child_id", "parent_id", "stance").order_by("id")
    ):
        edges_by_map[map_id].append(Edge(*edge))
    quoted: set[int] = set()
    for node_id, author_id, created_at in (
        Quote.objects.live().filter(node__map__exercise=exercise, node__deleted_at__isnull=True)
        .values_list("node_id", "author_id", "created_at")
    ):
        quoted.add(node_id)
        if author_id in progress:
            progress[author_id].quotes += 1
            progress[author_id].seen(created_at)
    graphs = {
        map_id: MapGraph(theses_by_map[map_id].values(), edges_by_map[map_id], quoted)
        for map_id in {n.map_id for n in nodes}
    }

    for node in nodes:
        student = progress.get(node.author_id)
        if student is None:
            continue
        student.nodes += 1
        student.seen(node.created_at)
        student.pending += node.status == NodeStatus.PENDING
        student.approved += node.status == NodeStatus.APPROVED
        student.rejected += node.status == NodeStatus.REJECTED
        if node.kind != NodeKind.CLAIM or node.status == NodeStatus.REJECTED:
            continue
        graph = graphs[node.map_id]
        if node.id not in graph:
            continue
        is_evidence, is_rebuttal = _judge(node, graph, by_id, student.assignment if exercise.sides else None,
                                          theses_by_map[node.map_id])
        key = "done" if node.status == NodeStatus.APPROVED else "pending"
        for task, counts in (("evidence", is_evidence), ("rebuttals", is_rebuttal)):
            if counts:
                setattr(student.tasks[task], key, getattr(student.tasks[task], key) + 1)

    comments = (
        Comment.objects.live().filter(node__map__exercise=exercise, node__deleted_at__isnull=True,
                                      hidden_at__isnull=True, author_id__in=progress)
        .values("author_id").annotate(count=Count("id"), last=Max("created_at")).order_by()
    )
    for row in comments:
        progress[row["author_id"]].tasks["comments"].done = row["count"]
        progress[row["author_id"]].seen(row["last"])
    changes = (
        Change.objects.filter(map__exercise=exercise, actor_id__in=progress)
        .values("actor_id").annotate(last=Max("created_at")).order_by()
    )
    for row in changes:
        progress[row["actor_id"]].seen(row["last"])
    return list(progress.values())


def _judge(node: _NodeRow, graph: MapGraph, by_id: dict[int, _NodeRow], assignment: SideAssignment | None,
           theses: dict[str, int]) -> tuple[bool, bool]:
    """(is it evidence for the student's side, is it a rebuttal) for one of their claims."""
    thesis_id = _thesis_on_map(assignment, node.map_id, theses) if assignment else None
    if thesis_id is None:
        is_evidence = node.id in graph.evidence
        is_rebuttal = any(
            edge.stance == OPPOSE and by_id.get(edge.parent) and by_id[edge.parent].author_id != node.author_id
            for edge in graph.parents(node.id)
        )
        return is_evidence, is_rebuttal
    sides = graph.sides(thesis_id)
    is_evidence = node.id in graph.evidence and sides.get(node.id) == assignment.stance
    other = OTHER_SIDE.get(assignment.stance)
    is_rebuttal = any(
        edge.stance == OPPOSE and edge.parent != thesis_id and sides.get(edge.parent) == other
        for edge in graph.parents(node.id)
    )
    return is_evidence, is_rebuttal


def _thesis_on_map(assignment: SideAssignment, map_id: int, theses: dict[str, int]) -> int | None:
    if assignment.thesis.map_id == map_id:
        return assignment.thesis_id
    return theses.get(assignment.thesis.text)
