"""Personas and small maps shared by the tests."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from argmap.browsing import forget_graphs
from argmap.judging import forget_strengths
from argmap.views import forget_pages
from argmap.models import Map, MapSource, Node, NodeKind, Quote, Source, Visibility


@pytest.fixture(autouse=True)
def fresh_graph_cache():
    # Graphs are cached per process by (map id, code, revision); a rolled-back test could leave
    # behind a graph whose key a later test's map reuses.
    forget_graphs()
    yield
    forget_graphs()


@pytest.fixture(autouse=True)
def fresh_strength_cache():
    # Strengths are cached per process like graphs, for the same reason.
    forget_strengths()
    yield
    forget_strengths()


@pytest.fixture(autouse=True)
def fresh_page_cache():
    # Kept pages are keyed by the map's row, which a rolled-back test's map could share with a later one.
    forget_pages()
    yield
    forget_pages()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def teacher(db):
    return get_user_model().objects.create_user("ms-teacher", password="a-long-teacher-pass")


@pytest.fixture
def outsider(db):
    return get_user_model().objects.create_user("outsider", password="a-long-outsider-pass")


@pytest.fixture
def demo_map(db):
    call_command("load_seeds", stdout=open("/dev/null", "w"))
    return Map.objects.get(code="belarus")


@pytest.fixture
def article(db):
    # Its details ("Test article", "A. Writer") are each map's: MapBuilder gives them.
    return Source.objects.create(
        text="Minsk said one thing. Moscow heard another.\nThe relay stations stopped working. Minsk said one thing.",
    )


def attach(map_, source, **details) -> MapSource:
    """Attach a source to a map with the map's own details of it (title, author, notes...)."""
    return MapSource.objects.create(map=map_, source=source, **details)


class MapBuilder:
    """Builds small maps through the same model methods the app uses."""

    def __init__(self, owner, source, visibility=Visibility.PUBLIC):
        self.map = Map.objects.create(title="Test map", question="Is it so?", owner=owner, visibility=visibility)
        attach(self.map, source, title="Test article", author="A. Writer")
        self.source = source
        self.owner = owner

    def thesis(self, text="A thesis"):
        return Node.objects.create(map=self.map, kind=NodeKind.THESIS, text=text, author=self.owner)

    def claim(self, text, *, under, stance="support", quote=None, start=None):
        node = Node.objects.create(map=self.map, text=text, author=self.owner)
        node.bear_on(under, stance)
        if quote:
            Quote.anchor(node, self.source, quote, start=start).save()
        return node


@pytest.fixture
def build(teacher, article):
    def make(visibility=Visibility.PUBLIC):
        return MapBuilder(teacher, article, visibility)

    return make


PASSWORD = "a-long-test-password"


@pytest.fixture
def people(db):
    """One user per role on a map: `people(map_)` gives {"owner", "editor", "contributor", "viewer",
    "outsider"} -> user (the owner is the map's owner). All share the password PASSWORD."""
    from argmap.models import Membership, Role

    User = get_user_model()

    def make(map_):
        users = {}
        for role in ("editor", "contributor", "viewer", "outsider"):
            users[role] = User.objects.create_user(f"{role}-{map_.pk}", password=PASSWORD)
            if role != "outsider":
                Membership.objects.create(map=map_, user=users[role], role=Role(role))
        owner = map_.owner
        if owner is None:
            owner = User.objects.create_user(f"owner-{map_.pk}", password=PASSWORD)
            map_.owner = owner
            map_.save(update_fields=["owner"])
        users["owner"] = owner
        return users

    return make


class Site:
    """A map (public unless built otherwise) with the owner's thesis and the owner's claim under it,
    and one person per role: `site.people[role]` for owner, editor, contributor, viewer and outsider.

    Test modules extend it (a subclass adding their URLs, or a `site` fixture adding nodes)."""

    def __init__(self, builder: MapBuilder, people):
        self.builder = builder
        self.map = builder.map
        self.thesis = builder.thesis("Lukashenko is hedging")
        self.claim = builder.claim("He keeps doors open", under=self.thesis)
        self.people = people(self.map)

    def user(self, role: str):
        return self.people[role]


@pytest.fixture
def site(build, people):
    """A public Site (see Site)."""
    return Site(build(), people)


class Lesson:
    """A class with a teacher, a co-teacher and students, and an exercise on a private map.

    `lesson.map` is the exercise's map, built with MapBuilder (`lesson.builder`); `lesson.students`
    are named student-1..n; everyone's password is PASSWORD.
    """

    def __init__(self, builder, students: int = 2, **options):
        from datetime import timedelta

        from django.utils import timezone

        from argmap.models import ClassRole, Enrolment, Exercise, SchoolClass

        User = get_user_model()
        self.builder = builder
        self.map = builder.map
        self.teacher = builder.owner
        self.teacher.set_password(PASSWORD)
        self.teacher.save()
        self.school_class = SchoolClass.objects.create(name="Year 11 debate", created_by=self.teacher)
        Enrolment.objects.create(school_class=self.school_class, user=self.teacher, role=ClassRole.TEACHER)
        self.co_teacher = User.objects.create_user(f"co-teacher-{self.map.pk}", password=PASSWORD)
        Enrolment.objects.create(school_class=self.school_class, user=self.co_teacher, role=ClassRole.TEACHER)
        self.students = []
        for number in range(1, students + 1):
            student = User.objects.create_user(f"student-{number}", password=PASSWORD)
            Enrolment.objects.create(school_class=self.school_class, user=student, role=ClassRole.STUDENT)
            self.students.append(student)
        options.setdefault("opens_at", timezone.now() - timedelta(minutes=5))
        options.setdefault("closes_at", timezone.now() + timedelta(hours=1))
        self.exercise = Exercise.objects.create(
            school_class=self.school_class, title="Is Lukashenko hedging?", created_by=self.teacher, **options
        )
        self.map.exercise = self.exercise
        self.map.save(update_fields=["exercise"])


@pytest.fixture
def lesson(build):
    """`lesson(students=2, moderation=True, ...)`: a Lesson on a fresh private map (see Lesson)."""

    def make(students: int = 2, **options):
        return Lesson(build(Visibility.PRIVATE), students, **options)

    return make
