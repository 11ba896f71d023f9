"""Every URL of the app × every kind of person, with the status each one must get.

The URL patterns are read from the URL conf, so a new view fails `test_it_has_a_row_for_every_url`
until someone writes its row in SWEEP below (and thinks about who may use it). Every URL keyword is
filled from one world (`sweep_world`); a keyword nobody knows how to fill fails the sweep too.

For each row, each role sends a GET and a POST. Each request runs in a savepoint that is rolled
back, so one role's allowed write cannot change what the next role sees. A POST that is refused
(4xx, or a redirect to the login page) must leave every row of every model table as it was.
"""

import hashlib
import os

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from argmap.models import (
    ClassRole,
    Enrolment,
    Exercise,
    ExerciseGroup,
    GroupMember,
    SchoolClass,
)
from argmap.models import (
    ClutterRange,
    Comment,
    Map,
    MapSource,
    Membership,
    Node,
    NodeKind,
    NodeStatus,
    Quote,
    Role,
    Source,
    Visibility,
)

ROLES = ("anon", "outsider", "viewer", "contrib", "editor", "owner", "student", "student2", "teacher", "teacher2")

# One row per URL name. `on`: which map the row's map keywords (code, node_id, ...) name —
# `map`: a private map where viewer/contrib/editor/owner hold those roles (students and teachers
# none); `exercise`: the private map of an open exercise in the class of `student` and `teacher`
# (made by a co-teacher, so `teacher` is an owner only through the class; viewer..owner hold the
# same map roles there too); `-`: the URL names no map.
# student2 and teacher2 are a student and a teacher of another class, with their own exercise.
# Cells are GET/POST statuses; `-` is 405 (method not allowed).
SWEEP = """
url                         on        anon     outsider viewer   contrib  editor   owner    student  student2 teacher  teacher2
class-code-rotate           -         302/302  -/404    -/404    -/404    -/404    -/404    -/403    -/404    -/302    -/404
class-detail                -         302/302  404/-    404/-    404/-    404/-    404/-    200/-    404/-    200/-    404/-
class-join                  -         302/302  200/302  200/302  200/302  200/302  200/302  200/409  200/302  200/409  200/302
class-join-code             -         200/302  200/302  200/302  200/302  200/302  200/302  200/409  200/302  200/409  200/302
class-joining               -         302/302  -/404    -/404    -/404    -/404    -/404    -/403    -/404    -/302    -/404
class-list                  -         302/302  200/-    200/-    200/-    200/-    200/-    200/-    200/-    200/-    200/-
class-new                   -         302/302  200/302  200/302  200/302  200/302  200/302  200/302  200/302  200/302  200/302
class-settings              -         302/302  -/404    -/404    -/404    -/404    -/404    -/403    -/404    -/302    -/404
class-sheet                 -         302/302  404/-    404/-    404/-    404/-    404/-    403/-    404/-    200/-    404/-
class-student-remove        -         302/302  -/404    -/404    -/404    -/404    -/404    -/403    -/404    -/302    -/404
class-student-reset         -         302/302  -/404    -/404    -/404    -/404    -/404    -/403    -/404    -/403    -/404
class-students-add          -         302/302  -/404    -/404    -/404    -/404    -/404    -/403    -/404    -/302    -/404
class-teacher-add           -         302/302  -/404    -/404    -/404    -/404    -/404    -/403    -/404    -/302    -/404
class-teacher-remove        -         302/302  -/404    -/404    -/404    -/404    -/404    -/403    -/404    -/302    -/404
clutter-add                 map       302/302  -/404    -/403    -/403    -/403    -/302    -/404    -/404    -/404    -/404
clutter-remove              map       302/302  -/404    -/403    -/403    -/403    -/302    -/404    -/404    -/404    -/404
clutter-restore             map       302/302  -/404    -/403    -/403    -/403    -/302    -/404    -/404    -/404    -/404
comment-delete              map       -/302    -/404    -/403    -/302    -/403    -/403    -/404    -/404    -/404    -/404
comment-edit                exercise  -/302    -/404    -/403    -/302    -/403    -/403    -/403    -/404    -/403    -/404
comment-hide                exercise  -/302    -/404    -/403    -/403    -/302    -/302    -/403    -/404    -/302    -/404
comment-post                exercise  -/302    -/404    -/302    -/302    -/302    -/302    -/302    -/404    -/302    -/404
comment-restore             map       -/302    -/404    -/403    -/302    -/403    -/403    -/404    -/404    -/404    -/404
comment-thread              exercise  404/-    404/-    302/-    302/-    302/-    302/-    302/-    404/-    302/-    404/-
comment-unhide              map       -/302    -/404    -/403    -/403    -/302    -/302    -/404    -/404    -/404    -/404
evidence-add                exercise  302/302  404/404  403/403  200/302  200/302  200/302  200/302  404/404  200/302  404/404
exercise-compare            -         302/302  404/-    404/-    404/-    404/-    404/-    403/-    404/-    200/-    404/-
exercise-csv                -         302/-    404/-    404/-    404/-    404/-    404/-    403/-    404/-    200/-    404/-
exercise-dashboard          -         302/-    404/-    404/-    404/-    404/-    404/-    403/-    404/-    200/-    404/-
exercise-dashboard-activity -         400/-    400/-    400/-    400/-    400/-    400/-    400/-    400/-    400/-    400/-
exercise-detail             -         302/302  404/-    404/-    404/-    404/-    404/-    200/-    404/-    200/-    404/-
exercise-edit               -         302/302  404/404  404/404  404/404  404/404  404/404  403/403  404/404  200/302  404/404
exercise-group-remove       -         302/302  404/404  404/404  404/404  404/404  404/404  403/403  404/404  200/302  404/404
exercise-group-rename       -         302/302  -/404    -/404    -/404    -/404    -/404    -/403    -/404    -/302    -/404
exercise-groups             -         302/302  404/404  404/404  404/404  404/404  404/404  403/403  404/404  200/302  404/404
exercise-my-work            -         302/-    404/-    404/-    404/-    404/-    404/-    200/-    404/-    302/-    404/-
exercise-new                -         302/302  404/404  404/404  404/404  404/404  404/404  403/403  404/404  200/302  404/404
exercise-release            -         -/302    -/404    -/404    -/404    -/404    -/404    -/403    -/404    -/302    -/404
exercise-result             -         -/302    -/404    -/404    -/404    -/404    -/404    -/403    -/404    -/302    -/404
exercise-sides              -         302/302  404/404  404/404  404/404  404/404  404/404  403/403  404/404  404/404  404/404
exercise-snapshot           -         302/302  404/-    404/-    404/-    404/-    404/-    200/-    404/-    200/-    404/-
login                       -         200/302  200/302  200/302  200/302  200/302  200/302  200/302  200/302  200/302  200/302
logout                      -         -/302    -/302    -/302    -/302    -/302    -/302    -/302    -/302    -/302    -/302
map-activity                map       400/-    400/-    400/-    400/-    400/-    400/-    400/-    400/-    400/-    400/-
map-branch                  map       404/-    404/-    302/-    302/-    302/-    302/-    404/-    404/-    404/-    404/-
map-coverage                map       404/-    404/-    200/-    200/-    200/-    200/-    404/-    404/-    404/-    404/-
map-deleted                 map       302/302  404/-    403/-    403/-    200/-    200/-    404/-    404/-    404/-    404/-
map-detail                  map       404/-    404/-    200/-    200/-    200/-    200/-    404/-    404/-    404/-    404/-
map-download                exercise  404/-    404/-    200/-    200/-    200/-    200/-    200/-    404/-    200/-    404/-
map-export                  exercise  404/-    404/-    200/-    200/-    200/-    200/-    200/-    404/-    200/-    404/-
map-import                  -         302/302  200/400  200/400  200/400  200/400  200/400  200/400  200/400  200/400  200/400
map-judge                   map       404/-    404/-    200/-    200/-    200/-    200/-    404/-    404/-    404/-    404/-
map-list                    -         200/-    200/-    200/-    200/-    200/-    200/-    200/-    200/-    200/-    200/-
map-members                 exercise  302/302  404/404  403/403  403/403  403/403  200/302  403/403  404/404  200/302  404/404
map-new                     -         302/302  200/302  200/302  200/302  200/302  200/302  200/302  200/302  200/302  200/302
map-rows                    map       404/-    404/-    200/-    200/-    200/-    200/-    404/-    404/-    404/-    404/-
map-settings                exercise  302/302  404/404  403/403  403/403  403/403  200/302  403/403  404/404  200/302  404/404
map-short                   exercise  404/-    404/-    302/-    302/-    302/-    302/-    302/-    404/-    302/-    404/-
member-remove               map       302/302  -/404    -/403    -/403    -/403    -/302    -/404    -/404    -/404    -/404
member-role                 map       302/302  -/404    -/403    -/403    -/403    -/302    -/404    -/404    -/404    -/404
my-votes                    exercise  302/302  404/-    200/-    200/-    200/-    200/-    200/-    404/-    200/-    404/-
node-attach                 map       302/302  404/404  403/403  200/302  200/302  200/302  404/404  404/404  404/404  404/404
node-delete                 exercise  302/302  404/404  403/403  403/403  200/302  200/302  403/403  404/404  200/302  404/404
node-detach                 map       302/302  -/404    -/403    -/403    -/400    -/400    -/404    -/404    -/404    -/404
node-edit                   exercise  302/302  404/404  403/403  403/403  200/302  200/302  403/403  404/404  200/302  404/404
node-focus                  exercise  404/-    404/-    200/-    200/-    200/-    200/-    200/-    404/-    200/-    404/-
node-move                   map       302/302  404/404  403/403  403/403  200/302  200/302  404/404  404/404  404/404  404/404
node-reply                  exercise  302/302  404/404  403/403  200/302  200/302  200/302  200/302  404/404  200/302  404/404
node-restore                map       302/302  -/404    -/403    -/403    -/302    -/302    -/404    -/404    -/404    -/404
node-search                 map       404/-    404/-    200/-    200/-    200/-    200/-    404/-    404/-    404/-    404/-
node-stance                 map       302/302  -/404    -/403    -/403    -/302    -/302    -/404    -/404    -/404    -/404
password-set                -         302/302  302/302  302/302  302/302  302/302  302/302  302/302  302/302  302/302  302/302
quote-add                   exercise  302/302  404/404  403/403  403/403  200/302  200/302  403/403  404/404  200/302  404/404
quote-delete                map       302/302  -/404    -/403    -/403    -/302    -/302    -/404    -/404    -/404    -/404
quote-restore               map       302/302  -/404    -/403    -/403    -/302    -/302    -/404    -/404    -/404    -/404
review-node                 -         -/302    -/404    -/404    -/404    -/404    -/404    -/403    -/404    -/302    -/404
signup                      -         200/302  302/302  302/302  302/302  302/302  302/302  302/302  302/302  302/302  302/302
source-attach               map       302/302  404/404  403/403  403/403  403/403  200/302  404/404  404/404  404/404  404/404
source-coverage             map       404/-    404/-    200/-    200/-    200/-    200/-    404/-    404/-    404/-    404/-
source-detach               map       302/302  -/404    -/403    -/403    -/403    -/409    -/404    -/404    -/404    -/404
source-edit-details         map       302/302  -/404    -/403    -/403    -/403    -/302    -/404    -/404    -/404    -/404
source-edit-text            map       302/302  -/404    -/403    -/403    -/403    -/409    -/404    -/404    -/404    -/404
source-manage               map       302/302  404/-    403/-    403/-    403/-    200/-    404/-    404/-    404/-    404/-
source-new                  map       302/302  404/404  403/403  403/403  403/403  200/302  404/404  404/404  404/404  404/404
source-rate                 exercise  302/302  404/404  403/403  403/403  403/403  200/302  403/403  404/404  200/302  404/404
source-reader               exercise  404/-    404/-    200/-    200/-    200/-    200/-    200/-    404/-    200/-    404/-
thesis-add                  exercise  302/302  404/404  403/403  200/302  200/302  200/302  200/302  404/404  200/302  404/404
vote-cast                   exercise  302/302  -/404    -/403    -/302    -/302    -/302    -/302    -/404    -/302    -/404
vote-withdraw               exercise  302/302  -/404    -/403    -/302    -/302    -/302    -/302    -/404    -/302    -/404
"""

