"""Node strengths (DF-QuAD with impact-vote weights): hand-worked examples, the paper's properties,
and checks on random maps against a direct reading of the definition."""

import random

import pytest

from argmap.strength import (
    OPPOSE,
    SUPPORT,
    Link,
    affected,
    explain,
    impact_weight,
    reliability_base,
    strengths,
)

T, A, B, C, D = 1, 2, 3, 4, 5  # T is a thesis; the others are claims or evidence
EPS = 1e-12


def links(*triples):
    """(child, parent, stance) -> Links numbered 1, 2, 3... in order."""
    return [Link(number, child, parent, stance) for number, (child, parent, stance) in enumerate(triples, 1)]


# --- Worked by hand from the definition -------------------------------------------------------
# F(v1..vn) = 1 - prod(1 - vi); C(v0, va, vs) = v0 - v0(va - vs) if va > vs, v0 + (1 - v0)(vs - va)
# if vs > va, v0 if equal. A child enters its parent's F as weight * strength.


def test_it_gives_a_thesis_without_children_its_base_score():
    assert strengths([T], []) == {T: 0.5}
    assert strengths([T], [], base={T: 0.8}) == {T: 0.8}


def test_it_raises_a_thesis_with_one_supporter():
    # A is a leaf: 0.5. Unvoted relation: w = 0.5. vs = 0.5 * 0.5 = 0.25, va = 0
    # T = 0.5 + (1 - 0.5) * 0.25 = 0.625
    assert strengths([T, A], links((A, T, SUPPORT))) == {T: 0.625, A: 0.5}


def test_it_lowers_a_thesis_with_one_attacker():
    # va = 0.25, vs = 0: T = 0.5 - 0.5 * 0.25 = 0.375
    assert strengths([T, A], links((A, T, OPPOSE)))[T] == 0.375


def test_it_keeps_the_base_score_when_an_equal_supporter_and_attacker_meet():
    # vs = va = 0.25: T = 0.5
    assert strengths([T, A, B], links((A, T, SUPPORT), (B, T, OPPOSE)))[T] == 0.5


def test_it_adds_two_supporters_as_a_probabilistic_sum():
    # vs = 1 - (1 - 0.25)(1 - 0.25) = 1 - 0.5625 = 0.4375
    # T = 0.5 + 0.5 * 0.4375 = 0.71875 (less than two separate +0.125 steps would give)
    assert strengths([T, A, B], links((A, T, SUPPORT), (B, T, SUPPORT)))[T] == 0.71875


def test_it_lets_the_stronger_side_win_by_the_difference():
    # Supporter voted 4, 4 -> w = 1: 1 * 0.5 = 0.5. Attacker unvoted -> 0.25.
    # vs - va = 0.25: T = 0.5 + 0.5 * 0.25 = 0.625
    result = strengths([T, A, B], links((A, T, SUPPORT), (B, T, OPPOSE)), weights={1: impact_weight([4, 4])})
    assert result[T] == 0.625
    # The other way round: va - vs = 0.25, T = 0.5 - 0.5 * 0.25 = 0.375
    result = strengths([T, A, B], links((A, T, SUPPORT), (B, T, OPPOSE)), weights={2: impact_weight([4, 4])})
    assert result[T] == 0.375


def test_it_weighs_a_relation_by_its_mean_impact_vote():
    # Votes 4, 4, 3: mean 11/3, w = 11/12. vs = 11/12 * 0.5 = 11/24.
    # T = 0.5 + 0.5 * 11/24 = 35/48
    result = strengths([T, A], links((A, T, SUPPORT)), weights={1: impact_weight([4, 4, 3])})
    assert result[T] == pytest.approx(35 / 48, abs=EPS)


def test_it_ignores_a_child_everyone_rated_zero():
    result = strengths([T, A, B], links((A, T, SUPPORT), (B, T, OPPOSE)), weights={2: impact_weight([0, 0])})
    assert result[T] == 0.625  # as with the supporter alone


def test_it_counts_an_unvoted_relation_as_impact_two():
    assert impact_weight([]) == impact_weight([2]) == 0.5
    assert impact_weight([0, 4]) == 0.5
    assert impact_weight([1, 2]) == 0.375


def test_it_refuses_impact_votes_and_ratings_out_of_range():
    for bad in ([5], [-1], [2, 9]):
        with pytest.raises(ValueError, match="impact vote"):
            impact_weight(bad)
    with pytest.raises(ValueError, match="source rating"):
        reliability_base(5)


