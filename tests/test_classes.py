"""Classes and their accounts (argmap/classroom/accounts.py): creating a class, joining with its code,
accounts made from a list of names, one-time passwords, removing students, co-teachers (adding,
removing, leaving), renaming a class and changing its time zone."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from argmap.classroom import accounts
from argmap.classroom.accounts import ClassroomError
from argmap.models import JOIN_CODE_ALPHABET, AccountSetup, ClassRole, Enrolment, SchoolClass
from argmap.models import Map, Membership, Node, Role

User = get_user_model()


@pytest.fixture
def school_class(teacher):
    return accounts.create_class("Year 11 debate", "Europe/Minsk", teacher)


def students_of(school_class) -> set[str]:
    return set(
        Enrolment.objects.filter(school_class=school_class, role=ClassRole.STUDENT).values_list(
            "user__username", flat=True
        )
    )


# Creating a class


def test_it_makes_the_creator_the_classes_teacher(teacher):
    school_class = accounts.create_class("  Year 11   debate ", "Europe/Vilnius", teacher)
    assert (school_class.name, school_class.time_zone, school_class.created_by) == (
        "Year 11 debate", "Europe/Vilnius", teacher)
    assert accounts.role_in(school_class, teacher) == ClassRole.TEACHER
    assert len(school_class.join_code) == 7 and set(school_class.join_code) <= set(JOIN_CODE_ALPHABET)
    assert school_class.join_code_usable()


@pytest.mark.parametrize(
    "name, zone, message",
    [("   ", "Europe/Minsk", "Give the class a name."), ("x" * 121, "Europe/Minsk", "at most 120 characters"),
     ("Year 11", "Mars/Olympus", "is not a time zone name")],
)
def test_it_refuses_a_class_without_a_name_or_with_an_unknown_zone(teacher, name, zone, message):
    with pytest.raises(ClassroomError, match=message):
        accounts.create_class(name, zone, teacher)
    assert not SchoolClass.objects.exists() and not Enrolment.objects.exists()


def test_a_class_is_renamed_and_moved_to_another_time_zone(school_class):
    accounts.change_class_settings(school_class, name="  Year 12\x00   debate ",
                                   time_zone="America/Argentina/Buenos_Aires")
    school_class.refresh_from_db()
    assert (school_class.name, school_class.time_zone) == ("Year 12 debate", "America/Argentina/Buenos_Aires")


@pytest.mark.parametrize(
    "name, zone, message",
    [("   ", "UTC", "Give the class a name."), ("x" * 121, "UTC", "at most 120 characters"),
     ("Year 12", "Mars/Olympus", "is not a time zone name"), ("Year 12", "", "is not a time zone name")],
)
def test_it_refuses_a_bad_new_name_or_zone_and_keeps_the_old_ones(school_class, name, zone, message):
    with pytest.raises(ClassroomError, match=message):
        accounts.change_class_settings(school_class, name=name, time_zone=zone)
    assert (school_class.name, school_class.time_zone) == ("Year 11 debate", "Europe/Minsk")
    stored = SchoolClass.objects.get(pk=school_class.pk)
    assert (stored.name, stored.time_zone) == ("Year 11 debate", "Europe/Minsk")


def test_it_offers_known_time_zones_only():
    names = accounts.time_zone_names()
    assert "Europe/Minsk" in names and "UTC" in names and "America/Argentina/Buenos_Aires" in names
    assert not any(name.startswith(("Etc/", "posix")) for name in names)


def test_it_lists_ones_classes_as_teacher_and_as_student_apart(teacher, outsider):
    maths = accounts.create_class("Maths", "UTC", teacher)
    debate = accounts.create_class("Debate", "UTC", outsider)
    accounts.join(debate.join_code, teacher)
    accounts.join(maths.join_code, User.objects.create_user("pupil"))
    teaching, learning = accounts.classes_of(teacher)
    assert [c.name for c in teaching] == ["Maths"] and teaching[0].student_count == 1
    assert [c.name for c in learning] == ["Debate"]
    assert accounts.classes_of(User.objects.create_user("nobody")) == ([], [])


# Joining with the code


@pytest.mark.parametrize("typed", ["{code}", "{lower}", " {first} {rest} ", "{first}-{rest}", "{first}–{rest}",
                                   "{first}.{rest}\n"])
def test_it_takes_the_code_in_any_case_with_spaces_or_dashes(school_class, outsider, typed):
    code = school_class.join_code
    typed = typed.format(code=code, lower=code.lower(), first=code[:3], rest=code[3:].lower())
    assert accounts.join(typed, outsider) == school_class
    assert students_of(school_class) == {"outsider"}


def test_it_reads_cyrillic_capitals_that_look_latin_as_latin():
    assert accounts.normalise_code("А В С-е н к м о р т х 2") == "ABCEHKMOPTX2"


@pytest.mark.parametrize("code", ["", "   ", "WRONG99", "A" * 500, "x\x00y", "../../a/b"])
def test_it_refuses_a_wrong_code_and_changes_nothing(school_class, outsider, code):
    with pytest.raises(accounts.WrongCode, match="No class has the code") as refused:
        accounts.join(code, outsider)
    assert refused.value.status == 400
    assert students_of(school_class) == set()


def test_it_refuses_a_closed_code(school_class, outsider):
    accounts.set_joining(school_class, open_=False)
    with pytest.raises(accounts.JoiningClosed, match="not taking new students"):
        accounts.join(school_class.join_code, outsider)
    with pytest.raises(accounts.JoiningClosed):  # the class itself is checked the same way
        accounts.join(school_class, outsider)
    assert students_of(school_class) == set()


def test_it_refuses_an_expired_code(school_class, outsider):
    SchoolClass.objects.filter(pk=school_class.pk).update(join_code_expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(accounts.JoiningClosed, match="has expired") as refused:
        accounts.join(school_class.join_code, outsider)
    assert refused.value.status == 403
    assert students_of(school_class) == set()


def test_it_takes_a_code_until_it_expires(school_class, outsider):
    accounts.set_joining(school_class, open_=True, expires_at=timezone.now() + timedelta(hours=1))
    accounts.join(school_class.join_code, outsider)
    assert students_of(school_class) == {"outsider"}


def test_it_refuses_an_expiry_in_the_past(school_class):
    with pytest.raises(ClassroomError, match="choose a time in the future"):
        accounts.set_joining(school_class, open_=True, expires_at=timezone.now() - timedelta(minutes=1))
    school_class.refresh_from_db()
    assert school_class.join_code_expires_at is None


def test_closing_joining_forgets_the_expiry(school_class):
    accounts.set_joining(school_class, open_=True, expires_at=timezone.now() + timedelta(hours=1))
    accounts.set_joining(school_class, open_=False)
    school_class.refresh_from_db()
    assert not school_class.joining_open and school_class.join_code_expires_at is None


def test_it_refuses_to_join_twice(school_class, outsider, teacher):
    accounts.join(school_class.join_code, outsider)
    with pytest.raises(accounts.AlreadyInClass, match="You are already in “Year 11 debate”") as refused:
        accounts.join(school_class.join_code, outsider)
    assert refused.value.status == 409 and refused.value.school_class == school_class
    with pytest.raises(accounts.AlreadyInClass, match="already a teacher"):
        accounts.join(school_class.join_code, teacher)
    assert Enrolment.objects.filter(school_class=school_class).count() == 2
    assert accounts.role_in(school_class, teacher) == ClassRole.TEACHER


def test_a_new_code_replaces_the_old_one(school_class, outsider):
    old = school_class.join_code
    new = accounts.rotate_join_code(school_class)
    assert new != old and SchoolClass.objects.get(pk=school_class.pk).join_code == new
    with pytest.raises(accounts.WrongCode):
        accounts.join(old, outsider)
    accounts.join(new, outsider)


def test_a_drawn_code_already_in_use_is_drawn_again(school_class, teacher, monkeypatch):
    codes = iter([school_class.join_code, "ZZZZ222"])
    monkeypatch.setattr(accounts, "new_join_code", lambda: next(codes))
    other = SchoolClass.objects.get(pk=accounts.create_class("Other", "UTC", teacher).pk)
    assert other.join_code not in (school_class.join_code, "")
    assert accounts.rotate_join_code(other) == "ZZZZ222"


# Usernames and one-time passwords


@pytest.mark.parametrize(
    "name, username",
    [
        ("Anna Kowalska", "anna-kowalska"),
        ("  Anna   K. ", "anna-k"),
        ("Анна Ковалёва", "anna-kovaleva"),
        ("Щукін Юрій", "shchukin-yuriy"),
        ("Аляксандра Мянкоўская", "alyaksandra-myankouskaya"),
        ("Łukasz Żółć-Brzęczyszczykiewicz", "lukasz-zolc"),
        ("José María O'Neill", "jose-maria-o-neill"),
        ("李小龙", "student"),
        ("Ana Maria Ferreira da Silva Santos", "ana-maria-ferreira-da-silva"),
        ("Abcdefghijklmnopqrstuvwxyzabcdefghij", "abcdefghijklmnopqrstuvwxyzabcd"),
    ],
)
def test_it_makes_a_readable_ascii_username_from_a_name(name, username):
    assert accounts.username_base(name) == username


def test_one_time_passwords_are_readable_and_different():
    passwords = {accounts.one_time_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert len(password) == 10 and set(password) <= set("abcdefghjkmnpqrstuvwxyz23456789")


# Accounts from a list of names


def test_it_makes_a_student_account_for_each_name(school_class, teacher):
    made = accounts.bulk_create_students(school_class, "Anna Kowalska\n\n  \nАнна Ковалёва\r\nBoris\n", teacher)
    assert [(a.name, a.username) for a in made] == [
        ("Anna Kowalska", "anna-kowalska"), ("Анна Ковалёва", "anna-kovaleva"), ("Boris", "boris")]
    assert students_of(school_class) == {"anna-kowalska", "anna-kovaleva", "boris"}
    for account in made:
        user = User.objects.get(username=account.username)
        assert user.check_password(account.password) and user.get_full_name() == account.name
        assert AccountSetup.objects.get(user=user).must_set_password
        assert AccountSetup.objects.get(user=user).issued_by == teacher
        assert account.password not in user.password  # stored hashed only


def test_it_numbers_usernames_that_are_taken_or_repeat(school_class, teacher):
    User.objects.create_user("Anna-K")  # taken, whatever the case
    User.objects.create_user("anna-k-2")
    made = accounts.bulk_create_students(school_class, "Anna K\nAnna K.\nANNA-K!\nAnnabel", teacher)
    assert [a.username for a in made] == ["anna-k-3", "anna-k-4", "anna-k-5", "annabel"]


def test_it_never_makes_a_username_that_looks_like_a_taken_one(school_class, teacher):
    # Accounts made before sign-up refused look-alikes: a Cyrillic о, an accent.
    User.objects.create_user("t\u043emas")
    User.objects.create_user("bóris")
    made = accounts.bulk_create_students(school_class, "Tomas\nBoris\nAnna", teacher)
    assert [a.username for a in made] == ["tomas-2", "boris-2", "anna"]


def test_it_refuses_a_name_given_twice_and_makes_nothing(school_class, teacher):
    with pytest.raises(ClassroomError, match="more than once: “Anna K”") as refused:
        accounts.bulk_create_students(school_class, "Anna K\nBoris\nanna   k\n", teacher)
    assert "tell them apart" in refused.value.message
    assert User.objects.count() == 1 and students_of(school_class) == set()


def test_it_refuses_names_already_in_the_class(school_class, teacher):
    accounts.bulk_create_students(school_class, "Anna K", teacher)
    with pytest.raises(ClassroomError, match="Already in this class: “anna k” \\(anna-k\\)"):
        accounts.bulk_create_students(school_class, "Boris\nanna k", teacher)
    assert students_of(school_class) == {"anna-k"}


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Write the students' names"),
        ("\n  \n\x00\n", "Write the students' names"),
        ("\n".join(f"Student {n}" for n in range(201)), "At most 200 names at a time \\(this list has 201\\)"),
        ("Anna\n" + "B" * 101, "A name has at most 100 characters"),
    ],
)
def test_it_refuses_an_empty_or_too_long_list_and_makes_nothing(school_class, teacher, text, message):
    with pytest.raises(ClassroomError, match=message):
        accounts.bulk_create_students(school_class, text, teacher)
    assert User.objects.count() == 1 and not AccountSetup.objects.exists()


def test_it_makes_two_hundred_accounts_in_a_few_queries(school_class, teacher, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        made = accounts.bulk_create_students(school_class, "\n".join(f"Student {n}" for n in range(200)), teacher)
    assert len(made) == 200 and len(students_of(school_class)) == 200
    assert AccountSetup.objects.filter(must_set_password=True).count() == 200


# Resetting passwords, removing students


@pytest.fixture
def pupil(school_class):
    user = User.objects.create_user("pupil", password="a-long-pupil-pass")
    accounts.join(school_class.join_code, user)
    return user


@pytest.fixture
def made(school_class, teacher):
    """An account the class made from its list of names."""
    [account] = accounts.bulk_create_students(school_class, "Made Pupil", teacher)
    return User.objects.get(username=account.username)


def test_a_teacher_resets_a_students_password(school_class, teacher, made):
    assert AccountSetup.objects.get(user=made).created_for_class == school_class
    accounts.clear_password_setup(made)
    password = accounts.reset_password(made, teacher)
    made.refresh_from_db()
    assert made.check_password(password)
    setup = AccountSetup.objects.get(user=made)
    assert setup.must_set_password and setup.issued_by == teacher and setup.created_for_class == school_class
    accounts.clear_password_setup(made)
    assert not accounts.must_set_password(made)
    accounts.reset_password(made, teacher, school_class)  # again: the flag is back
    assert accounts.must_set_password(made)


def test_it_refuses_to_reset_an_account_the_class_did_not_make(school_class, teacher, pupil):
    with pytest.raises(ClassroomError, match="^pupil signed up on their own: only they can change their password.$"):
        accounts.reset_password(pupil, teacher, school_class)
    assert pupil.check_password("a-long-pupil-pass") and not AccountSetup.objects.exists()


def test_an_account_made_by_one_class_is_not_another_classes_to_reset(school_class, teacher, made, outsider):
    other = accounts.create_class("Other", "UTC", outsider)
    accounts.join(other.join_code, made)
    for by, in_class in ((outsider, other), (teacher, school_class)):  # neither: it is in two classes now
        with pytest.raises(ClassroomError, match="only they can change their password"):
            accounts.reset_password(made, by, in_class)
    assert User.objects.get(pk=made.pk).password == made.password


def test_only_a_teacher_of_the_students_class_resets_their_password(school_class, teacher, pupil, outsider):
    other_class = accounts.create_class("Other", "UTC", outsider)
    for by, in_class in ((outsider, None), (outsider, other_class), (teacher, other_class)):
        with pytest.raises(ClassroomError, match="not a student in a class you teach"):
            accounts.reset_password(pupil, by, in_class)
    co_teacher = User.objects.create_user("co", password="a-long-co-pass")
    accounts.add_co_teacher(school_class, "co", teacher)
    with pytest.raises(ClassroomError):  # a co-teacher is no student
        accounts.reset_password(co_teacher, teacher, school_class)
    with pytest.raises(ClassroomError):  # nor is the teacher themself
        accounts.reset_password(teacher, co_teacher, school_class)
    assert pupil.check_password("a-long-pupil-pass") and not AccountSetup.objects.exists()


def test_it_refuses_to_reset_the_password_of_a_student_who_teaches_or_runs_the_site(school_class, teacher, made):
    accounts.create_class("Pupil's own club", "UTC", made)
    with pytest.raises(ClassroomError, match="is in another class too"):
        accounts.reset_password(made, teacher)
    [account] = accounts.bulk_create_students(school_class, "Admin", teacher)
    User.objects.filter(username=account.username).update(is_staff=True, is_superuser=True)
    with pytest.raises(ClassroomError, match="runs this site"):
        accounts.reset_password(User.objects.get(username=account.username), teacher)


def test_it_refuses_to_reset_a_made_account_that_has_maps(school_class, teacher, made, outsider):
    own = Map.objects.create(title="Mine", question="?", owner=made)
    with pytest.raises(ClassroomError, match="has maps of their own"):
        accounts.reset_password(made, teacher)
    own.delete()
    shared = Map.objects.create(title="Theirs", question="?", owner=outsider)
    Membership.objects.create(map=shared, user=made, role=Role.VIEWER)
    with pytest.raises(ClassroomError, match="has maps of their own"):
        accounts.reset_password(made, teacher)
    assert User.objects.get(pk=made.pk).password == made.password


def test_removing_a_student_keeps_their_work(lesson):
    l = lesson()
    student = l.students[0]
    thesis = l.builder.thesis()
    node = Node.objects.create(map=l.map, text="My claim", author=student)
    node.bear_on(thesis, "support")
    accounts.remove_student(l.school_class, student, l.co_teacher)
    assert accounts.role_in(l.school_class, student) is None
    assert User.objects.filter(pk=student.pk).exists()
    assert Node.objects.get(pk=node.pk).author == student
    with pytest.raises(ClassroomError):  # already gone
        accounts.remove_student(l.school_class, student, l.teacher)
    with pytest.raises(ClassroomError):  # teachers are not removed as students
        accounts.remove_student(l.school_class, l.co_teacher, l.teacher)


# Co-teachers


def test_it_adds_a_co_teacher_by_username_in_any_case(school_class, teacher, outsider):
    assert accounts.add_co_teacher(school_class, "  OUTSIDER ", teacher) == outsider
    assert accounts.role_in(school_class, outsider) == ClassRole.TEACHER
    assert accounts.teaches(outsider, school_class)


@pytest.mark.parametrize(
    "username, message",
    [("nobody", "No one has signed up as “nobody”"), ("ms-teacher", "You are already a teacher"),
     ("pupil", "pupil is a student in this class"), ("", "No one has signed up")],
)
def test_it_refuses_a_co_teacher_who_is_unknown_or_already_in_the_class(school_class, teacher, pupil, username,
                                                                        message):
    with pytest.raises(ClassroomError, match=message):
        accounts.add_co_teacher(school_class, username, teacher)
    assert Enrolment.objects.filter(school_class=school_class, role=ClassRole.TEACHER).count() == 1


def test_it_says_who_is_already_a_co_teacher(school_class, teacher, outsider):
    accounts.add_co_teacher(school_class, "outsider", teacher)
    with pytest.raises(accounts.AlreadyInClass, match="outsider is already a teacher"):
        accounts.add_co_teacher(school_class, "outsider", teacher)


def teachers_of(school_class) -> set[str]:
    return set(Enrolment.objects.filter(school_class=school_class, role=ClassRole.TEACHER)
               .values_list("user__username", flat=True))


def test_a_teacher_removes_a_co_teacher_whose_work_stays(lesson):
    l = lesson()
    node = Node.objects.create(map=l.map, text="A model answer", author=l.co_teacher)
    accounts.remove_teacher(l.school_class, l.co_teacher, l.teacher)
    assert teachers_of(l.school_class) == {l.teacher.username}
    assert not accounts.teaches(l.co_teacher, l.school_class)
    assert Node.objects.get(pk=node.pk).author == l.co_teacher


def test_a_teacher_leaves_a_class_another_teacher_still_teaches(lesson):
    l = lesson()
    accounts.remove_teacher(l.school_class, l.teacher, l.teacher)
    assert teachers_of(l.school_class) == {l.co_teacher.username}


def test_the_last_teacher_stays(school_class, teacher, outsider):
    with pytest.raises(accounts.LastTeacher, match="You are the only teacher of “Year 11 debate”: add another"):
        accounts.remove_teacher(school_class, teacher, teacher)
    accounts.add_co_teacher(school_class, "outsider", teacher)
    accounts.remove_teacher(school_class, outsider, teacher)
    admin = User.objects.create_superuser("admin", password="a-long-admin-pass")
    with pytest.raises(accounts.LastTeacher, match="ms-teacher is the only teacher") as refused:
        accounts.remove_teacher(school_class, teacher, admin)
    assert refused.value.status == 409
    assert teachers_of(school_class) == {"ms-teacher"}


def test_it_removes_only_teachers_and_only_for_teachers(school_class, teacher, pupil, outsider):
    accounts.add_co_teacher(school_class, "outsider", teacher)
    with pytest.raises(ClassroomError, match="pupil does not teach “Year 11 debate”"):
        accounts.remove_teacher(school_class, pupil, teacher)
    with pytest.raises(ClassroomError, match="You do not teach"):
        accounts.remove_teacher(school_class, outsider, pupil)
    other_teacher = User.objects.create_user("other-teacher")
    other_class = accounts.create_class("Other", "UTC", other_teacher)
    with pytest.raises(ClassroomError, match="ms-teacher does not teach “Other”"):
        accounts.remove_teacher(other_class, teacher, other_teacher)
    with pytest.raises(ClassroomError, match="You do not teach “Other”"):
        accounts.remove_teacher(other_class, other_teacher, outsider)
    assert teachers_of(school_class) == {"ms-teacher", "outsider"} and students_of(school_class) == {"pupil"}


def test_a_student_lands_on_their_only_class(school_class, pupil, outsider):
    assert accounts.landing_page_class(pupil) == school_class
    other = accounts.create_class("Other", "UTC", outsider)
    accounts.join(other.join_code, pupil)
    assert accounts.landing_page_class(pupil) is None


# Anonymous exercises


def test_newcomers_get_a_pseudonym_in_the_classes_anonymous_exercises(lesson, outsider):
    from argmap.models import Pseudonym

    l = lesson(anonymity=True)
    accounts.join(l.school_class.join_code, outsider)
    made = accounts.bulk_create_students(l.school_class, "Anna\nBoris", l.teacher)
    named = set(Pseudonym.objects.filter(exercise=l.exercise).values_list("user__username", flat=True))
    assert {"outsider", *(a.username for a in made)} <= named
    assert l.teacher.username not in named


def test_no_pseudonyms_without_anonymity(lesson, outsider):
    from argmap.models import Pseudonym

    l = lesson()
    accounts.join(l.school_class.join_code, outsider)
    assert not Pseudonym.objects.exists()
