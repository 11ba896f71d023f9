"""What each role may do on private, unlisted and public maps (argmap/permissions.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from argmap.access import access_for, role_of
from argmap.models import Comment, Map, Membership, Node, NodeKind, Role, Visibility
from argmap.permissions import map_and_access, require

ROLES = ["owner", "editor", "contributor", "viewer", "no role", "anonymous"]

# role -> (may comment, may contribute, may edit everything, owns the map), the same on every visibility
POWERS = {
    "owner": (True, True, True, True),
    "editor": (True, True, True, False),
    "contributor": (True, True, False, False),
    "viewer": (True, False, False, False),
    "no role": (False, False, False, False),
    "anonymous": (False, False, False, False),
}


@pytest.fixture
def map_with_people(teacher, people):
    def make(visibility=Visibility.PRIVATE, viewers_can_comment=True):
        map_ = Map.objects.create(title="M", owner=teacher, visibility=visibility,
                                  viewers_can_comment=viewers_can_comment)
        users = people(map_)
        users["no role"] = users.pop("outsider")
        users["anonymous"] = AnonymousUser()
        return map_, users

    return make


@pytest.mark.parametrize("visibility", list(Visibility))
@pytest.mark.parametrize("who", ROLES)
def test_it_gives_each_role_its_powers(map_with_people, visibility, who):
    map_, users = map_with_people(visibility)
    access = access_for(map_, users[who])
    may_comment, may_contribute, may_edit_all, is_owner = POWERS[who]
    assert access.can_comment is may_comment
    assert access.can_contribute is may_contribute
    assert access.can_edit_all is may_edit_all
    assert access.can_moderate_comments is may_edit_all
    assert access.is_owner is is_owner


@pytest.mark.parametrize(
    "visibility, who, may_view",
    [
        (Visibility.PRIVATE, "owner", True),
        (Visibility.PRIVATE, "editor", True),
        (Visibility.PRIVATE, "contributor", True),
        (Visibility.PRIVATE, "viewer", True),
        (Visibility.PRIVATE, "no role", False),
        (Visibility.PRIVATE, "anonymous", False),
        *[(Visibility.UNLISTED, who, True) for who in ROLES],
        *[(Visibility.PUBLIC, who, True) for who in ROLES],
    ],
)
def test_it_lets_people_see_a_map_by_its_visibility_and_their_role(map_with_people, visibility, who, may_view):
    map_, users = map_with_people(visibility)
    assert access_for(map_, users[who]).can_view is may_view


@pytest.mark.parametrize("who, may_comment", [("owner", True), ("editor", True), ("contributor", True),
                                              ("viewer", False), ("no role", False), ("anonymous", False)])
def test_it_silences_only_viewers_when_viewers_may_not_comment(map_with_people, who, may_comment):
    map_, users = map_with_people(Visibility.PUBLIC, viewers_can_comment=False)
    assert access_for(map_, users[who]).can_comment is may_comment


@pytest.mark.parametrize(
    "who, own, others",
    [
        ("owner", True, True),
        ("editor", True, True),
        ("contributor", True, False),
        ("viewer", False, False),
        ("no role", False, False),
    ],
)
def test_it_lets_contributors_change_only_their_own_nodes(map_with_people, who, own, others):
    map_, users = map_with_people(Visibility.PUBLIC)
    access = access_for(map_, users[who])
    theirs = Node.objects.create(map=map_, kind=NodeKind.THESIS, text="Mine", author=users[who])
    someone_elses = Node.objects.create(map=map_, kind=NodeKind.THESIS, text="Not mine", author=map_.owner
                                        if who != "owner" else users["editor"])
    authorless = Node.objects.create(map=map_, kind=NodeKind.THESIS, text="Imported", author=None)
    assert access.can_change(theirs) is own
    assert access.can_change(someone_elses) is others
    assert access.can_change(authorless) is others


def test_it_never_lets_anonymous_visitors_change_anything(map_with_people):
    map_, users = map_with_people(Visibility.PUBLIC)
    node = Node.objects.create(map=map_, kind=NodeKind.THESIS, text="Anonymous import", author=None)
    assert access_for(map_, users["anonymous"]).can_change(node) is False


@pytest.mark.parametrize("viewers_can_comment", [True, False])
def test_it_lets_only_a_comments_author_change_it(map_with_people, viewers_can_comment):
    map_, users = map_with_people(Visibility.PUBLIC, viewers_can_comment)
    node = Node.objects.create(map=map_, kind=NodeKind.THESIS, text="T", author=users["owner"])
    viewers_comment = Comment.objects.create(node=node, text="Hm", author=users["viewer"])
    contributors_comment = Comment.objects.create(node=node, text="Yes", author=users["contributor"])
    assert access_for(map_, users["viewer"]).can_change_comment(viewers_comment) is viewers_can_comment
    assert access_for(map_, users["contributor"]).can_change_comment(contributors_comment) is True
    assert access_for(map_, users["contributor"]).can_change_comment(viewers_comment) is False
    # Owners and editors moderate (hide) other people's comments; they do not rewrite them.
    assert access_for(map_, users["owner"]).can_change_comment(viewers_comment) is False


def test_it_treats_a_superuser_and_a_member_owner_as_owners(map_with_people):
    map_, users = map_with_people(Visibility.PRIVATE)
    admin = get_user_model().objects.create_superuser("root", password="a-long-root-pass")
    assert role_of(map_, admin) == Role.OWNER and access_for(map_, admin).is_owner
    Membership.objects.filter(user=users["editor"]).update(role=Role.OWNER)
    assert access_for(map_, users["editor"]).is_owner


def test_it_gives_no_role_to_anonymous_visitors_or_outsiders(map_with_people):
    map_, users = map_with_people()
    assert role_of(map_, users["anonymous"]) is None
    assert role_of(map_, users["no role"]) is None
    assert role_of(map_, None) is None


def request_by(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.parametrize("who", ROLES)
def test_it_finds_the_same_role_with_the_map_in_one_query(map_with_people, django_assert_num_queries, who):
    map_, users = map_with_people(Visibility.PUBLIC)
    with django_assert_num_queries(1):
        _, access = map_and_access(request_by(users[who]), map_.code)
    assert access.role == access_for(map_, users[who]).role


@pytest.mark.parametrize("who", ["no role", "anonymous"])
def test_it_answers_404_for_a_private_map_without_a_role(map_with_people, who):
    map_, users = map_with_people(Visibility.PRIVATE)
    with pytest.raises(Http404):
        map_and_access(request_by(users[who]), map_.code)
    with pytest.raises(Http404):
        map_and_access(request_by(users["owner"]), "no-such-code")


def test_it_raises_403_with_the_message_when_not_allowed():
    require(True)
    with pytest.raises(PermissionDenied, match="Only owners"):
        require(False, "Only owners")
