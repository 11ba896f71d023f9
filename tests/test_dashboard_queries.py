"""The dashboard costs the same queries for a class of 5 and a class of 60, however much they wrote."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from argmap.classroom.copying import copy_map
from argmap.models import ClassRole, Enrolment, ExerciseGroup, GroupMember, SideAssignment, StudentResult
from argmap.models import Node
from tests.classwork import contribute, pending, remark

MAX_QUERIES = 25
GROUP_SIZE = 5


def add_students(l, count: int, start: int) -> list:
    """`count` more students, each in a group of five (a new group's copy per five), with a side, an
    approved piece of evidence, a pending claim, a comment and a result."""
    User = get_user_model()
    added = []
    for number in range(start, start + count):
        student = User.objects.create_user(f"pupil-{number}", first_name="Pupil", last_name=str(number))
        Enrolment.objects.create(school_class=l.school_class, user=student, role=ClassRole.STUDENT)
        if number % GROUP_SIZE == 0:
            group = ExerciseGroup.objects.create(exercise=l.exercise, name=f"Group {number // GROUP_SIZE}")
            l.copy = copy_map(l.map, owner=l.teacher, exercise=l.exercise, group=group)
            l.group = group
        GroupMember.objects.create(exercise=l.exercise, group=l.group, user=student)
        thesis = Node.objects.get(map=l.copy, kind="thesis")
        SideAssignment.objects.create(exercise=l.exercise, user=student, thesis=l.thesis,
                                      stance="support" if number % 2 else "oppose", team=f"Team {number % 3}")
        evidence = contribute(l, student, f"Evidence {number}", under=thesis, quote="Moscow heard another.",
                              map_=l.copy)
        pending(l, student, f"Pending {number}", under=evidence, stance="oppose",
                quote="The relay stations stopped working.", map_=l.copy)
        remark(evidence, student, f"Comment {number}")
        StudentResult.objects.create(exercise=l.exercise, user=student, grade="B", feedback=f"Note {number}")
        added.append(student)
    return added


def queries_for(client, url, headers=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200, url
    return len(queries)


@pytest.fixture
def dashboard_counts(client, lesson):
    """The dashboard's queries (whole page, each region alone, the CSV) for 5 students, then 60."""
    l = lesson(students=0, moderation=True, sides=True, groups=True,
               target_evidence=2, target_rebuttals=1, target_comments=1)
    l.thesis = l.builder.thesis("Lukashenko is hedging")
    client.force_login(l.teacher)
    base = reverse("exercise-dashboard", args=[l.exercise.pk])
    urls = {
        "page": (base, None),
        "one student's work": (f"{base}?student=STUDENT", None),
        "csv": (reverse("exercise-csv", args=[l.exercise.pk]), None),
        **{f"region {r}": (base, {"HX-Request": "true", "HX-Target": r})
           for r in ("contributions", "students", "coverage", "release")},
    }

    def measure(students) -> dict:
        counts = {}
        for name, (url, headers) in urls.items():
            counts[name] = queries_for(client, url.replace("STUDENT", str(students[-1].pk)), headers)
        page = client.get(base).content.decode()
        assert page.count('class="contribution contribution--pending"') == len(students)
        assert page.count('<tr id="student-') == len(students)
        return counts

    students = add_students(l, 5, start=0)
    small = measure(students)
    students += add_students(l, 55, start=5)
    large = measure(students)
    return small, large, client, base


def test_the_dashboard_costs_the_same_queries_for_5_and_60_students(dashboard_counts, django_assert_max_num_queries):
    small, large, client, url = dashboard_counts
    assert small == large, {name: (small[name], large[name]) for name in small if small[name] != large[name]}
    assert max(large.values()) <= MAX_QUERIES
    with django_assert_max_num_queries(small["page"]):
        client.get(url)
