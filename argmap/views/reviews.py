"""Deciding on a contribution from the teacher's dashboard: approve or reject it, with feedback and a grade."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path
from django.views.decorators.http import require_POST

from argmap.classroom import moderation
from argmap.classroom.clock import closed_message
from argmap.classroom.dashboard import contributions_context
from argmap.forms.dashboard import ReviewForm
from argmap.models import Exercise
from argmap.models import Node
from argmap.permissions import exercise_node
from argmap.views import back_to_dashboard, dashboard_answer, dashboard_page, exercise_for_dashboard, signed_in_to


signed_in = signed_in_to("Log in again to continue.")


def _node_of(exercise: Exercise, node_id: int) -> Node:
    return exercise_node(exercise, node_id)


@require_POST
@signed_in
def review_node(request, exercise_id: int, node_id: int):
    """Approve or reject one contribution, with a feedback note and an optional grade; 403 once the
    exercise has closed, like every other change to its maps."""
    exercise = exercise_for_dashboard(request, exercise_id)
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
            return back_to_dashboard(request, exercise, "contributions")
        region = {**contributions_context(exercise, dashboard_page(request, exercise)), "decided": decided}
    else:
        failed = {"node_id": node.pk, "errors": [e for errors in form.errors.values() for e in errors],
                  "stale": stale, "typed": form.typed()}
        region = contributions_context(exercise, dashboard_page(request, exercise), failed)
    return dashboard_answer(request, exercise, "contributions", region, status)


def _decided_message(contribution) -> str:
    node = contribution.node
    word = {"approved": "Approved", "rejected": "Rejected"}.get(node.status, "Saved")
    message = f"{word}: “{_short(node.text)}”."
    if node.status == "approved" and contribution.waiting_parents:
        message += " Students will see it once what it answers is approved too."
    return message


def _short(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


urlpatterns = [
    path("exercises/<int:exercise_id>/nodes/<int:node_id>/review/", review_node, name="review-node"),
]
