"""The small groups' copies of an exercise's map side by side, for the class's teachers."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from argmap.classroom.comparison import compare_groups
from argmap.permissions import exercise_for_teacher


@login_required
@require_safe
def exercise_compare(request, exercise_id: int):
    exercise = exercise_for_teacher(request, exercise_id, "Only the class's teachers compare the groups' work.")
    comparison = compare_groups(exercise) if exercise.groups else None
    return render(request, "exercises/compare.html", {"exercise": exercise, "comparison": comparison})


urlpatterns = [
    path("exercises/<int:exercise_id>/compare/", exercise_compare, name="exercise-compare"),
]
