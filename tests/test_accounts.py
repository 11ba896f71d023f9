"""Signing up, logging in (with its failed-login limit), creating a map and changing its settings."""

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from argmap import loginlimit
from argmap.models import Map, Visibility
from tests.helpers import LOGIN, log_in_with_password

User = get_user_model()
SIGNUP = "/accounts/signup/"
NEW_MAP = "/maps/new/"
STRONG = "plum-orchard-lantern-42"
TEACHER_PASSWORD = "a-long-teacher-pass"  # see conftest


def sign_up(client, username, password1=STRONG, password2=None, **extra):
    data = {"username": username, "password1": password1, "password2": password1 if password2 is None else password2}
    return client.post(SIGNUP, {**data, **extra})


def signed_in_as(client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).username if user_id else None


# Sign up


def test_it_shows_the_sign_up_form(client, db):
    html = client.get(SIGNUP).content.decode()
    assert "<h1>Sign up</h1>" in html
    assert 'name="username"' in html and 'name="password1"' in html and 'name="password2"' in html
    assert "e-mail" in html  # says none is needed


def test_it_signs_up_and_logs_the_new_user_in(client, db):
    response = sign_up(client, "anna-k")
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(client) == "anna-k"
    assert User.objects.get(username="anna-k").check_password(STRONG)
    assert "Signed in as" in client.get("/").content.decode()


def test_it_follows_a_safe_next_after_signing_up(client, db):
    response = sign_up(client, "anna-k", next="/maps/new/")
    assert response["Location"] == "/maps/new/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_it_ignores_a_next_that_leaves_the_site(client, db, target):
    assert client.get(f"{SIGNUP}?next={target}").context["next"] == ""
    response = sign_up(client, "anna-k", next=target)
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize("target", ["x", "map-list", "maps/new/", "http://testserver/maps/new/", "/\\evil.example",
                                    "/maps/\r\nSet-Cookie: a=b"])
def test_it_follows_only_a_path_on_this_site_as_next(client, db, target):
    """A bare word was taken for a view name: the account was made, then a 500 answered."""
    assert client.get(SIGNUP, {"next": target}).context["next"] == ""
    response = sign_up(client, "anna-k", next=target)
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(client) == "anna-k"


