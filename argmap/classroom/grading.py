"""Feedback and grades: per contribution (the node's latest Review, see moderation.py) and per
student (StudentResult), hidden from students until a teacher releases the exercise's results.

What a student sees of a review before release: whether it was approved or rejected, and the note
on a rejection (they need it to improve the node). Grades, notes on approvals and the overall
result wait for the release; unreleasing hides them again.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from argmap.classroom.moderation import clean_feedback, clean_grade
from argmap.models import Decision, Exercise, Review, StudentResult


def set_result(exercise: Exercise, student, feedback: str, grade: str, by) -> StudentResult:
    """Store the teacher's overall feedback and grade for one student (replacing earlier ones)."""
    feedback, grade = clean_feedback(feedback), clean_grade(grade)
    with transaction.atomic():
        result, _ = StudentResult.objects.select_for_update().get_or_create(exercise=exercise, user=student)
        result.feedback, result.grade, result.updated_by = feedback, grade, by
        result.save()
    return result


def results(exercise: Exercise) -> dict[int, StudentResult]:
    """user id -> their StudentResult, for those who have one (one query)."""
    return {r.user_id: r for r in StudentResult.objects.filter(exercise=exercise)}


def release(exercise: Exercise) -> None:
    """Show students their grades and feedback (the time is kept: it says since when)."""
    if exercise.results_released_at is None:
        exercise.results_released_at = timezone.now()
        exercise.save(update_fields=["results_released_at"])


def unrelease(exercise: Exercise) -> None:
    """Hide grades and feedback from students again (say, to correct one)."""
    if exercise.results_released_at is not None:
        exercise.results_released_at = None
        exercise.save(update_fields=["results_released_at"])


@dataclass(frozen=True)
class SeenReview:
    """A review as its student may see it now."""

    decision: str
    feedback: str  # "" while hidden
    grade: str  # "" while hidden


def as_seen_by_student(review: Review | None, released: bool) -> SeenReview | None:
    if review is None:
        return None
    show_feedback = released or review.decision == Decision.REJECTED
    return SeenReview(review.decision, review.feedback if show_feedback else "", review.grade if released else "")


def released_result(exercise: Exercise, student) -> StudentResult | None:
    """The student's overall result as they may see it: only once released."""
    if not exercise.results_released:
        return None
    return StudentResult.objects.filter(exercise=exercise, user=student).first()
