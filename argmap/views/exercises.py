"""Exercises of a class: setting one up, its page, sides, small groups, the snapshot at closing.

Everyone in the class sees an exercise's page; only its teachers set it up and change it. Times
are typed and shown in the class's time zone (each view runs under `timezone.override`), and
stored in UTC.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from argmap import votes
from argmap.classroom import groups as small_groups
from argmap.classroom import sides
from argmap.classroom.exercises import create_exercise, main_map, map_of, state_label, update_exercise, when
from argmap.classroom.models import ClassRole, Enrolment, Exercise, ExerciseGroup, GroupMember, Pseudonym
from argmap.classroom.models import SideAssignment
from argmap.classroom.snapshots import approved_only, ensure_snapshots, outline, snapshot_of
from argmap.forms.exercises import (
    AddGroupsForm,
    EditExerciseForm,
    ExerciseForm,
    MembersForm,
    NewExerciseForm,
    RenameGroupForm,
    SidesAtRandomForm,
    SidesByHandForm,
)
from argmap.models import Map, Node
from argmap.permissions import class_and_access, exercise_and_access, exercise_for_teacher, map_and_access, require

GET_OR_POST = ["GET", "HEAD", "POST"]
TEACHERS_ONLY = "Only the class's teachers set up and change its exercises."


# Access


def _for_teacher(request, exercise_id: int) -> Exercise:
    return exercise_for_teacher(request, exercise_id, TEACHERS_ONLY)


def _refuse_if_closed(exercise: Exercise) -> None:
    if exercise.has_closed():
        raise PermissionDenied(
            f"This exercise closed at {when(exercise.closes_at, exercise.school_class.zone)}; nothing in it changes "
            "now. Move its closing time (Edit) to open it again."
        )


# Setting up and changing


@login_required
@require_http_methods(GET_OR_POST)
def exercise_new(request, class_id: int):
    school_class, access = class_and_access(request, class_id)
    require(access.is_teacher, TEACHERS_ONLY)
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
    exercise = _for_teacher(request, exercise_id)
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


# Sides


def _class_students(exercise: Exercise) -> list:
    return list(
        get_user_model().objects.filter(
            enrolments__school_class_id=exercise.school_class_id, enrolments__role=ClassRole.STUDENT
        ).order_by("username")
    )


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
    exercise = _for_teacher(request, exercise_id)
    if not exercise.sides:
        raise Http404("This exercise does not use sides: turn them on in its settings first.")
    students, theses = _class_students(exercise), _theses(exercise)
    existing = _initial_sides(exercise)
    by_hand = SidesByHandForm(initial=existing, students=students, theses=theses, prefix="hand")
    at_random = SidesAtRandomForm(prefix="random")
    status = 200
    if request.method == "POST":
        _refuse_if_closed(exercise)
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


# Small groups


@login_required
@require_http_methods(GET_OR_POST)
def exercise_groups(request, exercise_id: int):
    exercise = _for_teacher(request, exercise_id)
    if not exercise.groups:
        raise Http404("This exercise does not use small groups: turn them on in its settings first.")
    page = _groups_page(exercise)
    if request.method == "POST":
        _refuse_if_closed(exercise)
        done = _groups_action(request, exercise, page)
        if done:
            messages.success(request, done)
            return redirect("exercise-groups", exercise.pk)
    return render(request, "exercises/groups.html", page, status=400 if request.method == "POST" else 200)


def _groups_page(exercise: Exercise) -> dict:
    """The groups page's context: the groups with their members and copies, and empty forms."""
    students = _class_students(exercise)
    groups = list(ExerciseGroup.objects.filter(exercise=exercise).order_by("id"))
    members = dict(GroupMember.objects.filter(exercise=exercise).values_list("user_id", "group_id"))
    copies = {m.group_id: m for m in Map.objects.filter(exercise=exercise, group__isnull=False)}
    names = {s.pk: s.get_username() for s in students}
    member_names: dict[int, list] = {}
    for user_id, group_id in members.items():
        if user_id in names:
            member_names.setdefault(group_id, []).append(names[user_id])
    return {
        "exercise": exercise, "students": students, "group_list": groups, "members": members, "problem": "",
        "add_form": AddGroupsForm(exercise=exercise, prefix="add"),
        "members_form": MembersForm(initial={f"group_{u}": str(g) for u, g in members.items()}, students=students,
                                    groups=groups, prefix="members"),
        "groups": [{"group": g, "copy": copies.get(g.pk), "members": sorted(member_names.get(g.pk, []))}
                   for g in groups],
        "without_copy": sum(1 for g in groups if g.pk not in copies), "closed": exercise.has_closed(),
    }


