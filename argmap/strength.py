"""How strong each node of a map is, from its whole subtree: DF-QuAD gradual semantics.

DF-QuAD ("Discontinuity-Free Quantitative Argumentation Debate", Rago, Toni, Aurisicchio and
Baroni, KR 2016) gives every argument a strength in [0, 1]:

    strength(a) = C(base(a), F(attackers' strengths), F(supporters' strengths))
    F(v1..vn)   = 1 - (1 - v1)(1 - v2)...(1 - vn)          F() = 0
    C(v0, va, vs) = v0                        if va == vs
                  = v0 - v0 * (va - vs)       if va > vs
                  = v0 + (1 - v0) * (vs - va) if va < vs

Argmap weighs each relation by its impact votes: a child's strength enters its parent's F
multiplied by the relation's weight (mean impact / 4; 0.5 when nobody voted). With every weight 1
this is the paper's semantics exactly.

Pure functions over plain ids, no Django: the caller loads the live, approved nodes and their
relations, the weights and base scores, and caches the result per map revision. docs/strength.md
explains the method for teachers.
"""

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import fmean

SUPPORT = "support"
OPPOSE = "oppose"
MAX_IMPACT = 4
UNVOTED_WEIGHT = 0.5
DEFAULT_BASE = 0.5


@dataclass(frozen=True)
class Link:
    """One relation: `child` bears on `parent`, supporting or opposing it."""

    relation_id: int
    child: int
    parent: int
    stance: str  # SUPPORT | OPPOSE


@dataclass(frozen=True)
class ChildEffect:
    """What one child relation does to its parent's strength."""

    relation_id: int
    child: int
    stance: str
    strength: float  # the child's own strength
    weight: float  # the relation's weight (mean impact / 4)
    contribution: float  # weight * strength: what enters the parent's aggregation
    effect: float  # parent's strength with this child minus without it (> 0 raised, < 0 lowered)


@dataclass(frozen=True)
class Explanation:
    """Why a node has its strength: its starting point, the pull of each side, each child's part."""

    node: int
    base: float
    attack: float  # va: aggregated weighted strength of the attackers
    support: float  # vs: aggregated weighted strength of the supporters
    strength: float
    children: tuple[ChildEffect, ...]  # largest effect (either way) first


def aggregate(values: Iterable[float]) -> float:
    """F: the probabilistic sum 1 - prod(1 - v); 0 for no values."""
    keep = 1.0
    for value in values:
        keep *= 1.0 - value
    return 1.0 - keep


def combine(base: float, attack: float, support: float) -> float:
    """C: move the base score towards 0 or 1 by the difference between support and attack."""
    if attack > support:
        return base - base * (attack - support)
    if support > attack:
        return base + (1.0 - base) * (support - attack)
    return base


def impact_weight(impacts: Iterable[int]) -> float:
    """A relation's weight from its impact votes (each 0–4): their mean / 4; 0.5 when unvoted."""
    impacts = list(impacts)
    for impact in impacts:
        if not 0 <= impact <= MAX_IMPACT:
            raise ValueError(f"impact vote {impact!r} is not between 0 and {MAX_IMPACT}")
    return fmean(impacts) / MAX_IMPACT if impacts else UNVOTED_WEIGHT


def reliability_base(rating: int) -> float:
    """Base score of evidence quoting a source its map rates 0–4: rating / 4."""
    if not 0 <= rating <= MAX_IMPACT:
        raise ValueError(f"source rating {rating!r} is not between 0 and {MAX_IMPACT}")
    return rating / MAX_IMPACT


def strengths(
    nodes: Iterable[int],
    links: Iterable[Link],
    base: Mapping[int, float] | None = None,
    weights: Mapping[int, float] | None = None,
    default_base: float = DEFAULT_BASE,
    default_weight: float = UNVOTED_WEIGHT,
) -> dict[int, float]:
    """Every node's strength, keyed by node id.

    `base` maps node id -> base score and `weights` relation id -> weight, all in [0, 1]; missing
    entries take the defaults. Links whose child or parent is not in `nodes` are ignored, so leaving
    a node out (pending, rejected, deleted) removes it and its relations from the computation.
    Time is linear in nodes + links: children are finished before their parents (Kahn's order),
    without recursion, and a node under several parents is computed once.
    Raises ValueError for a cycle (naming a node on it), an unknown stance or a value outside [0, 1].
    """
    base = base or {}
    weights = weights or {}
    _check_unit("default base score", default_base)
    _check_unit("default weight", default_weight)
    # Nodes get dense positions so the hot loops index lists rather than hash ids.
    order = list(dict.fromkeys(nodes))
    position = {node: index for index, node in enumerate(order)}
    count = len(order)
    # For each child: (parent position, is_support, weight) of its relations inside the map.
    parents_of: list[list[tuple[int, bool, float]] | None] = [None] * count
    unfinished_children = [0] * count
    for link in links:
        is_support = _is_support(link.stance)
        child, parent = position.get(link.child), position.get(link.parent)
        if child is None or parent is None:
            continue
        weight = weights.get(link.relation_id, default_weight)
        if not 0.0 <= weight <= 1.0:
            _check_unit(f"weight of relation {link.relation_id}", weight)
        if parents_of[child] is None:
            parents_of[child] = []
        parents_of[child].append((parent, is_support, weight))
        unfinished_children[parent] += 1

    # Running products prod(1 - w * strength) over the children finished so far.
    attack_keep = [1.0] * count
    support_keep = [1.0] * count
    strength_at: list[float | None] = [None] * count
    ready = [index for index in range(count) if unfinished_children[index] == 0]
    while ready:
        index = ready.pop()
        node_base = base.get(order[index], default_base)
        if not 0.0 <= node_base <= 1.0:
            _check_unit(f"base score of node {order[index]}", node_base)
        strength = combine(node_base, 1.0 - attack_keep[index], 1.0 - support_keep[index])
        strength_at[index] = strength
        for parent, is_support, weight in parents_of[index] or ():
            if is_support:
                support_keep[parent] *= 1.0 - weight * strength
            else:
                attack_keep[parent] *= 1.0 - weight * strength
            unfinished_children[parent] -= 1
            if unfinished_children[parent] == 0:
                ready.append(parent)

    unfinished = [index for index in range(count) if strength_at[index] is None]
    if unfinished:
        on_cycle = order[_position_on_cycle(unfinished, parents_of)]
        raise ValueError(f"the relations form a cycle through node {on_cycle}")
    return dict(zip(order, strength_at))


