"""The map's shape: visibility, distinct counts, sides along paths, filters, rows."""

from argmap.tree import CONTESTED, OPPOSE, SUPPORT, Edge, MapGraph, build_row, parse_path, walk

T1, T2 = 1, 2


def graph(*edges, theses=(T1, T2), evidence=()):
    return MapGraph(theses, [Edge(i, c, p, s) for i, (c, p, s) in enumerate(edges, 1)], evidence)


def test_it_counts_a_node_shared_by_two_branches_once():
    g = graph((10, T1, SUPPORT), (11, T1, OPPOSE), (12, 10, SUPPORT), (12, 11, SUPPORT), (13, 12, OPPOSE))
    assert g.descendant_count(T1) == 4  # 10, 11, 12, 13: 12 and 13 hang under both 10 and 11
    assert g.descendant_count(10) == 2
    assert g.descendant_count(13) == 0


def test_it_leaves_out_nodes_no_thesis_reaches():
    # 20 hangs from 99, which is not in the graph (deleted): 20 and its child are hidden.
    g = graph((10, T1, SUPPORT), (20, 99, SUPPORT), (21, 20, SUPPORT))
    assert 20 not in g and 21 not in g
    assert g.descendant_count(T1) == 1


def test_it_follows_the_side_along_the_path():
    g = graph((10, T1, OPPOSE), (11, 10, OPPOSE), (12, 11, OPPOSE), (13, 10, SUPPORT))
    assert g.side(T1, 10) == OPPOSE
    assert g.side(T1, 11) == SUPPORT  # an oppose of an oppose serves the thesis
    assert g.side(T1, 12) == OPPOSE
    assert g.side(T1, 13) == OPPOSE


def test_it_marks_a_node_contested_where_two_paths_disagree():
    g = graph((10, T1, SUPPORT), (11, T1, OPPOSE), (12, 10, SUPPORT), (12, 11, SUPPORT), (13, 12, SUPPORT))
    assert g.side(T1, 12) == CONTESTED
    assert g.side(T1, 13) == CONTESTED  # whatever hangs from a contested node is contested too


def test_it_gives_a_node_a_side_for_each_thesis_it_reaches():
    g = graph((10, T1, SUPPORT), (10, T2, OPPOSE))
    assert (g.side(T1, 10), g.side(T2, 10)) == (SUPPORT, OPPOSE)
    assert g.side(T1, T2) is None


def test_it_finds_a_shortest_path_from_a_thesis():
    g = graph((10, T1, SUPPORT), (11, 10, SUPPORT), (12, 11, SUPPORT), (12, T2, OPPOSE))
    assert g.path_to(12) == (T2, 12)
    assert g.path_to(11) == (T1, 10, 11)
    assert g.path_to(T1) == (T1,)
    assert g.path_to(404) is None


def test_it_checks_that_a_path_runs_through_real_relations():
    g = graph((10, T1, SUPPORT), (11, 10, SUPPORT))
    assert g.is_path((T1, 10, 11))
    assert not g.is_path((T1, 11))
    assert not g.is_path((10, 11))  # must start at a thesis
    assert not g.is_path(())


def test_it_parses_paths_and_refuses_anything_else():
    assert parse_path("1.22.333") == (1, 22, 333)
    for bad in ["", "1..2", "a.b", "1.-2", "1." * 300, "9" * 40]:
        assert parse_path(bad) is None


def test_it_filters_to_supporting_or_opposing_relations():
    g = graph((10, T1, SUPPORT), (11, T1, OPPOSE), (12, 10, OPPOSE), (13, 10, SUPPORT))
    supporting = g.filtered(SUPPORT)
    assert {e.child for e in supporting.children(T1)} == {10}
    assert {e.child for e in supporting.children(10)} == {13}
    assert supporting.descendant_count(T1) == 2
    opposing = g.filtered(OPPOSE)
    assert {e.child for e in opposing.children(T1)} == {11}