def _groups_action(request, exercise: Exercise, page: dict) -> str | None:
    """Do what the button pressed asks (`action`): the message to show after it, or None when it
    could not be done (the page's forms or `problem` then say why)."""
    action, students, groups = request.POST.get("action"), page["students"], page["group_list"]
    if action == "add":
        form = page["add_form"] = AddGroupsForm(request.POST, exercise=exercise, prefix="add")
        if form.is_valid():
            try:
                made = small_groups.add_groups(exercise, form.cleaned_data["wanted"], request.user)
            except IntegrityError:  # the same name added a moment ago by another teacher
                form.add_error(None, "One of those names was just taken: choose another.")
            else:
                return f"Added {len(made)} group{'s' if len(made) != 1 else ''}."
    elif action == "members":
        form = page["members_form"] = MembersForm(request.POST, students=students, groups=groups, prefix="members")
        if form.is_valid():
            small_groups.replace_members(exercise, form.members())
            return "Groups saved."
    elif action == "random":
        if not groups:
            page["problem"] = "Make the groups first."
        elif page["members"] and request.POST.get("replace") != "on":
            page["problem"] = ("Students are already in groups: tick “Replace the current groups” to deal them "
                               "out again.")
        else:
            dealt = small_groups.spread_evenly([s.pk for s in students], [g.pk for g in groups])
            small_groups.replace_members(exercise, dealt)
            return "Students dealt out evenly over the groups."
    elif action == "copies":
        made = small_groups.create_copies(exercise, request.user)
        if not made:
            return "Every group already has its copy."
        return f"Made {len(made)} cop{'ies' if len(made) != 1 else 'y'} of the map."
    else:
        page["problem"] = "Choose what to do with the buttons on this page."
    return None


def _group_for_teacher(request, exercise_id: int, group_id: int) -> tuple[Exercise, ExerciseGroup]:
    """The exercise and one of its groups, for a teacher, while the exercise takes changes."""
    exercise = _for_teacher(request, exercise_id)
    if not exercise.groups:
        raise Http404("This exercise does not use small groups: turn them on in its settings first.")
    group = ExerciseGroup.objects.filter(exercise=exercise, pk=group_id).first()
    if group is None:
        raise Http404("No such group in this exercise.")
    _refuse_if_closed(exercise)
    return exercise, group


@login_required
@require_POST
def exercise_group_rename(request, exercise_id: int, group_id: int):
    exercise, group = _group_for_teacher(request, exercise_id, group_id)
    old_name = group.name
    form = RenameGroupForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            small_groups.rename_group(group, form.cleaned_data["name"])
        except small_groups.GroupNameTaken:
            form.add_error("name", f"There is already a group called “{form.cleaned_data['name']}”.")
            status = 409
        else:
            messages.success(request, f"“{old_name}” is now called “{group.name}”.")
            return redirect("exercise-groups", exercise.pk)
    page = _groups_page(exercise)
    page["problem"] = f"“{old_name}” was not renamed: {' '.join(form.errors['name'])}"
    return render(request, "exercises/groups.html", page, status=status)


@login_required
@require_http_methods(GET_OR_POST)
def exercise_group_remove(request, exercise_id: int, group_id: int):
    """GET asks first (a page with a “Yes, remove” button: no JavaScript needed); POST removes."""
    exercise, group = _group_for_teacher(request, exercise_id, group_id)
    if request.method == "POST":
        kept = small_groups.remove_group(group, request.user)
        note = format_html("Removed the group “{}”; its members are in no group now.", group.name)
        for copy in kept:
            note = format_html('{} Its copy is kept as your private map: <a href="{}">{}</a>.', note,
                               copy.get_absolute_url(), copy.title)
        messages.success(request, note)
        return redirect("exercise-groups", exercise.pk)
    page = _groups_page(exercise)
    page["removing"] = next(row for row in page["groups"] if row["group"].pk == group.pk)
    return render(request, "exercises/groups.html", page)


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
    path("exercises/<int:exercise_id>/sides/", exercise_sides, name="exercise-sides"),
    path("exercises/<int:exercise_id>/groups/", exercise_groups, name="exercise-groups"),
    path("exercises/<int:exercise_id>/groups/<int:group_id>/rename/", exercise_group_rename,
         name="exercise-group-rename"),
    path("exercises/<int:exercise_id>/groups/<int:group_id>/remove/", exercise_group_remove,
         name="exercise-group-remove"),
    path("exercises/<int:exercise_id>/snapshot/", exercise_snapshot, name="exercise-snapshot"),
]
