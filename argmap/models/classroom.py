"""Classes, their teachers and students, and the exercises a teacher runs on a map.

A class has teachers and students (Enrolment). An exercise belongs to a class and works on a map
(`Map.exercise`); with small groups each group has its own copy (`Map.group`). Access to those
maps follows the class roles (argmap/permissions.py): teachers act as owners, students as
contributors while the exercise is open. Times are stored in UTC and shown in the class's zone.
"""

import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

# Read aloud and typed by children: no 0/O, 1/I/L, and upper case so it stands out on a board.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 7  # 31**7 ≈ 2.7e10: not guessable within the login limits


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a time zone name such as Europe/Minsk.")


class SchoolClass(models.Model):
    name = models.CharField(max_length=120)
    join_code = models.CharField(max_length=16, unique=True, default=new_join_code)
    joining_open = models.BooleanField(default=True, help_text="Students may join with the code.")
    join_code_expires_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="Europe/Minsk", validators=[validate_time_zone])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "school classes"

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def join_code_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.joining_open and (self.join_code_expires_at is None or now < self.join_code_expires_at)


class ClassRole(models.TextChoices):
    TEACHER = "teacher", "Teacher"
    STUDENT = "student", "Student"


class Enrolment(models.Model):
    """A person in a class, as a teacher or a student. Removing a student deletes this row only:
    what they wrote stays in the maps and the history."""

    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    role = models.CharField(max_length=10, choices=ClassRole.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["school_class", "user"], name="enrolment_once")]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} in {self.school_class}"


class AccountSetup(models.Model):
    """An account a teacher made or reset: its password was handed out on paper, so the student
    must choose their own at the next login. `created_for_class` is the class whose list of names
    made the account (empty for accounts people made themselves): only its teachers may reset it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_setup")
    must_set_password = models.BooleanField(default=True)
    created_for_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)


class Exercise(models.Model):
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="exercises")
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True)
    opens_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField(null=True, blank=True, help_text="Empty: open until the teacher closes it.")
    # Options
    sides = models.BooleanField(default=False, help_text="Students (alone or in teams) argue an assigned thesis and side.")
    moderation = models.BooleanField(default=False, help_text="Students' nodes stay pending until a teacher approves them.")
    anonymity = models.BooleanField(default=False, help_text="Students see each other under pseudonyms.")
    groups = models.BooleanField(default=False, help_text="Each small group works on its own copy of the map.")
    # Tasks: targets per student (0: no target).
    target_evidence = models.PositiveSmallIntegerField(default=0, help_text="Pieces of evidence for one's side.")
    target_rebuttals = models.PositiveSmallIntegerField(default=0, help_text="Rebuttals of the other side.")
    target_comments = models.PositiveSmallIntegerField(default=0, help_text="Comments.")
    # Feedback and grades stay hidden from students until released.
    results_released_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__isnull=True) | models.Q(closes_at__gt=models.F("opens_at")),
                name="exercise_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now=None) -> bool:
        """Open by the clock: checked on each request, no scheduler needed."""
        now = now or timezone.now()
        return self.opens_at <= now and (self.closes_at is None or now < self.closes_at)

    def has_closed(self, now=None) -> bool:
        now = now or timezone.now()
        return self.closes_at is not None and now >= self.closes_at

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if self.has_closed(now):
            return "closed"
        return "open" if self.is_open(now) else "not yet open"

    @property
    def results_released(self) -> bool:
        return self.results_released_at is not None


class ExerciseGroup(models.Model):
    """A small group: its members work on the group's own copy of the exercise's map."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="small_groups")
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["exercise", "name"], name="group_name_once")]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    # `exercise` repeats the group's so that a student is in one group per exercise.
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="group_members")
    group = models.ForeignKey(ExerciseGroup, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["exercise", "user"], name="one_group_per_exercise")]


class SideAssignment(models.Model):
    """The thesis and side a student argues; students sharing `team` argue it together."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thesis = models.ForeignKey("argmap.Node", on_delete=models.CASCADE, related_name="+")
    stance = models.CharField(max_length=10, choices=[("support", "For"), ("oppose", "Against")])
    team = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["exercise", "user"], name="one_side_per_exercise")]


class Pseudonym(models.Model):
    """The stable name a student goes by, for other students, in an anonymous exercise."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="pseudonyms")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["exercise", "user"], name="pseudonym_once"),
            models.UniqueConstraint(fields=["exercise", "name"], name="pseudonym_unique"),
        ]


class Decision(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Review(models.Model):
    """A teacher's decision, feedback and optional grade on one contribution (a node)."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="reviews")
    node = models.ForeignKey("argmap.Node", on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    feedback = models.TextField(blank=True)
    grade = models.CharField(max_length=20, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]  # a node may be reviewed again after an edit sent it back to pending
        indexes = [models.Index(fields=["exercise", "node"], name="review_exercise_node")]


class StudentResult(models.Model):
    """A teacher's overall feedback and grade for one student in one exercise."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="results")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    feedback = models.TextField(blank=True)
    grade = models.CharField(max_length=20, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["exercise", "user"], name="result_once")]


class Snapshot(models.Model):
    """The map of an exercise (or of one group) as it was when the exercise closed."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="snapshots")
    map = models.ForeignKey("argmap.Map", on_delete=models.CASCADE, related_name="snapshots")
    closed_at = models.DateTimeField()
    taken_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField()

    class Meta:
        ordering = ["-closed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["map", "closed_at"], name="snapshot_once_per_closing")]
