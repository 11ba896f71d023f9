"""The teacher's dashboard of an exercise, the decisions and grades made from it, the results export,
and the student's page of their own work.

The dashboard has four live regions (contributions to review, the students' table, the release
switch, sources and passages). A poller asks `exercise-dashboard-activity` every few seconds
whether anything changed; when it did, static/js/live.js fetches the page again and swaps the
regions in, leaving alone a region the teacher is typing in. The whole page costs the same
number of queries for 5 students or 60 (tests/test_dashboard_queries.py).

Every form works without JavaScript (post, then redirect back to the dashboard, or the page again
with the form's error and a 4xx); with htmx a form gets its region back, with the error or the
news (what was decided, "Saved."), and a decided contribution leaves the list of pending ones.
"""

import csv
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, OuterRef, Subquery, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import reswap

from argmap.views import next_path, signed_in_to
from argmap.classroom import coverage, grading, moderation, progress
from argmap.classroom.exercises import closed_message
from argmap.classroom.models import (
    ClassRole,
    Enrolment,
    Exercise,
    GroupMember,
    Review,
    SideAssignment,
    StudentResult,
)
from argmap.forms.dashboard import FeedbackForm, ReleaseForm, ReviewForm
from argmap.models import Map, Node
from argmap.permissions import exercise_and_access, exercise_for_teacher, exercise_node
from argmap.live import CHANGED_EVENT

PENDING_SHOWN = 100  # the oldest first; the rest come up as these are decided
TOKEN_SALT = "argmap.dashboard"
TOKEN_MAX_AGE = 12 * 60 * 60  # a school day, as for the map pages' poller
STATE = re.compile(r"^[0-9a-f]{16}$")


signed_in = signed_in_to("Log in again to continue.")


def _exercise_for_teacher(request, exercise_id: int) -> Exercise:
    """The exercise, for its class's teachers; 403 for its students, 404 for anyone else."""
    return exercise_for_teacher(request, exercise_id, "Only the class's teachers see the dashboard, decisions and grades.")


def _node_of(exercise: Exercise, node_id: int) -> Node:
    return exercise_node(exercise, node_id)


def _student_of(exercise: Exercise, user_id: int):
    enrolment = (
        Enrolment.objects.select_related("user")
        .filter(school_class_id=exercise.school_class_id, role=ClassRole.STUDENT, user_id=user_id)
        .first()
    )
    if enrolment is None:
        raise Http404("No such student in this class.")
    return enrolment.user


def _render(request, exercise: Exercise, template: str, context: dict, status: int = 200):
    """Render with times shown in the class's time zone."""
    with timezone.override(exercise.school_class.zone):
        return render(request, template, {"exercise": exercise, **context}, status=status)


def _dashboard_page(request, exercise: Exercise) -> str:
    """The dashboard address the teacher is on: this one on GET, else the one the form came from
    (`next`, when it is this exercise's dashboard), so a `?student=` view stays as it was."""
    home = reverse("exercise-dashboard", args=[exercise.pk])
    if request.method == "GET":
        return request.get_full_path()
    next_url = next_path(request).split("#")[0]
    if urlsplit(next_url).path == home:
        return next_url
    return home


def _back_to_dashboard(request, exercise: Exercise, anchor: str):
    return redirect(f"{_dashboard_page(request, exercise)}#{anchor}")


# The dashboard

def _contributions_context(exercise: Exercise, page: str, failed: dict | None = None) -> dict:
    """The contributions to review: the pending ones, or every one of a student (`?student=` on the
    page). A contribution whose decision failed stays listed, with its error."""
    shown_student = None
    wanted = parse_qs(urlsplit(page).query).get("student", [""])[0]
    if wanted.isdigit() and len(wanted) < 19:
        shown_student = _student_of(exercise, int(wanted))
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


def _students_context(exercise: Exercise, page: str) -> dict:
    results = grading.results(exercise)
    rows = [StudentRow(p, results.get(p.user.pk)) for p in progress.class_progress(exercise)]
    return {"rows": rows, "here": page}


def _coverage_context(exercise: Exercise, page: str) -> dict:
    return {"coverage": coverage.exercise_coverage(exercise)}


