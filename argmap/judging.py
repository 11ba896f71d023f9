"""Strengths of a map's nodes from its votes and source ratings, in a fixed number of queries.

argmap/strength.py holds the semantics (DF-QuAD) as pure functions; this module feeds it a map:
- the nodes: the map's approved live nodes that some approved thesis reaches through live relations
  (pending and rejected nodes, and what hangs only from them, take no part, whoever is reading);
- each relation's weight: the mean impact (0-4) of the votes counted, divided by 4; a relation
  nobody voted on weighs 0.5 (impact 2). Which votes count is the perspective: everyone's, the
  teachers' (on a map without an exercise: its owners' and editors'), one team's, or one person's;
- each node's base score: 0.5, except evidence quoting sources that the map's owners rated with
  "counts" on: the rating / 4, or the mean of rating / 4 over the distinct rated sources it quotes
  (sources without a counting rating are left out of the mean; none at all leaves 0.5).

A result is cached per (map, revision, votes revision, perspective, whose votes) in a small
in-process LRU, like browsing.py's graphs: a vote or node change bumps only its own map's
counters, so only that map is computed again. Who is a teacher or in a team is not in the key: a
change to the class's teachers or teams shows at the map's next vote or node change.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from argmap.access import checked
from argmap.browsing import approved_graph
from argmap.caching import KeptRecently
from argmap.models import ClassRole, Enrolment, Map, Membership, Quote, Role, SideAssignment, Vote
from argmap.strength import Link, explain, strengths
from argmap.tree import MapGraph

EVERYONE, TEACHER, TEAM, MINE = "everyone", "teacher", "team", "mine"
PERSPECTIVES = (EVERYONE, TEACHER, TEAM, MINE)
DEFAULT_BASE = 0.5
DEFAULT_WEIGHT = 0.5  # an unvoted relation counts as impact 2 of 4


@dataclass(frozen=True)
class Strengths:
    """Every judged node's strength for one map and one perspective, with what went into it."""

    perspective: str
    graph: MapGraph  # the approved live nodes only
    values: dict[int, float]  # node id -> strength in [0, 1]
    weights: dict[int, float]  # relation id -> mean impact / 4 (voted relations only)
    vote_counts: dict[int, int]  # relation id -> number of votes counted
    base: dict[int, float]  # node id -> base score, where it is not 0.5
    links_by_parent: dict[int, list[Link]] = field(repr=False)

    def __contains__(self, node: int) -> bool:
        return node in self.values

    def get(self, node: int) -> float | None:
        return self.values.get(node)

    @property
    def theses(self) -> list[int]:
        return self.graph.theses

    def weight(self, relation_id: int) -> float:
        return self.weights.get(relation_id, DEFAULT_WEIGHT)

    def why(self, node: int):
        """strength.explain for one node: its base score, and what each child added or took away."""
        return explain(node, self.links_by_parent.get(node, []), self.values, weights=self.weights,
                       default_weight=DEFAULT_WEIGHT, base=self.base, default_base=DEFAULT_BASE)


KEPT = 64
_cache: KeptRecently = KeptRecently(KEPT)  # Strengths, and the base scores they start from


def map_strengths(map_: Map, perspective: str = EVERYONE, viewer=None, team: str | None = None, *,
                  until_voted_by=None) -> Strengths:
    """Every node's strength on `map_` counting the votes of `perspective`: EVERYONE, TEACHER,
    TEAM (`team`: a SideAssignment.team of the map's exercise) or MINE (`viewer`'s votes).

    `until_voted_by`: count other people's votes only on the relations this person has voted on
    (a map that hides votes until one has voted; see Access.sees_votes_before_voting); an
    anonymous reader there has voted on nothing, so no vote counts for them.
    Cold: the graph (three queries unless browsing.py has it), the base scores and the votes (one
    query each); warm: none. `map_` must be freshly read: its counters key the cache.
    """
    if perspective not in PERSPECTIVES:
        raise ValueError(f"No perspective {perspective!r}.")
    if perspective == MINE and not _signed_in(viewer):
        raise ValueError("The 'mine' perspective needs a signed-in viewer.")
    if perspective == TEAM and not (map_.exercise_id and team):
        raise ValueError("The 'team' perspective needs a team of the map's exercise.")
    whose = viewer.pk if perspective == MINE else team if perspective == TEAM else None
    blind = None if until_voted_by is None else until_voted_by.pk if _signed_in(until_voted_by) else 0
    # The code too: on SQLite a rolled-back test's map id comes back with the same counters.
    key = (map_.pk, map_.code, map_.revision, map_.votes_revision, perspective, whose, blind)
    return _cache.get(key, lambda: compute(map_, perspective, viewer, team, until_voted_by))


def forget_strengths() -> None:
    _cache.clear()


def cached_count() -> int:
    return len(_cache)


def compute(map_: Map, perspective: str, viewer=None, team: str | None = None, until_voted_by=None) -> Strengths:
    graph = judged_graph(map_)
    links_by_parent: dict[int, list[Link]] = {}
    for node in graph.nodes:
        for edge in graph.children(node):
            links_by_parent.setdefault(node, []).append(Link(edge.relation_id, edge.child, edge.parent, edge.stance))
    links = [link for children in links_by_parent.values() for link in children]
    relation_ids = {link.relation_id for link in links}
    weights, counts, base = {}, {}, {}
    # Every vote and source rating ever saved bumped votes_revision: at 0 there is nothing to read.
    if map_.votes_revision:
        for relation_id, total, count in vote_totals(map_, perspective, viewer, team, until_voted_by):
            if relation_id in relation_ids and count:
                weights[relation_id] = total / count / 4
                counts[relation_id] = count
        # The same for every perspective: read once per revision.
        rated = _cache.get((map_.pk, map_.code, map_.revision, map_.votes_revision, "base"), lambda: base_scores(map_))
        base = {node: score for node, score in rated.items() if node in graph.nodes}
    values = strengths(graph.nodes, links, base=base, weights=weights,
                       default_base=DEFAULT_BASE, default_weight=DEFAULT_WEIGHT)
    return Strengths(perspective, graph, values, weights, counts, base, links_by_parent)


