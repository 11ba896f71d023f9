"""Impact votes: how much a relation's child, if true, moves its parent (Kialo's 0 to 4).

One vote per person and relation; casting again changes it, withdrawing removes it. Who may vote
is decided by `Access.can_vote` in the views; this module refuses what no one may vote on: a
relation that is deleted, or that the voter cannot see (on an exercise's map, one hanging from
someone else's node awaiting approval).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Max, Sum, When

from argmap.browsing import MANY_IDS, load_graph
from argmap.caching import KeptRecently
from argmap.models import Map, Relation, Vote
from argmap.tree import walk

IMPACTS = range(0, 5)
IMPACT_WORDS = {0: "no impact", 1: "small", 2: "medium", 3: "large", 4: "decisive"}


class VoteRefused(ValidationError):
    """A vote that cannot be cast, with the reason in words."""


class RelationNotSeen(VoteRefused):
    """The relation is deleted or its voter cannot see it (the views answer 404)."""


def parse_impact(value) -> int:
    """The impact a form sent ("0".."4") as an int; VoteRefused for anything else."""
    text = str(value).strip() if value is not None else ""
    if text in {str(impact) for impact in IMPACTS}:  # ASCII digits only: "٣".isdigit() is true too
        return int(text)
    raise VoteRefused("Rate the impact with a whole number from 0 (no impact) to 4 (decisive).")


def seen_relation(access, relation_id: int) -> Relation | None:
    """The live relation of `access.map` with this id, if the person behind `access` sees both of
    its nodes in the map's trees; None otherwise. One query (the graph is cached per revision)."""
    relation = Relation.objects.live().filter(pk=relation_id, map=access.map).first()
    if relation is None:
        return None
    edge = load_graph(access).edge(relation.parent_id, relation.child_id)
    return relation if edge is not None and edge.relation_id == relation.pk else None


def cast(access, relation: Relation, impact: int) -> Vote:
    """Record the vote of the person behind `access` (their Access on the relation's map) on
    `relation`, or change the one they cast before.

    Raises VoteRefused for an impact outside 0..4, RelationNotSeen for a deleted relation or one the
    voter cannot see. Permission to vote at all is the caller's to check (`Access.can_vote`).
    """
    if isinstance(impact, bool) or not isinstance(impact, int) or impact not in IMPACTS:
        raise VoteRefused("Rate the impact with a whole number from 0 (no impact) to 4 (decisive).")
    if relation.is_deleted:
        raise RelationNotSeen("That relation has been deleted.")
    if access.map.pk != relation.map_id or seen_relation(access, relation.pk) is None:
        raise RelationNotSeen("There is no such relation in this map.")
    with transaction.atomic():
        vote, _ = Vote.objects.update_or_create(relation=relation, user=access.user, defaults={"impact": impact})
    return vote


def withdraw(relation: Relation, user) -> bool:
    """Remove `user`'s vote on `relation`; False when they had none."""
    with transaction.atomic():
        deleted, _ = Vote.objects.filter(relation=relation, user=user).delete()
    return bool(deleted)


@dataclass(frozen=True)
class Summary:
    """The votes on one relation: how many, their total, and the reader's own (None if none)."""

    count: int = 0
    total: int = 0
    mine: int | None = None

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None


NO_VOTES = Summary()


def summaries(relation_ids, user) -> dict[int, Summary]:
    """Summary per relation id, in one query; relations nobody voted on are left out (NO_VOTES)."""
    ids = set(relation_ids)
    if not ids:
        return {}
    return _summaries(Vote.objects.filter(relation_id__in=ids), user)


# A fully expanded tree shows most of its map's relations: their summaries, for the whole map at
# once, are kept per reader while the map's activity (which every vote bumps) is unchanged.
MAP_SUMMARIES_KEPT = 64
_map_summaries: KeptRecently[dict[int, Summary]] = KeptRecently(MAP_SUMMARIES_KEPT)


