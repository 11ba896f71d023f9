"""Sides: the thesis and side each student argues, alone or with a team.

A teacher assigns them by hand, or lets `spread_evenly` deal the students out over every
(thesis, side) combination so that no combination has more than one student more than another.
"""

import math
import random
from dataclasses import dataclass

from django.db import transaction

from argmap.models import Exercise, SideAssignment
from argmap.models import Stance

STANCES = (Stance.SUPPORT.value, Stance.OPPOSE.value)
SIDE_NAMES = {"support": "For", "oppose": "Against"}
MAX_TEAM_SIZE = 10


@dataclass(frozen=True)
class Assignment:
    user_id: int
    thesis_id: int
    stance: str
    team: str = ""


def spread_evenly(student_ids, thesis_ids, *, team_size: int | None = None, seed=None) -> list[Assignment]:
    """Shuffle the students and deal them round the thesis × side combinations: counts per
    combination differ by at most one, and which combinations get one more is random too.

    With `team_size`, each combination's students form the fewest teams of at most that many,
    of sizes differing by at most one, named "Team 1", "Team 2"… across the whole exercise.
    The same `seed` gives the same result.
    """
    thesis_ids = list(thesis_ids)
    if not thesis_ids:
        raise ValueError("The map has no thesis to argue.")
    rng = random.Random(seed)
    students = list(student_ids)
    rng.shuffle(students)
    combinations = [(thesis, stance) for thesis in thesis_ids for stance in STANCES]
    dealing_order = combinations[:]
    rng.shuffle(dealing_order)
    dealt = {combination: [] for combination in combinations}
    for index, student in enumerate(students):
        dealt[dealing_order[index % len(dealing_order)]].append(student)

    assignments, team_number = [], 0
    for (thesis, stance) in combinations:  # teams numbered in the map's order of theses, For before Against
        members = dealt[(thesis, stance)]
        if not team_size:
            assignments += [Assignment(student, thesis, stance) for student in members]
            continue
        team_count = math.ceil(len(members) / team_size)
        for team in range(team_count):
            team_number += 1
            assignments += [Assignment(student, thesis, stance, f"Team {team_number}")
                            for student in members[team::team_count]]
    return assignments


def replace_assignments(exercise: Exercise, assignments) -> None:
    """Make these the exercise's assignments, dropping all earlier ones."""
    with transaction.atomic():
        Exercise.objects.select_for_update().filter(pk=exercise.pk).first()  # one teacher at a time
        SideAssignment.objects.filter(exercise=exercise).delete()
        SideAssignment.objects.bulk_create(
            SideAssignment(exercise=exercise, user_id=a.user_id, thesis_id=a.thesis_id, stance=a.stance, team=a.team)
            for a in assignments
        )


def side_of(exercise: Exercise, user) -> tuple[SideAssignment | None, list]:
    """A student's assignment (with its thesis) and their team mates (users), if any."""
    assignment = SideAssignment.objects.filter(exercise=exercise, user=user).select_related("thesis").first()
    if assignment is None or not assignment.team:
        return assignment, []
    mates = [
        row.user
        for row in SideAssignment.objects.filter(exercise=exercise, team=assignment.team)
        .exclude(user=user).select_related("user").order_by("user__username")
    ]
    return assignment, mates
