"""Live updates' tokens: what a page that shows a map embeds to poll for changes (views/live.py
answers the polls; `{% live_poller map %}` embeds the poller).

The token is signed: it names the map and the person it was handed to, and expires, so a poll
needs neither the session nor a permission check. Only pages that checked the reader's access
embed one.
"""

from django.core import signing
from django.urls import reverse
from django.utils.http import urlencode

from argmap.browsing import cards_naming, rows_moved_by
from argmap.models import LiveChange, Map

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


# More changed nodes than this at once (an import, a big deletion): the pages refresh whole.
MOST_NODES = 300
EVERYTHING = {"everything": True}


def changes_since(map_: Map, since: int) -> dict:
    """What changed on the map between activity `since` and `map_.activity`, as the detail of the
    event live.js acts on (one query, and the map's cached graph for shape changes):

    - `nodes`: the nodes that changed (their cards, and their children lists);
    - `rows`: those and, where the shape changed, every node above them (their counts moved) and
      their children placed elsewhere too (whose cards name them);
    - `sources`: the sources whose quotes changed; `theses`: theses among them (a page without one shows a new thesis: it refreshes whole); `scores`: strengths may have;
    - or just `everything`, when the log does not account for every step (pruned, or an import).
    """
    steps = map_.activity - since
    if steps <= 0 or steps > LiveChange.KEPT:
        return EVERYTHING
    changes = list(
        LiveChange.objects.filter(map_id=map_.pk, activity__gt=since, activity__lte=map_.activity)
        .order_by("activity").values_list("activity", "nodes", "sources", "shape", "scores")
    )
    if [c[0] for c in changes] != list(range(since + 1, map_.activity + 1)) or any(c[1] is None for c in changes):
        return EVERYTHING
    nodes = {n for c in changes for n in c[1]}
    if len(nodes) > MOST_NODES:
        return EVERYTHING
    shaped = {n for c in changes if c[3] for n in c[1]}
    above, theses = rows_moved_by(map_, shaped) if shaped else (set(), set())
    # A node's new text shows in the "Also in …" lists of its children that have other parents.
    naming = cards_naming(map_, shaped) if shaped else set()
    return {
        "nodes": sorted(nodes),
        "rows": sorted(nodes | above | naming),
        "sources": sorted({s for c in changes for s in c[2]}),
        "theses": sorted(theses),
        "scores": any(c[3] or c[4] for c in changes),
    }
