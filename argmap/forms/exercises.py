"""Exercises: setting one up and changing it, its sides and its small groups.

Times are typed and shown in the class's time zone: the views run under `timezone.override`.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError

from argmap.classroom import groups as small_groups
from argmap.classroom import sides
from argmap.classroom.exercises import MAX_TARGET, OPTION_FIELDS, TARGET_FIELDS, maps_a_teacher_may_copy
from argmap.models import Exercise, ExerciseGroup
from argmap.models import Map

INSTRUCTIONS_MAX_LENGTH = 5000
QUESTION_MAX_LENGTH = 2000
TIME_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows


class PlainTextField(forms.CharField):
    """Text with NUL bytes dropped (PostgreSQL cannot store them) and Unix line ends."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\x00", "").replace("\r\n", "\n")
        return super().to_python(value)


FIRST_YEAR, LAST_YEAR = 2000, 2999  # an exercise's times; beyond, a typing slip (or a time UTC cannot hold)


class LocalTimeField(forms.DateTimeField):
    """A date and time in the class's zone, within FIRST_YEAR..LAST_YEAR: at the calendar's edge
    (0001-01-01) the zone's offset would push it out of what Python and the database can hold."""

    def to_python(self, value):
        out_of_range = ValidationError(f"Give a date between the years {FIRST_YEAR} and {LAST_YEAR}.",
                                       code="out_of_range")
        try:
            moment = super().to_python(value)
            in_utc = moment.astimezone(datetime.UTC) if moment else None
        except OverflowError:
            raise out_of_range from None
        if in_utc and not FIRST_YEAR <= in_utc.year <= LAST_YEAR:
            raise out_of_range
        return moment


def local_time_field(label: str) -> forms.DateTimeField:
    # Parsed and shown in the current time zone: the views set it to the class's.
    return LocalTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=TIME_FORMAT),
        error_messages={"required": "Give a date and a time.",
                        "invalid": "Give a date and a time, e.g. 2026-12-01 14:30."},
    )


def target_field(label: str, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=0, max_value=MAX_TARGET, initial=0, help_text=help_text,
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_TARGET}),
        error_messages={"min_value": f"Between 0 and {MAX_TARGET}.", "max_value": f"Between 0 and {MAX_TARGET}.",
                        "invalid": f"A whole number between 0 and {MAX_TARGET}.", "required": "0 means no target."},
    )


class ExerciseForm(forms.Form):
    title = PlainTextField(max_length=Exercise._meta.get_field("title").max_length)
    instructions = PlainTextField(
        max_length=INSTRUCTIONS_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What students should do. Shown to them as written.",
    )
    opens_at = local_time_field("Opens")
    closes_at = local_time_field("Closes")
    sides = forms.BooleanField(required=False,
                               label="Sides: students (alone or in teams) argue an assigned thesis and side")
    moderation = forms.BooleanField(required=False, label="Moderation: students' nodes wait for a teacher's approval")
    anonymity = forms.BooleanField(required=False, label="Anonymity: students see each other under pseudonyms")
    groups = forms.BooleanField(required=False, label="Small groups: each group works on its own copy of the map")
    target_evidence = target_field("Pieces of evidence", "For one's own side, per student (0: no target).")
    target_rebuttals = target_field("Rebuttals", "Of the other side, per student.")
    target_comments = target_field("Comments", "Per student.")

    def __init__(self, *args, zone, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        for name in ("opens_at", "closes_at"):
            self.fields[name].help_text = f"In the class's time zone, {zone.key}."

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "The exercise must close after it opens.")
        return cleaned

    def exercise_fields(self) -> dict:
        names = ("title", "instructions", "opens_at", "closes_at", *OPTION_FIELDS, *TARGET_FIELDS)
        return {name: self.cleaned_data[name] for name in names}


class EditExerciseForm(ExerciseForm):
    """The exercise's settings, and the impact-vote switches it sets on all of its maps."""

    voting = forms.BooleanField(
        required=False, label="Impact votes: students rate how much each claim moves its parent (0 to 4)"
    )
    votes_hidden_until_voted = forms.BooleanField(
        required=False, label="Hide the others' votes on a relation until a student has voted on it"
    )


class MapChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, map_: Map) -> str:
        # Titles repeat (every copy keeps one): the owner and visibility tell them apart.
        owner = map_.owner.get_username() if map_.owner else "no owner"
        return f"{map_.title} ({owner}, {map_.get_visibility_display().split(' (')[0].lower()})"


