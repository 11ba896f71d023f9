"""Live updates' tokens: what a page that shows a map embeds to poll for changes (views/live.py
answers the polls; `{% live_poller map %}` embeds the poller).

The token is signed: it names the map and the person it was handed to, and expires, so a poll
needs neither the session nor a permission check. Only pages that checked the reader's access
embed one.
"""

from django.core import signing
from django.urls import reverse
from django.utils.http import urlencode

from argmap.models import Map

TOKEN_SALT = "argmap.live"
TOKEN_MAX_AGE = 12 * 60 * 60  # a school day: a page left open longer asks to be reloaded
CHANGED_EVENT = "argmap-changed"


def make_token(map_: Map, user) -> str:
    user_id = user.pk if user is not None and user.is_authenticated else None
    return signing.dumps({"map": map_.pk, "user": user_id}, salt=TOKEN_SALT, compress=True)


def read_token(token: str) -> dict:
    """The token's contents; signing.BadSignature (SignatureExpired included) if forged or too old."""
    payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    if not isinstance(payload, dict) or not isinstance(payload.get("map"), int):
        raise signing.BadSignature("Not a live-updates token.")
    return payload


def poll_url(code: str, token: str, since: int) -> str:
    return f"{reverse('map-activity', args=[code])}?{urlencode({'token': token, 'since': since})}"


def poller_context(map_: Map, user) -> dict:
    """What _live.html needs to start polling from the map's activity as read for this page."""
    return {"poll_url": poll_url(map_.code, make_token(map_, user), map_.activity)}