def _release_context(exercise: Exercise, page: str) -> dict:
    return {"here": page}


REGIONS = {
    "contributions": _contributions_context,
    "students": _students_context,
    "coverage": _coverage_context,
    "release": _release_context,
}


def dashboard_context(request, exercise: Exercise, **regions) -> dict:
    """The whole page; `regions` overrides what a region shows (a form's error, a saved notice)."""
    page = _dashboard_page(request, exercise)
    context = {
        "maps": list(Map.objects.filter(exercise=exercise).select_related("group").order_by("group_id", "id")),
        "poll_url": _poll_url(exercise, request.user, activity_state(exercise.pk)),
    }
    for name, build in REGIONS.items():
        context.update(regions.get(name) or build(exercise, page))
    return context


@never_cache
@require_safe
@signed_in
def dashboard(request, exercise_id: int):
    """The whole page, or one region of it for htmx (live.js asks for a single region by its id)."""
    exercise = _exercise_for_teacher(request, exercise_id)
    region = request.htmx.target if request.htmx else None
    if region in REGIONS:
        context = REGIONS[region](exercise, request.get_full_path())
        return _render(request, exercise, f"exercises/dashboard.html#{region}", context)
    return _render(request, exercise, "exercises/dashboard.html", dashboard_context(request, exercise))


# Live updates: one query says whether anything the dashboard shows has changed.

def _aggregate(model, value, field: str = "exercise", outer: str = "pk") -> Subquery:
    """`value` (an aggregate) over the rows of `model` whose `field` is the outer row's `outer`."""
    rows = model.objects.filter(**{field: OuterRef(outer)}).order_by().values(field)
    return Subquery(rows.annotate(value=value).values("value")[:1])


