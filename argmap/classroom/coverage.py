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
from bisect import bisect_left
from dataclasses import dataclass, field

from django.db.models import F

from argmap.models import ClutterRange, MapSource, NodeStatus, Quote, Source
from argmap.models import Exercise
from argmap.spans import Span, merge_spans, overlap_length

MIN_PARAGRAPH_LENGTH = 40
EXCERPT_LENGTH = 300


@dataclass
class Passage:
    """A stretch of a source: quotes joined where they overlap, or a paragraph nobody quoted."""

    start: int
    end: int
    text: str  # shortened to EXCERPT_LENGTH for display
    quotes: int = 0  # how many quotes fall in it (0 for an unused paragraph)
    # On a map's source page: which side its quotes serve for each thesis (source_coverage.PassageSide).
    sides: list = field(default_factory=list)


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


def excerpt(text: str, span: Span) -> str:
    piece = text[span[0]:span[1]]
    return piece if len(piece) <= EXCERPT_LENGTH else piece[: EXCERPT_LENGTH - 1] + "…"


def source_coverage(source: Source, map_code: str, quotes: list[Span], clutter: list[Span]) -> SourceCoverage:
    """The used and unused passages of one source (pure: no queries)."""
    coverage = SourceCoverage(source, map_code)
    used = merge_spans(quotes, join_touching=False)
    # Every quote starts inside the one passage it was merged into.
    starts = sorted(start for start, end in quotes if start < end)
    coverage.used = [Passage(start, end, excerpt(source.text, (start, end)),
                             quotes=bisect_left(starts, end) - bisect_left(starts, start)) for start, end in used]
    clutter_spans = merge_spans(clutter)
    for span in paragraphs(source.text):
        length = span[1] - span[0]
        if length < MIN_PARAGRAPH_LENGTH or 2 * overlap_length([span], clutter_spans) >= length:
            continue
        coverage.paragraphs += 1
        if not overlap_length([span], used):
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
