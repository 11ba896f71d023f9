"""Merging and measuring stretches of a text (argmap.spans): quotes, clutter, paragraphs."""

from argmap.spans import length, merge_spans, overlap_length


def test_it_merges_overlapping_touching_and_outlying_ranges():
    assert merge_spans([(5, 8), (0, 2), (7, 10), (10, 12), (-3, 1), (20, 30), (4, 4)], 25) == [
        (0, 2), (5, 12), (20, 25)]


def test_overlapping_spans_merge_and_touching_ones_stay_apart_when_asked():
    assert merge_spans([(10, 20), (0, 5), (15, 30), (5, 8), (18, 19)], join_touching=False) == [
        (0, 5), (5, 8), (10, 30)]


def test_it_measures_spans_and_their_overlap():
    assert length([(0, 10), (20, 25)]) == 15
    assert overlap_length([(0, 10), (20, 30)], [(5, 25)]) == 10
    assert overlap_length([(0, 5)], [(5, 9)]) == 0
