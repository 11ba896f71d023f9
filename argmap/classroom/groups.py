"""Small groups: each works on its own copy of the exercise's main map.

Groups are made and filled first; "create the copies" then gives every group without one a copy
(once per group, so a group added later gets its copy when the copies are made again, or at once
if the others already have theirs).
"""

import random

from django.db import IntegrityError, transaction

from argmap.classroom.copying import copy_map
from argmap.classroom.exercises import main_map
from argmap.models import Exercise, ExerciseGroup, GroupMember
from argmap.models import Map, Visibility

MAX_GROUPS = 30


def numbered_names(exercise: Exercise, count: int) -> list[str]:
    """`count` names "Group 1", "Group 2"… not yet taken in this exercise."""
    taken = set(ExerciseGroup.objects.filter(exercise=exercise).values_list("name", flat=True))
    names, number = [], 0
    while len(names) < count:
        number += 1
        if f"Group {number}" not in taken:
            names.append(f"Group {number}")
    return names


def add_groups(exercise: Exercise, names, teacher) -> list[ExerciseGroup]:
    """New groups with these names; if the copies were already made, the new groups get theirs now."""
    with transaction.atomic():
        groups = [ExerciseGroup.objects.create(exercise=exercise, name=name) for name in names]
        if copies_made(exercise):
            create_copies(exercise, teacher)
    return groups


def copies_made(exercise: Exercise) -> bool:
    return Map.objects.filter(exercise=exercise, group__isnull=False).exists()


def spread_evenly(student_ids, group_ids, *, seed=None) -> dict[int, int]:
    """Students shuffled and dealt round the groups: sizes differ by at most one."""
    group_ids = list(group_ids)
    if not group_ids:
        raise ValueError("Make the groups first.")
    students = list(student_ids)
    random.Random(seed).shuffle(students)
    return {student: group_ids[index % len(group_ids)] for index, student in enumerate(students)}


def replace_members(exercise: Exercise, group_of: dict[int, int | None]) -> None:
    """Make these the exercise's groups' members (None: in no group)."""
    with transaction.atomic():
        Exercise.objects.select_for_update().filter(pk=exercise.pk).first()  # one teacher at a time
        GroupMember.objects.filter(exercise=exercise).delete()
        GroupMember.objects.bulk_create(
            GroupMember(exercise=exercise, group_id=group_id, user_id=user_id)
            for user_id, group_id in group_of.items()
            if group_id is not None
        )


def create_copies(exercise: Exercise, teacher) -> list[Map]:
    """A copy of the main map for each group that has none yet (two teachers clicking at once
    still make one copy per group: the exercise row is locked while copying)."""
    with transaction.atomic():
        Exercise.objects.select_for_update().filter(pk=exercise.pk).first()
        original = main_map(exercise)
        if original is None:
            return []
        have_copy = set(Map.objects.filter(exercise=exercise, group__isnull=False).values_list("group_id", flat=True))
        return [
            copy_map(original, title=f"{exercise} — {group}", owner=teacher, exercise=exercise, group=group)
            for group in ExerciseGroup.objects.filter(exercise=exercise).exclude(pk__in=have_copy).order_by("id")
        ]


class GroupNameTaken(Exception):
    """Another group of the same exercise already has this name."""


def rename_group(group: ExerciseGroup, name: str) -> None:
    """Give the group a new name, unique within its exercise. Its copy keeps its title: the
    students know the map by it, and the group's name shows beside it on the exercise's pages."""
    taken = ExerciseGroup.objects.filter(exercise_id=group.exercise_id, name=name).exclude(pk=group.pk)
    if taken.exists():
        raise GroupNameTaken(name)
    group.name = name
    try:
        with transaction.atomic():
            group.save(update_fields=["name"])
    except IntegrityError:  # the same name given a moment ago by another teacher
        raise GroupNameTaken(name) from None


def remove_group(group: ExerciseGroup, teacher) -> list[Map]:
    """Remove the group: its members are in no group afterwards. Its copy is kept (the students'
    work stays) but leaves the exercise as `teacher`'s private map. Left in the exercise without
    its group it would count as a second main map, open to every student of the class.
    Returns the kept copies."""
    with transaction.atomic():
        Exercise.objects.select_for_update().filter(pk=group.exercise_id).first()  # not while copies are made
        copy_ids = list(Map.objects.filter(group=group).values_list("pk", flat=True))
        Map.objects.filter(pk__in=copy_ids).update(
            exercise=None, group=None, owner=teacher, visibility=Visibility.PRIVATE
        )
        group.delete()  # its GroupMember rows go with it
    return list(Map.objects.filter(pk__in=copy_ids).order_by("id"))
