"""Classes and the accounts in them: creating a class, joining with its code, accounts a teacher
makes for a whole list of names, one-time passwords, co-teachers, a class's name and time zone.

Every function here either does all it says or raises ClassroomError (with a message for the
person who asked) and changes nothing. Access is checked by the views (argmap/permissions.py);
the functions that hand out passwords check once more that `by` teaches the student.
"""

import re
import secrets
import unicodedata
import zoneinfo
from dataclasses import dataclass
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone

from argmap.models import (
    JOIN_CODE_LENGTH,
    AccountSetup,
    ClassRole,
    Enrolment,
    SchoolClass,
    new_join_code,
    validate_time_zone,
)
from argmap.classroom.pseudonyms import ensure_pseudonyms
from argmap.models import Map, Membership
from argmap.usernames import normalise, skeleton

CLASS_NAME_MAX_LENGTH = SchoolClass._meta.get_field("name").max_length
MAX_NAMES = 200  # one list at a time: a year group, not a school
NAME_MAX_LENGTH = 100
USERNAME_BASE_MAX_LENGTH = 30
# Typed by children from paper: lower case, no 0/o, 1/l/i. 31**10 ≈ 8e14, and it only lives
# until the student's first login.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
PASSWORD_LENGTH = 10


class ClassroomError(Exception):
    """What the person asked for cannot be done; `message` says why, `status` is the HTTP answer."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class WrongCode(ClassroomError):
    status = 400


class JoiningClosed(ClassroomError):
    status = 403


class LastTeacher(ClassroomError):
    status = 409


class AlreadyInClass(ClassroomError):
    status = 409

    def __init__(self, message: str, school_class: SchoolClass):
        super().__init__(message)
        self.school_class = school_class


# Which classes


def classes_of(user) -> tuple[list[SchoolClass], list[SchoolClass]]:
    """(the classes `user` teaches, the classes they are a student in), each by name and with its
    `student_count`, in one query."""
    students = Enrolment.objects.filter(school_class=OuterRef("school_class_id"), role=ClassRole.STUDENT)
    enrolments = (
        Enrolment.objects.filter(user=user)
        .select_related("school_class")
        .annotate(student_count=Subquery(students.values("school_class").annotate(n=Count("pk")).values("n")))
        .order_by("school_class__name", "school_class_id")
    )
    teaching, learning = [], []
    for enrolment in enrolments:
        enrolment.school_class.student_count = enrolment.student_count or 0
        (teaching if enrolment.role == ClassRole.TEACHER else learning).append(enrolment.school_class)
    return teaching, learning


def role_in(school_class: SchoolClass, user) -> str | None:
    return Enrolment.objects.filter(school_class=school_class, user=user).values_list("role", flat=True).first()


def teaches(user, school_class: SchoolClass) -> bool:
    return user.is_superuser or role_in(school_class, user) == ClassRole.TEACHER


# Creating a class and its code


@cache
def time_zone_names() -> list[str]:
    """Time zones to choose from: the Area/City names people know, and UTC."""
    names = {name for name in zoneinfo.available_timezones() if "/" in name and not name.startswith(("Etc/", "posix"))}
    return sorted(names | {"UTC"})


def _checked_name_and_zone(name: str, time_zone: str) -> tuple[str, str]:
    """The class name tidied (no NULs, single spaces) and the time zone, or ClassroomError."""
    name = " ".join(name.replace("\x00", "").split())
    if not name:
        raise ClassroomError("Give the class a name.")
    if len(name) > CLASS_NAME_MAX_LENGTH:
        raise ClassroomError(f"A class name has at most {CLASS_NAME_MAX_LENGTH} characters.")
    try:
        validate_time_zone(time_zone)
    except ValidationError as error:
        raise ClassroomError(error.messages[0]) from None
    return name, time_zone


def create_class(name: str, time_zone: str, by) -> SchoolClass:
    """A new class with `by` as its (first) teacher."""
    name, time_zone = _checked_name_and_zone(name, time_zone)
    with transaction.atomic():
        school_class = SchoolClass(name=name, time_zone=time_zone, created_by=by)
        _save_with_fresh_code(school_class)
        Enrolment.objects.create(school_class=school_class, user=by, role=ClassRole.TEACHER, added_by=by)
    return school_class


def _save_with_fresh_code(school_class: SchoolClass) -> None:
    # Two classes drawing the same code is very unlikely, not impossible: draw again.
    for attempt in range(5):
        if attempt:
            school_class.join_code = new_join_code()
        try:
            with transaction.atomic():
                school_class.save()
            return
        except IntegrityError:
            if SchoolClass.objects.exclude(pk=school_class.pk).filter(join_code=school_class.join_code).exists():
                continue
            raise
    raise ClassroomError("Could not make a new join code just now. Try again.")


def change_class_settings(school_class: SchoolClass, *, name: str, time_zone: str) -> None:
    """A new name and time zone for the class, checked as for a new class. Stored times do not
    move: exercises open and close at the same moments, shown by the new zone's clock."""
    school_class.name, school_class.time_zone = _checked_name_and_zone(name, time_zone)
    school_class.save(update_fields=["name", "time_zone"])