def test_it_starts_evidence_from_its_source_reliability():
    # Evidence A quotes a source rated 1: base 0.25. vs = 0.5 * 0.25 = 0.125
    # T = 0.5 + 0.5 * 0.125 = 0.5625
    assert strengths([T, A], links((A, T, SUPPORT)), base={A: reliability_base(1)})[T] == 0.5625
    # Rated 4: base 1.0, vs = 0.5, T = 0.75. Rated 0: the evidence counts for nothing, T = 0.5.
    assert strengths([T, A], links((A, T, SUPPORT)), base={A: reliability_base(4)})[T] == 0.75
    assert strengths([T, A], links((A, T, SUPPORT)), base={A: reliability_base(0)})[T] == 0.5


def test_it_moves_a_thesis_with_another_base_score_proportionally():
    # Base 0.8. Attacker: va = 0.25, T = 0.8 - 0.8 * 0.25 = 0.6.
    assert strengths([T, A], links((A, T, OPPOSE)), base={T: 0.8})[T] == pytest.approx(0.6, abs=EPS)
    # Supporter: vs = 0.25, T = 0.8 + 0.2 * 0.25 = 0.85 (less room upwards).
    assert strengths([T, A], links((A, T, SUPPORT)), base={T: 0.8})[T] == pytest.approx(0.85, abs=EPS)


def test_it_passes_strength_up_through_levels():
    # B supports A: A = 0.625. A supports T: vs = 0.5 * 0.625 = 0.3125, T = 0.5 + 0.5 * 0.3125 = 0.65625
    assert strengths([T, A, B], links((A, T, SUPPORT), (B, A, SUPPORT)))[T] == 0.65625
    # B attacks A: A = 0.375, vs = 0.1875, T = 0.59375. Attacking a supporter weakens the thesis' gain.
    assert strengths([T, A, B], links((A, T, SUPPORT), (B, A, OPPOSE)))[T] == 0.59375
    # B attacks A, which attacks T: va = 0.1875, T = 0.5 - 0.5 * 0.1875 = 0.40625
    assert strengths([T, A, B], links((A, T, OPPOSE), (B, A, OPPOSE)))[T] == 0.40625


def test_it_lets_a_node_under_two_parents_act_on_both():
    # A supports T and attacks B (another thesis); C supports A: A = 0.625, contribution 0.3125.
    # T = 0.5 + 0.5 * 0.3125 = 0.65625; B = 0.5 - 0.5 * 0.3125 = 0.34375
    result = strengths([T, A, B, C], links((A, T, SUPPORT), (A, B, OPPOSE), (C, A, SUPPORT)))
    assert result == {T: 0.65625, A: 0.625, B: 0.34375, C: 0.5}


def test_it_handles_a_diamond():
    # D hangs under A and B, both under T. D = 0.5; A = B = 0.625 (each supported by D).
    # T: vs = 1 - (1 - 0.3125)^2 = 0.52734375, T = 0.5 + 0.5 * 0.52734375 = 0.763671875
    diamond = links((A, T, SUPPORT), (B, T, SUPPORT), (D, A, SUPPORT), (D, B, SUPPORT))
    result = strengths([T, A, B, D], diamond)
    assert result[T] == 0.763671875


def test_it_leaves_out_nodes_the_caller_leaves_out():
    # B is pending (or deleted): the caller leaves it out, and its relations to T and from C go too.
    graph = links((A, T, SUPPORT), (B, T, OPPOSE), (C, B, SUPPORT))
    assert strengths([T, A, C], graph) == {T: 0.625, A: 0.5, C: 0.5}


def test_it_converges_along_a_deep_chain_without_recursion():
    # Each node supports the one above with w = 0.5: s = 0.5 + 0.5 * 0.5 * s' ; the fixed point of
    # s = 0.5 + 0.25 s is 2/3, which a 10,000-deep chain reaches to machine precision.
    depth = 10_000
    chain = [Link(i, i, i - 1, SUPPORT) for i in range(1, depth)]
    result = strengths(range(depth), chain)
    assert result[depth - 1] == 0.5
    assert result[depth - 2] == 0.625
    assert result[depth - 3] == 0.65625
    assert result[0] == pytest.approx(2 / 3, abs=EPS)
    # Attacks: s = 0.5 - 0.5 * 0.5 * s', fixed point 0.4.
    chain = [Link(i, i, i - 1, OPPOSE) for i in range(1, depth)]
    assert strengths(range(depth), chain)[0] == pytest.approx(0.4, abs=EPS)


