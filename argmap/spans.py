"""Stretches of a text as (start, end) pairs of code-point offsets, end excluded: quotes, page
clutter, paragraphs. Merging them and measuring how much of them there is, on plain values.
"""

from collections.abc import Iterable

Span = tuple[int, int]


def merge_spans(spans: Iterable[Span], text_length: int | None = None, *, join_touching: bool = True) -> list[Span]:
    """The spans in text order with overlapping ones merged, empty ones dropped, and clipped to
    [0, text_length) when that is given. Spans that only touch ((0, 5) and (5, 8)) are merged too
    unless `join_touching` is False: two quotes side by side are two passages, while clutter is
    the same clutter either way."""
    if text_length is not None:
        spans = ((max(0, start), min(end, text_length)) for start, end in spans)
    merged: list[Span] = []
    for start, end in sorted(spans):
        if start >= end:
            continue
        if merged and (start < merged[-1][1] or (join_touching and start == merged[-1][1])):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def length(spans: Iterable[Span]) -> int:
    """Characters in disjoint spans (merge them first)."""
    return sum(end - start for start, end in spans)


def overlap_length(first: list[Span], second: list[Span]) -> int:
    """Characters in both of two lists of disjoint, ordered spans (one pass over both)."""
    total, i, j = 0, 0, 0
    while i < len(first) and j < len(second):
        start, end = max(first[i][0], second[j][0]), min(first[i][1], second[j][1])
        total += max(0, end - start)
        if first[i][1] <= second[j][1]:
            i += 1
        else:
            j += 1
    return total
