"""A teacher's decisions on contributions: status, review, history, stale decisions, the lists."""

import pytest
from django.core.exceptions import ValidationError

from argmap.classroom import moderation
from argmap.models import Change, Map, Node, NodeStatus
from argmap.models import Decision, Review
from tests.classwork import contribute, pending


@pytest.fixture
def moderated(lesson):
    l = lesson(moderation=True)
    l.thesis = l.builder.thesis("Lukashenko is hedging")
    return l


def test_it_approves_a_pending_node_with_a_review_and_a_history_entry(moderated):
    l = moderated
    node = pending(l, l.students[0], "He keeps doors open", under=l.thesis, quote="Moscow heard another.")
    revision = Map.objects.get(pk=l.map.pk).revision

    review = moderation.approve(node, l.teacher, feedback="Good find", grade="9/10", version=node.version)

    node.refresh_from_db()
    assert node.status == NodeStatus.APPROVED
    assert (review.decision, review.feedback, review.grade, review.reviewer) == ("approved", "Good find", "9/10", l.teacher)
    assert review.exercise == l.exercise
    change = Change.objects.filter(node=node).latest("id")
    assert change.actor == l.teacher and change.action == "edit"
    assert change.before["status"] == "pending" and change.after["status"] == "approved"
    assert "Good find" not in str(change.after) and "9/10" not in str(change.after)  # students read the history
    assert Map.objects.get(pk=l.map.pk).revision > revision  # cached graphs (who sees what) are rebuilt


def test_it_rejects_only_with_a_note_saying_why(moderated):
    l = moderated
    node = pending(l, l.students[0], "Everyone knows it", under=l.thesis)
    with pytest.raises(ValidationError, match="Say why"):
        moderation.reject(node, l.teacher, feedback="   ")
    node.refresh_from_db()
    assert node.status == NodeStatus.PENDING and not Review.objects.exists()

    moderation.reject(node, l.teacher, feedback="Which source says so?")
    node.refresh_from_db()
    assert node.status == NodeStatus.REJECTED
    assert Review.objects.get().decision == Decision.REJECTED


def test_it_refuses_to_decide_on_a_version_the_teacher_did_not_see(moderated):
    l = moderated
    node = pending(l, l.students[0], "First words", under=l.thesis)
    seen = node.version
    Node.objects.filter(pk=node.pk).update(text="Other words", version=seen + 1)

    with pytest.raises(moderation.StaleDecision) as stale:
        moderation.approve(node, l.teacher, version=seen)

    assert stale.value.current.text == "Other words" and "changed" in str(stale.value)
    node.refresh_from_db()
    assert node.status == NodeStatus.PENDING
    assert not Review.objects.exists() and not Change.objects.filter(node=node, action="edit").exists()
    moderation.approve(node, l.teacher, version=seen + 1)  # knowingly, on the new version
    node.refresh_from_db()
    assert node.status == NodeStatus.APPROVED


def test_it_decides_again_and_keeps_every_review(moderated):
    l = moderated
    node = pending(l, l.students[0], "A claim", under=l.thesis)
    moderation.reject(node, l.teacher, feedback="Needs a quote")
    moderation.approve(node, l.co_teacher, feedback="Better now", grade="B")
    moderation.approve(node, l.teacher, grade="A")  # a second look: same status, new grade
    node.refresh_from_db()
    assert node.status == NodeStatus.APPROVED
    assert list(Review.objects.order_by("id").values_list("decision", "grade")) == [
        ("rejected", ""), ("approved", "B"), ("approved", "A")]
    assert Change.objects.filter(node=node, action="edit").count() == 2  # only status changes are history
    assert moderation.latest_reviews(l.exercise)[node.pk].grade == "A"


def test_it_refuses_deleted_nodes_and_nodes_outside_exercises(moderated, build):
    l = moderated
    node = pending(l, l.students[0], "Gone soon", under=l.thesis)
    node.soft_delete(by=l.students[0])
    with pytest.raises(ValidationError, match="deleted"):
        moderation.approve(node, l.teacher)
    other = build()
    loose = other.claim("Not in a class", under=other.thesis())
    with pytest.raises(ValidationError, match="exercise"):
        moderation.approve(loose, l.teacher)


@pytest.mark.parametrize("feedback, grade, message", [
    ("x" * (moderation.MAX_FEEDBACK_LENGTH + 1), "", "2,000 characters"),
    ("bad \x00 byte", "", "NUL"),
    ("", "x" * 21, "at most 20"),
])
def test_it_refuses_feedback_and_grades_it_cannot_store(moderated, feedback, grade, message):
    l = moderated
    node = pending(l, l.students[0], "A claim", under=l.thesis)
    with pytest.raises(ValidationError, match=message):
        moderation.approve(node, l.teacher, feedback=feedback, grade=grade)
    node.refresh_from_db()
    assert node.status == NodeStatus.PENDING and not Review.objects.exists()


def test_approving_below_a_pending_parent_is_allowed_and_said(moderated):
    l = moderated
    parent = pending(l, l.students[0], "Parent claim", under=l.thesis)
    child = pending(l, l.students[1], "Child claim", under=parent, stance="oppose")
    moderation.approve(child, l.teacher)
    assert moderation.pending_parents(child) == [parent]
    item = moderation.contributions(l.exercise, status=None, node_id=child.pk)[0]
    assert item.waiting_parents == [parent]
    moderation.approve(parent, l.teacher)
    assert moderation.pending_parents(child) == []


def test_it_lists_pending_contributions_with_quotes_parents_and_reviews_in_few_queries(
        moderated, django_assert_num_queries):
    l = moderated
    one, two = l.students
    first = pending(l, one, "First", under=l.thesis, quote="Moscow heard another.")
    second = pending(l, two, "Second", under=first, stance="oppose", quote="The relay stations stopped working.")
    contribute(l, one, "Already in", under=l.thesis)
    moderation.reject(second, l.teacher, feedback="Say more")
    Node.objects.filter(pk=second.pk).update(status=NodeStatus.PENDING)  # as an edit after rejection does

    with django_assert_num_queries(4):
        items = moderation.contributions(l.exercise)
        texts = [(i.node.text, i.node.author.username, [q.exact for q in i.quotes],
                  [(p.text, s) for p, s in i.parents], i.review and i.review.feedback) for i in items]
    assert texts == [
        ("First", "student-1", ["Moscow heard another."], [("Lukashenko is hedging", "support")], None),
        ("Second", "student-2", ["The relay stations stopped working."], [("First", "oppose")], "Say more"),
    ]
    mine = moderation.contributions(l.exercise, status=None, author=one)
    assert [i.node.text for i in mine] == ["First", "Already in"]
