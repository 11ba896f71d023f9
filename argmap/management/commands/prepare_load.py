"""Accounts, classes and maps for the load test (bench/load/): `manage.py prepare_load school classes`.

"school": one class of 200 students on one exercise, a copy of the demo map. "classes": six classes
of 30, each on its own copy. Made the way a teacher makes them (a class, the list of names, an
exercise on a copy of a prepared map; no moderation, so everyone sees everyone's claims), then every
student is given the same known password so the load test can log in.

Running it again makes nothing new and sets the same passwords. Development only, like
`load_seeds --demo-logins`: it hands out known passwords.
"""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from argmap.classroom import accounts
from argmap.classroom.exercises import create_exercise
from argmap.management.commands.load_seeds import DEMO_MAP_CODE
from argmap.models import AccountSetup, ClassRole, Enrolment, Exercise, Map, SchoolClass

TEACHER = "load-teacher"
PASSWORD = "argmap-load-test"
# Scenario -> (class name, number of students, how a student is named), one entry per class.
SCENARIOS = {
    "school": [("Load school", 200, "School Student {:03}")],
    "classes": [(f"Load class {c}", 30, f"Class {c} Student {{:02}}") for c in range(1, 7)],
}


class Command(BaseCommand):
    help = "Make the load test's classes, students and maps (known passwords: development only)."

    def add_arguments(self, parser):
        parser.add_argument("scenarios", nargs="+", choices=sorted(SCENARIOS))
        parser.add_argument("--manifest", type=Path, help="Write the students and their map pages here, as JSON.")

    def handle(self, *args, scenarios, manifest=None, **options):
        if not settings.DEBUG:
            raise CommandError("prepare_load gives known passwords: it only runs with DEBUG on (development).")
        call_command("load_seeds", stdout=self.stdout)
        demo = Map.objects.filter(code=DEMO_MAP_CODE).first()
        if demo is None:
            raise CommandError(f"The demo map ({DEMO_MAP_CODE}) is missing: run manage.py load_seeds.")
        teacher = self.teacher()
        hashed = make_password(PASSWORD)  # once: every student gets the same password
        found = {"password": PASSWORD, "teacher": TEACHER, "scenarios": {}}
        for scenario in scenarios:
            students = []
            for class_name, size, naming in SCENARIOS[scenario]:
                school_class, map_ = self.prepare_class(teacher, demo, class_name, [naming.format(n + 1) for n in range(size)])
                usernames = self.set_passwords(school_class, hashed)
                students += [{"username": name, "map": map_.get_absolute_url(), "map_code": map_.code} for name in usernames]
                self.stdout.write(f"{scenario}: “{class_name}”, {len(usernames)} students on {map_.get_absolute_url()}")
            found["scenarios"][scenario] = students
        if manifest:
            manifest.parent.mkdir(parents=True, exist_ok=True)
            manifest.write_text(json.dumps(found, indent=1))
            self.stdout.write(f"Students and maps written to {manifest}")
        self.stdout.write(f"Every student's password: {PASSWORD}; the teacher: {TEACHER}, same password.")

    def teacher(self):
        user, created = get_user_model().objects.get_or_create(username=TEACHER)
        if created or not user.check_password(PASSWORD):
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        return user

    @transaction.atomic
    def prepare_class(self, teacher, demo: Map, class_name: str, names: list[str]) -> tuple[SchoolClass, Map]:
        """The class (made if missing) with a student for each name and its exercise on a demo map copy."""
        school_class = SchoolClass.objects.filter(name=class_name, created_by=teacher).first()
        if school_class is None:
            school_class = accounts.create_class(class_name, "UTC", teacher)
        enrolled = set(
            Enrolment.objects.filter(school_class=school_class, role=ClassRole.STUDENT)
            .values_list("user__first_name", flat=True)
        )
        missing = [name for name in names if name not in enrolled]
        if missing:
            try:
                accounts.bulk_create_students(school_class, "\n".join(missing), teacher)
            except accounts.ClassroomError as error:
                raise CommandError(f"“{class_name}”: {error.message}") from error
        exercise = Exercise.objects.filter(school_class=school_class).order_by("id").first()
        if exercise is None:
            exercise = create_exercise(school_class, teacher, title=f"{class_name}: {demo.title}", copy_of=demo)
        return school_class, Map.objects.get(exercise=exercise, group=None)

    def set_passwords(self, school_class: SchoolClass, hashed: str) -> list[str]:
        """The known password for every student of the class, with no password to choose first."""
        students = get_user_model().objects.filter(
            enrolments__school_class=school_class, enrolments__role=ClassRole.STUDENT
        ).order_by("username")
        students.exclude(password=hashed).update(password=hashed)
        AccountSetup.objects.filter(user__in=students, must_set_password=True).update(must_set_password=False)
        return list(students.values_list("username", flat=True))