def rotate_join_code(school_class: SchoolClass) -> str:
    """A new code for the class: the old one (and its links) stop working at once."""
    school_class.join_code = new_join_code()
    _save_with_fresh_code(school_class)
    return school_class.join_code


def set_joining(school_class: SchoolClass, *, open_: bool, expires_at=None) -> None:
    """Open or close joining with the code; `expires_at` (or None: never) ends it at a set time."""
    if open_ and expires_at is not None and expires_at <= timezone.now():
        raise ClassroomError("The code would have expired already: choose a time in the future, or none.")
    school_class.joining_open = open_
    school_class.join_code_expires_at = expires_at if open_ else None
    school_class.save(update_fields=["joining_open", "join_code_expires_at"])


# Capitals that look the same in Cyrillic: typed with a Russian or Belarusian keyboard layout on.
CYRILLIC_LOOKALIKES = str.maketrans("АВСЕНКМОРТХ", "ABCEHKMOPTX")


def normalise_code(text: str) -> str:
    """A code as typed or read aloud: case, spaces, dashes and other punctuation do not matter."""
    return re.sub(r"[^A-Z0-9]", "", (text or "").upper().translate(CYRILLIC_LOOKALIKES))


def class_for_code(code: str) -> SchoolClass:
    """The class that takes students with this code now; WrongCode or JoiningClosed otherwise."""
    code = normalise_code(code)
    school_class = None
    if code and len(code) <= 2 * JOIN_CODE_LENGTH:
        school_class = SchoolClass.objects.filter(join_code=code).first()
    if school_class is None:
        shown = code[: 2 * JOIN_CODE_LENGTH] or "(empty)"
        raise WrongCode(f"No class has the code “{shown}”. Check it with your teacher.")
    if not school_class.joining_open:
        raise JoiningClosed(
            f"“{school_class.name}” is not taking new students just now. Ask your teacher to open joining."
        )
    if not school_class.join_code_usable():
        raise JoiningClosed(f"The code for “{school_class.name}” has expired. Ask your teacher for a new one.")
    return school_class


# Students joining


def join(school_class_or_code, user) -> SchoolClass:
    """`user` joins as a student, with the class's code (or the class, checked the same way)."""
    code = school_class_or_code.join_code if isinstance(school_class_or_code, SchoolClass) else school_class_or_code
    school_class = class_for_code(code)
    existing = role_in(school_class, user)
    if existing is not None:
        raise _already_in(school_class, existing, you=True)
    try:
        with transaction.atomic():
            Enrolment.objects.create(school_class=school_class, user=user, role=ClassRole.STUDENT)
            _give_pseudonyms(school_class)
    except IntegrityError:  # joined a moment ago in another tab
        raise _already_in(school_class, ClassRole.STUDENT, you=True) from None
    return school_class


def _already_in(school_class: SchoolClass, role: str, *, you: bool, name: str = "") -> AlreadyInClass:
    who, verb = ("You", "are") if you else (name, "is")
    if role == ClassRole.TEACHER:
        return AlreadyInClass(f"{who} {verb} already a teacher of “{school_class.name}”.", school_class)
    return AlreadyInClass(f"{who} {verb} already in “{school_class.name}”.", school_class)


