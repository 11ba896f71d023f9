"""Which passages of the exercise's sources are used, and which paragraphs nobody has used."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from argmap.classroom.copying import copy_map
from argmap.classroom.coverage import exercise_coverage, paragraphs, source_coverage
from argmap.models import ClutterRange, ExerciseGroup, MapSource, Node, NodeStatus, Source
from tests.classwork import contribute

MENU = "Home | News | Sport | Subscribe to our newsletter today"
ONE = "Minsk kept its options open throughout the spring, officials said on Monday."
TWO = "Moscow, for its part, read every gesture as a sign of loyalty or of betrayal."
THREE = "The relay stations near the border stopped working for two days in April."
ARTICLE = f"{MENU}\n\nHeadline here\n{ONE}\n\n   {TWO}   \r\n{THREE}\n"


def test_paragraphs_are_the_non_blank_lines_without_their_surrounding_space():
    spans = paragraphs(ARTICLE)
    assert [ARTICLE[s:e] for s, e in spans] == [MENU, "Headline here", ONE, TWO, THREE]


def test_overlapping_quotes_make_one_passage_that_counts_them_and_touching_ones_stay_apart():
    source = Source(text="x" * 40)
    used = source_coverage(source, "", [(10, 20), (0, 5), (15, 30), (5, 8), (18, 19)], []).used
    assert [(p.start, p.end, p.quotes) for p in used] == [(0, 5, 1), (5, 8, 1), (10, 30, 3)]


@pytest.fixture
def sourced(lesson):
    l = lesson()
    l.source = Source.objects.create(text=ARTICLE)
    MapSource.objects.create(map=l.map, source=l.source, title="Spring report")
    l.thesis = l.builder.thesis()
    return l


def test_it_lists_used_passages_and_the_paragraphs_nobody_used(sourced):
    l = sourced
    one = l.students[0]
    contribute(l, one, "Options open", under=l.thesis, quote="kept its options open", source=l.source)
    contribute(l, one, "Open, again", under=l.thesis, quote="its options open throughout", source=l.source)
    contribute(l, one, "Rejected", under=l.thesis, quote="read every gesture", source=l.source,
               status=NodeStatus.REJECTED)
    deleted = contribute(l, one, "Deleted", under=l.thesis, quote="stopped working", source=l.source)
    deleted.soft_delete(by=one)
    ClutterRange.objects.create(map=l.map, source=l.source, start=0, end=len(MENU))

    report = {c.source.title: c for c in exercise_coverage(l.exercise)}["Spring report"]

    assert [(p.text, p.quotes) for p in report.used] == [("kept its options open throughout", 2)]
    # The menu is clutter and the headline too short: neither is worth listing.
    assert [p.text for p in report.unused] == [TWO, THREE]
    assert (report.paragraphs, report.used_paragraphs) == (3, 1)
    assert report.map_code == l.map.code


def test_clutter_and_quotes_on_a_groups_copy_count_too(sourced):
    l = sourced
    group = ExerciseGroup.objects.create(exercise=l.exercise, name="Group A")
    copy = copy_map(l.map, owner=l.teacher, exercise=l.exercise, group=group)
    copied_thesis = Node.objects.get(map=copy, kind="thesis")
    contribute(l, l.students[0], "On the copy", under=copied_thesis, quote="stopped working", source=l.source,
               map_=copy)
    ClutterRange.objects.create(map=copy, source=l.source, start=ARTICLE.index(ONE), end=ARTICLE.index(ONE) + 60)

    report = {c.source.title: c for c in exercise_coverage(l.exercise)}["Spring report"]

    assert [p.text for p in report.used] == ["stopped working"]
    assert [p.text for p in report.unused] == [MENU, TWO]
    assert report.map_code == l.map.code  # the main map's reader, where the source is there too


def test_it_costs_three_queries_whatever_the_number_of_quotes(sourced):
    l = sourced

    def count():
        with CaptureQueriesContext(connection) as queries:
            exercise_coverage(l.exercise)
        return len(queries)

    contribute(l, l.students[0], "One", under=l.thesis, quote="Moscow heard another.")
    few = count()
    for number, words in enumerate(["options", "spring", "Monday", "gesture", "loyalty", "border", "April"]):
        contribute(l, l.students[number % 2], words, under=l.thesis, quote=words, source=l.source)
    assert few == count() == 3