def test_it_uses_the_papers_semantics_when_every_weight_is_one():
    # Weight 1 everywhere: A and B leaves 0.5, vs = 0.5, va = 0.5 -> T = 0.5; with only A, T = 0.75.
    assert strengths([T, A, B], links((A, T, SUPPORT), (B, T, OPPOSE)), default_weight=1.0)[T] == 0.5
    assert strengths([T, A], links((A, T, SUPPORT)), default_weight=1.0)[T] == 0.75


# --- Bad input ----------------------------------------------------------------------------------


def test_it_refuses_a_cycle_and_names_a_node_on_it():
    # T <- A <- B <- C <- A: the cycle is A, B, C; T only hangs from it.
    graph = links((A, T, SUPPORT), (B, A, SUPPORT), (C, B, OPPOSE), (A, C, SUPPORT))
    with pytest.raises(ValueError, match="cycle") as error:
        strengths([T, A, B, C], graph)
    assert str(error.value).endswith((f"node {A}", f"node {B}", f"node {C}"))
    with pytest.raises(ValueError, match=f"cycle through node {A}"):
        strengths([A], links((A, A, SUPPORT)))


def test_it_ignores_a_cycle_through_a_node_left_out():
    graph = links((A, T, SUPPORT), (B, A, SUPPORT), (A, B, SUPPORT))
    assert strengths([T, A], graph)[T] == 0.625


def test_it_refuses_unknown_stances_and_values_outside_zero_to_one():
    with pytest.raises(ValueError, match="stance"):
        strengths([T, A], [Link(1, A, T, "agree")])
    with pytest.raises(ValueError, match="weight of relation 1"):
        strengths([T, A], links((A, T, SUPPORT)), weights={1: 1.5})
    with pytest.raises(ValueError, match=f"base score of node {A}"):
        strengths([T, A], links((A, T, SUPPORT)), base={A: -0.1})
    with pytest.raises(ValueError, match="base score"):
        strengths([T], [], base={T: float("nan")})


# --- Explanations -------------------------------------------------------------------------------


def test_it_explains_which_children_raised_or_lowered_a_node_and_by_how_much():
    # A supports with w = 1 (contribution 0.5), B attacks unvoted (0.25): vs = 0.5, va = 0.25, T = 0.625.
    # Without A: vs = 0, va = 0.25 -> 0.375, so A raised T by 0.25.
    # Without B: vs = 0.5, va = 0 -> 0.75, so B lowered T by 0.125.
    graph = links((A, T, SUPPORT), (B, T, OPPOSE), (C, A, OPPOSE))
    weights = {1: 1.0, 3: 0.0}
    result = strengths([T, A, B, C], graph, weights=weights)
    why = explain(T, graph, result, weights=weights)
    assert (why.base, why.attack, why.support, why.strength) == (0.5, 0.25, 0.5, 0.625)
    assert [(c.child, c.stance, c.strength, c.weight, c.contribution, c.effect) for c in why.children] == [
        (A, SUPPORT, 0.5, 1.0, 0.5, 0.25),
        (B, OPPOSE, 0.5, 0.5, 0.25, -0.125),
    ]
    # C's weight is 0: it is listed, with no effect on A.
    assert [(c.child, c.effect) for c in explain(A, graph, result, weights=weights).children] == [(C, 0.0)]


def test_it_explains_with_the_same_base_scores():
    graph = links((A, T, OPPOSE))
    base = {T: 0.8, A: 1.0}
    result = strengths([T, A], graph, base=base)
    # va = 0.5, T = 0.8 - 0.8 * 0.5 = 0.4; without A it would be 0.8.
    why = explain(T, graph, result, base=base)
    assert why.base == 0.8 and why.strength == pytest.approx(0.4) == result[T]
    assert why.children[0].effect == pytest.approx(-0.4)


def test_it_explains_a_leaf_and_refuses_a_node_left_out():
    result = strengths([T], links((A, T, SUPPORT)))
    why = explain(T, links((A, T, SUPPORT)), result)
    assert (why.strength, why.children) == (0.5, ())  # A was left out: no child to show
    with pytest.raises(KeyError):
        explain(A, links((A, T, SUPPORT)), result)


def test_it_measures_a_childs_effect_even_when_another_is_decisive():
    # Two supporters with weight 1 and base 1 each contribute 1: vs = 1 with or without either one,
    # so neither alone changes T (0.5 + 0.5 * 1 = 1): both effects are 0, with no division by zero.
    graph = links((A, T, SUPPORT), (B, T, SUPPORT))
    base, weights = {A: 1.0, B: 1.0}, {1: 1.0, 2: 1.0}
    why = explain(T, graph, strengths([T, A, B], graph, base, weights), weights=weights, base=base)
    assert why.strength == 1.0 and [c.effect for c in why.children] == [0.0, 0.0]


