"""Each student's progress on an exercise: counts, tasks with and without sides, last activity."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from argmap import comments
from argmap.classroom.copying import copy_map
from argmap.classroom.progress import class_progress
from argmap.models import Comment, Node, NodeStatus
from argmap.models import Enrolment, ExerciseGroup, GroupMember, SideAssignment
from tests.classwork import contribute, pending, remark

User = get_user_model()


def by_name(rows):
    return {row.user.username: row for row in rows}


def test_without_sides_it_counts_evidence_rebuttals_and_comments(lesson):
    l = lesson(moderation=True, target_evidence=2, target_rebuttals=1, target_comments=2)
    one, two = l.students
    thesis = l.builder.thesis("Lukashenko is hedging")
    approved = contribute(l, one, "Approved evidence", under=thesis, quote="Moscow heard another.")
    pending(l, one, "Pending evidence", under=thesis, quote="The relay stations stopped working.")
    contribute(l, one, "Rejected evidence", under=thesis, quote="Moscow heard", status=NodeStatus.REJECTED)
    contribute(l, one, "No quote, so no evidence", under=thesis)
    contribute(l, two, "Rebuts someone else", under=approved, stance="oppose")
    contribute(l, two, "Supports someone else", under=approved)
    own = contribute(l, two, "Own claim", under=thesis)
    contribute(l, two, "Opposes own claim", under=own, stance="oppose")
    pending(l, two, "Pending rebuttal", under=approved, stance="oppose")
    remark(approved, one)
    remark(approved, one, "Second thought")
    comments.delete(remark(approved, one, "Deleted"), one)
    comments.hide(remark(approved, one, "Rude"), l.teacher)

    rows = by_name(class_progress(l.exercise))

    first, second = rows["student-1"], rows["student-2"]
    assert (first.nodes, first.quotes, first.pending, first.approved, first.rejected) == (4, 3, 1, 2, 1)
    assert (first.evidence.done, first.evidence.pending, first.evidence.target) == (1, 1, 2)
    assert not first.evidence.met
    assert (first.comments.done, first.comments.met) == (2, True)
    assert (second.rebuttals.done, second.rebuttals.pending, second.rebuttals.met) == (1, 1, True)
    assert first.rebuttals.done == 0 and second.evidence.done == 0
    assert (first.tasks_met, first.tasks_set) == (1, 3)


@pytest.fixture
def debate(lesson):
    """Sides: student-1 argues for the thesis, student-2 against it."""
    l = lesson(sides=True, target_evidence=1, target_rebuttals=1)
    l.thesis = l.builder.thesis("Lukashenko is hedging")
    pro, con = l.students
    SideAssignment.objects.create(exercise=l.exercise, user=pro, thesis=l.thesis, stance="support", team="Blue")
    SideAssignment.objects.create(exercise=l.exercise, user=con, thesis=l.thesis, stance="oppose", team="Red")
    return l


def test_with_sides_only_work_for_ones_own_side_counts(debate):
    l = debate
    pro, con = l.students
    a1 = contribute(l, pro, "For, with a quote", under=l.thesis, quote="Moscow heard another.")
    b1 = contribute(l, con, "Against, with a quote", under=l.thesis, stance="oppose",
                    quote="The relay stations stopped working.")
    contribute(l, con, "For the thesis, by the con side", under=l.thesis, quote="Moscow heard")
    contribute(l, pro, "Rebuts the con side", under=b1, stance="oppose")  # oppose of an oppose: for
    contribute(l, con, "Rebuts the pro side", under=a1, stance="oppose")
    contribute(l, pro, "Opposes the thesis itself", under=l.thesis, stance="oppose", quote="Minsk said one thing. M")
    contribute(l, con, "Opposes the thesis again", under=l.thesis, stance="oppose")

    rows = by_name(class_progress(l.exercise))

    assert (rows["student-1"].evidence.done, rows["student-1"].rebuttals.done) == (1, 1)
    assert (rows["student-2"].evidence.done, rows["student-2"].rebuttals.done) == (1, 1)
    assert rows["student-1"].assignment.team == "Blue"


def test_on_a_groups_copy_the_assigned_thesis_is_the_copys_thesis_with_the_same_text(debate):
    l = debate
    pro, con = l.students
    group = ExerciseGroup.objects.create(exercise=l.exercise, name="Group A")
    GroupMember.objects.create(exercise=l.exercise, group=group, user=pro)
    copy = copy_map(l.map, owner=l.teacher, exercise=l.exercise, group=group)
    copied_thesis = Node.objects.get(map=copy, kind="thesis")
    contribute(l, pro, "For, on the copy", under=copied_thesis, quote="Moscow heard another.", map_=copy)
    contribute(l, pro, "Against, on the copy", under=copied_thesis, stance="oppose", quote="Moscow heard", map_=copy)

    row = by_name(class_progress(l.exercise))["student-1"]

    assert (row.evidence.done, row.group_name, row.nodes) == (1, "Group A", 2)


def test_nodes_no_thesis_reaches_count_for_nothing(lesson):
    l = lesson()
    one = l.students[0]
    thesis = l.builder.thesis()
    above = contribute(l, l.teacher, "Teacher's claim", under=thesis)
    contribute(l, one, "Under a deleted claim", under=above, quote="Moscow heard another.")
    above.soft_delete(by=l.teacher)
    row = by_name(class_progress(l.exercise))["student-1"]
    assert row.nodes == 1 and row.evidence.done == 0


def test_last_activity_is_the_latest_of_nodes_quotes_comments_and_changes(lesson):
    l = lesson()
    one, two = l.students
    thesis = l.builder.thesis()
    node = contribute(l, one, "Early claim", under=thesis)
    long_ago = timezone.now() - timedelta(days=3)
    Node.objects.filter(pk=node.pk).update(created_at=long_ago)
    comment = remark(node, one)
    rows = by_name(class_progress(l.exercise))
    assert rows["student-1"].last_activity >= Comment.objects.get(pk=comment.pk).created_at
    assert rows["student-2"].last_activity is None and rows["student-2"].nodes == 0


def test_it_reads_the_whole_class_in_the_same_number_of_queries(lesson):
    l = lesson(students=2, sides=True)
    thesis = l.builder.thesis()

    def add_work(students):
        for number, student in enumerate(students):
            SideAssignment.objects.create(exercise=l.exercise, user=student, thesis=thesis,
                                          stance="support" if number % 2 else "oppose")
            node = pending(l, student, f"Claim by {student.username}", under=thesis, quote="Moscow heard another.")
            remark(node, student)

    def count():
        with CaptureQueriesContext(connection) as queries:
            rows = class_progress(l.exercise)
        assert all(row.nodes == 1 for row in rows)
        return len(queries), len(rows)

    add_work(l.students)
    small = count()
    more = [User.objects.create_user(f"extra-{n}") for n in range(10)]
    Enrolment.objects.bulk_create(Enrolment(school_class=l.school_class, user=u, role="student") for u in more)
    add_work(more)
    large = count()
    assert small[1] == 2 and large[1] == 12
    assert small[0] == large[0] <= 10
