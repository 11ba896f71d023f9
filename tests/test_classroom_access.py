"""Who may do what on an exercise's map: class roles, the exercise's clock, groups, moderation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from argmap.access import access_for
from argmap.browsing import load_graph
from argmap.models import ExerciseGroup, GroupMember, Pseudonym
from argmap.models import Map, Node, NodeStatus
from argmap.permissions import map_and_access


class Request:
    def __init__(self, user):
        self.user = user


def access(map_, user):
    """What the views see (one query)."""
    return map_and_access(Request(user), map_.code)[1]


def test_teachers_act_as_owners_and_students_as_contributors(lesson, outsider):
    l = lesson()
    for teacher in (l.teacher, l.co_teacher):
        a = access(l.map, teacher)
        assert a.is_owner and a.is_teacher and a.can_edit_all and a.sees_pending
    a = access(l.map, l.students[0])
    assert a.can_contribute and not a.can_edit_all and a.is_student and not a.is_owner
    with pytest.raises(Exception) as refused:
        access(l.map, outsider)
    assert "No such map" in str(refused.value)


def test_the_view_check_and_the_plain_one_agree(lesson, outsider, django_assert_num_queries):
    l = lesson()
    for user in (l.teacher, l.co_teacher, *l.students, outsider):
        assert access_for(l.map, user).role == (
            access(l.map, user).role if user != outsider else None
        )
    with django_assert_num_queries(1):
        access(l.map, l.students[0])


def test_before_opening_students_only_read_and_teachers_prepare(lesson):
    l = lesson(opens_at=timezone.now() + timedelta(days=1), closes_at=timezone.now() + timedelta(days=2))
    student, teacher = access(l.map, l.students[0]), access(l.map, l.teacher)
    assert student.can_view and not student.can_contribute and not student.can_comment
    assert teacher.can_contribute and teacher.can_edit_all


def test_after_closing_nobody_changes_anything(lesson):
    l = lesson(opens_at=timezone.now() - timedelta(days=2), closes_at=timezone.now() - timedelta(minutes=1))
    for user in (l.teacher, l.students[0]):
        a = access(l.map, user)
        assert a.can_view and a.read_only
        assert not (a.can_contribute or a.can_comment or a.can_edit_all)


def test_a_groups_copy_is_for_its_group_and_the_teachers(lesson):
    l = lesson(groups=True)
    group = ExerciseGroup.objects.create(exercise=l.exercise, name="Group A")
    copy = Map.objects.create(title="Copy", owner=l.teacher, exercise=l.exercise, group=group)
    GroupMember.objects.create(exercise=l.exercise, group=group, user=l.students[0])
    assert access(copy, l.students[0]).can_contribute
    assert access(copy, l.co_teacher).is_owner
    with pytest.raises(Exception):
        access(copy, l.students[1])


def test_pending_nodes_are_seen_by_their_author_and_the_teachers_only(lesson):
    l = lesson(moderation=True)
    thesis = l.builder.thesis("Lukashenko is hedging")
    mine = Node.objects.create(map=l.map, text="Pending claim", author=l.students[0], status=NodeStatus.PENDING)
    mine.bear_on(thesis, "support")
    below = Node.objects.create(map=l.map, text="Under the pending one", author=l.teacher)
    below.bear_on(mine, "support")
    l.map.refresh_from_db()
    seen = {}
    for name, user in (("author", l.students[0]), ("other", l.students[1]), ("teacher", l.teacher)):
        _, a = map_and_access(Request(user), l.map.code)
        seen[name] = load_graph(a)
    assert mine.pk in seen["author"] and below.pk in seen["author"]
    assert mine.pk not in seen["other"] and below.pk not in seen["other"]
    assert mine.pk in seen["teacher"]
    assert access(l.map, l.students[0]).moderated and not access(l.map, l.teacher).moderated


def test_students_see_each_other_under_pseudonyms_and_teachers_see_names(lesson):
    l = lesson(anonymity=True)
    one, two = l.students
    Pseudonym.objects.create(exercise=l.exercise, user=one, name="Amber Heron")
    assert access(l.map, two).name_of(one) == "Amber Heron"
    assert access(l.map, one).name_of(one) == one.username  # one's own name
    assert access(l.map, two).name_of(l.teacher) == l.teacher.username  # teachers are not hidden
    assert access(l.map, l.teacher).name_of(one) == one.username
    assert access(l.map, one).name_of(two) == "a student"  # no pseudonym yet: still no name


def test_with_groups_students_read_the_original_map_and_work_on_their_copy(lesson):
    l = lesson(groups=True)
    group = ExerciseGroup.objects.create(exercise=l.exercise, name="Group A")
    GroupMember.objects.create(exercise=l.exercise, group=group, user=l.students[0])
    a = access(l.map, l.students[0])
    assert a.can_view and not a.can_contribute


def test_the_map_list_shows_students_their_exercise_maps_and_nothing_of_other_groups(lesson, outsider):
    l = lesson(groups=True)
    one, two = l.students
    group_a = ExerciseGroup.objects.create(exercise=l.exercise, name="Group A")
    group_b = ExerciseGroup.objects.create(exercise=l.exercise, name="Group B")
    copy_a = Map.objects.create(title="Copy A", owner=l.teacher, exercise=l.exercise, group=group_a)
    copy_b = Map.objects.create(title="Copy B", owner=l.teacher, exercise=l.exercise, group=group_b)
    GroupMember.objects.create(exercise=l.exercise, group=group_a, user=one)
    GroupMember.objects.create(exercise=l.exercise, group=group_b, user=two)
    assert set(Map.objects.visible_to(one)) == {l.map, copy_a}
    assert set(Map.objects.visible_to(two)) == {l.map, copy_b}
    assert {l.map, copy_a, copy_b} <= set(Map.objects.visible_to(l.co_teacher))
    assert not {l.map, copy_a, copy_b} & set(Map.objects.visible_to(outsider))
