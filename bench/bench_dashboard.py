"""What a teacher's open dashboard costs the server when a class of 30 writes: the page fetched
again whole on every change (before) next to just the regions the change can move (now), with the
whole page's and each region's server time measured in the same run.

    .venv/bin/python bench/bench_dashboard.py [--repeat 20]

A moderated exercise on a copy of the demo map, 30 students each with a pending claim quoting the
article and a comment (made once, in bench/out/bench.sqlite3 unless DATABASE_URL is set). Times
are the server's work through Django's request handler in this process (median ms); the machine
is shared, so compare the columns of one run, not runs.
"""

import argparse
import os
import statistics
import time

from benchdb import start_django, synthetic_map

os.environ.setdefault("ARGMAP_DEBUG", "0")  # as in production
start_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from argmap import comments  # noqa: E402
from argmap.classroom import accounts  # noqa: E402
from argmap.classroom.dashboard import REGIONS, activity_state, regions_changed  # noqa: E402
from argmap.classroom.exercises import create_exercise  # noqa: E402
from argmap.models import ClassRole, Enrolment, Exercise, Map, Node, NodeKind, NodeStatus, Quote  # noqa: E402

CLASS = "Bench dashboard class"
STUDENTS = 30
def exercise_of_30() -> Exercise:
    exercise = Exercise.objects.filter(school_class__name=CLASS).first()
    if exercise is not None:
        return exercise
    teacher, _ = get_user_model().objects.get_or_create(username="bench-dashboard-teacher")
    school_class = accounts.create_class(CLASS, "UTC", teacher)
    accounts.bulk_create_students(school_class, "\n".join(f"Pupil {n:02}" for n in range(STUDENTS)), teacher)
    demo = Map.objects.get(code="belarus")
    exercise = create_exercise(school_class, teacher, title="Bench: is Belarus hedging?", copy_of=demo,
                               moderation=True)
    map_ = Map.objects.get(exercise=exercise, group=None)
    thesis = Node.objects.filter(map=map_, kind=NodeKind.THESIS).first()
    source = map_.sources.first()
    for student in get_user_model().objects.filter(enrolments__school_class=school_class,
                                                   enrolments__role=ClassRole.STUDENT):
        node = Node.objects.create(map=map_, text=f"{student.first_name} thinks so", author=student,
                                   status=NodeStatus.PENDING)
        node.bear_on(thesis, "support", author=student)
        Quote.anchor(node, source, source.text[200:300], author=student).save()
        comments.post(thesis, student, f"{student.first_name} wonders")
    return exercise


def timed(client, url, headers, repeat) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    synthetic_map(100)  # migrations and the demo map
    exercise = exercise_of_30()
    teacher = Enrolment.objects.filter(school_class=exercise.school_class, role=ClassRole.TEACHER).first().user
    client = Client()
    client.force_login(teacher)
    url = reverse("exercise-dashboard", args=[exercise.pk])
    page = timed(client, url, {}, args.repeat)
    regions = {r: timed(client, url, {"HX-Request": "true", "HX-Target": r}, args.repeat) for r in REGIONS}
    print(f"Dashboard of a class of {STUDENTS} (server ms, median of {args.repeat})")
    print(f"{'whole page':24} {page:8.2f}")
    for region, ms in regions.items():
        print(f"{'region ' + region:24} {ms:8.2f}")
    # Before, any write fetched the whole page again; now the regions the poll names, each alone
    # unless all of them are named (static/js/live.js).
    print(f"\n{'a student writes':24} {'before ms':>10} {'now ms':>8}  regions fetched now")
    for label, write in writes(exercise):
        state = activity_state(exercise.pk)
        write()
        moved = regions_changed(state, activity_state(exercise.pk))
        now = page if len(moved) == len(REGIONS) else sum(regions[r] for r in moved)
        print(f"{label:24} {page:10.2f} {now:8.2f}  {', '.join(moved) or 'none'}")


def writes(exercise):
    """A student's writes, each a function (the database keeps them: rerunning adds a few more)."""
    map_ = Map.objects.get(exercise=exercise, group=None)
    thesis = Node.objects.filter(map=map_, kind=NodeKind.THESIS).first()
    student = get_user_model().objects.filter(enrolments__school_class=exercise.school_class,
                                              enrolments__role=ClassRole.STUDENT).first()

    def claim():
        node = Node.objects.create(map=map_, text="One more thought", author=student, status=NodeStatus.PENDING)
        node.bear_on(thesis, "oppose", author=student)

    return [
        ("a claim", claim),
        ("a comment", lambda: comments.post(thesis, student, "And another question")),
        # What a vote's signal records (argmap/signals.py): activity and the strengths' key.
        ("a vote", lambda: Map.note_activity(map_.pk, nodes=[thesis.pk], votes=True)),
    ]


if __name__ == "__main__":
    main()
