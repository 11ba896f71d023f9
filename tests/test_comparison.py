"""Comparing the small groups' copies: theses matched by text, counts under each, sources quoted,
and the passages one group found that others missed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from argmap import editing
from argmap.classroom.comparison import QuotedPassage, SourceLabel, compare_groups, missed_passages, thesis_key
from argmap.classroom.copying import copy_map
from argmap.models import Exercise, ExerciseGroup
from argmap.models import Node, NodeStatus, Quote, Source
from argmap.synthetic import WORDS, Shape, build_map

RELAY = "The relay stations stopped working."
MOSCOW = "Moscow heard another."


def groups_with_copies(lesson_, names):
    copies = {}
    for name in names:
        group = ExerciseGroup.objects.create(exercise=lesson_.exercise, name=name)
        copies[name] = copy_map(lesson_.map, title=f"{name}: {lesson_.map.title}", owner=lesson_.teacher,
                                exercise=lesson_.exercise, group=group)
    return copies


def node_in(map_, text):
    return Node.objects.get(map=map_, text=text, deleted_at__isnull=True)


def add(map_, text, *, under, stance="support", author=None, status=NodeStatus.APPROVED, quote=None, start=None):
    node = Node.objects.create(map=map_, text=text, author=author, status=status)
    node.bear_on(under, stance)
    if quote:
        Quote.anchor(node, map_.sources.get(), quote, start=start).save()
    return node


@pytest.fixture
def classroom(lesson):
    """Three groups on copies of a map with two theses and one piece of evidence, then:
    A adds evidence and an objection; B deletes the evidence and has a pending claim; C has a
    rejected claim and retypes a thesis with other spacing and case."""
    l = lesson(groups=True, moderation=True, students=3)
    hedging = l.builder.thesis("Lukashenko is hedging")
    l.builder.thesis("Belarus is a loyal ally")
    l.builder.claim("Stations went quiet", under=hedging, quote=RELAY)
    copies = groups_with_copies(l, ["Group A", "Group B", "Group C"])
    a, b, c = copies.values()
    add(a, "Moscow was told otherwise", under=node_in(a, "Lukashenko is hedging"), quote=MOSCOW)
    objection = add(a, "Officials deny it", under=node_in(a, "Lukashenko is hedging"), stance="oppose")
    add(a, "The denial was forced", under=objection, stance="oppose")  # an objection to an objection supports
    editing.delete_node(node_in(b, "Stations went quiet"), l.teacher)
    add(b, "Minsk repeats itself", under=node_in(b, "Lukashenko is hedging"), author=l.students[1],
        status=NodeStatus.PENDING, quote="Minsk said one thing.", start=0)
    add(c, "Rejected idea", under=node_in(c, "Belarus is a loyal ally"), status=NodeStatus.REJECTED,
        quote="Minsk said one thing.", start=0)
    Node.objects.filter(map=c, text="Lukashenko is hedging").update(text="  lukashenko   IS hedging ")
    l.copies = copies
    return l


def test_it_matches_theses_across_copies_by_their_text(classroom):
    result = compare_groups(classroom.exercise)
    assert [g.name for g in result.groups] == ["Group A", "Group B", "Group C"]
    assert [row.text for row in result.theses] == ["Lukashenko is hedging", "Belarus is a loyal ally"]
    assert all(cell is not None for row in result.theses for cell in row.cells)
    assert thesis_key("  lukashenko   IS hedging ") == thesis_key("Lukashenko is hedging")


def test_it_counts_supporting_and_opposing_claims_and_evidence_under_each_thesis(classroom):
    hedging = compare_groups(classroom.exercise).theses[0]
    a, b, c = hedging.cells
    assert (a.supporting, a.opposing, a.evidence_for, a.evidence_against) == (3, 1, 2, 0)
    assert (b.supporting, b.opposing, b.evidence) == (0, 0, 0)  # deleted and pending do not count
    assert (c.supporting, c.opposing, c.evidence_for) == (1, 0, 1)
    assert a.map_code == classroom.copies["Group A"].code


def test_it_counts_pending_nodes_apart_and_leaves_rejected_ones_out(classroom):
    groups = compare_groups(classroom.exercise).groups
    assert [g.pending for g in groups] == [0, 1, 0]
    assert [g.claims for g in groups] == [4, 0, 1]
    assert [g.evidence for g in groups] == [2, 0, 1]
    loyal = compare_groups(classroom.exercise).theses[1]
    assert loyal.cells[2].supporting == 0  # C's rejected claim


def test_it_says_how_often_each_group_quoted_each_source(classroom):
    (row,) = compare_groups(classroom.exercise).sources
    assert row.source.title == "Test article"
    assert [cell.quotes for cell in row.cells] == [2, 0, 1]


def test_it_lists_passages_one_group_found_and_others_missed(classroom):
    (entry,) = compare_groups(classroom.exercise).missed
    assert entry.source.title == "Test article"
    by_text = {p.exact: p for p in entry.passages}
    assert set(by_text) == {RELAY, MOSCOW}  # the pending and rejected quotes do not count
    assert by_text[RELAY].found_by == ["Group A", "Group C"] and by_text[RELAY].missed_by == ["Group B"]
    assert by_text[MOSCOW].found_by == ["Group A"] and by_text[MOSCOW].missed_by == ["Group B", "Group C"]


def test_a_thesis_only_one_group_has_shows_as_missing_for_the_others(classroom):
    a = classroom.copies["Group A"]
    Node.objects.create(map=a, kind="thesis", text="Minsk plays both sides", author=classroom.teacher)
    row = compare_groups(classroom.exercise).theses[-1]
    assert row.text == "Minsk plays both sides"
    assert row.cells[0] is not None and row.cells[1:] == [None, None] and row.missing_from == 2


def test_a_group_without_a_copy_yet_has_an_empty_column(lesson):
    l = lesson(groups=True)
    l.builder.claim("Stations went quiet", under=l.builder.thesis("Lukashenko is hedging"), quote=RELAY)
    groups_with_copies(l, ["Group A"])
    ExerciseGroup.objects.create(exercise=l.exercise, name="Group B")
    result = compare_groups(l.exercise)
    assert [g.map_code is None for g in result.groups] == [False, True]
    assert result.theses[0].cells[1] is None
    assert [cell.quotes for cell in result.sources[0].cells] == [1, 0]
    assert result.missed == []  # a group that has not started has missed nothing


# Overlap, on plain values.


ARTICLE = {1: SourceLabel(1, "a", "Article"), 2: SourceLabel(2, "b", "Book")}


def passage(source, start, end):
    return QuotedPassage(node_id=0, source_id=source, start=start, end=end, exact=f"{source}:{start}-{end}")


def test_overlapping_passages_count_as_found_in_part_and_touching_ones_as_missed():
    a = [passage(1, 0, 10)]
    b = [passage(1, 5, 15)]
    c = [passage(1, 10, 20)]  # touches A's passage at its end: shares no character with it
    (entry,) = missed_passages(["A", "B", "C"], [a, b, c], ARTICLE)
    by_text = {p.exact: p for p in entry.passages}
    assert (by_text["1:0-10"].found_by, by_text["1:0-10"].partly_by, by_text["1:0-10"].missed_by) == (["A"], ["B"], ["C"])
    assert (by_text["1:10-20"].found_by, by_text["1:10-20"].partly_by, by_text["1:10-20"].missed_by) == (["C"], ["B"], ["A"])
    assert "1:5-15" not in by_text  # A and C each quoted part of it


def test_a_passage_everyone_quoted_is_not_listed_and_sources_are_kept_apart():
    same = [passage(1, 0, 10)]
    other_source = [passage(2, 0, 10)]
    result = missed_passages(["A", "B"], [same + other_source, same], ARTICLE)
    assert [(e.source.title, [p.exact for p in e.passages]) for e in result] == [("Book", ["2:0-10"])]


def test_overlap_is_found_across_merged_stretches():
    b = [passage(1, 0, 5), passage(1, 3, 8), passage(1, 20, 30)]
    cases = {(8, 20): False, (7, 9): True, (29, 40): True, (30, 40): False, (0, 1): True, (10, 19): False}
    for (start, end), overlapped in cases.items():
        result = missed_passages(["A", "B"], [[passage(1, start, end)], b], ARTICLE)
        missed = bool(result) and any(p.exact == f"1:{start}-{end}" for p in result[0].passages)
        assert missed == (not overlapped), (start, end)


def test_it_reads_the_same_number_of_queries_for_two_small_and_six_larger_copies(lesson, django_assert_num_queries):
    small = lesson(groups=True)
    small.builder.claim("Stations went quiet", under=small.builder.thesis("Hedging"), quote=RELAY)
    groups_with_copies(small, ["A", "B"])
    with CaptureQueriesContext(connection) as few:
        assert len(compare_groups(small.exercise).groups) == 2

    larger = Exercise.objects.create(school_class=small.school_class, title="Larger", groups=True)
    long_sources = [Source.objects.create(text=f"Part {n}. " + " ".join(WORDS * 40)) for n in (1, 2)]
    big_map = build_map("Big", long_sources, Shape(nodes=150, theses=3, seed=5))
    for number in range(6):
        group = ExerciseGroup.objects.create(exercise=larger, name=f"Group {number}")
        copy_map(big_map, owner=small.teacher, exercise=larger, group=group)
    with django_assert_num_queries(len(few)):
        result = compare_groups(larger)
    assert len(result.groups) == 6 and len(result.theses) == 3 and len(result.sources) == 2
    assert sum(row.cells[0].supporting + row.cells[0].opposing + row.cells[0].contested for row in result.theses) == 147
    assert len(few) == 6
