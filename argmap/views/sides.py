"""Sides of an exercise: each student argues an assigned thesis and side, alone or in a team."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from argmap.classroom import sides
from argmap.classroom.exercises import class_students, main_map
from argmap.forms.exercises import SidesAtRandomForm, SidesByHandForm
from argmap.models import Exercise, SideAssignment
from argmap.models import Node
from argmap.views import GET_OR_POST, exercise_to_set_up, refuse_if_closed


def _theses(exercise: Exercise) -> list[Node]:
    original = main_map(exercise)
    if original is None:
        return []
    return list(Node.objects.in_map(original).live().theses().filter(status="approved").order_by("id"))


def _initial_sides(exercise: Exercise) -> dict:
    initial = {}
    for row in SideAssignment.objects.filter(exercise=exercise):
        initial[f"side_{row.user_id}"] = f"{row.thesis_id}:{row.stance}"
        initial[f"team_{row.user_id}"] = row.team
    return initial


@login_required
@require_http_methods(GET_OR_POST)
def exercise_sides(request, exercise_id: int):
    exercise = exercise_to_set_up(request, exercise_id)
    if not exercise.sides:
        raise Http404("This exercise does not use sides: turn them on in its settings first.")
    students, theses = class_students(exercise), _theses(exercise)
    existing = _initial_sides(exercise)
    by_hand = SidesByHandForm(initial=existing, students=students, theses=theses, prefix="hand")
    at_random = SidesAtRandomForm(prefix="random")
    status = 200
    if request.method == "POST":
        refuse_if_closed(exercise)
        if "random" in request.POST:
            at_random = SidesAtRandomForm(request.POST, prefix="random")
            if at_random.is_valid() and not theses:
                at_random.add_error(None, "The map has no thesis yet: add the theses first.")
            elif at_random.is_valid() and existing and not at_random.cleaned_data["replace"]:
                at_random.add_error("replace", "Students already have sides: tick this to replace them.")
            if at_random.is_valid():
                dealt = sides.spread_evenly([s.pk for s in students], [t.pk for t in theses],
                                            team_size=at_random.cleaned_data["team_size"])
                sides.replace_assignments(exercise, dealt)
                messages.success(request, f"Sides assigned at random to {len(dealt)} students.")
                return redirect("exercise-sides", exercise.pk)
        else:
            by_hand = SidesByHandForm(request.POST, students=students, theses=theses, prefix="hand")
            if by_hand.is_valid():
                sides.replace_assignments(exercise, by_hand.assignments())
                messages.success(request, "Sides saved.")
                return redirect("exercise-sides", exercise.pk)
        status = 400
    context = {"exercise": exercise, "by_hand": by_hand, "at_random": at_random, "theses": theses,
               "students": students, "has_assignments": bool(existing), "map": main_map(exercise),
               "closed": exercise.has_closed()}
    return render(request, "exercises/sides.html", context, status=status)

urlpatterns = [
    path("exercises/<int:exercise_id>/sides/", exercise_sides, name="exercise-sides"),
]
