"""Passwords are hashed with Argon2id at OWASP's minimum parameters (argmap/hashers.py); older PBKDF2
hashes still log in and are re-made with Argon2id then. The suite otherwise hashes with MD5 for
speed (conftest): these tests put the site's own hasher list back."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher, make_password

from argmap import settings as site_settings
from argmap.classroom import accounts
from tests.helpers import log_in_with_password

User = get_user_model()
OWASP_PREFIX = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture(autouse=True)
def site_hashers(settings):
    settings.PASSWORD_HASHERS = site_settings.PASSWORD_HASHERS


def signed_in_as(client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).username if user_id else None


def test_it_hashes_new_passwords_with_argon2id_at_owasp_minimum(db):
    encoded = make_password("plum-orchard-lantern-42")
    parameters = identify_hasher(encoded).decode(encoded)
    assert encoded.startswith(OWASP_PREFIX)
    assert (parameters["variety"], parameters["memory_cost"], parameters["time_cost"], parameters["parallelism"]) == (
        "argon2id", 19 * 1024, 2, 1
    )


def test_it_lets_a_student_from_a_teachers_list_log_in(client, teacher):
    school_class = accounts.create_class("Year 11 debate", "Europe/Minsk", teacher)
    [account] = accounts.bulk_create_students(school_class, "Anna Kovaleva", teacher)
    assert User.objects.get(username=account.username).password.startswith(OWASP_PREFIX)
    response = log_in_with_password(client, account.username, account.password)
    assert response.status_code == 302 and signed_in_as(client) == account.username
    assert client.get("/")["Location"].startswith("/accounts/password/set/")  # then chooses their own


def test_it_refuses_a_wrong_password_for_an_argon2_hash(client, teacher):
    response = log_in_with_password(client, "ms-teacher", "not-the-teacher-pass")
    assert response.status_code == 400 and signed_in_as(client) is None


def test_it_logs_in_with_an_old_pbkdf2_hash_and_upgrades_it(client, db):
    # Fewer iterations than Django's 1.5M keep the test quick; the stored format is the same.
    old = PBKDF2PasswordHasher().encode("an-old-pass-from-2024", PBKDF2PasswordHasher().salt(), iterations=1000)
    User.objects.create(username="veteran", password=old)
    response = log_in_with_password(client, "veteran", "an-old-pass-from-2024")
    assert response.status_code == 302 and signed_in_as(client) == "veteran"
    upgraded = User.objects.get(username="veteran").password
    assert upgraded.startswith(OWASP_PREFIX)
    assert User.objects.get(username="veteran").check_password("an-old-pass-from-2024")
