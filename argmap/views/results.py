"""Results of an exercise, from the teacher's dashboard: a student's grade and feedback, releasing them
to the students, and the results export (CSV)."""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import path
from django.utils.text import slugify
from django.views.decorators.http import require_POST, require_safe

from argmap.classroom import grading, progress
from argmap.classroom.dashboard import release_context, student_of, students_context
from argmap.forms.dashboard import FeedbackForm, ReleaseForm
from argmap.models import Exercise
from argmap.spreadsheet import safe_cell
from argmap.views import (
    back_to_dashboard,
    dashboard_answer,
    dashboard_page,
    exercise_for_dashboard,
    render_in_class_zone,
    signed_in_to,
)


signed_in = signed_in_to("Log in again to continue.")


@require_POST
@signed_in
def save_result(request, exercise_id: int, user_id: int):
    """The teacher's overall feedback and grade for one student."""
    exercise = exercise_for_dashboard(request, exercise_id)
    student = student_of(exercise, user_id)
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
        return back_to_dashboard(request, exercise, f"student-{student.pk}")
    region = students_context(exercise, dashboard_page(request, exercise))
    if form.errors:
        region["failed_result"] = {"user_id": student.pk, "typed": form.typed(),
                                   "errors": [e for errors in form.errors.values() for e in errors]}
    else:
        region["saved_user_id"] = student.pk
    return dashboard_answer(request, exercise, "students", region, 400 if form.errors else 200)


@require_POST
@signed_in
def release(request, exercise_id: int):
    """Show students their grades and feedback, or hide them again."""
    exercise = exercise_for_dashboard(request, exercise_id)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Choose release or hide.", status=400, content_type="text/plain; charset=utf-8")
    if form.cleaned_data["release"] == "release":
        grading.release(exercise)
    else:
        grading.unrelease(exercise)
    if request.htmx:
        context = release_context(exercise, dashboard_page(request, exercise))
        return render_in_class_zone(request, exercise, "exercises/dashboard.html#release", context)
    shown = "Students now see their grades and feedback." if exercise.results_released else \
        "Grades and feedback are hidden from students again."
    messages.success(request, shown)
    return back_to_dashboard(request, exercise, "release")


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
    exercise = exercise_for_dashboard(request, exercise_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = slugify(exercise.title)[:60] or "exercise"
    response["Content-Disposition"] = f'attachment; filename="{name}-results.csv"'
    response.write("\ufeff")  # lets spreadsheet programs recognise UTF-8 (names in Cyrillic, say)
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for row in result_rows(exercise):
        writer.writerow([safe_cell(cell) for cell in row])
    return response


urlpatterns = [
    path("exercises/<int:exercise_id>/dashboard/results.csv", export_csv, name="exercise-csv"),
    path("exercises/<int:exercise_id>/students/<int:user_id>/result/", save_result, name="exercise-result"),
    path("exercises/<int:exercise_id>/release/", release, name="exercise-release"),
]
