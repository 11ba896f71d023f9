"""The class pages as teachers, co-teachers, students, outsiders and anonymous visitors see them:
the list, a new class, a class's page and its actions, joining with a code (also while signing up
or logging in), the sheet of one-time passwords, and the forced password change at first login."""

import re
from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from argmap.classroom import accounts
from argmap.models import AccountSetup, ClassRole, Enrolment, SchoolClass
from argmap.models import Map, Membership, Node, Role, Visibility
from tests.conftest import PASSWORD
from tests.helpers import log_in_with_password

User = get_user_model()
NEW_PASSWORD = "plum-orchard-lantern-42"


def url(school_class, action=""):
    return f"/classes/{school_class.pk}/{action}"


def student_url(school_class, student, action):
    return f"/classes/{school_class.pk}/students/{student.pk}/{action}/"


@pytest.fixture
def l(lesson):
    """A class (teacher ms-teacher, a co-teacher, student-1 and student-2) with one exercise."""
    return lesson()


def as_(client, user):
    client.force_login(user)
    return client


def enrolled(school_class) -> dict[str, str]:
    return dict(Enrolment.objects.filter(school_class=school_class).values_list("user__username", "role"))


def post_names(client, school_class, names):
    return client.post(url(school_class, "students/add/"), {"names": names})


def teacher_actions(l):
    """Every teacher-only POST, with data that would change something."""
    s1 = l.students[0]
    return {
        "students/add/": {"names": "New Pupil"},
        f"students/{s1.pk}/reset/": {},
        f"students/{s1.pk}/remove/": {},
        "teachers/add/": {"username": "outsider"},
        f"teachers/{l.co_teacher.pk}/remove/": {},
        f"teachers/{l.teacher.pk}/remove/": {},
        "settings/": {"name": "Renamed", "time_zone": "UTC"},
        "joining/": {},
        "code/": {},
    }


def state(l):
    """What the teacher-only actions would change."""
    school_class = SchoolClass.objects.get(pk=l.school_class.pk)
    return (enrolled(school_class), school_class.name, school_class.time_zone, school_class.join_code,
            school_class.joining_open,
            User.objects.get(pk=l.students[0].pk).password, AccountSetup.objects.count(), User.objects.count())


# Who may do what


def test_it_sends_anonymous_visitors_to_log_in_and_changes_nothing(client, l, outsider):
    before = state(l)
    for get in ("/classes/", "/classes/new/", url(l.school_class), url(l.school_class, "students/sheet/"), "/join/"):
        response = client.get(get)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next="), get
    for action, data in teacher_actions(l).items():
        response = client.post(url(l.school_class, action), data)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), action
    assert client.post("/join/", {"code": l.school_class.join_code}).status_code == 302
    assert state(l) == before


def test_it_hides_a_class_from_outsiders(client, l, outsider):
    as_(client, outsider)
    before = state(l)
    assert client.get(url(l.school_class)).status_code == 404
    assert client.get(url(l.school_class, "students/sheet/")).status_code == 404
    for action, data in teacher_actions(l).items():
        assert client.post(url(l.school_class, action), data).status_code == 404, action
    assert client.get("/classes/999999/").status_code == 404
    assert state(l) == before


def test_it_refuses_the_teachers_actions_to_students(client, l):
    as_(client, l.students[1])
    before = state(l)
    assert client.get(url(l.school_class, "students/sheet/")).status_code == 403
    for action, data in teacher_actions(l).items():
        assert client.post(url(l.school_class, action), data).status_code == 403, action
    assert state(l) == before


def test_it_answers_405_to_a_get_on_the_actions(client, l):
    as_(client, l.teacher)
    for action in teacher_actions(l):
        assert client.get(url(l.school_class, action)).status_code == 405, action
    assert client.post("/classes/").status_code == 405
    assert client.post(url(l.school_class)).status_code == 405


# The list of classes


def test_it_lists_ones_classes_as_teacher_and_as_student_separately(client, l, outsider):
    other = accounts.create_class("Chess club", "UTC", outsider)
    accounts.join(other.join_code, l.teacher)
    as_(client, l.teacher)
    html = client.get("/classes/").content.decode()
    assert html.index("Classes you teach") < html.index("Year 11 debate") < html.index("Classes you are in")
    assert html.index("Classes you are in") < html.index("Chess club")
    assert "2 students" in html


def test_students_see_only_their_classes(client, l, outsider):
    accounts.create_class("Secret seminar", "UTC", outsider)
    as_(client, l.students[0])
    html = client.get("/classes/").content.decode()
    assert "Year 11 debate" in html and "Secret seminar" not in html
    assert "None yet" in html  # teaches nothing
    secret = SchoolClass.objects.get(name="Secret seminar")
    assert client.get(url(secret)).status_code == 404


