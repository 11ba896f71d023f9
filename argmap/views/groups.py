"""Small groups of an exercise: making them, who is in which, their copies of the map, renaming and removing one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from argmap.classroom import groups as small_groups
from argmap.classroom.exercises import class_students
from argmap.forms.exercises import AddGroupsForm, MembersForm, RenameGroupForm
from argmap.models import Exercise, ExerciseGroup, GroupMember
from argmap.models import Map
from argmap.views import GET_OR_POST, exercise_to_set_up, refuse_if_closed


@login_required
@require_http_methods(GET_OR_POST)
def exercise_groups(request, exercise_id: int):
    exercise = exercise_to_set_up(request, exercise_id)
    if not exercise.groups:
        raise Http404("This exercise does not use small groups: turn them on in its settings first.")
    page = _groups_page(exercise)
    if request.method == "POST":
        refuse_if_closed(exercise)
        done = _groups_action(request, exercise, page)
        if done:
            messages.success(request, done)
            return redirect("exercise-groups", exercise.pk)
    return render(request, "exercises/groups.html", page, status=400 if request.method == "POST" else 200)


def _groups_page(exercise: Exercise) -> dict:
    """The groups page's context: the groups with their members and copies, and empty forms."""
    students = class_students(exercise)
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
    exercise = exercise_to_set_up(request, exercise_id)
    if not exercise.groups:
        raise Http404("This exercise does not use small groups: turn them on in its settings first.")
    group = ExerciseGroup.objects.filter(exercise=exercise, pk=group_id).first()
    if group is None:
        raise Http404("No such group in this exercise.")
    refuse_if_closed(exercise)
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

urlpatterns = [
    path("exercises/<int:exercise_id>/groups/", exercise_groups, name="exercise-groups"),
    path("exercises/<int:exercise_id>/groups/<int:group_id>/rename/", exercise_group_rename,
         name="exercise-group-rename"),
    path("exercises/<int:exercise_id>/groups/<int:group_id>/remove/", exercise_group_remove,
         name="exercise-group-remove"),
]
