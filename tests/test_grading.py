"""Feedback and grades: per student results, the release, and what a student may see of a review."""

import pytest
from django.core.exceptions import ValidationError

from argmap.classroom import grading, moderation
from argmap.models import StudentResult
from tests.classwork import pending


@pytest.fixture
def graded(lesson):
    l = lesson(moderation=True)
    l.thesis = l.builder.thesis()
    return l


def test_a_result_is_stored_once_per_student_and_replaced(graded):
    l = graded
    grading.set_result(l.exercise, l.students[0], "Good start", "B", by=l.teacher)
    grading.set_result(l.exercise, l.students[0], "  Better by the end ", "A-", by=l.co_teacher)
    result = StudentResult.objects.get()
    assert (result.feedback, result.grade, result.updated_by) == ("Better by the end", "A-", l.co_teacher)
    assert grading.results(l.exercise) == {l.students[0].pk: result}


def test_a_result_it_cannot_store_is_refused_and_the_old_one_kept(graded):
    l = graded
    grading.set_result(l.exercise, l.students[0], "Fine", "B", by=l.teacher)
    with pytest.raises(ValidationError, match="at most 20"):
        grading.set_result(l.exercise, l.students[0], "Fine", "B" * 21, by=l.teacher)
    with pytest.raises(ValidationError, match="NUL"):
        grading.set_result(l.exercise, l.students[0], "bad \x00", "B", by=l.teacher)
    assert StudentResult.objects.get().grade == "B"


def test_release_shows_results_and_unrelease_hides_them_again(graded):
    l = graded
    grading.set_result(l.exercise, l.students[0], "Well argued", "A", by=l.teacher)
    assert grading.released_result(l.exercise, l.students[0]) is None
    grading.release(l.exercise)
    l.exercise.refresh_from_db()
    released_at = l.exercise.results_released_at
    assert released_at is not None
    assert grading.released_result(l.exercise, l.students[0]).grade == "A"
    assert grading.released_result(l.exercise, l.students[1]) is None
    grading.release(l.exercise)  # again: the first time is kept
    l.exercise.refresh_from_db()
    assert l.exercise.results_released_at == released_at
    grading.unrelease(l.exercise)
    l.exercise.refresh_from_db()
    assert not l.exercise.results_released
    assert grading.released_result(l.exercise, l.students[0]) is None


def test_a_student_sees_a_rejection_note_at_once_and_the_rest_after_release(graded):
    l = graded
    rejected = pending(l, l.students[0], "Rejected one", under=l.thesis)
    approved = pending(l, l.students[0], "Approved one", under=l.thesis)
    no = moderation.reject(rejected, l.teacher, feedback="Which source?", grade="3")
    yes = moderation.approve(approved, l.teacher, feedback="Nice", grade="9")

    assert grading.as_seen_by_student(no, released=False) == grading.SeenReview("rejected", "Which source?", "")
    assert grading.as_seen_by_student(yes, released=False) == grading.SeenReview("approved", "", "")
    assert grading.as_seen_by_student(yes, released=True) == grading.SeenReview("approved", "Nice", "9")
    assert grading.as_seen_by_student(no, released=True).grade == "3"
    assert grading.as_seen_by_student(None, released=True) is None