def _give_pseudonyms(school_class: SchoolClass) -> None:
    # A newcomer to an anonymous exercise needs a pseudonym before anyone sees their work.
    for exercise in school_class.exercises.filter(anonymity=True):
        ensure_pseudonyms(exercise)


# Accounts made by the teacher

# Russian, Belarusian and Ukrainian letters as they are usually spelled in Latin letters
# (the hard and soft signs are dropped).
TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "і": "i", "ў": "u", "ї": "yi", "є": "ye", "ґ": "g",
    # Latin letters that lose no accent below, because they have none to lose.
    "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i",
}


def username_base(name: str) -> str:
    """A username made from a person's name: lower-case ASCII letters and digits joined by dashes."""
    latin = "".join(TO_LATIN.get(char, char) for char in name.lower())
    # Accented Latin letters lose their accents (é -> e); other scripts drop out.
    ascii_text = unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > USERNAME_BASE_MAX_LENGTH:
        cut = slug[:USERNAME_BASE_MAX_LENGTH]
        slug = (cut.rsplit("-", 1)[0] if "-" in cut else cut).strip("-")
    return slug or "student"


def one_time_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


@dataclass(frozen=True)
class NewAccount:
    name: str
    username: str
    password: str


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def parse_names(names_text: str) -> list[str]:
    """The names in a pasted list, one a line (blank lines ignored); ClassroomError if the list is
    too long, a name too long, or a name given twice."""
    names = [" ".join(line.split()) for line in names_text.replace("\x00", "").splitlines()]
    names = [name for name in names if name]
    if not names:
        raise ClassroomError("Write the students' names, one a line.")
    if len(names) > MAX_NAMES:
        raise ClassroomError(f"At most {MAX_NAMES} names at a time (this list has {len(names)}).")
    too_long = [name for name in names if len(name) > NAME_MAX_LENGTH]
    if too_long:
        raise ClassroomError(
            f"A name has at most {NAME_MAX_LENGTH} characters: “{too_long[0][:40]}…” is longer."
        )
    first_spelling, twice = {}, []
    for name in names:
        key = _name_key(name)
        if key in first_spelling and first_spelling[key] not in twice:
            twice.append(first_spelling[key])
        first_spelling.setdefault(key, name)
    if twice:
        raise ClassroomError(
            "These names are in the list more than once: " + ", ".join(f"“{n}”" for n in twice)
            + ". If two students share a name, add something to tell them apart (an initial, a number)."
        )
    return names


def bulk_create_students(school_class: SchoolClass, names_text: str, by) -> list[NewAccount]:
    """An account for each name in the list (one a line), each a student of the class and due to
    choose a password at first login. Returns the names, usernames and one-time passwords (the only
    place the passwords exist in clear). All or nothing."""
    names = parse_names(names_text)
    enrolled = Enrolment.objects.filter(school_class=school_class, role=ClassRole.STUDENT).exclude(user__first_name="")
    already = {
        _name_key(full_name): username
        for full_name, username in enrolled.values_list("user__first_name", "user__username")
    }
    clashes = [f"“{name}” ({already[_name_key(name)]})" for name in names if _name_key(name) in already]
    if clashes:
        raise ClassroomError(
            "Already in this class: " + ", ".join(clashes)
            + ". Take them off the list, or add something to tell two people apart."
        )
    User = get_user_model()
    bases = [username_base(name) for name in names]
    # Not only the names taken, but those that read the same (`tоmas` with a Cyrillic о, `tomás`):
    # classmates invite each other by username.
    taken = taken_skeletons()
    accounts = []
    for name, base in zip(names, bases):
        username, number = base, 1
        while skeleton(username) in taken:
            number += 1
            username = f"{base}-{number}"
        taken.add(skeleton(username))
        accounts.append(NewAccount(name=name, username=username, password=one_time_password()))
    try:
        with transaction.atomic():
            # The site's hasher (Argon2id, argmap/hashers.py) is cheap enough for a whole list: 200 names
            # take about 7 s of one core (PBKDF2's 1.5M iterations took more than a minute).
            users = User.objects.bulk_create(
                User(username=a.username, first_name=a.name, password=make_password(a.password)) for a in accounts
            )
            Enrolment.objects.bulk_create(
                Enrolment(school_class=school_class, user=user, role=ClassRole.STUDENT, added_by=by) for user in users
            )
            AccountSetup.objects.bulk_create(
                AccountSetup(user=user, issued_by=by, created_for_class=school_class) for user in users
            )
            _give_pseudonyms(school_class)
    except IntegrityError:  # one of the usernames was taken in the meantime
        raise ClassroomError("Someone took one of these usernames a moment ago. Add the list again.") from None
    return accounts


