"""The migrations: a database made while classes were an app of their own ("classroom") upgrades
to the one argmap app without losing a row, and the models need no migration that is missing."""

from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from argmap.models import (
    AccountSetup,
    Enrolment,
    Exercise,
    ExerciseGroup,
    GroupMember,
    Map,
    Pseudonym,
    Review,
    SchoolClass,
    SideAssignment,
    Snapshot,
    StudentResult,
)

BEFORE_RENAME = [("argmap", "0007_login_attempts")]
# The argmap migrations that took over the classroom app's, and the ones they replace.
REPLACING = {
    ("argmap", "0003a_classroom_initial"): ("classroom", "0001_initial"),
    ("argmap", "0005a_account_created_for_class"): ("classroom", "0002_account_created_for_class"),
}
CLASS_MODELS = ["accountsetup", "enrolment", "exercise", "exercisegroup", "groupmember", "pseudonym", "review",
                "schoolclass", "sideassignment", "snapshot", "studentresult"]
# What django_migrations held for these two apps in a database made before the move.
OLD_RECORDS = [
    ("argmap", "0001_initial"), ("argmap", "0002_roles_history_clutter"), ("argmap", "0003_cache_table"),
    ("argmap", "0004_exercise_maps_node_status"), ("argmap", "0005_votes_and_source_ratings"),
    ("argmap", "0006_source_details_per_map"), ("argmap", "0007_login_attempts"),
    ("classroom", "0001_initial"), ("classroom", "0002_account_created_for_class"),
]


def fresh_executor() -> MigrationExecutor:
    # A new executor builds a new loader, which reads django_migrations as it is now.
    executor = MigrationExecutor(connection)
    executor.loader.check_consistent_history(connection)
    return executor


def make_old_classwork(apps) -> dict:
    """A class with a teacher and a student, an exercise on a map with a group copy, and what a
    teacher leaves on it, made through the models as they were before the rename."""
    model = lambda name: apps.get_model("argmap", name)  # noqa: E731
    User = apps.get_model("auth", "User")
    teacher = User.objects.create(username="old-teacher")
    student = User.objects.create(username="old-student")
    school_class = model("SchoolClass").objects.create(name="Class 9B", join_code="ABCDEFG", created_by=teacher)
    model("Enrolment").objects.create(school_class=school_class, user=teacher, role="teacher")
    model("Enrolment").objects.create(school_class=school_class, user=student, role="student", added_by=teacher)
    model("AccountSetup").objects.create(user=student, issued_by=teacher, created_for_class=school_class)
    exercise = model("Exercise").objects.create(school_class=school_class, title="Belarus debate", sides=True)
    map_ = model("Map").objects.create(title="Lesson map", code="lesson-map", owner=teacher, exercise=exercise)
    thesis = model("Node").objects.create(map=map_, kind="thesis", text="Belarus is a reliable ally.")
    group = model("ExerciseGroup").objects.create(exercise=exercise, name="Group A")
    model("Map").objects.create(title="Group A copy", code="group-a-copy", exercise=exercise, group=group)
    model("GroupMember").objects.create(exercise=exercise, group=group, user=student)
    model("SideAssignment").objects.create(exercise=exercise, user=student, thesis=thesis, stance="support", team="Red")
    model("Pseudonym").objects.create(exercise=exercise, user=student, name="Blue Fox")
    model("Review").objects.create(exercise=exercise, node=thesis, decision="approved", reviewer=teacher, feedback="Good")
    model("StudentResult").objects.create(exercise=exercise, user=student, grade="A", updated_by=teacher)
    model("Snapshot").objects.create(exercise=exercise, map=map_, closed_at=timezone.now(), data={"nodes": 1})
    return {"teacher": teacher.pk, "student": student.pk, "class": school_class.pk, "exercise": exercise.pk,
            "thesis": thesis.pk, "group": group.pk}