# --- Which strengths a change can touch --------------------------------------------------------


def test_it_finds_the_nodes_a_change_can_affect():
    # T <- A <- C, T2 <- B <- C, D elsewhere under T2.
    T2 = 9
    graph = links((A, T, SUPPORT), (B, T2, OPPOSE), (C, A, SUPPORT), (C, B, SUPPORT), (D, T2, SUPPORT))
    assert affected([C], graph) == {C, A, B, T, T2}
    assert affected([A], graph) == {A, T}
    assert affected([D], graph) == {D, T2}
    assert affected([T], graph) == {T}
    assert affected([], graph) == set()


def test_it_finds_affected_nodes_without_looping_on_a_cycle():
    assert affected([A], links((A, B, SUPPORT), (B, A, SUPPORT), (B, T, SUPPORT))) == {A, B, T}


# --- The paper's properties on random maps ------------------------------------------------------


def random_map(rng, size, extra_parents=0.3):
    """A random DAG: each node i > 0 hangs under one or two earlier nodes, so 0 is a thesis and no
    cycle is possible. Random stances, base scores and weights (some left to the defaults)."""
    graph, number = [], 0
    for child in range(1, size):
        parents = {rng.randrange(child)}
        if rng.random() < extra_parents:
            parents.add(rng.randrange(child))
        for parent in sorted(parents):
            number += 1
            graph.append(Link(number, child, parent, rng.choice((SUPPORT, OPPOSE))))
    base = {node: rng.random() for node in range(size) if rng.random() < 0.5}
    weights = {link.relation_id: rng.randint(0, 4) / 4 for link in graph if rng.random() < 0.7}
    return list(range(size)), graph, base, weights


def by_definition(node, graph, base, weights, memo):
    """The definition read literally, recursively: fine for small maps."""
    if node not in memo:
        weighted = []
        for link in graph:
            if link.parent == node:
                child = by_definition(link.child, graph, base, weights, memo)
                weighted.append((link.stance, weights.get(link.relation_id, 0.5) * child))
        attack = 1 - prod(1 - v for stance, v in weighted if stance == OPPOSE)
        support = 1 - prod(1 - v for stance, v in weighted if stance == SUPPORT)
        v0 = base.get(node, 0.5)
        if attack > support:
            memo[node] = v0 - v0 * abs(support - attack)
        elif attack < support:
            memo[node] = v0 + (1 - v0) * abs(support - attack)
        else:
            memo[node] = v0
    return memo[node]


def prod(values):
    result = 1.0
    for value in values:
        result *= value
    return result


MAPS = [random_map(random.Random(seed), random.Random(seed).randint(2, 60)) for seed in range(200)]


@pytest.mark.parametrize("seed", range(0, 200, 20))
def test_it_agrees_with_the_definition_on_random_maps(seed):
    for nodes, graph, base, weights in MAPS[seed : seed + 20]:
        result = strengths(nodes, graph, base, weights)
        memo = {}
        for node in nodes:
            assert result[node] == pytest.approx(by_definition(node, graph, base, weights, memo), abs=EPS)


def test_it_keeps_every_strength_between_zero_and_one_and_leaves_keep_their_base():
    for nodes, graph, base, weights in MAPS:
        result = strengths(nodes, graph, base, weights)
        parents = {link.parent for link in graph}
        for node in nodes:
            assert 0.0 <= result[node] <= 1.0
            if node not in parents:
                assert result[node] == base.get(node, 0.5)


def test_it_never_lowers_a_node_by_adding_a_supporter_nor_raises_it_by_adding_an_attacker():
    rng = random.Random(16)
    for nodes, graph, base, weights in MAPS:
        result = strengths(nodes, graph, base, weights)
        for _ in range(5):
            # A link from a later node to an earlier one keeps the map acyclic.
            child = rng.randrange(1, len(nodes))
            parent = rng.randrange(child)
            for stance in (SUPPORT, OPPOSE):
                new = Link(10_000, child, parent, stance)
                after = strengths(nodes, [*graph, new], base, {**weights, 10_000: rng.random()})
                if stance == SUPPORT:
                    assert after[parent] >= result[parent] - EPS
                else:
                    assert after[parent] <= result[parent] + EPS
                assert after[child] == pytest.approx(result[child], abs=EPS)  # nothing below the link changes