def test_it_links_the_classes_from_the_header_for_signed_in_people_only(client, l):
    assert 'href="/classes/"' not in client.get("/").content.decode()
    as_(client, l.students[0])
    assert re.search(r'<a href="/classes/"[^>]*>Classes</a>', client.get("/").content.decode())


# A new class


def test_it_shows_the_new_class_form_with_a_time_zone_chosen(client, teacher):
    html = as_(client, teacher).get("/classes/new/").content.decode()
    assert "<h1>New class</h1>" in html
    assert '<option value="Europe/Minsk" selected>Europe/Minsk</option>' in html
    assert '<option value="America/Argentina/Buenos_Aires">America/Argentina/Buenos Aires</option>' in html


def test_any_signed_in_person_creates_a_class_and_teaches_it(client, outsider):
    response = as_(client, outsider).post("/classes/new/", {"name": "Debate 9A", "time_zone": "Europe/Warsaw"})
    school_class = SchoolClass.objects.get()
    assert response.status_code == 302 and response["Location"] == url(school_class)
    assert school_class.time_zone == "Europe/Warsaw" and enrolled(school_class) == {"outsider": "teacher"}
    html = client.get(url(school_class)).content.decode()
    assert "Class “Debate 9A” created." in html and school_class.join_code in html


def bad_class_fields(good_name: str) -> list[tuple[dict, str]]:
    """The class form's bad inputs and what it says about each (`good_name` where only the zone is wrong)."""
    return [
        ({"name": "", "time_zone": "UTC"}, "This field is required."),
        ({"name": "   ", "time_zone": "UTC"}, "This field is required."),
        ({"name": "x" * 121, "time_zone": "UTC"}, "at most 120 characters"),
        ({"name": "a\x00b", "time_zone": "UTC"}, "Null characters are not allowed."),
        ({"name": good_name, "time_zone": "Mars/Olympus"}, "Select a valid choice."),
        ({"name": good_name}, "This field is required."),
    ]


