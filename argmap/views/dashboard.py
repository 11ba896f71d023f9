"""The teacher's dashboard of an exercise, its live updates, and the student's page of their own work
(the decisions made from the dashboard: reviews.py; the grades and the results export: results.py).

The dashboard has four live regions (contributions to review, the students' table, the release
switch, sources and passages). A poller asks `exercise-dashboard-activity` every 2 s whether
anything changed, and in which regions; static/js/live.js then fetches just those regions and
swaps them in, leaving alone a region the teacher is typing in. The whole page costs the same
number of queries for 5 students or 60 (tests/test_dashboard_queries.py).

Every form works without JavaScript (post, then redirect back to the dashboard, or the page again
with the form's error and a 4xx); with htmx a form gets its region back, with the error or the
news (what was decided, "Saved."), and a decided contribution leaves the list of pending ones.
"""

import re

from django.core import signing
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from argmap.classroom import grading, moderation, progress
from argmap.classroom.dashboard import (
    REGIONS,
    STATE_PATTERN,
    TOKEN_MAX_AGE,
    TOKEN_SALT,
    activity_state,
    regions_changed,
)
from argmap.permissions import exercise_and_access
from argmap.views import (
    dashboard_context,
    exercise_for_dashboard,
    poll_changed,
    poll_stopped,
    render_in_class_zone,
    signed_in_to,
)

STATE = re.compile(STATE_PATTERN)


signed_in = signed_in_to("Log in again to continue.")


# The dashboard


@never_cache
@require_safe
@signed_in
def dashboard(request, exercise_id: int):
    """The whole page, or one region of it for htmx (live.js asks for a single region by its id)."""
    exercise = exercise_for_dashboard(request, exercise_id)
    region = request.htmx.target if request.htmx else None
    if region in REGIONS:
        context = REGIONS[region](exercise, request.get_full_path())
        return render_in_class_zone(request, exercise, f"exercises/dashboard.html#{region}", context)
    return render_in_class_zone(request, exercise, "exercises/dashboard.html", dashboard_context(request, exercise))


# Live updates: one query says whether anything the dashboard shows has changed.


@never_cache
@require_safe
def activity(request, exercise_id: int):
    """204 while nothing the dashboard shows changed since `since`; else the poller again (with the
    new state) and the `argmap-changed` event naming the regions that changed.

    One query: the signed token (handed out only by the access-checked dashboard) says who polls,
    so neither the session nor the user is read.
    """
    since = request.GET.get("since", "")
    if not STATE.match(since):
        return poll_stopped("Live updates stopped (a bad request). Reload the page to resume them.", 400)
    try:
        payload = signing.loads(request.GET.get("token", ""), salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        return poll_stopped("This page has been open a long time: reload it to see changes live again.", 403)
    except signing.BadSignature:
        return poll_stopped("Live updates stopped. Reload the page to resume them.", 403)
    if not isinstance(payload, dict) or payload.get("exercise") != exercise_id:
        return poll_stopped("Live updates stopped. Reload the page to resume them.", 403)
    state = activity_state(exercise_id)
    if state is None:
        return poll_stopped("Live updates stopped: this exercise is gone.", 404)
    if state == since:
        return HttpResponse(status=204)
    url = f"{reverse('exercise-dashboard-activity', args=[exercise_id])}?{urlencode({'token': request.GET['token'], 'since': state})}"
    # live.js fetches just the regions named (a comment moves the students' table alone).
    return poll_changed(url, {"regions": regions_changed(since, state)})


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
    return render_in_class_zone(request, exercise, "exercises/my_work.html", context)


urlpatterns = [
    path("exercises/<int:exercise_id>/dashboard/", dashboard, name="exercise-dashboard"),
    path("exercises/<int:exercise_id>/dashboard/activity/", activity, name="exercise-dashboard-activity"),
    path("exercises/<int:exercise_id>/my-work/", my_work, name="exercise-my-work"),
]