def record_as_before_the_move(ids: dict) -> dict[str, int]:
    """Rewrite django_migrations and the content types to what a database made before the move has:
    the classroom app's migrations and labels instead of the argmap migrations that replace them,
    and an admin log entry about the class pointing at the classroom label."""
    records = MigrationRecorder(connection).migration_qs
    for (app, name), (old_app, old_name) in REPLACING.items():
        records.filter(app=app, name=name).delete()
        records.get_or_create(app=old_app, name=old_name)
    # The content types and the admin log are Django's own tables, the same before and after.
    ContentType.objects.filter(app_label="argmap", model__in=CLASS_MODELS).update(app_label="classroom")
    old_types = dict(ContentType.objects.filter(app_label="classroom").values_list("model", "pk"))
    LogEntry.objects.create(
        user_id=ids["teacher"], content_type_id=old_types["schoolclass"], object_id=str(ids["class"]),
        object_repr="Class 9B", action_flag=1,
    )
    return old_types


@pytest.mark.django_db(transaction=True)
def test_it_moves_the_classroom_apps_rows_into_the_argmap_app_without_losing_any():
    executor = fresh_executor()
    try:
        executor.migrate(BEFORE_RENAME)
        old = executor.loader.project_state(BEFORE_RENAME).apps
        ids = make_old_classwork(old)
        old_types = record_as_before_the_move(ids)
        assert {"classroom_schoolclass", "classroom_review"} <= set(connection.introspection.table_names())
        applied = {(row.app, row.name) for row in MigrationRecorder(connection).migration_qs.all()}
        assert {key for key in applied if key[0] in ("argmap", "classroom")} == set(OLD_RECORDS)

        executor = fresh_executor()
        assert set(REPLACING) <= set(executor.loader.applied_migrations)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        # The rename comes next; later migrations (0009_live_changes...) follow it.
        assert [(migration.app_label, migration.name) for migration, _ in plan][:1] == \
            [("argmap", "0008_classroom_tables_renamed")]
        executor.migrate(executor.loader.graph.leaf_nodes())
    finally:
        executor = fresh_executor()
        executor.migrate(executor.loader.graph.leaf_nodes())  # the latest schema for the tests after this one
        executor.check_replacements()  # records the replacing migrations, as `manage.py migrate` does
        ContentType.objects.clear_cache()

    tables = set(connection.introspection.table_names())
    assert {f"argmap_{name}" for name in CLASS_MODELS} <= tables
    assert not [table for table in tables if table.startswith("classroom_")]
    school_class = SchoolClass.objects.get(pk=ids["class"])
    assert (school_class.name, school_class.join_code, school_class.created_by_id) == ("Class 9B", "ABCDEFG", ids["teacher"])
    assert sorted(Enrolment.objects.filter(school_class=school_class).values_list("user_id", "role")) == \
        sorted([(ids["teacher"], "teacher"), (ids["student"], "student")])
    assert AccountSetup.objects.get(user_id=ids["student"]).created_for_class == school_class
    exercise = Exercise.objects.get(pk=ids["exercise"])
    assert (exercise.school_class, exercise.title, exercise.sides) == (school_class, "Belarus debate", True)
    assert Map.objects.get(code="lesson-map").exercise == exercise
    copy = Map.objects.get(code="group-a-copy")
    assert (copy.exercise, copy.group) == (exercise, ExerciseGroup.objects.get(pk=ids["group"], exercise=exercise))
    assert GroupMember.objects.get(user_id=ids["student"]).group_id == ids["group"]
    side = SideAssignment.objects.get(exercise=exercise)
    assert (side.thesis_id, side.stance, side.team) == (ids["thesis"], "support", "Red")
    assert Pseudonym.objects.get(exercise=exercise).name == "Blue Fox"
    review = Review.objects.get(exercise=exercise)
    assert (review.node.text, review.decision, review.feedback) == ("Belarus is a reliable ally.", "approved", "Good")
    assert StudentResult.objects.get(exercise=exercise, user_id=ids["student"]).grade == "A"
    assert Snapshot.objects.get(exercise=exercise).map.code == "lesson-map"

    # The same content type rows, relabelled: the admin log entry still names the class.
    moved = dict(ContentType.objects.filter(app_label="argmap", model__in=CLASS_MODELS).values_list("model", "pk"))
    assert moved == old_types
    assert not ContentType.objects.filter(app_label="classroom").exists()
    assert LogEntry.objects.get(object_repr="Class 9B").get_edited_object() == school_class


@pytest.mark.django_db
def test_it_has_a_migration_for_every_model_change():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)  # exits with 1 if one is missing
    assert "No changes detected" in out.getvalue()