@pytest.mark.parametrize("data, message", bad_class_fields("Debate"))
def test_it_refuses_a_bad_new_class_with_a_message(client, teacher, data, message):
    response = as_(client, teacher).post("/classes/new/", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not SchoolClass.objects.exists()


def test_it_escapes_a_class_name_everywhere(client, teacher, outsider):
    as_(client, teacher).post("/classes/new/", {"name": "<script>alert(1)</script>", "time_zone": "UTC"})
    school_class = SchoolClass.objects.get()
    post_names(client, school_class, "Anna")
    pages = [client.get(url(school_class, "students/sheet/")), client.get("/classes/"), client.get(url(school_class))]
    as_(client, outsider)
    pages.append(client.get(f"/join/{school_class.join_code}/"))
    pages.append(client.post("/join/", {"code": school_class.join_code}, follow=True))
    for response in pages:
        html = response.content.decode()
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html, response.request


# The class page


def test_teachers_and_co_teachers_see_the_code_students_and_actions(client, l):
    accounts.bulk_create_students(l.school_class, "Anna", l.teacher)
    for teacher in (l.teacher, l.co_teacher):
        html = as_(client, teacher).get(url(l.school_class)).content.decode()
        code = l.school_class.join_code
        assert f'<p class="join-code"><span class="visually-hidden">Join code: </span>{code}</p>' in html
        assert f"http://testserver/join/{l.school_class.join_code}/" in html
        assert "Reset password<span class=\"visually-hidden\"> of anna<" in html
        for student in l.students:
            assert f"Remove<span class=\"visually-hidden\"> {student.username}" in html
        assert "Remove<span class=\"visually-hidden\"> ms-teacher" not in html
        assert l.co_teacher.username in html and "(you)" in html
        assert "Is Lukashenko hedging?" in html and "Times are in Europe/Minsk" in html
        assert f'href="/exercises/{l.exercise.pk}/"' in html
        assert f'href="/classes/{l.school_class.pk}/exercises/new/">New exercise</a>' in html


def test_students_see_the_class_its_teachers_and_exercises_but_not_the_code_or_classmates(client, l):
    html = as_(client, l.students[0]).get(url(l.school_class)).content.decode()
    assert "<h1>Year 11 debate</h1>" in html and "Is Lukashenko hedging?" in html
    assert "Taught by" in html and "ms-teacher" in html and l.co_teacher.username in html
    assert l.school_class.join_code not in html and "student-2" not in html and "Reset password" not in html
    assert f'href="/exercises/{l.exercise.pk}/"' in html and "New exercise" not in html


def test_it_shows_the_exercise_times_in_the_classes_zone(client, l):
    l.exercise.opens_at = datetime(2030, 1, 6, 6, 30, tzinfo=dt_timezone.utc)
    l.exercise.closes_at = datetime(2030, 1, 6, 8, 0, tzinfo=dt_timezone.utc)
    l.exercise.save()
    html = as_(client, l.students[0]).get(url(l.school_class)).content.decode()
    assert "opens 6 Jan 2030, 09:30, closes 6 Jan 2030, 11:00" in html and "not yet open" in html


def test_the_class_page_does_not_grow_queries_with_the_class(client, l, django_assert_max_num_queries):
    as_(client, l.teacher)
    with CaptureQueriesContext(connection) as small:
        client.get(url(l.school_class))
    accounts.bulk_create_students(l.school_class, "\n".join(f"Pupil {n}" for n in range(60)), l.teacher)
    with django_assert_max_num_queries(len(small)):
        html = client.get(url(l.school_class)).content.decode()
    assert html.count("Reset password<span") == 60  # the accounts the class made; not the two who joined
    as_(client, l.students[0])
    with django_assert_max_num_queries(6):
        client.get(url(l.school_class))
    with django_assert_max_num_queries(5):
        client.get("/classes/")


# Joining with a code


def test_it_joins_a_class_with_a_typed_code(client, l, outsider):
    code = l.school_class.join_code
    response = as_(client, outsider).post("/join/", {"code": f" {code[:3].lower()}-{code[3:]} "})
    assert response.status_code == 302 and response["Location"] == url(l.school_class)
    assert enrolled(l.school_class)["outsider"] == ClassRole.STUDENT
    assert "You joined “Year 11 debate”." in client.get(response["Location"]).content.decode()


def test_it_says_clearly_why_a_code_does_not_work_and_changes_nothing(client, l, outsider):
    as_(client, outsider)
    before = enrolled(l.school_class)
    response = client.post("/join/", {"code": "NOPE234"})
    assert response.status_code == 400 and "No class has the code “NOPE234”" in response.content.decode()
    response = client.post("/join/", {"code": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    accounts.set_joining(l.school_class, open_=False)
    response = client.post("/join/", {"code": l.school_class.join_code})
    assert response.status_code == 403 and "is not taking new students just now" in response.content.decode()
    SchoolClass.objects.filter(pk=l.school_class.pk).update(
        joining_open=True, join_code_expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post("/join/", {"code": l.school_class.join_code})
    assert response.status_code == 403 and "has expired. Ask your teacher for a new one." in response.content.decode()
    assert enrolled(l.school_class) == before


def test_joining_twice_says_so_and_changes_nothing(client, l):
    as_(client, l.students[0])
    before = enrolled(l.school_class)
    response = client.post("/join/", {"code": l.school_class.join_code})
    assert response.status_code == 409 and "You are already in “Year 11 debate”." in response.content.decode()
    response = client.post(f"/join/{l.school_class.join_code}/")
    assert response.status_code == 409 and "You are already in this class." in response.content.decode()
    assert enrolled(l.school_class) == before


def test_the_join_link_asks_a_signed_in_person_to_confirm(client, l, outsider):
    link = f"/join/{l.school_class.join_code.lower()}/"
    html = as_(client, outsider).get(link).content.decode()
    assert "Join “Year 11 debate”" in html and "signed in as <strong>outsider</strong>" in html
    assert "outsider" not in enrolled(l.school_class)  # a GET joins no one
    response = client.post(link)
    assert response.status_code == 302 and enrolled(l.school_class)["outsider"] == ClassRole.STUDENT


def test_the_join_link_tells_members_they_are_in_even_once_joining_closed(client, l):
    accounts.set_joining(l.school_class, open_=False)
    html = as_(client, l.co_teacher).get(f"/join/{l.school_class.join_code}/").content.decode()
    assert "You are already a teacher of this class." in html and url(l.school_class) in html


def test_the_join_link_offers_anonymous_visitors_to_sign_up_or_log_in_with_the_code(client, l):
    code = l.school_class.join_code
    html = client.get(f"/join/{code}/").content.decode()
    assert "Join “Year 11 debate”" in html
    assert f'href="/accounts/signup/?code={code}"' in html and f'href="/accounts/login/?code={code}"' in html
    response = client.post(f"/join/{code}/")
    assert response.status_code == 302 and response["Location"] == f"/accounts/login/?code={code}"


@pytest.mark.parametrize("code, status", [("NOPE234", 400), ("x" * 300, 400), ("%3Cscript%3E", 400)])
def test_the_join_link_with_a_wrong_code_says_so(client, l, code, status):
    response = client.get(f"/join/{code}/")
    assert response.status_code == status and "No class has the code" in response.content.decode()


def test_it_signs_up_and_joins_with_a_code(client, l):
    code = l.school_class.join_code
    form = client.get(f"/accounts/signup/?code={code.lower()}").content.decode()
    assert "Class code" in form and f'value="{code}"' in form
    response = client.post("/accounts/signup/", {"username": "new-pupil", "password1": NEW_PASSWORD,
                                                 "password2": NEW_PASSWORD, "code": code.lower()})
    assert response.status_code == 302 and response["Location"] == url(l.school_class)
    assert enrolled(l.school_class)["new-pupil"] == ClassRole.STUDENT
    assert "Welcome! You joined “Year 11 debate”." in client.get(response["Location"]).content.decode()


def test_the_sign_up_page_sends_a_signed_in_person_with_a_code_to_the_join_link(client, l, outsider):
    response = as_(client, outsider).get(f"/accounts/signup/?code={l.school_class.join_code.lower()}")
    assert response["Location"] == f"/join/{l.school_class.join_code}/"
    assert as_(client, outsider).get("/accounts/signup/?code=a/b%2F..")["Location"] == "/join/AB/"


def test_it_signs_up_without_a_code_as_before(client, l):
    response = client.post("/accounts/signup/", {"username": "anna", "password1": NEW_PASSWORD,
                                                 "password2": NEW_PASSWORD, "code": "  "})
    assert response.status_code == 302 and response["Location"] == "/"
    assert not Enrolment.objects.filter(user__username="anna").exists()


@pytest.mark.parametrize("closed", [False, True])
def test_it_refuses_a_sign_up_with_a_wrong_or_closed_code_and_makes_no_account(client, l, closed):
    code = "NOPE234"
    if closed:
        accounts.set_joining(l.school_class, open_=False)
        code = l.school_class.join_code
    response = client.post("/accounts/signup/", {"username": "new-pupil", "password1": NEW_PASSWORD,
                                                 "password2": NEW_PASSWORD, "code": code})
    html = response.content.decode()
    assert response.status_code == 400
    assert ("not taking new students" if closed else "No class has the code “NOPE234”") in html
    assert not User.objects.filter(username="new-pupil").exists()


def test_it_logs_in_and_joins_with_a_code(client, l, outsider):
    code = l.school_class.join_code
    page = client.get(f"/accounts/login/?code={code.lower()}").content.decode()
    assert f'<input type="hidden" name="code" value="{code}">' in page
    assert f'href="/accounts/signup/?code={code}"' in page
    response = log_in_with_password(client, "outsider", "a-long-outsider-pass", code=code)
    assert response.status_code == 302 and response["Location"] == url(l.school_class)
    assert enrolled(l.school_class)["outsider"] == ClassRole.STUDENT


def test_logging_in_with_a_wrong_code_logs_in_and_says_why_it_did_not_join(client, l, outsider):
    response = log_in_with_password(client, "outsider", "a-long-outsider-pass", code="NOPE234")
    assert response.status_code == 302 and response["Location"] == "/join/"
    html = client.get("/join/").content.decode()
    assert 'role="alert">No class has the code “NOPE234”' in html
    assert client.session.get("_auth_user_id") == str(outsider.pk)


def test_logging_in_with_the_code_of_ones_own_class_goes_to_it(client, l):
    response = log_in_with_password(client, "student-1", PASSWORD, code=l.school_class.join_code)
    assert response["Location"] == url(l.school_class)
    assert "You are already in “Year 11 debate”." in client.get(url(l.school_class)).content.decode()


# Accounts from a list of names, and the sheet


def test_it_makes_accounts_from_names_and_shows_their_passwords_once(client, l):
    as_(client, l.teacher)
    response = post_names(client, l.school_class, "Анна Ковалёва\n\nBoris Novak\n")
    assert response.status_code == 302 and response["Location"] == url(l.school_class, "students/sheet/")
    sheet = client.get(response["Location"])
    html = sheet.content.decode()
    assert "no-store" in sheet["Cache-Control"]
    assert "shown only this once" in html and "http://testserver/accounts/login/" in html
    passwords = re.findall(r'One-time password</dt><dd class="slip-secret">([a-z0-9]{10})</dd>', html)
    assert len(passwords) == 2
    assert "Анна Ковалёва" in html and "anna-kovaleva" in html and "boris-novak" in html
    assert User.objects.get(username="anna-kovaleva").check_password(passwords[0])
    assert enrolled(l.school_class)["boris-novak"] == ClassRole.STUDENT
    # Gone from the session, and not shown again.
    assert not any(key.startswith("argmap_class_sheet") for key in client.session.keys())
    again = client.get(url(l.school_class, "students/sheet/")).content.decode()
    assert passwords[0] not in again and "There are no passwords to show" in again
    # The class page says they still have to choose a password.
    assert "One-time: not yet changed" in client.get(url(l.school_class)).content.decode()


@pytest.mark.parametrize(
    "names, message, status",
    [
        ("Anna K\nBoris\nanna  k", "These names are in the list more than once: “Anna K”", 400),
        ("student 1\n", "", 302),  # a name like a username is fine
        ("", "This field is required.", 400),
        ("\n \n", "This field is required.", 400),
        ("\n".join(f"Pupil {n}" for n in range(201)), "At most 200 names at a time", 400),
        ("Anna\n" + "B" * 101, "A name has at most 100 characters", 400),
        ("x" * 21_000, "Ensure this value has at most", 400),
        ("Anna\x00", "Null characters are not allowed.", 400),
    ],
)
def test_it_refuses_a_bad_list_of_names_and_makes_nothing(client, l, names, message, status):
    as_(client, l.teacher)
    users = User.objects.count()
    response = post_names(client, l.school_class, names)
    assert response.status_code == status and message in response.content.decode()
    if status == 400:
        assert User.objects.count() == users and "students/add" in response.content.decode()


def test_a_co_teacher_makes_accounts_and_numbers_clashing_usernames(client, l):
    User.objects.create_user("anna")
    as_(client, l.co_teacher)
    post_names(client, l.school_class, "Anna\nÁnna")
    html = client.get(url(l.school_class, "students/sheet/")).content.decode()
    assert "anna-2" in html and "anna-3" in html


def test_the_sheet_is_for_the_teacher_who_made_the_accounts(client, l):
    as_(client, l.teacher)
    post_names(client, l.school_class, "Anna")
    as_(client, l.co_teacher)
    assert "There are no passwords to show" in client.get(url(l.school_class, "students/sheet/")).content.decode()


# Resetting passwords and the first login


def class_made(l, name="Anna"):
    """An account the class made from its list of names, whose owner has since chosen PASSWORD."""
    [account] = accounts.bulk_create_students(l.school_class, name, l.teacher)
    user = User.objects.get(username=account.username)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    accounts.clear_password_setup(user)
    return user


def test_a_reset_student_must_choose_a_password_at_the_next_login(client, l):
    student = class_made(l)
    as_(client, l.teacher)
    response = client.post(student_url(l.school_class, student, "reset"))
    assert response.status_code == 302 and response["Location"] == url(l.school_class, "students/sheet/")
    html = client.get(response["Location"]).content.decode()
    [one_time] = re.findall(r'One-time password</dt><dd class="slip-secret">([a-z0-9]{10})</dd>', html)
    client.logout()

    assert log_in_with_password(client, "anna", PASSWORD).status_code == 400  # the old password is gone
    response = log_in_with_password(client, "anna", one_time)
    assert response.status_code == 302 and response["Location"] == "/"
    # Every page sends them to choose a password first.
    for page in ("/", "/classes/", url(l.school_class), f"/maps/{l.map.code}/"):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/password/set/"), page
    assert client.get("/classes/")["Location"] == "/accounts/password/set/?next=%2Fclasses%2F"
    htmx = client.get(url(l.school_class), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"].startswith("/accounts/password/set/")
    assert client.post("/join/", {"code": "X"})["Location"] == "/accounts/password/set/"

    page = client.get("/accounts/password/set/")
    assert page.status_code == 200 and "Choose your password" in page.content.decode()
    weak = client.post("/accounts/password/set/", {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 400 and "This password is too common" in weak.content.decode()
    response = client.post("/accounts/password/set/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    # Where they were going: the default landing page, so their class.
    assert response.status_code == 302 and response["Location"] == url(l.school_class)
    assert "Your password is set" in client.get(response["Location"]).content.decode()
    assert client.get("/").status_code == 200  # still signed in, free to go anywhere
    assert not AccountSetup.objects.get(user=student).must_set_password
    client.logout()
    assert log_in_with_password(client, "anna", one_time).status_code == 400
    assert log_in_with_password(client, "anna", NEW_PASSWORD).status_code == 302
    assert client.get("/classes/").status_code == 200


def test_a_reset_signs_the_student_out_everywhere(client, l):
    student = class_made(l)
    log_in_with_password(client, "anna", PASSWORD)
    assert client.get(url(l.school_class)).status_code == 200
    accounts.reset_password(student, l.teacher)
    response = client.get(url(l.school_class))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_after_choosing_a_password_one_goes_where_one_was_going(client, l):
    [account] = accounts.bulk_create_students(l.school_class, "Anna", l.teacher)
    log_in_with_password(client, account.username, account.password)
    target = client.get("/classes/")["Location"]
    assert client.get(target).status_code == 200
    response = client.post(target, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == "/classes/"


@pytest.mark.parametrize("target", ["x", "class-list", "http://testserver/classes/"])
def test_the_password_page_follows_only_a_path_as_next(client, l, target):
    """A link anyone can send (…/password/set/?next=x) answered a 500 for most people."""
    as_(client, l.students[0])
    response = client.get("/accounts/password/set/", {"next": target})
    assert response.status_code == 302 and response["Location"] == "/"
    [account] = accounts.bulk_create_students(l.school_class, "Anna", l.teacher)
    log_in_with_password(client, account.username, account.password)
    assert 'name="next"' not in client.get("/accounts/password/set/", {"next": target}).content.decode()
    response = client.post(f"/accounts/password/set/?next={target}",
                           {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, "next": target})
    assert response.status_code == 302 and response["Location"] == url(l.school_class)
    assert not AccountSetup.objects.get(user__username=account.username).must_set_password


def test_a_flagged_person_may_still_log_out(client, l):
    [account] = accounts.bulk_create_students(l.school_class, "Anna", l.teacher)
    log_in_with_password(client, account.username, account.password)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_the_password_page_is_only_for_those_who_must_choose_one(client, l):
    as_(client, l.students[0])
    response = client.get("/accounts/password/set/")
    assert response.status_code == 302 and response["Location"] == "/"
    client.post("/accounts/password/set/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert User.objects.get(pk=l.students[0].pk).check_password(PASSWORD)  # unchanged
    client.logout()
    assert client.get("/accounts/password/set/")["Location"].startswith("/accounts/login/")


def test_the_first_login_check_costs_no_query(l, settings):
    """The same pages with and without the middleware take the same number of queries."""
    [account] = accounts.bulk_create_students(l.school_class, "Anna", l.teacher)

    def counts():
        client = Client()  # a new client loads the middleware as it is set now
        result = []
        for who in (None, l.students[0]):
            client.logout()
            if who:
                log_in_with_password(client, who.username, PASSWORD)
            for page in ("/", url(l.school_class)):
                with CaptureQueriesContext(connection) as queries:
                    client.get(page)
                result.append(len(queries))
        client.logout()
        log_in_with_password(client, account.username, account.password)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(l.school_class))
        return result, (response.status_code, len(queries))

    with_check, (status, flagged) = counts()
    assert status == 302 and flagged == 1  # the session and nothing else
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("PasswordSetupMiddleware")]
    without_check, (status, _) = counts()
    assert status == 200
    assert with_check == without_check


def test_teachers_cannot_reset_a_co_teachers_password_or_another_classes_student(client, l, outsider):
    other = accounts.create_class("Other", "UTC", outsider)
    stranger = User.objects.create_user("stranger", password=PASSWORD)
    accounts.join(other.join_code, stranger)
    as_(client, l.teacher)
    for person in (l.co_teacher, stranger, l.teacher):
        assert client.post(student_url(l.school_class, person, "reset")).status_code == 404
        assert client.post(student_url(l.school_class, person, "remove")).status_code == 404
    assert client.post(student_url(other, stranger, "reset")).status_code == 404
    assert User.objects.get(pk=stranger.pk).check_password(PASSWORD)
    assert User.objects.get(pk=l.co_teacher.pk).check_password(PASSWORD)
    assert enrolled(l.school_class)[l.co_teacher.username] == ClassRole.TEACHER


def test_it_refuses_to_reset_a_student_who_teaches_a_class(client, l):
    student = class_made(l)
    accounts.create_class("Student-run club", "UTC", student)
    response = as_(client, l.teacher).post(student_url(l.school_class, student, "reset"))
    assert response.status_code == 403 and "anna is in another class too: only they can change" in response.content.decode()
    assert User.objects.get(pk=student.pk).check_password(PASSWORD)


def test_it_refuses_to_reset_a_student_who_signed_up_and_joined_with_the_code(client, l):
    """The teacher cannot take over an account the class did not make: its own maps are behind it."""
    student = l.students[0]  # signed up on their own, then joined
    html = as_(client, l.teacher).get(url(l.school_class)).content.decode()
    assert "Reset password<span class=\"visually-hidden\"> of student-1" not in html
    response = client.post(student_url(l.school_class, student, "reset"))
    assert response.status_code == 403
    assert "student-1 signed up on their own: only they can change their password." in response.content.decode()
    assert User.objects.get(pk=student.pk).check_password(PASSWORD) and not AccountSetup.objects.exists()
    assert "There are no passwords to show" in client.get(url(l.school_class, "students/sheet/")).content.decode()


def test_a_class_made_account_that_joined_elsewhere_or_has_maps_is_no_longer_the_teachers_to_reset(
    client, l, outsider
):
    anna, boris, vera = (class_made(l, name) for name in ("Anna", "Boris", "Vera"))
    other = accounts.create_class("Chess club", "UTC", outsider)
    accounts.join(other.join_code, anna)
    Map.objects.create(title="Boris's notes", question="?", owner=boris, visibility=Visibility.PRIVATE)
    Membership.objects.create(map=Map.objects.create(title="Shared", question="?", owner=outsider), user=vera,
                              role=Role.EDITOR)
    as_(client, l.teacher)
    html = client.get(url(l.school_class)).content.decode()
    assert "Reset password<span" not in html
    for student, reason in ((anna, "anna is in another class too"),
                            (boris, "boris has maps of their own or shared with them"),
                            (vera, "vera has maps of their own or shared with them")):
        response = client.post(student_url(l.school_class, student, "reset"))
        assert response.status_code == 403 and f"{reason}: only they can change" in response.content.decode()
        assert User.objects.get(pk=student.pk).check_password(PASSWORD)
    assert not AccountSetup.objects.filter(must_set_password=True).exists()


# Removing students


def test_removing_a_student_keeps_their_work(client, l):
    student = l.students[0]
    thesis = l.builder.thesis()
    node = Node.objects.create(map=l.map, text="A claim of mine", author=student)
    node.bear_on(thesis, "support")
    response = as_(client, l.co_teacher).post(student_url(l.school_class, student, "remove"))
    assert response.status_code == 302
    html = client.get(url(l.school_class)).content.decode()
    assert "student-1 is no longer in this class. What they wrote stays." in html
    assert "student-1" not in enrolled(l.school_class)
    assert Node.objects.get(pk=node.pk).author == student and not Node.objects.get(pk=node.pk).is_deleted
    as_(client, student)
    assert client.get(url(l.school_class)).status_code == 404
    assert client.post(student_url(l.school_class, student, "remove")).status_code == 404


# Co-teachers


def test_a_teacher_adds_a_co_teacher_who_then_manages_the_class(client, l, outsider):
    response = as_(client, l.teacher).post(url(l.school_class, "teachers/add/"), {"username": "OUTSIDER"})
    assert response.status_code == 302
    assert "outsider now teaches this class too." in client.get(url(l.school_class)).content.decode()
    as_(client, outsider)
    assert l.school_class.join_code in client.get(url(l.school_class)).content.decode()
    assert client.post(url(l.school_class, "code/")).status_code == 302


@pytest.mark.parametrize(
    "username, message, status",
    [
        ("nobody", "No one has signed up as “nobody”", 400),
        ("student-1", "student-1 is a student in this class", 400),
        ("co-teacher", "is already a teacher of “Year 11 debate”", 409),
        ("", "This field is required.", 400),
        ("<b>x</b>", "No one has signed up as “&lt;b&gt;x&lt;/b&gt;”", 400),
    ],
)
def test_it_refuses_a_co_teacher_it_cannot_add(client, l, username, message, status):
    if username == "co-teacher":
        username = l.co_teacher.username
    before = enrolled(l.school_class)
    response = as_(client, l.teacher).post(url(l.school_class, "teachers/add/"), {"username": username})
    assert response.status_code == status and message in response.content.decode()
    assert enrolled(l.school_class) == before


# Opening, closing and renewing the code


def test_a_teacher_closes_and_reopens_joining(client, l, outsider):
    as_(client, l.teacher)
    client.post(url(l.school_class, "joining/"))
    assert "Closed:" in client.get(url(l.school_class)).content.decode()
    assert as_(client, outsider).post("/join/", {"code": l.school_class.join_code}).status_code == 403
    as_(client, l.teacher).post(url(l.school_class, "joining/"), {"open": "on"})
    assert as_(client, outsider).post("/join/", {"code": l.school_class.join_code}).status_code == 302


def test_a_teacher_sets_when_the_code_expires_in_the_classes_time(client, l):
    response = as_(client, l.teacher).post(url(l.school_class, "joining/"),
                                           {"open": "on", "expires_at": "2035-03-01T10:00"})
    assert response.status_code == 302
    l.school_class.refresh_from_db()
    assert l.school_class.join_code_expires_at == datetime(2035, 3, 1, 7, 0, tzinfo=dt_timezone.utc)  # Minsk is UTC+3
    html = client.get(url(l.school_class)).content.decode()
    assert "until 1 Mar 2035, 10:00 (Europe/Minsk)" in html and 'value="2035-03-01T10:00"' in html


@pytest.mark.parametrize("value, message", [("2001-01-01T10:00", "choose a time in the future"),
                                            ("tomorrow", "Enter a valid date/time.")])
def test_it_refuses_a_bad_expiry(client, l, value, message):
    response = as_(client, l.teacher).post(url(l.school_class, "joining/"), {"open": "on", "expires_at": value})
    assert response.status_code == 400 and message in response.content.decode()
    l.school_class.refresh_from_db()
    assert l.school_class.join_code_expires_at is None


def test_a_new_code_stops_the_old_one(client, l, outsider):
    old = l.school_class.join_code
    response = as_(client, l.teacher).post(url(l.school_class, "code/"))
    new = SchoolClass.objects.get(pk=l.school_class.pk).join_code
    assert response.status_code == 302 and new != old
    assert f"The new code is {new}." in client.get(url(l.school_class)).content.decode()
    as_(client, outsider)
    assert client.post("/join/", {"code": old}).status_code == 400
    assert client.get(f"/join/{old}/").status_code == 400
    assert client.post("/join/", {"code": new}).status_code == 302


# A class's name and time zone


def test_teachers_see_the_classes_name_and_zone_in_the_settings_form(client, l):
    html = as_(client, l.co_teacher).get(url(l.school_class)).content.decode()
    assert f'action="/classes/{l.school_class.pk}/settings/"' in html
    assert 'value="Year 11 debate"' in html and '<option value="Europe/Minsk" selected>' in html
    html = as_(client, l.students[0]).get(url(l.school_class)).content.decode()
    assert "/settings/" not in html and "Save name and time zone" not in html


@pytest.mark.parametrize("who", ["teacher", "co_teacher"])
def test_a_teacher_renames_the_class_and_moves_it_to_another_zone(client, l, who):
    l.exercise.opens_at = datetime(2030, 1, 6, 6, 30, tzinfo=dt_timezone.utc)
    l.exercise.closes_at = datetime(2030, 1, 6, 8, 0, tzinfo=dt_timezone.utc)
    l.exercise.save()
    response = as_(client, getattr(l, who)).post(url(l.school_class, "settings/"),
                                                 {"name": "  Year 12 <b>debate</b> ", "time_zone": "Europe/London"})
    assert response.status_code == 302 and response["Location"] == url(l.school_class)
    html = client.get(url(l.school_class)).content.decode()
    assert "<h1>Year 12 &lt;b&gt;debate&lt;/b&gt;</h1>" in html
    assert "Saved: “Year 12 &lt;b&gt;debate&lt;/b&gt;”, times in Europe/London." in html
    # The same moments, on the new zone's clock.
    assert "opens 6 Jan 2030, 06:30, closes 6 Jan 2030, 08:00" in html and "Times are in Europe/London" in html
    as_(client, l.students[0])
    assert "<h1>Year 12 &lt;b&gt;debate&lt;/b&gt;</h1>" in client.get(url(l.school_class)).content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        *bad_class_fields("Renamed"),
        ({"name": "Renamed", "time_zone": "<script>x</script>"}, "&lt;script&gt;x&lt;/script&gt; is not one"),
    ],
)
def test_it_refuses_bad_class_settings_with_the_forms_errors_and_saves_nothing(client, l, data, message):
    before = state(l)
    response = as_(client, l.teacher).post(url(l.school_class, "settings/"), data)
    html = response.content.decode()
    assert response.status_code == 400 and message in html and "<script>x" not in html
    assert "<h1>Year 11 debate</h1>" in html and "<details class=\"expiry\" open>" in html
    assert state(l) == before


# Removing co-teachers and leaving a class


def teacher_url(school_class, teacher):
    return f"/classes/{school_class.pk}/teachers/{teacher.pk}/remove/"


def test_teachers_see_remove_and_leave_buttons_that_ask_first(client, l):
    html = as_(client, l.teacher).get(url(l.school_class)).content.decode()
    co = l.co_teacher.username
    assert f'action="{teacher_url(l.school_class, l.co_teacher)}"' in html
    assert f'data-confirm="Remove {co} as a teacher of Year 11 debate? What they made stays."' in html
    assert f'Remove as teacher<span class="visually-hidden"> {co}</span>' in html
    assert f'action="{teacher_url(l.school_class, l.teacher)}"' in html and "Leave this class</button>" in html
    assert 'data-confirm="Leave Year 11 debate?' in html
    assert "Remove as teacher<span class=\"visually-hidden\"> ms-teacher" not in html


@pytest.mark.parametrize("remover, removed", [("teacher", "co_teacher"), ("co_teacher", "teacher")])
def test_a_teacher_removes_a_co_teacher_who_then_loses_the_class(client, l, remover, removed):
    removed = getattr(l, removed)
    response = as_(client, getattr(l, remover)).post(teacher_url(l.school_class, removed))
    assert response.status_code == 302 and response["Location"] == url(l.school_class)
    html = client.get(url(l.school_class)).content.decode()
    assert f"{removed.username} no longer teaches this class. What they made stays." in html
    assert removed.username not in enrolled(l.school_class)
    assert "Leave this class" not in html and "You are this class's only teacher" in html
    as_(client, removed)
    assert client.get(url(l.school_class)).status_code == 404
    assert client.post(url(l.school_class, "code/")).status_code == 404


def test_a_teacher_leaves_the_class_and_lands_on_the_class_list(client, l):
    response = as_(client, l.co_teacher).post(teacher_url(l.school_class, l.co_teacher))
    assert response.status_code == 302 and response["Location"] == "/classes/"
    html = client.get("/classes/").content.decode()
    assert "You left “Year 11 debate”." in html and f'href="{url(l.school_class)}"' not in html
    assert enrolled(l.school_class)[l.teacher.username] == "teacher"
    assert l.co_teacher.username not in enrolled(l.school_class)


def test_the_last_teacher_cannot_leave_or_be_removed(client, l):
    as_(client, l.teacher).post(teacher_url(l.school_class, l.co_teacher))
    before = state(l)
    response = client.post(teacher_url(l.school_class, l.teacher))
    html = response.content.decode()
    assert response.status_code == 409
    assert "You are the only teacher of “Year 11 debate”: add another teacher first" in html
    assert "<h1>Year 11 debate</h1>" in html
    assert state(l) == before


def test_it_removes_only_teachers_of_this_class(client, l, outsider):
    as_(client, l.teacher)
    before = state(l)
    for user_id in (l.students[0].pk, outsider.pk, 999999):
        assert client.post(f"/classes/{l.school_class.pk}/teachers/{user_id}/remove/").status_code == 404
    assert state(l) == before