def test_it_never_lowers_a_node_by_weighting_a_supporter_more_nor_raises_it_for_an_attacker():
    rng = random.Random(17)
    for nodes, graph, base, weights in MAPS:
        if not graph:
            continue
        link = rng.choice(graph)
        results = [
            strengths(nodes, graph, base, {**weights, link.relation_id: weight})[link.parent]
            for weight in (0.0, 0.25, 0.5, 0.75, 1.0)
        ]
        if link.stance == SUPPORT:
            assert all(lower <= higher + EPS for lower, higher in zip(results, results[1:]))
        else:
            assert all(lower >= higher - EPS for lower, higher in zip(results, results[1:]))


def test_it_keeps_the_base_score_when_identical_subtrees_support_and_attack():
    for nodes, graph, base, weights in MAPS[:50]:
        # Hang a copy of the random map's thesis twice under a new thesis, once for, once against,
        # with the same weight: support and attack balance exactly.
        offset = len(nodes)
        copy = [Link(k.relation_id + 10_000, k.child + offset, k.parent + offset, k.stance) for k in graph]
        copy_base = {node + offset: value for node, value in base.items()}
        copy_weights = {number + 10_000: value for number, value in weights.items()}
        thesis = 2 * offset
        both = [*graph, *copy, Link(30_001, 0, thesis, SUPPORT), Link(30_002, offset, thesis, OPPOSE)]
        result = strengths(
            range(2 * offset + 1), both, {**base, **copy_base, thesis: 0.3}, {**weights, **copy_weights}
        )
        assert result[thesis] == pytest.approx(0.3, abs=EPS)


def test_it_explains_each_childs_effect_as_the_difference_its_removal_makes():
    for nodes, graph, base, weights in MAPS[:60]:
        result = strengths(nodes, graph, base, weights)
        why = explain(0, graph, result, weights=weights, base=base)
        assert why.strength == pytest.approx(result[0], abs=EPS)
        effects = [abs(child.effect) for child in why.children]
        assert effects == sorted(effects, reverse=True)
        for child in why.children:
            without = [link for link in graph if link.relation_id != child.relation_id]
            strength_without = strengths(nodes, without, base, weights)[0]
            assert child.effect == pytest.approx(result[0] - strength_without, abs=EPS)
            assert (child.effect >= -EPS) if child.stance == SUPPORT else (child.effect <= EPS)


def test_it_does_not_depend_on_the_order_of_nodes_and_links():
    rng = random.Random(18)
    for nodes, graph, base, weights in MAPS[:50]:
        result = strengths(nodes, graph, base, weights)
        shuffled_nodes, shuffled_graph = nodes[:], graph[:]
        rng.shuffle(shuffled_nodes)
        rng.shuffle(shuffled_graph)
        again = strengths(shuffled_nodes, shuffled_graph, base, weights)
        assert again == pytest.approx(result, abs=EPS)


def test_it_changes_only_the_affected_nodes():
    rng = random.Random(19)
    for nodes, graph, base, weights in MAPS[:60]:
        result = strengths(nodes, graph, base, weights)
        changed = rng.randrange(len(nodes))
        after = strengths(nodes, graph, {**base, changed: 1.0 - base.get(changed, 0.5) / 2}, weights)
        may_change = affected([changed], graph)
        assert all(after[node] == result[node] for node in nodes if node not in may_change)


def test_it_weighs_the_worked_example_of_the_docs_as_printed_there():
    # docs/strength.md, "Lukashenko is hedging": three claims, each with one piece of evidence.
    hedging, back_doors, helped, people, analyst, launch_pad, organised = range(1, 8)
    graph = [
        Link(1, back_doors, hedging, SUPPORT),
        Link(2, helped, hedging, OPPOSE),
        Link(3, people, hedging, SUPPORT),
        Link(4, analyst, back_doors, SUPPORT),
        Link(5, launch_pad, helped, SUPPORT),
        Link(6, organised, people, OPPOSE),
    ]
    weights = {1: impact_weight([4, 4, 2, 2]), 2: impact_weight([4, 4])}
    base = {analyst: reliability_base(4), organised: reliability_base(1)}
    result = strengths(range(1, 8), graph, base, weights)
    assert (result[back_doors], result[helped], result[people]) == (0.75, 0.625, 0.4375)
    why = explain(hedging, graph, result, weights=weights, base=base)
    assert round(why.support, 3) == 0.658 and why.attack == 0.625 and round(why.strength, 3) == 0.517
    assert [(child.child, round(child.effect, 2)) for child in why.children] == [
        (helped, -0.31),
        (back_doors, 0.22),
        (people, 0.05),
    ]
    knocked_down = strengths(range(1, 8), graph, {**base, launch_pad: 0.0}, weights)
    assert round(knocked_down[hedging], 2) == 0.58