def judged_graph(map_: Map) -> MapGraph:
    """The map's graph without any node that is not approved, nor what hangs only from one."""
    return approved_graph(map_)


def vote_totals(map_: Map, perspective: str, viewer=None, team: str | None = None, until_voted_by=None):
    """(relation id, sum of impacts, number of votes) per relation of the map: one query."""
    votes = Vote.objects.filter(relation__map=map_)
    if perspective == MINE:
        votes = votes.filter(user=viewer)
    elif perspective == TEACHER:
        votes = votes.filter(teachers_of(map_))
    elif perspective == TEAM:
        members = SideAssignment.objects.filter(exercise_id=map_.exercise_id, team=team).values("user_id")
        votes = votes.filter(user_id__in=members)
    if until_voted_by is not None and perspective != MINE:
        if not _signed_in(until_voted_by):
            return []
        voted = Vote.objects.filter(user=until_voted_by, relation__map=map_).values("relation_id")
        votes = votes.filter(relation_id__in=voted)
    return votes.values("relation_id").annotate(total=Sum("impact"), count=Count("id")) \
        .order_by().values_list("relation_id", "total", "count")


def teachers_of(map_: Map) -> Q:
    """Whose votes the TEACHER perspective counts, as a filter on votes: the teachers of the
    exercise's class; on a map without an exercise, its owners and editors."""
    if map_.exercise_id:
        teachers = Enrolment.objects.filter(school_class_id=map_.exercise.school_class_id, role=ClassRole.TEACHER)
        return Q(user_id__in=teachers.values("user_id"))
    judges = Q(user_id__in=Membership.objects.filter(map=map_, role__in=[Role.OWNER, Role.EDITOR]).values("user_id"))
    return judges | Q(user_id=map_.owner_id) if map_.owner_id else judges


def base_scores(map_: Map) -> dict[int, float]:
    """node id -> base score for the evidence quoting sources rated with "counts" on (one query):
    the mean of rating / 4 over the distinct such sources it quotes."""
    rated = (
        Quote.objects.live()
        .filter(node__map=map_, source__ratings__map=map_, source__ratings__counts=True)
        .values_list("node_id", "source_id", "source__ratings__rating")
        .distinct()
        .order_by()
    )
    by_node: dict[int, list[float]] = {}
    for node_id, _source_id, rating in rated:
        by_node.setdefault(node_id, []).append(rating / 4)
    return {node: sum(scores) / len(scores) for node, scores in by_node.items()}


def teams_of(map_: Map) -> list[str]:
    """The team names of the map's exercise, when it assigns sides (one query; none without)."""
    exercise = map_.exercise if map_.exercise_id else None
    if exercise is None or not exercise.sides:
        return []
    names = SideAssignment.objects.filter(exercise=exercise).exclude(team="").values_list("team", flat=True)
    return sorted(set(names))


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated


# What the pages show: the perspectives a reader may compare.


@dataclass(frozen=True)
class Perspective:
    key: str  # "everyone", "teacher", "mine" or "team:<name>"
    label: str
    strengths: Strengths


def hidden_until_voted(access):
    """On a map that hides the others' votes until one has voted, the reader (who then sees others'
    votes only where they voted, as the vote widgets do); None when they see every vote (owners,
    editors and teachers, or any map that does not hide them)."""
    if access.map.votes_hidden_until_voted and not access.sees_votes_before_voting():
        return access.user
    return None


def has_votes_of_own(access) -> bool:
    """Signed in with a role that votes (contributor or more), even once voting has stopped."""
    return _signed_in(access.user) and access.role in (Role.CONTRIBUTOR, Role.EDITOR, Role.OWNER)


def perspectives(access) -> list[Perspective]:
    """Everyone's, the teachers', mine (for a reader who votes) and each team's, in that order, on
    `access.map` for its reader."""
    map_ = checked(access).map
    blind = hidden_until_voted(access)
    teacher_label = "Teachers" if map_.exercise_id else "Owners and editors"
    found = [
        Perspective(EVERYONE, "Everyone", map_strengths(map_, EVERYONE, until_voted_by=blind)),
        Perspective(TEACHER, teacher_label, map_strengths(map_, TEACHER, until_voted_by=blind)),
    ]
    if has_votes_of_own(access):
        found.append(Perspective(MINE, "My votes", map_strengths(map_, MINE, viewer=access.user)))
    for team in teams_of(map_):
        found.append(Perspective(f"team:{team}", f"Team {team}",
                                 map_strengths(map_, TEAM, team=team, until_voted_by=blind)))
    return found


def thesis_scores(access, theses) -> list[tuple]:
    """The map page's scoreboard: (thesis node, strength from everyone's votes), the strength None
    for a thesis that takes no part (the reader's own, awaiting approval)."""
    result = map_strengths(checked(access).map, EVERYONE, until_voted_by=hidden_until_voted(access))
    return [(node, result.get(node.pk)) for node in theses]