# How each URL keyword is filled from the world; SPECIAL says where a row needs another object.
KWARGS = {
    "code": "code",
    "slug": "slug",
    "node_id": "node_id",
    "quote_id": "quote_id",
    "comment_id": "comment_id",
    "source_code": "source_code",
    "clutter_id": "clutter_id",
    "membership_id": "membership_id",
    "relation_id": "relation_id",
    "class_id": "class_id",
    "exercise_id": "exercise_id",
    "group_id": "group_id",
    "user_id": "student_id",
    "format_name": "format_name",
}
SPECIAL = {
    "node-restore": {"node_id": "deleted_node_id"},
    "quote-restore": {"quote_id": "deleted_quote_id"},
    "comment-restore": {"comment_id": "deleted_comment_id"},
    "comment-unhide": {"comment_id": "hidden_comment_id"},
    "clutter-restore": {"clutter_id": "deleted_clutter_id"},
    "review-node": {"node_id": "pending_id"},
    "class-teacher-remove": {"user_id": "co_teacher_id"},
    "class-join-code": {"code": "join_code"},
    "exercise-group-rename": {"exercise_id": "group_exercise_id"},
    "exercise-group-remove": {"exercise_id": "group_exercise_id"},
    "exercise-groups": {"exercise_id": "group_exercise_id"},
}

