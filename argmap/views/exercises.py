"""Exercises of a class: setting one up, its page, sides, small groups, the snapshot at closing.

Everyone in the class sees an exercise's page; only its teachers set it up and change it. Times
are typed and shown in the class's time zone (each view runs under `timezone.override`), and
stored in UTC.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from argmap import votes
from argmap.classroom import sides
from argmap.classroom.exercises import create_exercise, map_of, state_label, update_exercise
from argmap.classroom.snapshots import approved_only, ensure_snapshots, outline, snapshot_of
from argmap.forms.exercises import EditExerciseForm, ExerciseForm, NewExerciseForm
from argmap.models import ClassRole, Enrolment, Exercise, ExerciseGroup, GroupMember, Pseudonym
from argmap.models import Map, Node
from argmap.models import SideAssignment
from argmap.permissions import class_and_access, exercise_and_access, map_and_access, require
from argmap.views import EXERCISE_TEACHERS_ONLY, GET_OR_POST, exercise_to_set_up


# Setting up and changing


@login_required
@require_http_methods(GET_OR_POST)
def exercise_new(request, class_id: int):
    school_class, access = class_and_access(request, class_id)
    require(access.is_teacher, EXERCISE_TEACHERS_ONLY)
    with timezone.override(school_class.zone):
        data = request.POST if request.method == "POST" else None
        form = NewExerciseForm(data, zone=school_class.zone, teacher=request.user)
        if form.is_valid():
            copy_of = form.cleaned_data["copy_of"] if form.cleaned_data["start_from"] == "copy" else None
            exercise = create_exercise(school_class, request.user, copy_of=copy_of,
                                       question=form.cleaned_data["question"], **form.exercise_fields())
            messages.success(request, "Exercise created." + _next_steps(exercise))
            return redirect("exercise-detail", exercise.pk)
        context = {"school_class": school_class, "form": form}
        return render(request, "exercises/new.html", context, status=400 if form.is_bound else 200)


def _next_steps(exercise: Exercise) -> str:
    steps = []
    if exercise.sides:
        steps.append("assign the sides")
    if exercise.groups:
        steps.append("make the groups and their copies")
    return f" Next: {' and '.join(steps)}." if steps else ""


@login_required
@require_http_methods(GET_OR_POST)
def exercise_edit(request, exercise_id: int):
    exercise = exercise_to_set_up(request, exercise_id)
    zone = exercise.school_class.zone
    with timezone.override(zone):
        if request.method == "POST" and "close_now" in request.POST:
            return _close_now(request, exercise)
        initial = {name: getattr(exercise, name) for name in ExerciseForm.base_fields}
        initial.update(votes.voting_of(exercise.maps.all()))
        form = EditExerciseForm(request.POST if request.method == "POST" else None, initial=initial, zone=zone)
        if form.is_valid():
            with transaction.atomic():
                notes = update_exercise(exercise, form.exercise_fields())
                votes.set_voting(exercise.maps.all(), voting=form.cleaned_data["voting"],
                                 hidden_until_voted=form.cleaned_data["votes_hidden_until_voted"])
            messages.success(request, "Exercise saved.")
            for note in notes:
                messages.info(request, note)
            return redirect("exercise-detail", exercise.pk)
        context = {"exercise": exercise, "form": form, "state": state_label(exercise),
                   "started": _students_started(exercise)}
        return render(request, "exercises/edit.html", context, status=400 if form.is_bound else 200)


def _close_now(request, exercise: Exercise):
    if not exercise.is_open():
        messages.info(request, "Only an open exercise can be closed now: change its times instead.")
        return redirect("exercise-edit", exercise.pk)
    update_exercise(exercise, {"closes_at": timezone.now()})
    messages.success(request, "The exercise is closed: its maps are read-only.")
    return redirect("exercise-detail", exercise.pk)


def _students_started(exercise: Exercise) -> bool:
    """Has any student written on one of the exercise's maps? (Changing options then says what it does.)"""
    students = Enrolment.objects.filter(school_class_id=exercise.school_class_id, role=ClassRole.STUDENT)
    return Node.objects.filter(map__exercise=exercise, author__in=students.values("user_id")).exists()


# The exercise's page


