"""Personas and small maps shared by the tests."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from argmap.browsing import forget_graphs
from argmap.models import Map, MapSource, Node, NodeKind, Quote, Source, Visibility


@pytest.fixture(autouse=True)
def fresh_graph_cache():
    # Graphs are cached per process by (map id, code, revision); a rolled-back test could leave
    # behind a graph whose key a later test's map reuses.
    forget_graphs()
    yield
    forget_graphs()


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
    return Source.objects.create(
        title="Test article",
        author="A. Writer",
        text="Minsk said one thing. Moscow heard another.\nThe relay stations stopped working. Minsk said one thing.",
    )


class MapBuilder:
    """Builds small maps through the same model methods the app uses."""

    def __init__(self, owner, source, visibility=Visibility.PUBLIC):
        self.map = Map.objects.create(title="Test map", question="Is it so?", owner=owner, visibility=visibility)
        MapSource.objects.create(map=self.map, source=source)
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