def explain(
    node: int,
    links: Iterable[Link],
    result: Mapping[int, float],
    weights: Mapping[int, float] | None = None,
    default_weight: float = UNVOTED_WEIGHT,
    base: Mapping[int, float] | None = None,
    default_base: float = DEFAULT_BASE,
) -> Explanation:
    """Which children raised or lowered `node`, and by how much.

    `result` is what `strengths` returned for the same inputs (pass the same base scores and
    weights). A child's effect is the node's strength with it minus the node's strength without
    it, everything else unchanged. Children are sorted by the size of their effect, largest first.
    """
    if node not in result:
        raise KeyError(f"node {node} has no strength (it is not part of the computation)")
    weights = weights or {}
    node_base = (base or {}).get(node, default_base)
    rows = []
    for link in links:
        if link.parent != node or link.child not in result:
            continue
        weight = weights.get(link.relation_id, default_weight)
        child_strength = result[link.child]
        rows.append((link, _is_support(link.stance), weight, child_strength, weight * child_strength))

    supports = [row[4] for row in rows if row[1]]
    attacks = [row[4] for row in rows if not row[1]]
    support_without = _aggregates_without_each(supports)
    attack_without = _aggregates_without_each(attacks)
    attack, support = aggregate(attacks), aggregate(supports)
    strength = combine(node_base, attack, support)

    children = []
    next_support = next_attack = 0
    for link, is_support, weight, child_strength, contribution in rows:
        if is_support:
            without = combine(node_base, attack, support_without[next_support])
            next_support += 1
        else:
            without = combine(node_base, attack_without[next_attack], support)
            next_attack += 1
        children.append(
            ChildEffect(
                relation_id=link.relation_id,
                child=link.child,
                stance=link.stance,
                strength=child_strength,
                weight=weight,
                contribution=contribution,
                effect=strength - without,
            )
        )
    children.sort(key=lambda c: (-abs(c.effect), c.relation_id))
    return Explanation(node, node_base, attack, support, strength, tuple(children))


def affected(node_ids_changed: Iterable[int], links: Iterable[Link]) -> set[int]:
    """The nodes whose strength may change when the given nodes change: they and all their ancestors.

    A node changes when its base score does, or when one of its child relations is added, removed
    or re-voted: for a relation, pass its parent.
    """
    parents_of: dict[int, list[int]] = {}
    for link in links:
        parents_of.setdefault(link.child, []).append(link.parent)
    found = set(node_ids_changed)
    queue = deque(found)
    while queue:
        for parent in parents_of.get(queue.popleft(), ()):
            if parent not in found:
                found.add(parent)
                queue.append(parent)
    return found


def _aggregates_without_each(values: list[float]) -> list[float]:
    """F of the values leaving out each one in turn, in linear time (prefix and suffix products,
    so a value of exactly 1 needs no division)."""
    suffix = [1.0] * (len(values) + 1)
    for index in range(len(values) - 1, -1, -1):
        suffix[index] = suffix[index + 1] * (1.0 - values[index])
    without = []
    prefix = 1.0
    for index, value in enumerate(values):
        without.append(1.0 - prefix * suffix[index + 1])
        prefix *= 1.0 - value
    return without


def _position_on_cycle(unfinished: list[int], parents_of: list[list[tuple[int, bool, float]] | None]) -> int:
    # Every unfinished node has an unfinished child, so following such children from any of them
    # must come back to a node already seen: that node lies on a cycle.
    is_unfinished = set(unfinished)
    child_of: dict[int, int] = {}
    for child in unfinished:
        for parent, _, _ in parents_of[child] or ():
            if parent in is_unfinished:
                child_of.setdefault(parent, child)
    seen = set()
    index = unfinished[0]
    while index not in seen:
        seen.add(index)
        index = child_of[index]
    return index


def _is_support(stance: str) -> bool:
    if stance == SUPPORT:
        return True
    if stance == OPPOSE:
        return False
    raise ValueError(f"stance must be {SUPPORT!r} or {OPPOSE!r}, not {stance!r}")


def _check_unit(what: str, value: float) -> None:
    # Hot loops test the range themselves and call this only to raise, so the message is not built
    # for every node.
    if not 0.0 <= value <= 1.0:  # also refuses NaN
        raise ValueError(f"{what} must be between 0 and 1, not {value!r}")
