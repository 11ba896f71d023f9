"""Pseudonyms for anonymous exercises (argmap.classroom.pseudonyms)."""

import re

from django.contrib.auth import get_user_model

from argmap.classroom import pseudonyms
from argmap.classroom.pseudonyms import ensure_pseudonyms
from argmap.models import ClassRole, Enrolment, Exercise, Pseudonym, SchoolClass


def a_class(students: int, teacher_name: str = "ms-pseudo"):
    User = get_user_model()
    teacher = User.objects.create_user(teacher_name)
    school_class = SchoolClass.objects.create(name="Debate club", created_by=teacher)
    Enrolment.objects.create(school_class=school_class, user=teacher, role=ClassRole.TEACHER)
    users = [User(username=f"pupil-{teacher_name}-{n}") for n in range(students)]
    users = User.objects.bulk_create(users)
    Enrolment.objects.bulk_create(
        Enrolment(school_class=school_class, user=u, role=ClassRole.STUDENT) for u in users
    )
    exercise = Exercise.objects.create(school_class=school_class, title="Anonymous", anonymity=True)
    return exercise, teacher, users


def names_of(exercise) -> dict[int, str]:
    return dict(Pseudonym.objects.filter(exercise=exercise).values_list("user_id", "name"))


def test_it_names_every_student_and_no_teacher(db):
    exercise, teacher, students = a_class(3)
    ensure_pseudonyms(exercise)
    names = names_of(exercise)
    assert set(names) == {s.pk for s in students}
    for name in names.values():
        assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", name), name
        assert "pupil" not in name


def test_it_gives_300_students_unique_names(db):
    exercise, _, students = a_class(300)
    ensure_pseudonyms(exercise)
    names = names_of(exercise)
    assert len(names) == 300 and len(set(names.values())) == 300


def test_it_is_idempotent_and_names_stay_stable(db, django_assert_max_num_queries):
    exercise, _, students = a_class(5)
    ensure_pseudonyms(exercise)
    first = names_of(exercise)
    with django_assert_max_num_queries(2):  # students and names read; nothing written
        ensure_pseudonyms(exercise)
    assert names_of(exercise) == first


def test_it_names_a_student_who_joins_later_without_renaming_the_others(db):
    exercise, _, students = a_class(4)
    ensure_pseudonyms(exercise)
    before = names_of(exercise)
    late = get_user_model().objects.create_user("late-pupil")
    Enrolment.objects.create(school_class=exercise.school_class, user=late, role=ClassRole.STUDENT)
    ensure_pseudonyms(exercise)
    after = names_of(exercise)
    assert {k: after[k] for k in before} == before
    assert late.pk in after and after[late.pk] not in before.values()


def test_names_are_per_exercise(db):
    exercise, _, students = a_class(2)
    other = Exercise.objects.create(school_class=exercise.school_class, title="Another", anonymity=True)
    ensure_pseudonyms(exercise)
    ensure_pseudonyms(other)
    assert set(names_of(other)) == {s.pk for s in students}


def test_it_adds_numbers_when_the_word_pairs_run_out(db, monkeypatch):
    monkeypatch.setattr(pseudonyms, "ADJECTIVES", ("Calm", "Kind"))
    monkeypatch.setattr(pseudonyms, "NOUNS", ("Owl", "Fox"))
    exercise, _, students = a_class(10)
    ensure_pseudonyms(exercise)
    names = list(names_of(exercise).values())
    assert len(names) == 10 and len(set(names)) == 10
    assert sum(1 for n in names if n[-1].isdigit()) == 6
    assert {n for n in names if not n[-1].isdigit()} == {"Calm Owl", "Calm Fox", "Kind Owl", "Kind Fox"}


def test_it_draws_again_when_a_name_was_taken_meanwhile(db, monkeypatch):
    """Another request took the name this one drew: the unique constraint refuses the row, and
    the next round draws a free name."""
    exercise, _, (student,) = a_class(1)
    rival = get_user_model().objects.create_user("rival")
    Enrolment.objects.create(school_class=exercise.school_class, user=rival, role=ClassRole.STUDENT)
    draws = iter([["Calm Owl", "Kind Fox"], ["Swift Lynx"]])
    real = pseudonyms._fresh_names

    def racing(taken, count, rng):
        names = next(draws, None) or real(taken, count, rng)
        if "Calm Owl" in names and not Pseudonym.objects.filter(name="Calm Owl").exists():
            # What a concurrent request writes between our read and our insert.
            Pseudonym.objects.create(exercise=exercise, user=rival, name="Calm Owl")
        return names[:count]

    monkeypatch.setattr(pseudonyms, "_fresh_names", racing)
    ensure_pseudonyms(exercise)
    names = names_of(exercise)
    assert names[rival.pk] == "Calm Owl"
    assert names[student.pk] == "Swift Lynx"
