"""manage.py prepare_load: the load test's classes, students and maps (bench/load/)."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from argmap.management.commands import prepare_load
from argmap.models import ClassRole, Enrolment, Exercise, Map, Node, SchoolClass
from tests.helpers import log_in_with_password

User = get_user_model()


def prepare(*scenarios, tmp_path=None):
    out = io.StringIO()
    manifest = tmp_path / "load.json" if tmp_path else None
    call_command("prepare_load", *scenarios, *(["--manifest", str(manifest)] if manifest else []), stdout=out)
    return out.getvalue(), json.loads(manifest.read_text()) if manifest else None


@pytest.fixture
def debug_on(settings, db):
    settings.DEBUG = True


def test_it_makes_six_classes_of_thirty_each_on_its_own_copy_of_the_demo_map(debug_on, tmp_path):
    _, manifest = prepare("classes", tmp_path=tmp_path)
    students = manifest["scenarios"]["classes"]
    assert len(students) == 180 and len({s["username"] for s in students}) == 180
    assert len({s["map_code"] for s in students}) == 6
    assert students[0]["username"] == "class-1-student-01"
    demo_nodes = Node.objects.filter(map__code="belarus").live().count()
    for school_class in SchoolClass.objects.filter(name__startswith="Load class"):
        assert Enrolment.objects.filter(school_class=school_class, role=ClassRole.STUDENT).count() == 30
        [exercise] = Exercise.objects.filter(school_class=school_class)
        assert not exercise.moderation and exercise.is_open()
        copy = Map.objects.get(exercise=exercise)
        assert copy.code != "belarus" and Node.objects.filter(map=copy).live().count() == demo_nodes


def test_it_lets_a_prepared_student_log_in_and_contribute_to_the_map(debug_on, client, tmp_path, settings):
    _, manifest = prepare("classes", tmp_path=tmp_path)
    student = manifest["scenarios"]["classes"][-1]
    response = log_in_with_password(client, student["username"], manifest["password"])
    assert response.status_code == 302
    page = client.get(student["map"])  # no password to choose first
    assert page.status_code == 200 and "Reply for" in page.content.decode()
    assert "/activity/?token=" in page.content.decode()


def test_it_makes_nothing_new_when_run_again(debug_on, tmp_path):
    _, first = prepare("school", "classes", tmp_path=tmp_path)
    counts = (User.objects.count(), SchoolClass.objects.count(), Map.objects.count(), Enrolment.objects.count())
    _, second = prepare("school", "classes", tmp_path=tmp_path)
    assert (User.objects.count(), SchoolClass.objects.count(), Map.objects.count(), Enrolment.objects.count()) == counts
    assert first["scenarios"] == second["scenarios"]
    assert len(second["scenarios"]["school"]) == 200 and len({s["map_code"] for s in second["scenarios"]["school"]}) == 1


def test_it_refuses_without_debug_because_it_gives_known_passwords(settings, db):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("prepare_load", "school", stdout=io.StringIO())
    assert not User.objects.filter(username=prepare_load.TEACHER).exists()


def test_it_refuses_an_unknown_scenario(debug_on):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("prepare_load", "everyone", stdout=io.StringIO())
