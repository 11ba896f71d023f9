"""Which parts of an exercise's sources the class has used so far, and which paragraphs nobody has.

Used passages are the live quotes of live, not rejected nodes on any of the exercise's maps, merged
where they overlap (passages that only touch stay apart), each with how many quotes it took.
Unused passages are the source's paragraphs (the text split at line breaks) that overlap no such
quote, leaving out page clutter (a paragraph at least half covered by a clutter range marked on
any of the exercise's maps) and lines too short to argue from (headings, bylines, captions).

Offsets are code points, as everywhere in Argmap (argmap/anchoring.py). Three queries whatever the
number of maps, quotes or students.
"""

import re
from dataclasses import dataclass, field

from django.db.models import F

from argmap.models import Exercise
from argmap.models import ClutterRange, MapSource, NodeStatus, Quote, Source

MIN_PARAGRAPH_LENGTH = 40
EXCERPT_LENGTH = 300

Span = tuple[int, int]


@dataclass(frozen=True)
class Passage:
    start: int
    end: int
    text: str  # shortened to EXCERPT_LENGTH for display
    quotes: int = 0  # how many quotes fall in it (0 for an unused paragraph)


@dataclass
class SourceCoverage:
    source: Source
    map_code: str  # a map of the exercise the source is attached to (the main map if it is there)
    used: list[Passage] = field(default_factory=list)
    unused: list[Passage] = field(default_factory=list)
    paragraphs: int = 0  # paragraphs worth quoting (not clutter, not too short)

    @property
    def used_paragraphs(self) -> int:
        return self.paragraphs - len(self.unused)


def paragraphs(text: str) -> list[Span]:
    """(start, end) of each non-blank line of the text, without its surrounding white space."""
    spans = []
    for match in re.finditer(r"[^\r\n]+", text):
        line = match.group()
        stripped = line.strip()
        if stripped:
            start = match.start() + (len(line) - len(line.lstrip()))
            spans.append((start, start + len(stripped)))
    return spans


def merge(spans: list[Span]) -> list[tuple[int, int, int]]:
    """Overlapping spans joined: (start, end, how many spans it joins), in text order."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2] += 1
        else:
            merged.append([start, end, 1])
    return [tuple(m) for m in merged]


def covered_length(span: Span, ranges: list[Span]) -> int:
    """How many code points of `span` the (merged, sorted) ranges cover."""
    start, end = span
    return sum(max(0, min(end, r_end) - max(start, r_start)) for r_start, r_end in ranges)


def overlaps_any(span: Span, ranges: list[Span]) -> bool:
    return any(r_start < span[1] and span[0] < r_end for r_start, r_end in ranges)


def excerpt(text: str, span: Span) -> str:
    piece = text[span[0]:span[1]]
    return piece if len(piece) <= EXCERPT_LENGTH else piece[: EXCERPT_LENGTH - 1] + "…"


def source_coverage(source: Source, map_code: str, quotes: list[Span], clutter: list[Span]) -> SourceCoverage:
    """The used and unused passages of one source (pure: no queries)."""
    coverage = SourceCoverage(source, map_code)
    used = merge(quotes)
    used_spans = [(start, end) for start, end, _ in used]
    coverage.used = [Passage(start, end, excerpt(source.text, (start, end)), count) for start, end, count in used]
    clutter_spans = [(start, end) for start, end, _ in merge(clutter)]
    for span in paragraphs(source.text):
        length = span[1] - span[0]
        if length < MIN_PARAGRAPH_LENGTH or 2 * covered_length(span, clutter_spans) >= length:
            continue
        coverage.paragraphs += 1
        if not overlaps_any(span, used_spans):
            coverage.unused.append(Passage(span[0], span[1], excerpt(source.text, span)))
    return coverage


def exercise_coverage(exercise: Exercise) -> list[SourceCoverage]:
    """Every source attached to one of the exercise's maps, in the order it was first attached, with the
    details of the map that attached it first (the main map before the groups' copies)."""
    attached = (
        MapSource.objects.filter(map__exercise=exercise)
        .select_related("source", "map")
        .order_by(F("map__group_id").asc(nulls_first=True), "id")
    )
    sources: dict[int, tuple[Source, str]] = {}
    for link in attached:
        sources.setdefault(link.source_id, (link.source_with_details(), link.map.code))
    if not sources:
        return []
    quotes: dict[int, list[Span]] = {source_id: [] for source_id in sources}
    for source_id, start, end in (
        Quote.objects.live()
        .filter(node__map__exercise=exercise, node__deleted_at__isnull=True, source_id__in=sources)
        .exclude(node__status=NodeStatus.REJECTED)
        .values_list("source_id", "start", "end")
    ):
        quotes[source_id].append((start, end))
    clutter: dict[int, list[Span]] = {source_id: [] for source_id in sources}
    for source_id, start, end in (
        ClutterRange.objects.live().filter(map__exercise=exercise, source_id__in=sources)
        .values_list("source_id", "start", "end")
    ):
        clutter[source_id].append((start, end))
    return [source_coverage(source, code, quotes[sid], clutter[sid]) for sid, (source, code) in sources.items()]
