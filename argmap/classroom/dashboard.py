"""What the teacher's dashboard of an exercise shows: its regions (contributions to review, the
students' table, sources and passages, the release switch) and the digest its poller compares."""

import hashlib
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.core import signing
from django.db.models import Count, Max, OuterRef, Subquery, Sum
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode

from argmap.classroom import coverage, grading, moderation, progress
from argmap.models import (
    ClassRole,
    Enrolment,
    Exercise,
    GroupMember,
    Review,
    SideAssignment,
    StudentResult,
)
from argmap.models import Map

PENDING_SHOWN = 100  # the oldest first; the rest come up as these are decided
TOKEN_SALT = "argmap.dashboard"
TOKEN_MAX_AGE = 12 * 60 * 60  # a school day, as for the map pages' poller


def student_of(exercise: Exercise, user_id: int):
    enrolment = (
        Enrolment.objects.select_related("user")
        .filter(school_class_id=exercise.school_class_id, role=ClassRole.STUDENT, user_id=user_id)
        .first()
    )
    if enrolment is None:
        raise Http404("No such student in this class.")
    return enrolment.user


def contributions_context(exercise: Exercise, page: str, failed: dict | None = None) -> dict:
    """The contributions to review: the pending ones, or every one of a student (`?student=` on the
    page). A contribution whose decision failed stays listed, with its error."""
    shown_student = None
    wanted = parse_qs(urlsplit(page).query).get("student", [""])[0]
    if wanted.isdigit() and len(wanted) < 19:
        shown_student = student_of(exercise, int(wanted))
    if shown_student is not None:
        items = moderation.contributions(exercise, status=None, author=shown_student)
        more = False
    else:
        items = moderation.contributions(exercise, limit=PENDING_SHOWN + 1)
        more = len(items) > PENDING_SHOWN
        items = items[:PENDING_SHOWN]
    if failed and all(c.node.pk != failed["node_id"] for c in items):
        items = moderation.contributions(exercise, status=None, node_id=failed["node_id"]) + items
    return {"contributions": items, "more_pending": more, "shown_student": shown_student, "here": page,
            "failed": failed, "closed": exercise.has_closed()}


@dataclass
class StudentRow:
    """One line of the students' table: their progress and the result the teacher gave them."""

    progress: progress.StudentProgress
    result: StudentResult | None

    @property
    def user(self):
        return self.progress.user


def students_context(exercise: Exercise, page: str) -> dict:
    results = grading.results(exercise)
    rows = [StudentRow(p, results.get(p.user.pk)) for p in progress.class_progress(exercise)]
    return {"rows": rows, "here": page}


def _coverage_context(exercise: Exercise, page: str) -> dict:
    return {"coverage": coverage.exercise_coverage(exercise)}


def release_context(exercise: Exercise, page: str) -> dict:
    return {"here": page}


REGIONS = {
    "contributions": contributions_context,
    "students": students_context,
    "coverage": _coverage_context,
    "release": release_context,
}


def _aggregate(model, value, field: str = "exercise", outer: str = "pk") -> Subquery:
    """`value` (an aggregate) over the rows of `model` whose `field` is the outer row's `outer`."""
    rows = model.objects.filter(**{field: OuterRef(outer)}).order_by().values(field)
    return Subquery(rows.annotate(value=value).values("value")[:1])


# What each region shows moves with, among the columns of `activity_state`'s query. The maps'
# activity moves with every comment and vote as well as every change of shape (their revision):
# only the students' table counts comments, so a comment or a vote leaves the other regions alone.
STATE_COLUMNS = ("results_released_at", "maps_activity", "maps_revision", "map_count", "last_review", "last_result",
                 "member_count", "last_member", "in_groups", "last_in_group", "side_count", "last_side")
REGION_COLUMNS = {
    "contributions": tuple(c for c in STATE_COLUMNS if c not in ("results_released_at", "maps_activity")),
    "students": STATE_COLUMNS,
    "coverage": ("maps_revision", "map_count"),
    "release": ("results_released_at",),
}
STATE_PATTERN = r"^[0-9a-f]{8}(\.[0-9a-f]{8}){%d}$" % (len(REGIONS) - 1)


def activity_state(exercise_id: int) -> str | None:
    """A short digest of what each region of the dashboard shows (one part per region, in the
    order of REGIONS, joined by dots); None if the exercise is gone.

    One query: the maps' activity and revision counters (bumped by every node, quote and comment;
    by every node and quote), the reviews, results and release, the class's members, the groups
    and the sides.
    """
    in_class = {"field": "school_class", "outer": "school_class_id"}
    row = (
        Exercise.objects.filter(pk=exercise_id)
        .annotate(
            maps_activity=_aggregate(Map, Sum("activity")),
            maps_revision=_aggregate(Map, Sum("revision")),
            map_count=_aggregate(Map, Count("id")),
            last_review=_aggregate(Review, Max("id")),
            last_result=_aggregate(StudentResult, Max("updated_at")),
            member_count=_aggregate(Enrolment, Count("id"), **in_class),
            last_member=_aggregate(Enrolment, Max("id"), **in_class),
            in_groups=_aggregate(GroupMember, Count("id")),
            last_in_group=_aggregate(GroupMember, Max("id")),
            side_count=_aggregate(SideAssignment, Count("id")),
            last_side=_aggregate(SideAssignment, Max("id")),
        )
        .values(*STATE_COLUMNS)
        .first()
    )
    if row is None:
        return None
    return ".".join(
        hashlib.sha256(repr([row[c] for c in REGION_COLUMNS[region]]).encode()).hexdigest()[:8] for region in REGIONS
    )


def regions_changed(before: str, now: str) -> list[str]:
    """The regions whose part of the digest differs between two states of `activity_state`."""
    return [region for region, old, new in zip(REGIONS, before.split("."), now.split(".")) if old != new]


def poll_url(exercise: Exercise, user, state: str) -> str:
    token = signing.dumps({"exercise": exercise.pk, "user": user.pk}, salt=TOKEN_SALT, compress=True)
    return f"{reverse('exercise-dashboard-activity', args=[exercise.pk])}?{urlencode({'token': token, 'since': state})}"