class NewExerciseForm(ExerciseForm):
    start_from = forms.ChoiceField(
        label="Map", widget=forms.RadioSelect, initial="new",
        choices=[("new", "A new empty map"), ("copy", "A copy of a map you can see (with its sources)")],
        error_messages={"required": "Choose a new map or a copy.", "invalid_choice": "Choose a new map or a copy."},
    )
    question = PlainTextField(
        label="Question or motion (new map)", max_length=QUESTION_MAX_LENGTH, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    copy_of = MapChoiceField(
        queryset=Map.objects.none(), required=False, label="Map to copy",
        empty_label="— choose a map —",
        error_messages={"invalid_choice": "Choose one of the maps in the list."},
    )

    field_order = ["title", "instructions", "opens_at", "closes_at", "start_from", "question", "copy_of"]

    def __init__(self, *args, teacher, **kwargs):
        super().__init__(*args, **kwargs)
        maps = maps_a_teacher_may_copy(teacher).select_related("owner").order_by("title", "id")
        self.fields["copy_of"].queryset = maps

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start_from") == "copy" and not cleaned.get("copy_of") and "copy_of" not in self.errors:
            self.add_error("copy_of", "Choose the map to copy.")
        return cleaned


class SidesByHandForm(forms.Form):
    """A side (thesis and stance) and a team name for each student of the class."""

    def __init__(self, *args, students, theses, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        choices = [("", "— none —")] + [
            (f"{thesis.pk}:{stance}", f"{sides.SIDE_NAMES[stance]}: {thesis.text[:80]}")
            for thesis in theses for stance in sides.STANCES
        ]
        self.rows = []
        for student in students:
            side = forms.ChoiceField(choices=choices, required=False, label=f"Side of {student.get_username()}",
                                     error_messages={"invalid_choice": "Choose a side from the list."})
            team = PlainTextField(max_length=60, required=False, label=f"Team of {student.get_username()}")
            self.fields[f"side_{student.pk}"] = side
            self.fields[f"team_{student.pk}"] = team
            self.rows.append((student, self[f"side_{student.pk}"], self[f"team_{student.pk}"]))
        self.students = students

    def assignments(self) -> list[sides.Assignment]:
        chosen = []
        for student in self.students:
            side = self.cleaned_data[f"side_{student.pk}"]
            if side:
                thesis_id, stance = side.split(":")
                chosen.append(sides.Assignment(student.pk, int(thesis_id), stance,
                                               self.cleaned_data[f"team_{student.pk}"].strip()))
        return chosen


class SidesAtRandomForm(forms.Form):
    team_size = forms.IntegerField(
        label="Team size (optional)", required=False, min_value=1, max_value=sides.MAX_TEAM_SIZE,
        help_text="Students with the same thesis and side form teams of at most this many; empty: everyone alone.",
        error_messages={"min_value": f"Between 1 and {sides.MAX_TEAM_SIZE}.",
                        "max_value": f"Between 1 and {sides.MAX_TEAM_SIZE}.",
                        "invalid": f"A whole number between 1 and {sides.MAX_TEAM_SIZE}."},
    )
    replace = forms.BooleanField(required=False, label="Replace the current assignments")


class AddGroupsForm(forms.Form):
    count = forms.IntegerField(
        label="How many groups", required=False, min_value=1, max_value=small_groups.MAX_GROUPS,
        error_messages={"min_value": f"Between 1 and {small_groups.MAX_GROUPS}.",
                        "max_value": f"Between 1 and {small_groups.MAX_GROUPS}.",
                        "invalid": f"A whole number between 1 and {small_groups.MAX_GROUPS}."},
    )
    names = PlainTextField(
        label="Or their names, one a line", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, exercise, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.exercise = exercise

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        names = list(dict.fromkeys(line.strip() for line in cleaned.get("names", "").splitlines() if line.strip()))
        if not names and not cleaned.get("count"):
            raise forms.ValidationError("Give a number of groups or their names.")
        if any(len(name) > 60 for name in names):
            raise forms.ValidationError("Keep each group's name to 60 characters.")
        taken = set(ExerciseGroup.objects.filter(exercise=self.exercise, name__in=names).values_list("name", flat=True))
        if taken:
            raise forms.ValidationError(f"There is already a group called “{sorted(taken)[0]}”.")
        existing = ExerciseGroup.objects.filter(exercise=self.exercise).count()
        wanted = names or small_groups.numbered_names(self.exercise, cleaned["count"])
        if existing + len(wanted) > small_groups.MAX_GROUPS:
            raise forms.ValidationError(f"An exercise has at most {small_groups.MAX_GROUPS} groups.")
        cleaned["wanted"] = wanted
        return cleaned


class MembersForm(forms.Form):
    def __init__(self, *args, students, groups, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        choices = [("", "— no group —")] + [(str(g.pk), g.name) for g in groups]
        self.rows = []
        for student in students:
            self.fields[f"group_{student.pk}"] = forms.ChoiceField(
                choices=choices, required=False, label=f"Group of {student.get_username()}",
                error_messages={"invalid_choice": "Choose a group from the list."})
            self.rows.append((student, self[f"group_{student.pk}"]))
        self.students = students

    def members(self) -> dict[int, int | None]:
        return {s.pk: int(self.cleaned_data[f"group_{s.pk}"]) if self.cleaned_data[f"group_{s.pk}"] else None
                for s in self.students}


class RenameGroupForm(forms.Form):
    # Django's CharField already refuses NUL bytes ("Null characters are not allowed.").
    name = forms.CharField(
        label="New name", max_length=60,
        error_messages={"required": "Give the group a name.",
                        "max_length": "Keep the group's name to 60 characters."},
    )
