"""Impact votes on a map's pages: the 0–4 widget under each relation, casting and withdrawing a
vote, and the page where a person reviews their own votes.

The widget (templates/maps/_vote.html) is a plain form: without JavaScript a vote posts and the
browser comes back to the page it was on; htmx swaps just the widget. A refused or bad vote comes
back in the widget too, with the reason and a 4xx status (HX-Reswap, see static/js/live.js).

When the map hides others' votes until one has voted (`Map.votes_hidden_until_voted`), the mean
and count are left out of the HTML for a relation the reader has not voted on, unless they see
votes anyway (owners, editors, teachers: `Access.sees_votes_before_voting`).
"""

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import reswap

from argmap import votes
from argmap.access import Refused
from argmap.browsing import load_graph
from argmap.permissions import map_and_access
from argmap.views import next_path, signed_in_to
from argmap.votes import vote_boxes

VOTING_OFF = "Voting is turned off on this map."
LOG_IN = "Log in to vote."
NOT_A_VOTER = "Only contributors, editors and owners of this map rate the impact of its claims."
PLACE = re.compile(r"^[a-z][a-z0-9-]{0,150}$")  # the widget's id prefix on the page it came from


signed_in = signed_in_to(LOG_IN)


# Casting and withdrawing


def _voting_on(request, code: str, relation_id: int):
    """The map, the requester's access and the relation: 404 unless they see the relation."""
    map_, access = map_and_access(request, code)
    relation = votes.seen_relation(access, relation_id)
    if relation is None:
        raise Http404("No such relation in this map.")
    return map_, access, relation


def _back_url(request, map_) -> str:
    """Where the widget was: a page of this map (`next`), else the map page."""
    next_url = next_path(request).split("#")[0]
    return next_url if next_url.startswith(f"/maps/{map_.code}/") else map_.get_absolute_url()


def _place(request) -> str:
    place = request.POST.get("place", "")
    return place if PLACE.match(place) else "vote"


def _answer(request, map_, access, relation, *, error: str = "", status: int = 200):
    """The widget again for htmx (with the error, if any); without it, back to the page."""
    place = _place(request)
    if request.htmx:
        box = vote_boxes(access, [relation.pk]).get(relation.pk)
        context = {"map": map_, "box": box, "vote_place": place, "vote_back": _back_url(request, map_),
                   "vote_error": error}
        response = render(request, "maps/_vote.html", context, status=status)
        return reswap(response, "outerHTML") if status >= 400 else response
    if status == 403:
        raise PermissionDenied(error)
    if status >= 400:
        return render(request, "400.html", {"exception": error}, status=status)
    return redirect(f"{_back_url(request, map_)}#{place}-vote")


def _refusal(map_, access) -> str:
    """Why the requester may not vote on this map now; "" when they may."""
    if not map_.voting:
        return VOTING_OFF
    allowed = access.can_vote
    if not allowed:
        return allowed.reason if isinstance(allowed, Refused) else NOT_A_VOTER  # e.g. the exercise closed
    return ""


@signed_in
@require_POST
def vote_cast(request, code: str, relation_id: int):
    map_, access, relation = _voting_on(request, code, relation_id)
    if refusal := _refusal(map_, access):
        return _answer(request, map_, access, relation, error=refusal, status=403)
    try:
        impact = votes.parse_impact(request.POST.get("impact"))
        votes.cast(access, relation, impact)
    except votes.RelationNotSeen:
        raise Http404("No such relation in this map.")
    except votes.VoteRefused as bad:
        return _answer(request, map_, access, relation, error=bad.messages[0], status=400)
    return _answer(request, map_, access, relation)


@signed_in
@require_POST
def vote_withdraw(request, code: str, relation_id: int):
    map_, access, relation = _voting_on(request, code, relation_id)
    if refusal := _refusal(map_, access):
        return _answer(request, map_, access, relation, error=refusal, status=403)
    votes.withdraw(relation, request.user)
    return _answer(request, map_, access, relation)


# Reviewing one's own votes


@signed_in
@require_safe
def my_votes(request, code: str):
    """The requester's votes on this map's relations that they can still see, each with the claim,
    its parent and the stance, and the widget to change or withdraw it."""
    map_, access = map_and_access(request, code)
    graph = load_graph(access)
    listed, set_aside = [], 0
    for vote in votes.votes_of(request.user, map_):
        relation = vote.relation
        edge = graph.edge(relation.parent_id, relation.child_id)
        if relation.is_deleted or edge is None or edge.relation_id != relation.pk:
            set_aside += 1  # kept, and counted again if the relation comes back
            continue
        listed.append(vote)
    boxes = vote_boxes(access, [vote.relation_id for vote in listed])
    context = {
        "map": map_,
        "access": access,
        "entries": [(vote, boxes.get(vote.relation_id), f"mine-{vote.relation_id}") for vote in listed],
        "set_aside": set_aside,
        "voting_off": not map_.voting,
        "refusal": _refusal(map_, access) if map_.voting else "",
    }
    return render(request, "maps/my_votes.html", context)


urlpatterns = [
    path("maps/<slug:code>/relations/<int:relation_id>/vote/", vote_cast, name="vote-cast"),
    path("maps/<slug:code>/relations/<int:relation_id>/vote/withdraw/", vote_withdraw, name="vote-withdraw"),
    path("maps/<slug:code>/votes/mine/", my_votes, name="my-votes"),
]