# What a plausible submit of each form sends ({name} is filled like the URL keywords); a row not
# here posts an empty form.
TEXT = "A new claim, in plain words."
PASSAGE = "The relay stations stopped."
TIMES = {"opens_at": "2030-01-01T09:00", "closes_at": "2030-01-01T10:00"}
POSTS = {
    "login": {"username": "sweep-outsider", "password": "a-long-sweep-password"},
    "signup": {"username": "newcomer", "password1": "a-long-new-password", "password2": "a-long-new-password"},
    "password-set": {"new_password1": "another-long-password", "new_password2": "another-long-password"},
    "map-new": {"title": "A new map", "question": "Why?", "visibility": "private"},
    "map-settings": {"title": "Renamed", "question": "Why?", "visibility": "private", "voting": "on"},
    "map-members": {"username": "sweep-managed-student", "role": "viewer"},
    "member-role": {"role": "editor"},
    "thesis-add": {"text": TEXT},
    "node-reply": {"text": TEXT, "stance": "oppose", "path": "{thesis_id}.{node_id}"},
    "node-edit": {"text": TEXT, "version": "{version}", "path": "{thesis_id}.{node_id}"},
    "node-attach": {"parent": "{other_thesis_id}", "stance": "oppose"},
    "node-move": {"new_parent": "{other_thesis_id}", "stance": "oppose", "path": "{thesis_id}.{node_id}"},
    "node-detach": {"path": "{thesis_id}.{node_id}"},
    "node-stance": {"stance": "oppose", "path": "{thesis_id}.{node_id}"},
    "node-delete": {"path": "{thesis_id}.{node_id}"},
    "comment-post": {"text": "A new comment."},
    "comment-edit": {"text": "An edited comment."},
    "evidence-add": {"parent": "{thesis_id}", "stance": "support", "claim": TEXT, "quote": PASSAGE},
    "quote-add": {"source": "{source_code}", "quote": PASSAGE},
    "source-new": {"title": "Another article", "text": "A wholly new text to read."},
    "source-attach": {"source": "{source_code}"},
    "source-edit-details": {"title": "A better title"},
    "source-edit-text": {"text": "A changed text."},
    "clutter-add": {"exact": "Moscow", "label": "noise"},
    "source-rate": {"rating": "3"},
    "vote-cast": {"impact": "3"},
    "class-new": {"name": "Another class", "time_zone": "Europe/Minsk"},
    "class-students-add": {"names": "Ann Lee"},
    "class-teacher-add": {"username": "sweep-outsider"},
    "class-settings": {"name": "Renamed class", "time_zone": "Europe/Minsk"},
    "class-joining": {"open": "on"},
    "class-join": {"code": "{join_code}"},
    "exercise-new": {"title": "Another exercise", "start_from": "new", "question": "Why?", **TIMES,
                     "target_evidence": "0", "target_rebuttals": "0", "target_comments": "0"},
    "exercise-edit": {"title": "Renamed exercise", **TIMES, "moderation": "on",
                      "target_evidence": "0", "target_rebuttals": "0", "target_comments": "0"},
    "exercise-groups": {"action": "add", "add-count": "1"},
    "exercise-group-rename": {"name": "Blues"},
    "review-node": {"decision": "approve", "version": "1", "feedback": "Good."},
    "exercise-result": {"feedback": "Well argued.", "grade": "A"},
    "exercise-release": {"release": "release"},
}