@login_required
@require_safe
def exercise_detail(request, exercise_id: int):
    exercise, access = exercise_and_access(request, exercise_id)
    ensure_snapshots(exercise)
    map_, no_map = map_of(exercise, request.user, access.is_teacher)
    assignment, mates = (None, [])
    if exercise.sides and access.is_student:
        assignment, mates = sides.side_of(exercise, request.user)
    context = {
        "exercise": exercise,
        "school_class": exercise.school_class,
        "access": access,
        "state": exercise.state(),
        "state_label": state_label(exercise),
        "map": map_,
        "no_map": no_map,
        "assignment": assignment,
        "side_name": sides.SIDE_NAMES.get(assignment.stance, "") if assignment else "",
        "mates": _names_for_students(exercise, access, mates),
        "targets": [(getattr(exercise, name), label) for name, label in (
            ("target_evidence", "pieces of evidence for your side"),
            ("target_rebuttals", "rebuttals of the other side"),
            ("target_comments", "comments"),
        ) if getattr(exercise, name)],
        "overview": _teacher_overview(exercise) if access.is_teacher else None,
    }
    with timezone.override(exercise.school_class.zone):
        return render(request, "exercises/detail.html", context)


def _names_for_students(exercise: Exercise, access, people) -> list[str]:
    """Names as this reader may see them: students of an anonymous exercise see pseudonyms."""
    if not (exercise.anonymity and not access.is_teacher):
        return [person.get_username() for person in people]
    pseudonyms = dict(Pseudonym.objects.filter(exercise=exercise, user__in=people).values_list("user_id", "name"))
    return [pseudonyms.get(person.pk, "a student") for person in people]


def _teacher_overview(exercise: Exercise) -> dict:
    students = Enrolment.objects.filter(school_class_id=exercise.school_class_id, role=ClassRole.STUDENT).count()
    overview = {"students": students}
    if exercise.sides:
        overview["assigned"] = SideAssignment.objects.filter(exercise=exercise).count()
    if exercise.groups:
        overview["groups"] = ExerciseGroup.objects.filter(exercise=exercise).count()
        overview["in_groups"] = GroupMember.objects.filter(exercise=exercise).count()
        overview["copies"] = Map.objects.filter(exercise=exercise, group__isnull=False).count()
    return overview


# The snapshot at closing


@login_required
@require_safe
def exercise_snapshot(request, exercise_id: int):
    """The map as it was at closing: teachers choose among the exercise's maps; students see their own."""
    exercise, class_access = exercise_and_access(request, exercise_id)
    ensure_snapshots(exercise)
    maps = []
    if class_access.is_teacher:
        maps = list(Map.objects.filter(exercise=exercise).select_related("group").order_by("group_id", "id"))
        code = request.GET.get("map", "")
        chosen = next((m for m in maps if m.code == code), None) or next((m for m in maps if not m.group_id), None)
    else:
        chosen, _ = map_of(exercise, request.user, False)
    context = {"exercise": exercise, "maps": maps, "chosen": chosen,
               "state_label": state_label(exercise), "closed": exercise.has_closed(), "trees": None}
    if chosen is not None and exercise.has_closed():
        _, access = map_and_access(request, chosen.code)  # a student's group copy only for its group
        snapshot = snapshot_of(exercise, chosen)
        if snapshot is not None:
            context["snapshot"] = snapshot
            context["trees"] = outline(snapshot.data, show=(lambda n: True) if access.is_teacher else approved_only,
                                       name=_namer(snapshot.data, access))
    with timezone.override(exercise.school_class.zone):
        return render(request, "exercises/snapshot.html", context)


def _namer(data: dict, access):
    """name(author_id, username) as this reader may see it (pseudonyms under anonymity)."""
    if not access.anonymised:
        return lambda author_id, username: username or "someone"
    ids = {n["author_id"] for n in data["nodes"] if n["author_id"]}
    people = get_user_model().objects.in_bulk(ids)
    return lambda author_id, username: access.name_of(people[author_id]) if author_id in people else "someone"


urlpatterns = [
    path("classes/<int:class_id>/exercises/new/", exercise_new, name="exercise-new"),
    path("exercises/<int:exercise_id>/", exercise_detail, name="exercise-detail"),
    path("exercises/<int:exercise_id>/edit/", exercise_edit, name="exercise-edit"),
    path("exercises/<int:exercise_id>/snapshot/", exercise_snapshot, name="exercise-snapshot"),
]