def activity_state(exercise_id: int) -> str | None:
    """A short digest of everything that changes what the dashboard shows; None if the exercise is gone.

    One query: the maps' activity counters (bumped by every node, quote and comment), the reviews,
    results and release, the class's members, the groups and the sides.
    """
    in_class = {"field": "school_class", "outer": "school_class_id"}
    row = (
        Exercise.objects.filter(pk=exercise_id)
        .annotate(
            maps_activity=_aggregate(Map, Sum("activity")),
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
        .values_list("results_released_at", "maps_activity", "map_count", "last_review", "last_result", "member_count",
                     "last_member", "in_groups", "last_in_group", "side_count", "last_side")
        .first()
    )
    if row is None:
        return None
    return hashlib.sha256(repr(row).encode()).hexdigest()[:16]


def _poll_url(exercise: Exercise, user, state: str) -> str:
    token = signing.dumps({"exercise": exercise.pk, "user": user.pk}, salt=TOKEN_SALT, compress=True)
    return f"{reverse('exercise-dashboard-activity', args=[exercise.pk])}?{urlencode({'token': token, 'since': state})}"


def _stopped(message: str, status: int) -> HttpResponse:
    # Swapped in for the poller (live.js lets a 4xx with HX-Reswap through): polling stops, and says why.
    response = HttpResponse(render_to_string("maps/_live.html#stopped", {"message": message}), status=status)
    return reswap(response, "outerHTML")


@never_cache
@require_safe
def activity(request, exercise_id: int):
    """204 while nothing the dashboard shows changed since `since`; else the poller again (with the
    new state) and the `argmap-changed` event.

    One query: the signed token (handed out only by the access-checked dashboard) says who polls,
    so neither the session nor the user is read.
    """
    since = request.GET.get("since", "")
    if not STATE.match(since):
        return _stopped("Live updates stopped (a bad request). Reload the page to resume them.", 400)
    try:
        payload = signing.loads(request.GET.get("token", ""), salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        return _stopped("This page has been open a long time: reload it to see changes live again.", 403)
    except signing.BadSignature:
        return _stopped("Live updates stopped. Reload the page to resume them.", 403)
    if not isinstance(payload, dict) or payload.get("exercise") != exercise_id:
        return _stopped("Live updates stopped. Reload the page to resume them.", 403)
    state = activity_state(exercise_id)
    if state is None:
        return _stopped("Live updates stopped: this exercise is gone.", 404)
    if state == since:
        return HttpResponse(status=204)
    url = f"{reverse('exercise-dashboard-activity', args=[exercise_id])}?{urlencode({'token': request.GET['token'], 'since': state})}"
    response = HttpResponse(render_to_string("maps/_live.html", {"poll_url": url}))
    response["HX-Trigger"] = CHANGED_EVENT
    return response


# Decisions and grades

@require_POST
@signed_in
def review_node(request, exercise_id: int, node_id: int):
    """Approve or reject one contribution, with a feedback note and an optional grade; 403 once the
    exercise has closed, like every other change to its maps."""
    exercise = _exercise_for_teacher(request, exercise_id)
    if exercise.has_closed():
        raise PermissionDenied(closed_message(exercise))
    node = _node_of(exercise, node_id)
    form = ReviewForm(request.POST)
    stale = ""
    if form.is_valid():
        data = form.cleaned_data
        decide = moderation.approve if data["decision"] == "approve" else moderation.reject
        try:
            decide(node, request.user, feedback=data["feedback"], grade=data["grade"], version=data["version"])
        except moderation.StaleDecision as error:
            stale = str(error)
        except moderation.ExerciseClosed as error:  # it closed while the form was sent
            raise PermissionDenied(str(error)) from None
        except ValidationError as error:
            for text in error.messages:
                form.add_error(None, text)
    status = 409 if stale else 400 if form.errors else 200
    if status == 200:
        decided = _decided_message(moderation.contributions(exercise, status=None, node_id=node.pk)[0])
        if not request.htmx:
            messages.success(request, decided)
            return _back_to_dashboard(request, exercise, "contributions")
        region = {**_contributions_context(exercise, _dashboard_page(request, exercise)), "decided": decided}
    else:
        failed = {"node_id": node.pk, "errors": [e for errors in form.errors.values() for e in errors],
                  "stale": stale, "typed": form.typed()}
        region = _contributions_context(exercise, _dashboard_page(request, exercise), failed)
    return _answer(request, exercise, "contributions", region, status)


def _answer(request, exercise: Exercise, region: str, context: dict, status: int):
    """After a form: its region again for htmx (a 4xx swapped in all the same), else the whole page."""
    if request.htmx:
        response = _render(request, exercise, f"exercises/dashboard.html#{region}", context, status=status)
        return reswap(response, "outerHTML") if status >= 400 else response
    return _render(request, exercise, "exercises/dashboard.html",
                   dashboard_context(request, exercise, **{region: context}), status=status)


def _decided_message(contribution) -> str:
    node = contribution.node
    word = {"approved": "Approved", "rejected": "Rejected"}.get(node.status, "Saved")
    message = f"{word}: “{_short(node.text)}”."
    if node.status == "approved" and contribution.waiting_parents:
        message += " Students will see it once what it answers is approved too."
    return message


def _short(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


@require_POST
@signed_in
def save_result(request, exercise_id: int, user_id: int):
    """The teacher's overall feedback and grade for one student."""
    exercise = _exercise_for_teacher(request, exercise_id)
    student = _student_of(exercise, user_id)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            grading.set_result(exercise, student, form.cleaned_data["feedback"], form.cleaned_data["grade"],
                               by=request.user)
        except ValidationError as error:
            for text in error.messages:
                form.add_error(None, text)
    if not form.errors and not request.htmx:
        messages.success(request, f"Saved the result of {student.get_full_name() or student.get_username()}.")
        return _back_to_dashboard(request, exercise, f"student-{student.pk}")
    region = _students_context(exercise, _dashboard_page(request, exercise))
    if form.errors:
        region["failed_result"] = {"user_id": student.pk, "typed": form.typed(),
                                   "errors": [e for errors in form.errors.values() for e in errors]}
    else:
        region["saved_user_id"] = student.pk
    return _answer(request, exercise, "students", region, 400 if form.errors else 200)


@require_POST
@signed_in
def release(request, exercise_id: int):
    """Show students their grades and feedback, or hide them again."""
    exercise = _exercise_for_teacher(request, exercise_id)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Choose release or hide.", status=400, content_type="text/plain; charset=utf-8")
    if form.cleaned_data["release"] == "release":
        grading.release(exercise)
    else:
        grading.unrelease(exercise)
    if request.htmx:
        context = _release_context(exercise, _dashboard_page(request, exercise))
        return _render(request, exercise, "exercises/dashboard.html#release", context)
    shown = "Students now see their grades and feedback." if exercise.results_released else \
        "Grades and feedback are hidden from students again."
    messages.success(request, shown)
    return _back_to_dashboard(request, exercise, "release")


# The results export

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, int):
        return value
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


CSV_HEADER = [
    "username", "full name", "group", "thesis", "side", "team", "nodes", "quotes", "evidence", "evidence pending",
    "evidence target", "rebuttals", "rebuttals pending", "rebuttals target", "comments", "comments target",
    "tasks met", "tasks set", "pending", "approved", "rejected", "last activity", "grade", "feedback",
]


def result_rows(exercise: Exercise) -> list[list]:
    """One row per student, in CSV_HEADER's order (times in the class's zone)."""
    zone = exercise.school_class.zone
    results = grading.results(exercise)
    rows = []
    for row in progress.class_progress(exercise):
        assignment, result = row.assignment, results.get(row.user.pk)
        rows.append([
            row.user.get_username(), row.user.get_full_name(), row.group_name,
            assignment.thesis.text if assignment else "", assignment.get_stance_display() if assignment else "",
            assignment.team if assignment else "",
            row.nodes, row.quotes, row.evidence.done, row.evidence.pending, row.evidence.target,
            row.rebuttals.done, row.rebuttals.pending, row.rebuttals.target, row.comments.done, row.comments.target,
            row.tasks_met, row.tasks_set, row.pending, row.approved, row.rejected,
            row.last_activity.astimezone(zone).isoformat(timespec="seconds") if row.last_activity else "",
            result.grade if result else "", result.feedback if result else "",
        ])
    return rows


@require_safe
@signed_in
def export_csv(request, exercise_id: int):
    """Grades and activity, one row per student, for a spreadsheet or the school's system."""
    exercise = _exercise_for_teacher(request, exercise_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = slugify(exercise.title)[:60] or "exercise"
    response["Content-Disposition"] = f'attachment; filename="{name}-results.csv"'
    response.write("\ufeff")  # lets spreadsheet programs recognise UTF-8 (names in Cyrillic, say)
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for row in result_rows(exercise):
        writer.writerow([safe_cell(cell) for cell in row])
    return response


# The student's own work

@never_cache
@require_safe
@signed_in
def my_work(request, exercise_id: int):
    """A student's contributions with their status, the feedback they may see, their progress."""
    exercise, access = exercise_and_access(request, exercise_id)
    if access.is_teacher:
        return redirect("exercise-dashboard", exercise.pk)
    released = exercise.results_released
    items = moderation.contributions(exercise, status=None, author=request.user)
    for item in items:
        item.seen = grading.as_seen_by_student(item.review, released)
    mine = progress.class_progress(exercise, only_user=request.user)
    result = grading.released_result(exercise, request.user)
    context = {"contributions": items, "progress": mine[0] if mine else None, "result": result, "released": released}
    return _render(request, exercise, "exercises/my_work.html", context)


urlpatterns = [
    path("exercises/<int:exercise_id>/dashboard/", dashboard, name="exercise-dashboard"),
    path("exercises/<int:exercise_id>/dashboard/activity/", activity, name="exercise-dashboard-activity"),
    path("exercises/<int:exercise_id>/dashboard/results.csv", export_csv, name="exercise-csv"),
    path("exercises/<int:exercise_id>/nodes/<int:node_id>/review/", review_node, name="review-node"),
    path("exercises/<int:exercise_id>/students/<int:user_id>/result/", save_result, name="exercise-result"),
    path("exercises/<int:exercise_id>/release/", release, name="exercise-release"),
    path("exercises/<int:exercise_id>/my-work/", my_work, name="exercise-my-work"),
]
