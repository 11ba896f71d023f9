"""A limit on failed log-ins, per (username, client address) pair.

After `ARGMAP_LOGIN_FAILURES` failures within `ARGMAP_LOGIN_WINDOW_SECONDS`, that pair is locked for
`ARGMAP_LOGIN_LOCKOUT_SECONDS`: no password is checked for it until the lock ends. The pair, not the
address alone, is counted because a whole class often shares one school address: one student
mistyping (or someone guessing) must not lock out the others, and the owner of a username is not
locked out by someone guessing it from elsewhere.

State lives in Django's cache (the database cache here), so it holds across processes. Counting is
a read and a write, not atomic: a burst of simultaneous guesses may get a few more tries than the
limit, which still keeps guessing hopelessly slow.
"""

import hashlib
import math
import time
import unicodedata

from django.conf import settings
from django.core.cache import cache

DEFAULT_FAILURES = 5
DEFAULT_WINDOW_SECONDS = 15 * 60
DEFAULT_LOCKOUT_SECONDS = 5 * 60


def max_failures() -> int:
    return getattr(settings, "ARGMAP_LOGIN_FAILURES", DEFAULT_FAILURES)


def window_seconds() -> int:
    return getattr(settings, "ARGMAP_LOGIN_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS)


def lockout_seconds() -> int:
    return getattr(settings, "ARGMAP_LOGIN_LOCKOUT_SECONDS", DEFAULT_LOCKOUT_SECONDS)


def client_address(request) -> str:
    """The address the connection came from. X-Forwarded-For is not trusted: anyone can send it."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def _pair_key(prefix: str, username: str, address: str) -> str:
    # Case-insensitive, as sign-up refuses names that differ only in case; hashed, so any input
    # (very long, NUL bytes, stray surrogates) makes a short, valid cache key.
    name = unicodedata.normalize("NFKC", username).casefold()
    digest = hashlib.sha256(f"{name}\n{address}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"argmap:login:{prefix}:{digest}"


def seconds_locked(username: str, address: str, now: float | None = None) -> int:
    """How many seconds this pair stays locked (0 if it is not locked)."""
    until = cache.get(_pair_key("lock", username, address))
    if until is None:
        return 0
    now = time.time() if now is None else now
    return max(0, math.ceil(until - now))


def is_locked(username: str, address: str) -> bool:
    return seconds_locked(username, address) > 0


def note_failure(username: str, address: str, now: float | None = None) -> bool:
    """Count one failed log-in for the pair; True if this failure locks it."""
    now = time.time() if now is None else now
    key = _pair_key("failures", username, address)
    recent = [t for t in cache.get(key, []) if t > now - window_seconds()]
    recent.append(now)
    if len(recent) >= max_failures():
        cache.set(_pair_key("lock", username, address), now + lockout_seconds(), timeout=lockout_seconds())
        cache.delete(key)
        return True
    cache.set(key, recent, timeout=window_seconds())
    return False


def clear(username: str, address: str) -> None:
    """Forget the pair's failures (after a successful log-in)."""
    cache.delete_many([_pair_key("failures", username, address), _pair_key("lock", username, address)])
