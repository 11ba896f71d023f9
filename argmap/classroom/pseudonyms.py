"""Pseudonyms for anonymous exercises: every student of the class goes by a name such as "Amber
Heron" that the other students see instead of their username (`access.Access.name_of`).

A pseudonym is drawn at random once and stored (`Pseudonym`), so it stays the same on every page
and in every later visit; it is unique within the exercise. The unique constraints on Pseudonym
make concurrent calls safe: a name or a student taken meanwhile by another request is simply
drawn again on the next round.
"""

import random

from django.db import transaction

from argmap.models import ClassRole, Enrolment, Pseudonym

# Friendly, neutral words (40 x 40 = 1,600 pairs); a number is added once every pair is taken.
ADJECTIVES = (
    "Amber", "Azure", "Bold", "Brave", "Breezy", "Bright", "Calm", "Clever", "Coral", "Cosy",
    "Curious", "Dapper", "Eager", "Gentle", "Golden", "Happy", "Hazel", "Honest", "Jolly", "Keen",
    "Kind", "Lively", "Lucky", "Mellow", "Merry", "Misty", "Nimble", "Noble", "Patient", "Plucky",
    "Quick", "Quiet", "Rosy", "Silver", "Steady", "Sunny", "Swift", "Tidy", "Witty", "Zesty",
)
NOUNS = (
    "Badger", "Beaver", "Birch", "Bison", "Cedar", "Clover", "Crane", "Daisy", "Dolphin", "Falcon",
    "Fern", "Finch", "Fox", "Gecko", "Hare", "Heather", "Heron", "Ibis", "Iris", "Jay",
    "Koala", "Lark", "Lily", "Lynx", "Maple", "Marten", "Moose", "Oak", "Orca", "Otter",
    "Owl", "Panda", "Puffin", "Robin", "Rowan", "Seal", "Swan", "Tulip", "Willow", "Wren",
)
MAX_ROUNDS = 20  # each round loses only to names or students taken meanwhile by another request


def ensure_pseudonyms(exercise) -> None:
    """Give every student enrolled in the exercise's class who has none a pseudonym, unique
    within the exercise. Idempotent; students who already have one keep it."""
    rng = random.SystemRandom()
    for _ in range(MAX_ROUNDS):
        students = set(
            Enrolment.objects.filter(school_class_id=exercise.school_class_id, role=ClassRole.STUDENT)
            .values_list("user_id", flat=True)
        )
        named = dict(Pseudonym.objects.filter(exercise=exercise).values_list("user_id", "name"))
        missing = sorted(students - named.keys())
        if not missing:
            return
        names = _fresh_names(set(named.values()), len(missing), rng)
        with transaction.atomic():
            # A conflict (same student or same name, written meanwhile) skips that row: the next
            # round sees what the other request wrote and draws again for whoever is still missing.
            Pseudonym.objects.bulk_create(
                [Pseudonym(exercise=exercise, user_id=user_id, name=name) for user_id, name in zip(missing, names)],
                ignore_conflicts=True,
            )
    raise RuntimeError(f"Could not give every student of exercise {exercise.pk} a pseudonym.")


def _fresh_names(taken: set[str], count: int, rng: random.Random) -> list[str]:
    """`count` distinct names not in `taken`: random word pairs, then pairs with a number."""
    pairs = [f"{adjective} {noun}" for adjective in ADJECTIVES for noun in NOUNS]
    free = [name for name in pairs if name not in taken]
    chosen = rng.sample(free, min(count, len(free)))
    number = 2
    while len(chosen) < count:
        numbered = [f"{name} {number}" for name in pairs if f"{name} {number}" not in taken]
        chosen += rng.sample(numbered, min(count - len(chosen), len(numbered)))
        number += 1
    return chosen