# The query string of each GET (and POST) where the page needs one: which place in the tree.
QUERIES = {"map-branch": "path={thesis_id}.{node_id}", "map-rows": "path={thesis_id}.{node_id}", "node-move": "path={thesis_id}.{node_id}",
           "node-attach": "path={thesis_id}.{node_id}", "node-detach": "path={thesis_id}.{node_id}"}

RECORD = os.environ.get("SWEEP_RECORD")  # set to print the statuses actually answered, as table rows


# The URL conf


def url_names(patterns=None, prefix: str = "") -> dict[str, URLPattern]:
    """Every named URL pattern of the project, by name."""
    found = {}
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        # The admin is Django's own, behind is_staff; no sweep role is staff. (Static files are
        # not in the URL conf: WhiteNoise or the test server serve them.)
        if route.startswith("admin/"):
            continue
        if isinstance(entry, URLResolver):
            found.update(url_names(entry.url_patterns, route))
        else:
            assert entry.name, f"the URL {route} has no name, so the sweep cannot give it a row"
            found[entry.name] = entry
    return found


def parse_table(text: str) -> dict[str, tuple[str, dict[str, tuple[int, int]]]]:
    rows = {}
    lines = [line.split() for line in text.strip().splitlines()]
    header, body = lines[0], lines[1:]
    assert header[2:] == list(ROLES), header
    for cells in body:
        name, on, statuses = cells[0], cells[1], cells[2:]
        assert len(statuses) == len(ROLES), f"row {name} has {len(statuses)} cells, not {len(ROLES)}"
        assert name not in rows, f"two rows for {name}"
        rows[name] = (on, {role: _statuses(cell) for role, cell in zip(ROLES, statuses)})
    return rows


