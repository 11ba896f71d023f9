"""Limits on log-ins (per username and client address) and sign-ups (per client address).

Log-in: at most `ARGMAP_LOGIN_FAILURES` passwords are checked for a (username, address) pair within
`ARGMAP_LOGIN_WINDOW_SECONDS`; when the last of them fails, the pair is locked for
`ARGMAP_LOGIN_LOCKOUT_SECONDS`. The pair, not the address alone, is counted because a whole class
often shares one school address: one student mistyping (or someone guessing) must not lock out
the others, and the owner of a username is not locked out by someone guessing it from elsewhere.

An attempt is taken *before* the password is checked (`begin_login`), by one conditional UPDATE
of the pair's AttemptCounter row (`... SET count = count + 1 WHERE count < limit`). Twenty
simultaneous guesses therefore get five password checks, not sixteen, whichever server process
answers them: SQLite runs one writer at a time, and PostgreSQL re-reads the row when a concurrent
UPDATE of it commits. (The database cache could not do this: its incr is a get then a set.)

Sign-up: at most `ARGMAP_SIGNUP_LIMIT` accounts per address within `ARGMAP_SIGNUP_WINDOW_SECONDS`.
Generous (60 an hour by default), because a class of 30 signs up from one school address.
"""

import hashlib
import math
import time
import unicodedata
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When

from argmap.models import AttemptCounter

DEFAULT_FAILURES = 5
DEFAULT_WINDOW_SECONDS = 15 * 60
DEFAULT_LOCKOUT_SECONDS = 5 * 60
DEFAULT_SIGNUP_LIMIT = 60
DEFAULT_SIGNUP_WINDOW_SECONDS = 60 * 60
FORGET_AFTER = timedelta(days=1)  # rows whose window and lock ended this long ago are deleted


def max_failures() -> int:
    return getattr(settings, "ARGMAP_LOGIN_FAILURES", DEFAULT_FAILURES)


def window_seconds() -> int:
    return getattr(settings, "ARGMAP_LOGIN_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS)


def lockout_seconds() -> int:
    return getattr(settings, "ARGMAP_LOGIN_LOCKOUT_SECONDS", DEFAULT_LOCKOUT_SECONDS)


def signup_limit() -> int:
    return getattr(settings, "ARGMAP_SIGNUP_LIMIT", DEFAULT_SIGNUP_LIMIT)


def signup_window_seconds() -> int:
    return getattr(settings, "ARGMAP_SIGNUP_WINDOW_SECONDS", DEFAULT_SIGNUP_WINDOW_SECONDS)


def client_address(request) -> str:
    """The address the connection came from. X-Forwarded-For is not trusted: anyone can send it."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def _key(what: str, *parts: str) -> str:
    # Hashed, so any input (very long, NUL bytes, stray surrogates) makes a short key.
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{what}:{digest}"


def _login_key(username: str, address: str) -> str:
    # Case-insensitive, as sign-up refuses names that differ only in case.
    return _key("login", unicodedata.normalize("NFKC", username).casefold(), address)


def _moment(now: float | None) -> datetime:
    return datetime.fromtimestamp(time.time() if now is None else now, tz=UTC)


def _take(key: str, limit: int, window: int, now: datetime) -> bool:
    """Take one of the `limit` attempts of the key's window, atomically; False if none is left
    (or the key is locked). A window that has ended starts again with this attempt."""
    ended = Q(window_start__lte=now - timedelta(seconds=window))
    takeable = AttemptCounter.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lte=now), Q(count__lt=limit) | ended, key=key
    )
    changes = {
        "count": Case(When(ended, then=Value(1)), default=F("count") + 1),
        "window_start": Case(When(ended, then=Value(now)), default=F("window_start")),
        "locked_until": None,
    }
    if takeable.update(**changes):
        return True
    if limit < 1:
        return False
    try:
        with transaction.atomic():
            AttemptCounter.objects.create(key=key, count=1, window_start=now)
    except IntegrityError:
        # The row exists: full, locked, or made a moment ago by a simultaneous request.
        return bool(takeable.update(**changes))
    _forget_old(now)
    return True


def _forget_old(now: datetime) -> None:
    # Once per new row: keeps the table to the pairs seen in the last day.
    old = now - FORGET_AFTER
    AttemptCounter.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lte=old), window_start__lte=old
    ).delete()


def _seconds_refused(key: str, limit: int, window: int, now: datetime) -> int:
    row = AttemptCounter.objects.filter(key=key).first()
    if row is None:
        return 0
    ends = []
    if row.locked_until is not None:
        ends.append(row.locked_until)
    if row.count >= limit:
        ends.append(row.window_start + timedelta(seconds=window))
    return max([0, *(math.ceil((end - now).total_seconds()) for end in ends)])


# Log-in


def begin_login(username: str, address: str, now: float | None = None) -> bool:
    """Take an attempt for the pair before its password is checked; False: refuse unchecked."""
    return _take(_login_key(username, address), max_failures(), window_seconds(), _moment(now))


def seconds_locked(username: str, address: str, now: float | None = None) -> int:
    """How many seconds until the pair may try again (0 if it may now)."""
    return _seconds_refused(_login_key(username, address), max_failures(), window_seconds(), _moment(now))


def is_locked(username: str, address: str) -> bool:
    return seconds_locked(username, address) > 0


def note_failure(username: str, address: str, now: float | None = None) -> bool:
    """The password of an attempt taken with begin_login was wrong. True if that used up the
    window: the pair is locked for the lockout (and then starts afresh)."""
    now = _moment(now)
    locked = AttemptCounter.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lte=now), key=_login_key(username, address),
        count__gte=max_failures(),
    ).update(locked_until=now + timedelta(seconds=lockout_seconds()), count=0, window_start=now)
    return bool(locked)


def clear(username: str, address: str) -> None:
    """Forget the pair's attempts (after a successful log-in)."""
    AttemptCounter.objects.filter(key=_login_key(username, address)).delete()


# Sign-up


def begin_signup(address: str, now: float | None = None) -> bool:
    """Count one new account from this address; False if the address has made its share."""
    return _take(_key("signup", address), signup_limit(), signup_window_seconds(), _moment(now))


def seconds_until_signup(address: str, now: float | None = None) -> int:
    return _seconds_refused(_key("signup", address), signup_limit(), signup_window_seconds(), _moment(now))
