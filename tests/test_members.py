"""The members page: who has which role on a map, inviting people, changing and removing roles."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from argmap.models import Action, Change, Map, Membership, Role, Visibility

User = get_user_model()


def members_url(map_):
    return f"/maps/{map_.code}/members/"


def role_url(map_, membership):
    return f"/maps/{map_.code}/members/{membership.pk}/role/"


def remove_url(map_, membership):
    return f"/maps/{map_.code}/members/{membership.pk}/remove/"


@pytest.fixture
def private_map(build):
    return build(Visibility.PRIVATE).map


@pytest.fixture
def owner_client(client, teacher):
    client.force_login(teacher)
    return client


@pytest.fixture
def student(db):
    return User.objects.create_user("daria", password="a-long-student-pass")


# Seeing the page


def test_it_lists_the_owner_and_everyone_with_a_role(owner_client, private_map, people):
    users = people(private_map)
    html = owner_client.get(members_url(private_map)).content.decode()
    for role in ("editor", "contributor", "viewer"):
        assert users[role].username in html
    assert "ms-teacher" in html and "always its owner" in html
    assert "Remove<span class=\"visually-hidden\"> editor-" in html
    assert "Remove<span class=\"visually-hidden\"> ms-teacher" not in html  # the owner cannot be removed
    assert "outsider-" not in html


@pytest.mark.parametrize("role", ["editor", "contributor", "viewer"])
@pytest.mark.parametrize("visibility", [Visibility.PRIVATE, Visibility.PUBLIC])
def test_it_refuses_the_members_page_to_every_role_but_owner(client, build, people, role, visibility):
    map_ = build(visibility).map
    client.force_login(people(map_)[role])
    assert client.get(members_url(map_)).status_code == 403
    assert client.post(members_url(map_), {"username": "outsider", "role": "owner"}).status_code == 403


def test_it_hides_a_private_maps_members_from_people_without_a_role(client, private_map, outsider):
    client.force_login(outsider)
    assert client.get(members_url(private_map)).status_code == 404
    assert client.post(members_url(private_map), {"username": "outsider", "role": "owner"}).status_code == 404
    assert not Membership.objects.exists()


def test_it_refuses_a_public_maps_members_page_to_people_without_a_role(client, build, outsider):
    map_ = build(Visibility.PUBLIC).map
    client.force_login(outsider)
    assert client.get(members_url(map_)).status_code == 403


def test_it_sends_anonymous_visitors_to_log_in(client, private_map):
    response = client.get(members_url(private_map))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_it_lets_a_co_owner_manage_members(client, private_map, people, student):
    co_owner = people(private_map)["editor"]
    Membership.objects.filter(user=co_owner).update(role=Role.OWNER)
    client.force_login(co_owner)
    assert client.get(members_url(private_map)).status_code == 200
    assert client.post(members_url(private_map), {"username": "daria", "role": "viewer"}).status_code == 302


def test_it_loads_the_members_page_in_a_fixed_number_of_queries(owner_client, private_map, django_assert_max_num_queries):
    for n in range(30):
        Membership.objects.create(map=private_map, user=User.objects.create_user(f"s{n}"), role=Role.CONTRIBUTOR)
    with django_assert_max_num_queries(8):
        response = owner_client.get(members_url(private_map))
    assert response.content.decode().count("Change role") == 30


# Inviting


def test_it_invites_someone_by_username(owner_client, private_map, teacher, student):
    response = owner_client.post(members_url(private_map), {"username": "daria", "role": "contributor"})
    assert response.status_code == 302 and response["Location"] == members_url(private_map)
    membership = Membership.objects.get(map=private_map)
    assert (membership.user, membership.role, membership.added_by) == (student, Role.CONTRIBUTOR, teacher)
    change = Change.objects.get(map=private_map)
    assert (change.actor, change.action, change.target_type, change.target_id) == (
        teacher, Action.CREATE, "membership", membership.pk)
    assert change.after == {"user": "daria", "role": "contributor"}
    assert "daria is now contributor on this map." in owner_client.get(members_url(private_map)).content.decode()


def test_it_gives_the_invited_person_access_to_a_private_map(owner_client, client, private_map, student):
    owner_client.post(members_url(private_map), {"username": "daria", "role": "viewer"})
    client.force_login(student)
    assert client.get(private_map.get_absolute_url()).status_code == 200
    assert private_map.title in client.get("/").content.decode()


def test_it_finds_a_username_whatever_its_case(owner_client, private_map, student):
    owner_client.post(members_url(private_map), {"username": "DARIA", "role": "viewer"})
    assert Membership.objects.get().user == student


def test_it_finds_a_username_typed_in_full_width_letters(owner_client, private_map, student):
    # Normalised as usernames are stored (NFKC): the same name, not a look-alike.
    owner_client.post(members_url(private_map), {"username": "\uff44\uff41\uff52\uff49\uff41", "role": "viewer"})
    assert Membership.objects.get().user == student


@pytest.mark.parametrize("lookalike", ["d\u0430ria", "dar\u0131a", "dária"])  # Cyrillic а, dotless ı, an accent
def test_it_never_invites_a_look_alike_of_the_name_typed(owner_client, private_map, student, lookalike):
    response = owner_client.post(members_url(private_map), {"username": lookalike, "role": "viewer"})
    assert response.status_code == 400 and "No one has signed up as" in response.content.decode()
    assert not Membership.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"username": "nobody", "role": "viewer"}, "No one has signed up as “nobody”"),
        ({"username": "ms-teacher", "role": "viewer"}, "That is you"),
        ({"username": "", "role": "viewer"}, "This field is required."),
        ({"username": "daria", "role": "king"}, "Select a valid choice."),
        ({"username": "daria"}, "This field is required."),
        ({"username": "da\x00ria", "role": "viewer"}, "Null characters are not allowed."),
        ({"username": "d" * 151, "role": "viewer"}, "at most 150 characters"),
    ],
)
def test_it_refuses_a_bad_invitation_with_a_message(owner_client, private_map, student, data, message):
    response = owner_client.post(members_url(private_map), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Membership.objects.exists() and not Change.objects.exists()


def test_it_escapes_an_unknown_html_username_in_its_message(owner_client, private_map):
    response = owner_client.post(members_url(private_map), {"username": "<img src=x onerror=alert(1)>", "role": "viewer"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_it_refuses_to_invite_someone_who_already_has_a_role(owner_client, private_map, student):
    Membership.objects.create(map=private_map, user=student, role=Role.EDITOR)
    response = owner_client.post(members_url(private_map), {"username": "daria", "role": "viewer"})
    assert response.status_code == 400 and "daria is already editor on this map" in response.content.decode()
    assert Membership.objects.get().role == Role.EDITOR


def test_it_refuses_to_invite_the_maps_owner(client, private_map, people, teacher):
    co_owner = people(private_map)["editor"]
    Membership.objects.filter(user=co_owner).update(role=Role.OWNER)
    client.force_login(co_owner)
    response = client.post(members_url(private_map), {"username": "ms-teacher", "role": "viewer"})
    assert response.status_code == 400 and "ms-teacher owns this map already." in response.content.decode()


def test_it_answers_405_to_other_methods(owner_client, private_map, student):
    membership = Membership.objects.create(map=private_map, user=student, role=Role.VIEWER)
    assert owner_client.put(members_url(private_map)).status_code == 405
    assert owner_client.get(role_url(private_map, membership)).status_code == 405
    assert owner_client.get(remove_url(private_map, membership)).status_code == 405


# Changing a role


def test_it_changes_a_role(owner_client, private_map, student, teacher):
    membership = Membership.objects.create(map=private_map, user=student, role=Role.VIEWER)
    response = owner_client.post(role_url(private_map, membership), {"role": "editor"})
    assert response.status_code == 302 and response["Location"] == members_url(private_map)
    membership.refresh_from_db()
    assert membership.role == Role.EDITOR
    change = Change.objects.get()
    assert (change.action, change.actor, change.before, change.after) == (
        Action.EDIT, teacher, {"user": "daria", "role": "viewer"}, {"user": "daria", "role": "editor"})
    assert "daria is now editor on this map." in owner_client.get(members_url(private_map)).content.decode()


def test_it_records_nothing_when_the_role_stays_the_same(owner_client, private_map, student):
    membership = Membership.objects.create(map=private_map, user=student, role=Role.VIEWER)
    assert owner_client.post(role_url(private_map, membership), {"role": "viewer"}).status_code == 302
    assert not Change.objects.exists()


@pytest.mark.parametrize("role", ["", "king", "owner\x00"])
def test_it_refuses_an_unknown_role(owner_client, private_map, student, role):
    membership = Membership.objects.create(map=private_map, user=student, role=Role.VIEWER)
    response = owner_client.post(role_url(private_map, membership), {"role": role})
    assert response.status_code == 400 and "Choose one of the roles" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


def test_it_refuses_to_change_anyones_role_for_a_non_owner(client, private_map, people):
    users = people(private_map)
    viewer_membership = Membership.objects.get(user=users["viewer"])
    client.force_login(users["editor"])
    assert client.post(role_url(private_map, viewer_membership), {"role": "owner"}).status_code == 403
    client.force_login(users["viewer"])
    assert client.post(role_url(private_map, viewer_membership), {"role": "owner"}).status_code == 403
    viewer_membership.refresh_from_db()
    assert viewer_membership.role == Role.VIEWER


def test_it_answers_404_to_a_membership_of_another_map(owner_client, build, private_map, student, outsider):
    elsewhere = Map.objects.create(title="Elsewhere", owner=outsider, visibility=Visibility.PRIVATE)
    foreign = Membership.objects.create(map=elsewhere, user=student, role=Role.VIEWER)
    assert owner_client.post(role_url(private_map, foreign), {"role": "owner"}).status_code == 404
    assert owner_client.post(remove_url(private_map, foreign)).status_code == 404
    assert owner_client.post(f"/maps/{private_map.code}/members/999999/remove/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.role == Role.VIEWER


def test_it_refuses_to_change_the_maps_owner(owner_client, private_map, teacher):
    # A stray row for the owner (made by hand, say) must not let anyone demote them.
    stray = Membership.objects.create(map=private_map, user=teacher, role=Role.VIEWER)
    response = owner_client.post(role_url(private_map, stray), {"role": "viewer"})
    assert response.status_code == 400 and "their role cannot change" in response.content.decode()


def test_it_keeps_an_owner_on_a_map_whose_creator_is_gone(client, private_map, student):
    private_map.owner = None
    private_map.save()
    only_owner = Membership.objects.create(map=private_map, user=student, role=Role.OWNER)
    client.force_login(student)
    response = client.post(role_url(private_map, only_owner), {"role": "viewer"})
    assert response.status_code == 409 and "only owner" in response.content.decode()
    assert client.post(remove_url(private_map, only_owner)).status_code == 409
    only_owner.refresh_from_db()
    assert only_owner.role == Role.OWNER


def test_it_sends_a_co_owner_who_steps_down_back_to_the_map(client, private_map, student):
    co_owner = Membership.objects.create(map=private_map, user=student, role=Role.OWNER)
    client.force_login(student)
    response = client.post(role_url(private_map, co_owner), {"role": "contributor"})
    assert response.status_code == 302 and response["Location"] == private_map.get_absolute_url()
    assert client.get(members_url(private_map)).status_code == 403


# Removing


def test_it_removes_someone_and_records_it(owner_client, client, private_map, student, teacher):
    membership = Membership.objects.create(map=private_map, user=student, role=Role.CONTRIBUTOR)
    response = owner_client.post(remove_url(private_map, membership))
    assert response.status_code == 302 and response["Location"] == members_url(private_map)
    assert not Membership.objects.exists()
    change = Change.objects.get()
    assert (change.action, change.actor, change.target_id) == (Action.DELETE, teacher, membership.pk)
    assert change.before == {"user": "daria", "role": "contributor"}
    assert change.after == {"user": "daria", "role": None}
    assert "daria no longer has a role on this map." in owner_client.get(members_url(private_map)).content.decode()
    client.force_login(student)
    assert client.get(private_map.get_absolute_url()).status_code == 404


def test_it_refuses_to_remove_the_maps_owner(owner_client, private_map, teacher):
    stray = Membership.objects.create(map=private_map, user=teacher, role=Role.OWNER)
    response = owner_client.post(remove_url(private_map, stray))
    assert response.status_code == 400 and "ms-teacher owns this map and cannot be removed." in response.content.decode()
    assert Membership.objects.filter(pk=stray.pk).exists()
    assert owner_client.get(members_url(private_map)).status_code == 200


def test_it_refuses_removal_to_non_owners(client, private_map, people):
    users = people(private_map)
    client.force_login(users["editor"])
    assert client.post(remove_url(private_map, Membership.objects.get(user=users["viewer"]))).status_code == 403
    assert Membership.objects.count() == 3


def test_it_lets_someone_leave_a_private_map_they_co_own(client, private_map, student):
    co_owner = Membership.objects.create(map=private_map, user=student, role=Role.OWNER)
    client.force_login(student)
    response = client.post(remove_url(private_map, co_owner))
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(private_map.get_absolute_url()).status_code == 404


# Demo logins


def test_it_gives_the_demo_people_logins_and_roles(db, settings, client):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_seeds", "--demo-logins", stdout=out)
    demo = Map.objects.get(code="belarus")
    assert demo.owner.username == "ms-novak"
    assert dict(Membership.objects.filter(map=demo).values_list("user__username", "role")) == {
        "ales": "contributor", "daria": "contributor", "tomas": "viewer"}
    assert "Demo logins (password argmap-demo)" in out.getvalue() and "tomas" in out.getvalue()
    for name in ("ms-novak", "ales", "daria", "tomas"):
        assert User.objects.get(username=name).check_password("argmap-demo")
    passwords = list(User.objects.order_by("pk").values_list("password", flat=True))
    call_command("load_seeds", "--demo-logins", stdout=StringIO())
    assert list(User.objects.order_by("pk").values_list("password", flat=True)) == passwords
    assert Membership.objects.filter(map=demo).count() == 3
    response = client.post("/accounts/login/", {"username": "ms-novak", "password": "argmap-demo"})
    assert response.status_code == 302
    assert client.get(members_url(demo)).status_code == 200


def test_it_refuses_demo_logins_outside_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("load_seeds", "--demo-logins", stdout=StringIO())
    assert not Map.objects.exists()


def test_it_leaves_demo_people_without_passwords_by_default(demo_map):
    assert not User.objects.get(username="ales").has_usable_password()
    assert not Membership.objects.filter(map=demo_map).exists()