def _statuses(cell: str) -> tuple[int, int]:
    get, post = cell.split("/")
    return tuple(405 if status == "-" else int(status) for status in (get, post))


TABLE = parse_table(SWEEP)


# The world


class World:
    """The people, classes, exercises and maps every row draws its URL keywords from."""

    def __init__(self):
        User = get_user_model()
        password = make_password("a-long-sweep-password")
        names = [role for role in ROLES if role != "anon"] + ["co-teacher", "managed-student"]
        User.objects.bulk_create([User(username=f"sweep-{name}", password=password) for name in names])
        self.users = {user.username.removeprefix("sweep-"): user
                      for user in User.objects.filter(username__startswith="sweep-")}
        users = self.users
        self.source = Source.objects.create(
            text="Minsk said one thing. Moscow heard another.\nThe relay stations stopped."
        )

        self.school_class = SchoolClass.objects.create(name="Sweep class", created_by=users["co-teacher"])
        self.other_class = SchoolClass.objects.create(name="Other class", created_by=users["teacher2"])
        Enrolment.objects.bulk_create([
            Enrolment(school_class=self.school_class, user=users["co-teacher"], role=ClassRole.TEACHER),
            Enrolment(school_class=self.school_class, user=users["teacher"], role=ClassRole.TEACHER,
                      added_by=users["co-teacher"]),
            # Signed up on their own and joined with the code: no AccountSetup, added by nobody.
            Enrolment(school_class=self.school_class, user=users["student"], role=ClassRole.STUDENT),
            Enrolment(school_class=self.school_class, user=users["managed-student"], role=ClassRole.STUDENT,
                      added_by=users["co-teacher"]),
            Enrolment(school_class=self.other_class, user=users["teacher2"], role=ClassRole.TEACHER),
            Enrolment(school_class=self.other_class, user=users["student2"], role=ClassRole.STUDENT),
        ])
        now = timezone.now()
        open_times = {"opens_at": now - timezone.timedelta(minutes=5), "closes_at": now + timezone.timedelta(hours=1)}
        self.exercise = Exercise.objects.create(school_class=self.school_class, title="Sweep exercise",
                                                created_by=users["co-teacher"], moderation=True, **open_times)
        self.group_exercise = Exercise.objects.create(school_class=self.school_class, title="Groups exercise",
                                                      created_by=users["co-teacher"], groups=True, **open_times)
        self.group = ExerciseGroup.objects.create(exercise=self.group_exercise, name="Reds")
        GroupMember.objects.create(exercise=self.group_exercise, group=self.group, user=users["student"])
        self.other_exercise = Exercise.objects.create(school_class=self.other_class, title="Other exercise",
                                                      created_by=users["teacher2"], **open_times)

        self.map = self._map("Sweep map", users["owner"], None)
        self.exercise_map = self._map("Sweep exercise map", users["co-teacher"], self.exercise)
        self.other_map = self._map("Other exercise map", users["teacher2"], self.other_exercise)
        # A pending contribution by the student, for the teacher to review.
        self.pending = Node.objects.create(map=self.exercise_map.map, text="A student's pending claim",
                                           author=users["student"], status=NodeStatus.PENDING)
        self.pending.bear_on(self.exercise_map.thesis, "support", author=users["student"])

    def _map(self, title: str, owner, exercise) -> "MapWorld":
        return MapWorld(self, Map.objects.create(title=title, question="Is it so?", owner=owner,
                                                 visibility=Visibility.PRIVATE, exercise=exercise))

    def fill(self, on: str) -> dict:
        """The values the URL keywords and posted forms take for a row on this map."""
        target = self.exercise_map if on == "exercise" else self.map
        return {
            **target.fill(),
            "class_id": self.school_class.pk,
            "exercise_id": self.exercise.pk,
            "group_exercise_id": self.group_exercise.pk,
            "group_id": self.group.pk,
            "student_id": self.users["student"].pk,
            "managed_student_id": self.users["managed-student"].pk,
            "co_teacher_id": self.users["co-teacher"].pk,
            "pending_id": self.pending.pk,
            "join_code": self.school_class.join_code,
            "format_name": "json",
        }


