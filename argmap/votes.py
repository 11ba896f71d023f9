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

from argmap.browsing import load_graph
from argmap.models import Map, Relation, Vote

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
    map_ = access.map
    relation = Relation.objects.live().filter(pk=relation_id, map=map_).first()
    if relation is None:
        return None
    if getattr(map_, "access", None) is None:
        map_.access = access  # what load_graph shows the reader by
    edge = load_graph(map_).edge(relation.parent_id, relation.child_id)
    return relation if edge is not None and edge.relation_id == relation.pk else None


def _check_votable(relation: Relation, user, access) -> None:
    if relation.is_deleted:
        raise RelationNotSeen("That relation has been deleted.")
    if access is None:
        from argmap.permissions import access_for

        map_ = relation.map
        access = access_for(map_, user)
        map_.access = access
    if access.map.pk != relation.map_id or seen_relation(access, relation.pk) is None:
        raise RelationNotSeen("There is no such relation in this map.")


def cast(relation: Relation, user, impact: int, *, access=None) -> Vote:
    """Record `user`'s impact vote on `relation`, or change the one they cast before.

    `access` is the voter's Access on the relation's map (looked up when not given). Raises
    VoteRefused for an impact outside 0..4, RelationNotSeen for a deleted relation or one the voter
    cannot see. Permission to vote at all is the caller's to check (`Access.can_vote`).
    """
    if isinstance(impact, bool) or not isinstance(impact, int) or impact not in IMPACTS:
        raise VoteRefused("Rate the impact with a whole number from 0 (no impact) to 4 (decisive).")
    _check_votable(relation, user, access)
    with transaction.atomic():
        vote, _ = Vote.objects.update_or_create(relation=relation, user=user, defaults={"impact": impact})
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
    user_id = user.pk if user is not None and user.is_authenticated else None
    rows = (
        Vote.objects.filter(relation_id__in=ids)
        .order_by()
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
