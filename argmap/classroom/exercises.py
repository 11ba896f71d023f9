"""Exercises: setting one up on a new map or a copy of a prepared one, changing it, finding its maps.

An exercise's main map is private and names the exercise (`Map.exercise`); with small groups each
group later gets its own copy (argmap.classroom.groups). Times are stored in UTC and shown in the
class's time zone; whether an exercise is open is decided by the clock on each request.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from argmap.classroom.clock import when
from argmap.classroom.copying import copy_map
from argmap.classroom.pseudonyms import ensure_pseudonyms
from argmap.models import ClassRole, Exercise, GroupMember, Map, SchoolClass, Visibility

OPTION_FIELDS = ("sides", "moderation", "anonymity", "groups")
TARGET_FIELDS = ("target_evidence", "target_rebuttals", "target_comments")
MAX_TARGET = 20


def state_label(exercise: Exercise, now=None) -> str:
    """"open, closes Tue 1 Dec, 14:30 (Europe/Minsk)" and the like."""
    zone = exercise.school_class.zone
    state = exercise.state(now)
    if state == "closed":
        return f"closed since {when(exercise.closes_at, zone)}"
    if state == "not yet open":
        return f"not yet open: opens {when(exercise.opens_at, zone)}"
    if exercise.closes_at is None:
        return "open"
    return f"open, closes {when(exercise.closes_at, zone)}"


def maps_a_teacher_may_copy(user):
    """Maps a teacher may start an exercise from: public ones, their own, those they have a role on,
    and the maps of exercises in classes they teach."""
    if user.is_superuser:
        return Map.objects.all()
    taught = Q(
        exercise__school_class__enrolments__user=user,
        exercise__school_class__enrolments__role=ClassRole.TEACHER,
    )
    return Map.objects.filter(
        Q(visibility=Visibility.PUBLIC) | Q(owner=user) | Q(memberships__user=user) | taught
    ).distinct()


def create_exercise(school_class: SchoolClass, teacher, *, title: str, copy_of: Map | None = None,
                    question: str = "", **fields) -> Exercise:
    """A new exercise with its main map: a new empty map, or a copy of `copy_of` with its sources.

    `fields` are the Exercise's own (instructions, opens_at, closes_at, options, targets). All or
    nothing: one transaction. Under anonymity every student gets a pseudonym at once.
    """
    with transaction.atomic():
        exercise = Exercise.objects.create(school_class=school_class, title=title, created_by=teacher, **fields)
        if copy_of is not None:
            copy_map(copy_of, title=title, owner=teacher, exercise=exercise, visibility=Visibility.PRIVATE)
        else:
            Map.objects.create(title=title, question=question, owner=teacher, visibility=Visibility.PRIVATE,
                               exercise=exercise)
        if exercise.anonymity:
            _ensure_pseudonyms(exercise)
    return exercise


def update_exercise(exercise: Exercise, changes: dict) -> list[str]:
    """Save the changed fields; returns what the change does to students' work, in words."""
    before = {name: getattr(exercise, name) for name in changes}
    for name, value in changes.items():
        setattr(exercise, name, value)
    changed = [name for name in changes if before[name] != changes[name]]
    if not changed:
        return []
    with transaction.atomic():
        exercise.save(update_fields=changed)
        if exercise.anonymity:
            _ensure_pseudonyms(exercise)  # also for students who joined since
    return consequences(exercise, before)


def consequences(exercise: Exercise, before: dict) -> list[str]:
    """What changing options or times means for work already done."""
    notes = []

    def turned(name: str) -> str | None:
        if name not in before or before[name] == getattr(exercise, name):
            return None
        return "on" if getattr(exercise, name) else "off"

    if turned("moderation") == "on":
        notes.append("Moderation is on: students' new and edited nodes now wait for approval; "
                     "what they added before stays visible.")
    elif turned("moderation") == "off":
        notes.append("Moderation is off: students' new nodes appear at once; nodes still pending stay pending "
                     "until you approve or reject them.")
    if turned("anonymity") == "on":
        notes.append("Anonymity is on: students now see each other under pseudonyms.")
    elif turned("anonymity") == "off":
        notes.append("Anonymity is off: students now see each other's usernames, also on what they wrote before.")
    if turned("sides") == "on":
        notes.append("Sides are on: assign each student a thesis and a side on the Sides page.")
    elif turned("sides") == "off":
        notes.append("Sides are off: students no longer see their assigned side (the assignments are kept).")
    if turned("groups") == "on":
        notes.append("Small groups are on: make the groups and their copies of the map on the Groups page; "
                     "until then students have no map to work on.")
    elif turned("groups") == "off":
        notes.append("Small groups are off: everyone works on the main map again; the groups' copies are kept.")
    if "closes_at" in before and before["closes_at"] != exercise.closes_at:
        now_open = exercise.is_open()
        was_closed = before["closes_at"] is not None and before["closes_at"] <= timezone.now()
        if was_closed and now_open:
            notes.append("The exercise is open again until its new closing time.")
        elif exercise.has_closed():
            notes.append("The exercise is closed: its maps are read-only.")
    return notes


def _ensure_pseudonyms(exercise: Exercise) -> None:
    ensure_pseudonyms(exercise)


def main_map(exercise: Exercise) -> Map | None:
    """The map the whole class works on (the groups' copies name their group)."""
    return Map.objects.filter(exercise=exercise, group__isnull=True).order_by("id").first()


def map_of(exercise: Exercise, user, is_teacher: bool) -> tuple[Map | None, str]:
    """The map this person works on, and if there is none, why (for a student in a group exercise:
    their group's copy)."""
    if is_teacher or not exercise.groups:
        found = main_map(exercise)
        return found, "" if found else "This exercise has no map."
    membership = GroupMember.objects.filter(exercise=exercise, user=user).select_related("group").first()
    if membership is None:
        return None, "You are not in a group yet: your teacher will put you in one."
    copy = Map.objects.filter(exercise=exercise, group=membership.group).order_by("id").first()
    if copy is None:
        return None, f"Your group, {membership.group.name}, has no copy of the map yet: your teacher will make it."
    return copy, ""


def class_students(exercise: Exercise) -> list:
    """The class's students, by username."""
    return list(
        get_user_model().objects.filter(
            enrolments__school_class_id=exercise.school_class_id, enrolments__role=ClassRole.STUDENT
        ).order_by("username")
    )