def _student_enrolment(school_class: SchoolClass | None, student, by) -> Enrolment:
    """The student's place in a class `by` teaches (this one, if given); ClassroomError if none."""
    enrolments = Enrolment.objects.filter(user=student, role=ClassRole.STUDENT).select_related("school_class")
    if school_class is not None:
        enrolments = enrolments.filter(school_class=school_class)
    if not by.is_superuser:
        taught = Enrolment.objects.filter(user=by, role=ClassRole.TEACHER).values("school_class_id")
        enrolments = enrolments.filter(school_class_id__in=taught)
    enrolment = enrolments.first()
    if enrolment is None:
        raise ClassroomError(f"{student.get_username()} is not a student in a class you teach.")
    return enrolment


def _reset_obstacles(school_class: SchoolClass) -> dict:
    """Annotations on users: what keeps the class's teachers from resetting each one's password.
    A teacher manages only what the class gave: accounts its list of names made, while they
    belong to nothing else (a person's other classes and maps are theirs, not the class's)."""
    return {
        "made_here": Exists(AccountSetup.objects.filter(user=OuterRef("pk"), created_for_class=school_class)),
        "in_other_class": Exists(Enrolment.objects.filter(user=OuterRef("pk")).exclude(school_class=school_class)),
        "on_a_map": Exists(Membership.objects.filter(user=OuterRef("pk")))
        | Exists(Map.objects.filter(owner=OuterRef("pk"))),
    }


def resettable_in(school_class: SchoolClass) -> Exists:
    """True for an Enrolment (of this class) whose account the class's teachers may reset."""
    users = get_user_model().objects.filter(pk=OuterRef("user_id"), is_staff=False, is_superuser=False)
    users = users.alias(**_reset_obstacles(school_class))
    return Exists(users.filter(made_here=True, in_other_class=False, on_a_map=False))


def _why_not_reset(student, school_class: SchoolClass) -> str | None:
    name = student.get_username()
    if student.is_staff or student.is_superuser:
        return f"{name} runs this site: only they can change their password."
    found = (
        get_user_model().objects.filter(pk=student.pk).annotate(**_reset_obstacles(school_class))
        .values("made_here", "in_other_class", "on_a_map").get()
    )
    if not found["made_here"]:
        return f"{name} signed up on their own: only they can change their password."
    if found["in_other_class"]:
        return f"{name} is in another class too: only they can change their password."
    if found["on_a_map"]:
        return f"{name} has maps of their own or shared with them: only they can change their password."
    return None


def reset_password(student, by, school_class: SchoolClass | None = None) -> str:
    """A new one-time password for a student of a class `by` teaches, if that class made the
    account and it belongs to nothing else (see _reset_obstacles); their old password and
    sessions stop working, and they choose a new password at their next login."""
    enrolment = _student_enrolment(school_class, student, by)
    refusal = _why_not_reset(student, enrolment.school_class)
    if refusal:
        raise ClassroomError(refusal)
    password = one_time_password()
    with transaction.atomic():
        student.password = make_password(password)
        student.save(update_fields=["password"])
        AccountSetup.objects.update_or_create(
            user=student, defaults={"must_set_password": True, "issued_by": by, "issued_at": timezone.now()}
        )
    return password


def remove_student(school_class: SchoolClass, student, by) -> None:
    """Takes the student out of the class. Only the enrolment goes: what they wrote stays."""
    _student_enrolment(school_class, student, by).delete()


