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
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import reswap

from argmap import votes
from argmap.browsing import load_graph
from argmap.permissions import Refused, map_and_access
from argmap.tree import walk
from argmap.views import next_path
from argmap.views.editing import signed_in

VOTING_OFF = "Voting is turned off on this map."
NOT_A_VOTER = "Only contributors, editors and owners of this map rate the impact of its claims."
PLACE = re.compile(r"^[a-z][a-z0-9-]{0,150}$")  # the widget's id prefix on the page it came from


@dataclass(frozen=True)
class VoteBox:
    """What the widget shows for one relation to one reader."""

    relation_id: int
    summary: votes.Summary
    revealed: bool  # the others' mean and count may be shown
    can_vote: bool

    choices = tuple(votes.IMPACT_WORDS.items())


def vote_boxes(access, relation_ids) -> dict[int, VoteBox]:
    """A VoteBox per relation id, in one query at most. Empty when voting is off, and for a relation
    on which the reader may neither vote nor see anything."""
    ids = set(relation_ids)
    if not access.map.voting or not ids:
        return {}
    can_vote = bool(access.can_vote)
    sees_all = access.sees_votes_before_voting()
    signed_in_user = access.user is not None and access.user.is_authenticated
    if not sees_all and not signed_in_user:
        return {}  # someone who never votes would never see anything
    found = votes.summaries(ids, access.user)
    boxes = {}
    for relation_id in ids:
        summary = found.get(relation_id, votes.NO_VOTES)
        revealed = sees_all or summary.mine is not None
        if revealed or can_vote:
            boxes[relation_id] = VoteBox(relation_id, summary, revealed, can_vote)
    return boxes


def attach_row_votes(rows, graph, access) -> None:
    """Give every tree row below a thesis its relation's VoteBox as `row.vote` (None if nothing to show)."""
    shown = [(row, graph.edge(row.path[-2], row.path[-1])) for row in walk(rows) if len(row.path) > 1]
    boxes = vote_boxes(access, {edge.relation_id for _, edge in shown if edge})
    for row, edge in shown:
        row.vote = boxes.get(edge.relation_id) if edge else None


def attach_child_votes(children: list[dict], access, own_relation_id: int | None = None) -> VoteBox | None:
    """The focus view's child cards (dicts with `relation_id`) get their `vote` and `vote_place`;
    returns the VoteBox of the focused node's own relation to its parent on the path (if any)."""
    ids = {child["relation_id"] for child in children} | ({own_relation_id} if own_relation_id else set())
    boxes = vote_boxes(access, ids)
    for child in children:
        child["vote"] = boxes.get(child["relation_id"])
        child["vote_place"] = f"relation-{child['relation_id']}"
    return boxes.get(own_relation_id)


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
        votes.cast(relation, request.user, impact, access=access)
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
    graph = load_graph(map_)
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