class MapWorld:
    """One map with one of everything a URL can name, live and deleted."""

    def __init__(self, world: World, map_: Map):
        users = world.users
        self.map = map_
        MapSource.objects.create(map=map_, source=world.source, title="Sweep article")
        if map_.exercise_id is None or map_.exercise.school_class_id == world.school_class.pk:
            self.memberships = {
                role: Membership.objects.create(map=map_, user=users[name], role=role)
                for name, role in (("viewer", Role.VIEWER), ("contrib", Role.CONTRIBUTOR), ("editor", Role.EDITOR))
            }
            if map_.owner_id != users["owner"].pk:
                Membership.objects.create(map=map_, user=users["owner"], role=Role.OWNER)
        owner = map_.owner
        self.thesis = Node.objects.create(map=map_, kind=NodeKind.THESIS, text="A thesis", author=owner)
        self.other_thesis = Node.objects.create(map=map_, kind=NodeKind.THESIS, text="Another thesis", author=owner)
        self.claim = Node.objects.create(map=map_, text="A claim", author=owner)
        self.relation = self.claim.bear_on(self.thesis, "support", author=owner)
        self.quote = Quote.anchor(self.claim, world.source, "Moscow heard another.", author=owner)
        self.quote.save()
        self.gone = Node.objects.create(map=map_, text="A deleted claim", author=owner)
        self.gone.bear_on(self.thesis, "oppose", author=owner)
        self.gone.soft_delete(by=owner)
        self.gone_quote = Quote.anchor(self.claim, world.source, "Minsk said one thing.", start=0, author=owner)
        self.gone_quote.save()
        self.gone_quote.soft_delete(by=owner)
        commenter = users["contrib"]
        self.comment = Comment.objects.create(node=self.claim, author=commenter, text="A comment")
        self.gone_comment = Comment.objects.create(node=self.claim, author=commenter, text="A deleted comment",
                                                   deleted_at=timezone.now(), deleted_by=commenter)
        self.hidden_comment = Comment.objects.create(node=self.claim, author=commenter, text="A hidden comment",
                                                     hidden_at=timezone.now(), hidden_by=owner)
        self.clutter = ClutterRange.objects.create(map=map_, source=world.source, start=0, end=5, created_by=owner)
        self.gone_clutter = ClutterRange.objects.create(map=map_, source=world.source, start=6, end=10,
                                                        created_by=owner, deleted_at=timezone.now())

    def fill(self) -> dict:
        return {
            "code": self.map.code,
            "slug": self.map.slug,
            "node_id": self.claim.pk,
            "thesis_id": self.thesis.pk,
            "other_thesis_id": self.other_thesis.pk,
            "deleted_node_id": self.gone.pk,
            "relation_id": self.relation.pk,
            "quote_id": self.quote.pk,
            "deleted_quote_id": self.gone_quote.pk,
            "comment_id": self.comment.pk,
            "deleted_comment_id": self.gone_comment.pk,
            "hidden_comment_id": self.hidden_comment.pk,
            "source_code": self.map.sources.get().code,
            "clutter_id": self.clutter.pk,
            "deleted_clutter_id": self.gone_clutter.pk,
            "membership_id": getattr(self, "memberships", {}).get(Role.CONTRIBUTOR, self.comment).pk,
            "version": self.claim.version,
        }