def _all_usernames():
    return get_user_model().objects.values_list("username", flat=True).iterator(chunk_size=2000)


def taken_skeletons() -> set[str]:
    """What every existing username looks like (argmap.usernames.skeleton).

    Reads all usernames: fine for a school's thousands of accounts (and sign-up is rate limited);
    a stored skeleton column would be the next step for far more."""
    return {skeleton(name) for name in _all_usernames()}


def lookalike_of(username: str) -> str | None:
    """An existing username that reads the same as this one (another case, an accent, a Cyrillic
    or Greek letter drawn like a Latin one), or None."""
    wanted = skeleton(username)
    for name in _all_usernames():
        if skeleton(name) == wanted:
            return name
    return None


def find_user(username: str):
    """The account with this username as typed (NFKC-normalised, as usernames are stored), else
    the one differing only in case, or None. Never a look-alike: `tоmas` with a Cyrillic о does
    not find `tomas`, nor the other way round (inviting the wrong person is worse than a retry)."""
    users = get_user_model().objects
    username = normalise(username.replace("\x00", ""))
    if not username:
        return None
    exact = users.filter(username=username).first()
    if exact is not None:
        return exact
    # PostgreSQL's iexact compares UPPER(), which makes a dotless ı match i: keep true case variants only.
    return next((u for u in users.filter(username__iexact=username) if u.username.casefold() == username.casefold()), None)


def add_co_teacher(school_class: SchoolClass, username: str, by):
    """Makes the person with this username a teacher of the class too."""
    user = find_user(username)
    if user is None:
        raise ClassroomError(
            f"No one has signed up as “{username.strip()[:150]}”. Check the spelling of their username."
        )
    existing = role_in(school_class, user)
    if existing == ClassRole.STUDENT:
        raise ClassroomError(
            f"{user.get_username()} is a student in this class: "
            "remove them as a student first to add them as a teacher."
        )
    if existing is not None:
        raise _already_in(school_class, existing, you=user.pk == by.pk, name=user.get_username())
    try:
        with transaction.atomic():
            Enrolment.objects.create(school_class=school_class, user=user, role=ClassRole.TEACHER, added_by=by)
    except IntegrityError:
        raise _already_in(school_class, ClassRole.TEACHER, you=False, name=user.get_username()) from None
    return user


def remove_teacher(school_class: SchoolClass, teacher, by) -> None:
    """Takes `teacher` off the class's teachers (`by` may be the teacher themself, leaving it).
    The last teacher stays: a class nobody teaches could never be managed again. What they made stays."""
    with transaction.atomic():
        # Locked so that two teachers removing each other at once cannot leave the class with none.
        teacher_ids = list(
            Enrolment.objects.select_for_update()
            .filter(school_class=school_class, role=ClassRole.TEACHER)
            .order_by("pk")
            .values_list("user_id", flat=True)
        )
        if not by.is_superuser and by.pk not in teacher_ids:
            raise ClassroomError(f"You do not teach “{school_class.name}”.")
        if teacher.pk not in teacher_ids:
            raise ClassroomError(f"{teacher.get_username()} does not teach “{school_class.name}”.")
        if len(teacher_ids) == 1:
            who = "You are" if teacher.pk == by.pk else f"{teacher.get_username()} is"
            raise LastTeacher(
                f"{who} the only teacher of “{school_class.name}”: add another teacher first, "
                "so that someone can still manage the class."
            )
        Enrolment.objects.filter(school_class=school_class, user=teacher, role=ClassRole.TEACHER).delete()


def clear_password_setup(user) -> None:
    """The person chose their own password: no more forced visits to the password page."""
    AccountSetup.objects.filter(user=user).update(must_set_password=False)


def must_set_password(user) -> bool:
    return AccountSetup.objects.filter(user=user, must_set_password=True).exists()


def landing_page_class(user) -> SchoolClass | None:
    """The one class a student is in (where a freshly made account starts), or None."""
    classes = list(
        SchoolClass.objects.filter(enrolments__user=user, enrolments__role=ClassRole.STUDENT)[:2]
    )
    return classes[0] if len(classes) == 1 else None