@pytest.mark.parametrize("target", ["x", "map-list", "http://testserver/maps/new/"])
def test_logging_in_and_out_follow_only_a_path_as_next(client, teacher, target):
    response = client.post(f"{LOGIN}?next={target}", {"username": teacher.username, "password": TEACHER_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    response = client.post(LOGIN, {"username": teacher.username, "password": TEACHER_PASSWORD, "next": "/maps/new/"})
    assert response["Location"] == "/maps/new/"
    response = client.post("/accounts/logout/", {"next": target})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize(
    "password, message",
    [
        ("short1", "This password is too short"),
        ("password123", "This password is too common"),
        ("83920175463", "This password is entirely numeric"),
        ("anna-kowalska", "too similar to the username"),
    ],
)
def test_it_refuses_weak_passwords(client, db, password, message):
    response = sign_up(client, "anna-kowalska", password)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.filter(username="anna-kowalska").exists()
    assert signed_in_as(client) is None


def test_it_refuses_passwords_that_differ(client, db):
    response = sign_up(client, "anna-k", STRONG, STRONG + "x")
    assert response.status_code == 400
    assert "two password fields didn’t match" in response.content.decode()
    assert not User.objects.filter(username="anna-k").exists()


@pytest.mark.parametrize("taken", ["ms-teacher", "MS-Teacher"])
def test_it_refuses_a_username_already_taken_in_any_case(client, teacher, taken):
    response = sign_up(client, taken)
    assert response.status_code == 400
    assert "A user with that username already exists." in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "username, message",
    [
        ("", "This field is required."),
        ("anna\x00k", "Null characters are not allowed."),
        ("a" * 151, "Ensure this value has at most 150 characters"),
        ("x" * 100_000, "Ensure this value has at most 150 characters"),
        ("anna k", "Enter a valid username."),
    ],
)
def test_it_refuses_bad_usernames_with_a_message(client, db, username, message):
    response = sign_up(client, username)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.count() == 0


def test_it_refuses_and_escapes_an_html_username(client, db):
    response = sign_up(client, '<script>alert("x")</script>')
    html = response.content.decode()
    assert response.status_code == 400 and "Enter a valid username." in html
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_it_refuses_invalid_utf8_in_a_username_without_crashing(client, db):
    body = f"username=anna%ED%A0%80&password1={STRONG}&password2={STRONG}"
    response = client.post(SIGNUP, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert User.objects.count() == 0


def test_it_refuses_a_nul_byte_in_the_password(client, db):
    response = sign_up(client, "anna-k", STRONG + "\x00")
    assert response.status_code == 400 and "Null characters are not allowed." in response.content.decode()


def test_it_sends_a_signed_in_user_on_from_the_sign_up_page(client, teacher):
    client.force_login(teacher)
    assert client.get(SIGNUP)["Location"] == "/"


def test_it_answers_405_to_other_methods_on_sign_up(client, db):
    assert client.put(SIGNUP).status_code == 405


# Log in and its limit


def fail(client, times, username="ms-teacher", **options):
    return [log_in_with_password(client, username, "wrong-password", **options).status_code for _ in range(times)]


def test_it_logs_in_with_the_right_password(client, teacher):
    response = log_in_with_password(client, "ms-teacher", TEACHER_PASSWORD)
    assert response.status_code == 302 and signed_in_as(client) == "ms-teacher"


def test_it_says_when_the_password_is_wrong(client, teacher):
    response = log_in_with_password(client, "ms-teacher", "wrong-password")
    assert response.status_code == 400
    assert "Please enter a correct username and password" in response.content.decode()
    assert signed_in_as(client) is None


def test_it_locks_a_username_and_address_after_five_failures(client, teacher):
    assert fail(client, 4) == [400] * 4
    response = log_in_with_password(client, "ms-teacher", "wrong-password")
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    # Now even the right password is refused, with the same message.
    response = log_in_with_password(client, "ms-teacher", TEACHER_PASSWORD)
    assert response.status_code == 429
    assert "Try again in 5 minutes." in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert signed_in_as(client) is None


def test_it_lets_other_usernames_from_the_same_address_log_in(client, teacher, outsider):
    fail(client, 5)
    response = log_in_with_password(client, "outsider", "a-long-outsider-pass")
    assert response.status_code == 302 and signed_in_as(client) == "outsider"


def test_it_lets_the_same_username_log_in_from_another_address(client, teacher):
    fail(client, 5, address="10.0.0.1")
    response = log_in_with_password(client, "ms-teacher", TEACHER_PASSWORD, address="10.0.0.2")
    assert response.status_code == 302 and signed_in_as(client) == "ms-teacher"


def test_it_counts_usernames_whatever_their_case(client, teacher):
    fail(client, 5, username="MS-TEACHER")
    assert log_in_with_password(client, "ms-teacher", TEACHER_PASSWORD).status_code == 429


def test_it_does_not_trust_forwarded_for_headers(client, teacher):
    for n in range(5):
        log_in_with_password(client, "ms-teacher", "wrong-password", headers={"X-Forwarded-For": f"192.0.2.{n}"})
    assert log_in_with_password(client, "ms-teacher", TEACHER_PASSWORD, headers={"X-Forwarded-For": "192.0.2.99"}).status_code == 429


def test_it_forgets_failures_after_a_successful_log_in(client, teacher):
    fail(client, 4)
    assert log_in_with_password(client, "ms-teacher", TEACHER_PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    assert fail(client, 4) == [400] * 4
    assert log_in_with_password(client, "ms-teacher", TEACHER_PASSWORD).status_code == 302


def test_it_limits_unknown_usernames_too(client, db):
    assert fail(client, 5, username="nobody")[-1] == 429


@pytest.mark.parametrize("username", ["a\x00b", "x" * 10_000])
def test_it_refuses_odd_usernames_at_login_without_crashing(client, db, username):
    response = log_in_with_password(client, username, TEACHER_PASSWORD)
    assert response.status_code == 400


def fail_at(moment: float, username="ms-teacher", address="10.0.0.9") -> bool | None:
    """One wrong password at `moment`, as the log-in form does it: None if refused unchecked,
    else whether this failure locked the pair."""
    if not loginlimit.begin_login(username, address, now=moment):
        return None
    return loginlimit.note_failure(username, address, now=moment)


@pytest.mark.django_db
def test_it_unlocks_a_pair_after_the_lockout():
    start = 1_000_000.0
    assert [fail_at(start + n) for n in range(5)] == [False] * 4 + [True]
    assert fail_at(start + 5) is None
    assert loginlimit.seconds_locked("ms-teacher", "10.0.0.9", now=start + 4) == 300
    assert loginlimit.seconds_locked("ms-teacher", "10.0.0.9", now=start + 4 + 301) == 0
    assert fail_at(start + 4 + 301) is False  # five tries again


@pytest.mark.django_db
def test_it_only_counts_failures_within_the_window():
    now = time.time()
    for n in range(4):
        assert fail_at(now - 20 * 60 + n) is False
    # Four old failures have aged out of the 15-minute window: this is the first that counts.
    for n in range(4):
        assert fail_at(now + n) is False
    assert fail_at(now + 5) is True


@pytest.mark.django_db(transaction=True)
def test_it_checks_at_most_five_passwords_for_twenty_simultaneous_log_ins(teacher):
    # Twenty requests released together, each on its own database connection, as from several
    # server processes: five reach the password check (four answer 400; the fifth failure locks
    # the pair and answers 429 itself), fifteen are refused unchecked (429).
    statuses: list = [None] * 20
    barrier = threading.Barrier(20)

    def guess(n: int) -> None:
        try:
            client = Client()
            barrier.wait(timeout=30)
            statuses[n] = log_in_with_password(client, "ms-teacher", f"guess-{n}").status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses.count(400) == 4 and statuses.count(429) == 16, statuses
    assert log_in_with_password(Client(), "ms-teacher", TEACHER_PASSWORD).status_code == 429  # even the right password, until the lock ends


def test_it_reads_the_limits_from_settings(client, teacher, settings):
    settings.ARGMAP_LOGIN_FAILURES = 2
    assert fail(client, 2) == [400, 429]


# New map


def test_it_sends_anonymous_visitors_to_log_in_before_making_a_map(client, db):
    response = client.get(NEW_MAP)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/maps/new/")
    assert client.post(NEW_MAP, {"title": "x", "visibility": "public"}).status_code == 302
    assert Map.objects.count() == 0


def test_it_shows_the_new_map_form(client, teacher):
    client.force_login(teacher)
    html = client.get(NEW_MAP).content.decode()
    assert "<h1>New map</h1>" in html and "Question or motion" in html
    assert "Private (only people given a role)" in html


def test_it_makes_the_creator_the_owner_of_a_new_map(client, teacher, outsider):
    client.force_login(teacher)
    response = client.post(NEW_MAP, {"title": "Is homework useful?", "question": "Should we ban it?",
                                      "visibility": "private"})
    map_ = Map.objects.get()
    assert response.status_code == 302 and response["Location"] == map_.get_absolute_url()
    assert (map_.owner, map_.title, map_.question, map_.visibility) == (
        teacher, "Is homework useful?", "Should we ban it?", Visibility.PRIVATE)
    page = client.get(map_.get_absolute_url()).content.decode()
    assert "Is homework useful?" in page and "/members/" in page and "/settings/" in page
    client.force_login(outsider)
    assert client.get(map_.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    "data, message",
    [
        ({"title": "", "visibility": "public"}, "This field is required."),
        ({"title": "   ", "visibility": "public"}, "This field is required."),
        ({"title": "x" * 201, "visibility": "public"}, "at most 200 characters"),
        ({"title": "ok", "question": "q" * 2001, "visibility": "public"}, "at most 2000 characters"),
        ({"title": "a\x00b", "visibility": "public"}, "Null characters are not allowed."),
        ({"title": "ok", "question": "a\x00b", "visibility": "public"}, "Null characters are not allowed."),
        ({"title": "ok", "visibility": "secret"}, "Select a valid choice."),
        ({"title": "ok"}, "This field is required."),
    ],
)
def test_it_refuses_a_bad_new_map_with_a_message(client, teacher, data, message):
    client.force_login(teacher)
    response = client.post(NEW_MAP, data)
    assert response.status_code == 400 and message in response.content.decode()
    assert Map.objects.count() == 0


def test_it_escapes_html_in_a_new_maps_title(client, teacher):
    client.force_login(teacher)
    client.post(NEW_MAP, {"title": "<b>Bold</b><script>x()</script>", "visibility": "public"})
    map_ = Map.objects.get()
    for url in ("/", map_.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "<script>x()" not in html and "&lt;script&gt;x()" in html


def test_it_survives_invalid_utf8_in_a_new_map(client, teacher):
    client.force_login(teacher)
    response = client.post(NEW_MAP, "title=A%ED%A0%80B&visibility=public", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302
    assert Map.objects.get().title == "A\ufffd\ufffd\ufffdB"


def test_it_lists_a_new_map_under_your_maps(client, teacher, build):
    other = build(Visibility.PUBLIC).map
    other.owner = None
    other.title = "Somebody else's map"
    other.save()
    client.force_login(teacher)
    client.post(NEW_MAP, {"title": "My own map", "visibility": "private"})
    html = client.get("/").content.decode()
    assert html.index("Your maps") < html.index("My own map") < html.index("Other maps") < html.index(
        "Somebody else&#x27;s map")
    assert "you own it" in html


# Map settings


def settings_url(map_):
    return f"/maps/{map_.code}/settings/"


def test_it_lets_the_owner_change_the_settings(client, build, teacher):
    map_ = build(Visibility.PRIVATE).map
    client.force_login(teacher)
    assert "Map settings" in client.get(settings_url(map_)).content.decode()
    response = client.post(settings_url(map_), {"title": "Renamed", "question": "New question?",
                                                "visibility": "unlisted"})  # viewers_can_comment unticked
    assert response.status_code == 302 and response["Location"] == settings_url(map_)
    map_.refresh_from_db()
    assert (map_.title, map_.question, map_.visibility, map_.viewers_can_comment) == (
        "Renamed", "New question?", Visibility.UNLISTED, False)
    assert "Settings saved." in client.get(settings_url(map_)).content.decode()


def test_it_keeps_the_settings_when_the_form_is_bad(client, build, teacher):
    map_ = build(Visibility.PRIVATE).map
    client.force_login(teacher)
    response = client.post(settings_url(map_), {"title": "", "visibility": "public", "viewers_can_comment": "on"})
    html = response.content.decode()
    assert response.status_code == 400 and "This field is required." in html
    assert "Back to the map “Test map”" in html  # the header still names the saved title
    map_.refresh_from_db()
    assert (map_.title, map_.visibility) == ("Test map", Visibility.PRIVATE)


@pytest.mark.parametrize("role", ["editor", "contributor", "viewer"])
def test_it_refuses_the_settings_to_people_who_do_not_own_the_map(client, build, people, role):
    map_ = build(Visibility.PRIVATE).map
    client.force_login(people(map_)[role])
    assert client.get(settings_url(map_)).status_code == 403
    response = client.post(settings_url(map_), {"title": "Taken over", "visibility": "public"})
    assert response.status_code == 403
    map_.refresh_from_db()
    assert map_.title == "Test map"


def test_it_hides_a_private_maps_settings_from_outsiders(client, build, outsider):
    map_ = build(Visibility.PRIVATE).map
    client.force_login(outsider)
    assert client.get(settings_url(map_)).status_code == 404
    assert client.get("/maps/no-such-map/settings/").status_code == 404


def test_it_refuses_a_public_maps_settings_to_outsiders(client, build, outsider):
    map_ = build(Visibility.PUBLIC).map
    client.force_login(outsider)
    assert client.post(settings_url(map_), {"title": "x", "visibility": "private"}).status_code == 403


def test_it_sends_anonymous_visitors_to_log_in_for_settings(client, build):
    map_ = build(Visibility.PUBLIC).map
    assert client.get(settings_url(map_))["Location"].startswith("/accounts/login/")


def test_it_shows_owner_links_only_to_owners(client, build, people):
    map_ = build(Visibility.PUBLIC).map
    users = people(map_)
    client.force_login(users["owner"])
    assert settings_url(map_) in client.get(map_.get_absolute_url()).content.decode()
    client.force_login(users["editor"])
    assert settings_url(map_) not in client.get(map_.get_absolute_url()).content.decode()


# Limits on sign-up and look-alike usernames


def sign_up_from(address, username, **extra):
    data = {"username": username, "password1": STRONG, "password2": STRONG, **extra}
    return Client().post(SIGNUP, data, REMOTE_ADDR=address)


def test_it_lets_a_class_of_sixty_sign_up_from_one_address_and_refuses_the_next(db):
    for n in range(60):
        assert sign_up_from("10.0.0.7", f"pupil-{n}").status_code == 302
    response = sign_up_from("10.0.0.7", "pupil-60")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Too many accounts have been made from your network" in response.content.decode()
    assert not User.objects.filter(username="pupil-60").exists()
    # Another address is not held up.
    assert sign_up_from("10.0.0.8", "pupil-60").status_code == 302


def test_it_limits_sign_ups_with_a_class_code_too(client, teacher, settings):
    from argmap.classroom import accounts as class_accounts

    settings.ARGMAP_SIGNUP_LIMIT = 2
    school_class = class_accounts.create_class("7B", "UTC", teacher)
    statuses = [sign_up_from("10.0.0.7", f"pupil-{n}", code=school_class.join_code).status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert school_class.enrolments.count() == 3  # the teacher and two students


@pytest.mark.parametrize(
    "lookalike",
    [
        "t\u043emas",  # a Cyrillic о
        "to\u0301mas",  # o and a combining accent (stored as ó)
        "tómas",
        "TOMAS",  # only the case differs
        "\uff54\uff4f\uff4d\uff41\uff53",  # full-width letters, the same name once normalised
        "\u0442\u043e\u043c\u0430s",  # Cyrillic т, о, м, а
    ],
)
def test_it_refuses_a_username_that_looks_like_a_taken_one(client, db, lookalike):
    User.objects.create_user("tomas", password=STRONG)
    response = sign_up(client, lookalike)
    assert response.status_code == 400
    html = response.content.decode()
    assert "looks the same already exists" in html or "A user with that username already exists." in html
    assert User.objects.count() == 1


@pytest.mark.parametrize("username", ["imported-tomas", "Imported-Anna", "\u0456mported-anna"])
def test_it_refuses_usernames_kept_for_import_placeholders(client, db, username):
    response = sign_up(client, username)
    assert response.status_code == 400
    assert "are kept for people named in imported maps" in response.content.decode()
    assert User.objects.count() == 0