@pytest.fixture
def sweep_world(db):
    return World()


# Rows of every table


def every_row() -> dict[str, tuple[int, str]]:
    """Each model's row count and a digest of all its values, in primary-key order."""
    state = {}
    for model in apps.get_models():
        if model is Session:
            continue  # the test client's own sign-ins, not the product's data
        rows = list(model._base_manager.order_by("pk").values_list())
        state[model._meta.label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


# Requests


def url_of(name: str, pattern: URLPattern, fill: dict) -> str:
    names = SPECIAL.get(name, {})
    kwargs = {}
    for keyword in pattern.pattern.converters:
        key = names.get(keyword) or KWARGS.get(keyword)
        assert key is not None, f"{name}: no way to fill the URL keyword {keyword!r} (add it to KWARGS)"
        kwargs[keyword] = fill[key]
    url = reverse(name, kwargs=kwargs)
    return f"{url}?{QUERIES[name].format(**fill)}" if name in QUERIES else url


def post_data(name: str, fill: dict) -> dict:
    return {field: value.format(**fill) if isinstance(value, str) else value
            for field, value in POSTS.get(name, {}).items()}


def signed_in_cookies(world: World) -> dict:
    """Each role's session cookie (anon: none): a fresh client per request reuses it."""
    cookies = {"anon": None}
    for role in ROLES[1:]:
        client = Client()
        client.force_login(world.users[role])
        cookies[role] = client.cookies.copy()
    return cookies


def send(cookies, role: str, method: str, url: str, data: dict):
    client = Client(raise_request_exception=False)
    if cookies[role] is not None:
        client.cookies = cookies[role].copy()
    if method == "GET":
        return client.get(url)
    return client.post(url, data)


def refused(response, role: str) -> bool:
    if response.status_code >= 400:
        return True
    to_login = response.status_code == 302 and response["Location"].startswith(reverse("login"))
    return role == "anon" and to_login


def is_write(query: dict) -> bool:
    words = query["sql"].split(None, 1)
    return bool(words) and words[0].upper() not in ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK")


def run_cell(world: World, cookies, name: str, role: str, method: str, baseline: dict):
    """The status `role` gets for `method` on the row's URL, in a savepoint that is rolled back;
    with a refused POST, the tables that changed (none, when all is well)."""
    pattern = url_names()[name]
    fill = world.fill(TABLE[name][0])
    url = url_of(name, pattern, fill)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        response = send(cookies, role, method, url, post_data(name, fill))
        changed = []
        # Reading every table after each refusal is slow on PostgreSQL; a request that sent no
        # write statement cannot have changed a row, so only the others are compared.
        if method == "POST" and refused(response, role) and any(map(is_write, queries.captured_queries)):
            changed = changed_tables(baseline, every_row())
        transaction.set_rollback(True)
    return response, changed


# Tests


def test_it_has_a_row_for_every_url():
    assert set(TABLE) == set(url_names())


def test_it_knows_how_to_fill_every_url_keyword(sweep_world):
    for name, pattern in url_names().items():
        if name in TABLE:
            url_of(name, pattern, sweep_world.fill(TABLE[name][0]))


@pytest.mark.parametrize("name", sorted(TABLE))
def test_it_answers_each_role_as_the_table_says(sweep_world, name):
    assert name in url_names(), f"{name} is in the table but not in the URL conf"
    cookies = signed_in_cookies(sweep_world)
    baseline = every_row()
    expected = TABLE[name][1]
    wrong, server_errors, writes = [], [], []
    got = {}
    for role in ROLES:
        for index, method in enumerate(("GET", "POST")):
            response, changed = run_cell(sweep_world, cookies, name, role, method, baseline)
            got[role, method] = response.status_code
            if response.status_code >= 500:
                server_errors.append(f"{role} {method}")
            if response.status_code != expected[role][index]:
                wrong.append(f"{role} {method}: {response.status_code}, not {expected[role][index]}")
            if changed:
                writes.append(f"{role} {method} (refused with {response.status_code}) changed {changed}")
    if RECORD:
        cells = ["/".join("-" if got[role, m] == 405 else str(got[role, m]) for m in ("GET", "POST")) for role in ROLES]
        print(f"\nROW {name:<26} {TABLE.get(name, ('-',))[0]:<9} " + " ".join(f"{c:<8}" for c in cells))
    assert not server_errors, f"{name}: server errors for {server_errors}"
    assert not writes, f"{name}: refused posts changed rows: {writes}"
    assert not wrong, f"{name}: {wrong}"


@pytest.mark.parametrize("role", ROLES)
def test_it_refuses_reviews_after_the_exercise_closed(sweep_world, role):
    # Once closed, the exercise's maps are read-only for everyone; its reviews are part of that.
    now = timezone.now()
    Exercise.objects.filter(pk=sweep_world.exercise.pk).update(
        opens_at=now - timezone.timedelta(hours=2), closes_at=now - timezone.timedelta(minutes=1))
    expected = 403 if role == "teacher" else TABLE["review-node"][1][role][1]
    cookies = signed_in_cookies(sweep_world)
    response, changed = run_cell(sweep_world, cookies, "review-node", role, "POST", every_row())
    assert response.status_code == expected
    assert not changed