def map_summaries(map_: Map, user) -> dict[int, Summary]:
    """As `summaries`, for every relation of `map_` anyone voted on."""
    user_id = user.pk if user is not None and user.is_authenticated else None
    return _map_summaries.get((map_.pk, map_.code, map_.activity, user_id),
                              lambda: _summaries(Vote.objects.filter(relation__map_id=map_.pk), user))


def _summaries(votes, user) -> dict[int, Summary]:
    user_id = user.pk if user is not None and user.is_authenticated else None
    rows = (
        votes.order_by()
        .values("relation_id")
        .annotate(
            count=Count("id"),
            total=Sum("impact"),
            mine=Max(Case(When(user_id=user_id, then="impact"), output_field=IntegerField())),
        )
    )
    return {row["relation_id"]: Summary(row["count"], row["total"], row["mine"]) for row in rows}


def votes_of(user, map_):
    """`user`'s votes on the relations of `map_`, each with its relation's child and parent, in
    the order the map's relations were made."""
    return (
        Vote.objects.filter(user=user, relation__map=map_)
        .select_related("relation__child", "relation__parent")
        .order_by("relation_id")
    )


# What a reader sees of the votes: the widget under each relation


@dataclass(frozen=True)
class VoteBox:
    """What the widget shows for one relation to one reader."""

    relation_id: int
    summary: Summary
    revealed: bool  # the others' mean and count may be shown
    can_vote: bool

    choices = tuple(IMPACT_WORDS.items())


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
    found = map_summaries(access.map, access.user) if len(ids) > MANY_IDS else summaries(ids, access.user)
    boxes = {}
    for relation_id in ids:
        summary = found.get(relation_id, NO_VOTES)
        revealed = sees_all or summary.mine is not None
        if revealed or can_vote:
            boxes[relation_id] = VoteBox(relation_id, summary, revealed, can_vote)
    return boxes


def attach_row_votes(rows, access) -> None:
    """Give every tree row below a thesis its relation's VoteBox as `row.vote` (None if nothing to show)."""
    shown = [row for row in walk(rows) if row.relation_id is not None]
    boxes = vote_boxes(access, {row.relation_id for row in shown})
    for row in shown:
        row.vote = boxes.get(row.relation_id)


def attach_child_votes(children: list[dict], access, own_relation_id: int | None = None) -> VoteBox | None:
    """The focus view's child cards (dicts with `relation_id`) get their `vote` and `vote_place`;
    returns the VoteBox of the focused node's own relation to its parent on the path (if any)."""
    ids = {child["relation_id"] for child in children} | ({own_relation_id} if own_relation_id else set())
    boxes = vote_boxes(access, ids)
    for child in children:
        child["vote"] = boxes.get(child["relation_id"])
        child["vote_place"] = f"relation-{child['relation_id']}"
    return boxes.get(own_relation_id)


# The switches, on the maps of an exercise at once


def voting_of(maps) -> dict[str, bool]:
    """The voting switches of the first of these maps (the exercise's main map comes first), or the
    defaults when there is none, as initial values for a form."""
    main_first = maps.order_by(F("group_id").asc(nulls_first=True), "id")
    first = main_first.values("voting", "votes_hidden_until_voted").first()
    if first is None:
        return {"voting": Map._meta.get_field("voting").default,
                "votes_hidden_until_voted": Map._meta.get_field("votes_hidden_until_voted").default}
    return first


def set_voting(maps, *, voting: bool, hidden_until_voted: bool) -> int:
    """Turn voting on or off and set whether others' votes are hidden until one has voted, on all
    these maps; their live pages refresh. Returns how many maps changed."""
    changed = maps.exclude(voting=voting, votes_hidden_until_voted=hidden_until_voted)
    return changed.update(voting=voting, votes_hidden_until_voted=hidden_until_voted,
                          activity=F("activity") + 1)
