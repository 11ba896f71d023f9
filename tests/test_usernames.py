"""Look-alike usernames (argmap/usernames.py): pure functions, no database."""

import pytest

from argmap.usernames import confusable, is_reserved, normalise, skeleton


@pytest.mark.parametrize(
    "lookalike",
    [
        "t\u043emas",  # Cyrillic о
        "\u0442\u043e\u043c\u0430\u0455",  # Cyrillic т о м а ѕ
        "t\u03bfmas",  # Greek ο
        "tómas",  # precomposed accent
        "to\u0301mas",  # combining accent
        "TOMAS",
        "\uff54\uff4f\uff4d\uff41\uff53",  # full-width
        "\u0422\u041e\u041c\u0410S",  # Cyrillic capitals
    ],
)
def test_it_finds_names_that_read_the_same(lookalike):
    assert confusable(lookalike, "tomas")


@pytest.mark.parametrize("other", ["tomas-2", "thomas", "tomasz", "t0mas", "tomas_", "anna"])
def test_it_tells_different_names_apart(other):
    assert not confusable(other, "tomas")


def test_a_skeleton_is_plain_lower_case_latin_for_latin_lookalikes():
    assert skeleton("Аnnа-Kоwаlskа") == "anna-kowalska"  # Cyrillic А, а, о
    assert skeleton("Straße") == "strasse"


def test_it_normalises_as_django_stores_usernames():
    assert normalise(" \uff54omas ") == "tomas"
    assert normalise("to\u0301mas") == "tómas"


@pytest.mark.parametrize("name, reserved", [
    ("imported-anna", True), ("IMPORTED-anna", True), ("\u0456mported-anna", True),
    ("imported", False), ("anna-imported-", False),
])
def test_it_reserves_the_placeholder_prefix(name, reserved):
    assert is_reserved(name) is reserved