def test_it_filters_to_branches_that_lead_to_evidence():
    g = graph((10, T1, SUPPORT), (11, T1, OPPOSE), (12, 10, SUPPORT), (13, 11, SUPPORT), evidence=[12])
    evidence = g.filtered("evidence")
    assert {e.child for e in evidence.children(T1)} == {10}  # 11 leads to no evidence
    assert {e.child for e in evidence.children(10)} == {12}


def test_it_builds_rows_only_for_open_branches():
    g = graph((10, T1, SUPPORT), (11, 10, OPPOSE), (12, 11, SUPPORT), (12, T1, OPPOSE))
    row = build_row(g, (T1,), open_paths={(T1,)})
    assert [child.node_id for child in row.children] == [10, 12]
    assert row.children[0].children == [] and not row.children[0].expanded
    assert row.children[0].child_count == 1
    shared = row.children[1]
    assert shared.stance == OPPOSE and [e.parent for e in shared.other_parents] == [11]
    opened = build_row(g, (T1,), open_paths={(T1,), (T1, 10)})
    assert [c.node_id for c in opened.children[0].children] == [11]


def test_it_expands_everything_when_asked_and_counts_rows_per_place():
    g = graph((10, T1, SUPPORT), (11, 10, OPPOSE), (12, 11, SUPPORT), (12, T1, OPPOSE))
    row = build_row(g, (T1,), expand_all=True)
    assert [r.path for r in walk([row])] == [(T1,), (T1, 10), (T1, 10, 11), (T1, 10, 11, 12), (T1, 12)]
    assert g.rows_below(T1) == 4  # node 12 is drawn in two places


def test_it_pages_a_long_level():
    g = graph(*[(100 + i, T1, SUPPORT) for i in range(7)])
    row = build_row(g, (T1,), open_paths={(T1,)}, page=5)
    assert len(row.children) == 5 and row.more_children == 2
    assert len(build_row(g, (T1,), open_paths={(T1,)}, page=None).children) == 7


# The one pass (tree._Layout) against the definitions, walked path by path on random graphs


def every_path_below(g, node, path=()):
    """Each path from `node` down, as (nodes, opposes on the way): the slow, obvious definition."""
    path = path or (node,)
    yield path, 0
    for edge in g.children(node):
        for below, opposes in every_path_below(g, edge.child, path + (edge.child,)):
            yield below, opposes + (edge.stance == OPPOSE)


def random_graph(rng, size):
    """Theses 1 and 2 and nodes 3..size, each under one to three earlier nodes (several parents,
    never a cycle: a relation up the graph is refused, as the editing refuses it)."""
    edges = []
    for node in range(3, size + 1):
        for parent in rng.sample(range(1, node), min(node - 1, rng.choice([1, 1, 2, 3]))):
            edges.append((node, parent, rng.choice([SUPPORT, OPPOSE])))
    return graph(*edges)


def test_it_counts_and_takes_sides_in_one_pass_as_the_paths_say():
    import random

    rng = random.Random(13)
    for size in [3, 5, 8, 12, 16] * 4:
        g = random_graph(rng, size)
        for node in g.nodes:
            paths = list(every_path_below(g, node))
            assert g.descendants(node) == {p[-1] for p, _ in paths[1:]}
            assert g.descendant_count(node) == len(g.descendants(node))
            assert g.rows_below(node) == len(paths) - 1  # a node drawn once per place
        for thesis in g.theses:
            found: dict[int, set[int]] = {}
            for path, opposes in list(every_path_below(g, thesis))[1:]:
                found.setdefault(path[-1], set()).add(opposes % 2)
            expected = {n: CONTESTED if len(s) == 2 else (OPPOSE if 1 in s else SUPPORT) for n, s in found.items()}
            assert g.sides(thesis) == expected
            assert all(g.side(thesis, n) == expected.get(n) for n in g.nodes)


def test_it_leaves_a_cycle_out_of_the_counts_instead_of_hanging():
    # The editing refuses a cycle; should one reach the graph, its nodes are never ready to count.
    g = graph((10, T1, SUPPORT), (11, 10, SUPPORT), (10, 11, OPPOSE), (12, T1, OPPOSE))
    assert g.descendant_count(T1) == 1 and g.side(T1, 12) == OPPOSE and g.side(T1, 10) is None
