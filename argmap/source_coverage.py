"""How a map uses its sources: how much of each text it quotes, which passages serve which thesis
and side, the paragraphs nobody has used yet, and which way each source leans for each thesis.

What counts: the live quotes of live, approved nodes that hang from a thesis. Nodes awaiting
approval (or rejected) never count, whoever reads, not even for their author or a teacher: the
figures are the same for the whole class, and a student's evidence counts once it is approved.

- Quoted share: the characters (code points) covered by at least one counted quote, out of the
  text's characters, both leaving out the page clutter the map's owners marked (live ClutterRange
  rows of this map). Overlapping quotes count their shared characters once.
- Passages: counted quotes joined where they overlap (argmap.spans.merge_spans: quotes
  that only touch stay apart), each with the side its quotes serve for every thesis they bear on.
- Unused paragraphs: the text split at line breaks, without page clutter and lines too short to
  argue from, that no counted quote overlaps (argmap.classroom.coverage.source_coverage).
- Lean, per source and thesis: the quotes serving the thesis against those opposing it (a quote
  contested for the thesis, reached by paths that disagree, takes neither side). Two thirds or
  more on one side is a lean that way; fewer than MIN_QUOTES_FOR_LEAN sided quotes tell nothing.

A thesis's own quotes serve that thesis. Loading takes a fixed number of queries whatever the
size of the map: theses, quotes and clutter (and the sources, for the whole map), plus the graph's.
"""

import bisect
from dataclasses import dataclass, field

from django.db.models.functions import Length, Substr

from argmap.browsing import approved_graph
from argmap.classroom import coverage as paragraphs_of
from argmap.classroom.coverage import Passage
from argmap.models import ClutterRange, Map, Node, Quote, Source, untitled_name
from argmap.ratings import with_ratings
from argmap.spans import Span, length, merge_spans, overlap_length
from argmap.tree import CONTESTED, OPPOSE, SUPPORT, MapGraph

LEAN_SHARE = 2 / 3
MIN_QUOTES_FOR_LEAN = 2
OPENING_LENGTH = 120  # enough of an untitled source's text to name it


@dataclass(frozen=True)
class QuoteUse:
    start: int
    end: int
    node_id: int


@dataclass
class Tally:
    quotes: int = 0
    characters: int = 0  # of the text, each counted once however many quotes cover it


@dataclass
class Lean:
    """Which side one source's quotes take on one thesis."""

    thesis: Node
    support: Tally = field(default_factory=Tally)
    oppose: Tally = field(default_factory=Tally)
    contested: int = 0  # quotes whose node is contested for the thesis

    @property
    def sided(self) -> int:
        return self.support.quotes + self.oppose.quotes

    @property
    def kind(self) -> str:
        """"for", "against", "balanced", "few" (too few quotes to tell) or "unused"."""
        if not self.sided and not self.contested:
            return "unused"
        if self.sided < MIN_QUOTES_FOR_LEAN:
            return "few"
        share = self.support.quotes / self.sided
        if share >= LEAN_SHARE:
            return "for"
        if share <= 1 - LEAN_SHARE:
            return "against"
        return "balanced"

    @property
    def label(self) -> str:
        return {
            "for": "leans for", "against": "leans against", "balanced": "balanced",
            "few": "too few quotes to tell", "unused": "not quoted for this thesis",
        }[self.kind]


@dataclass(frozen=True)
class PassageSide:
    thesis: Node
    side: str  # support, oppose or contested
    quotes: int


@dataclass
class SourceReport:
    source: Source
    text_length: int
    clutter_characters: int = 0
    quoted_characters: int = 0  # outside clutter
    quotes: int = 0
    leans: list[Lean] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)  # with their sides, only for one source's page
    unused: list[Passage] = field(default_factory=list)  # only for one source's page
    paragraphs: int = 0  # paragraphs worth quoting, only for one source's page

    @property
    def countable_characters(self) -> int:
        return self.text_length - self.clutter_characters

    @property
    def percent(self) -> float | None:
        """Quoted share of the text outside clutter, 0 to 100 (None for a text that is all clutter)."""
        if self.countable_characters <= 0:
            return None
        return 100 * self.quoted_characters / self.countable_characters

    @property
    def leaning(self) -> list[Lean]:
        return [lean for lean in self.leans if lean.kind in ("for", "against")]


# Pure computation


def quoted_outside(spans: list[Span], clutter: list[Span], text_length: int) -> int:
    """Characters covered by the spans and not by the (merged) clutter ranges."""
    covered = merge_spans(spans, text_length)
    return length(covered) - overlap_length(covered, clutter)


def side_for(graph: MapGraph, thesis_id: int, node_id: int) -> str | None:
    return SUPPORT if node_id == thesis_id else graph.side(thesis_id, node_id)


def report(source: Source, text_length: int, uses: list[QuoteUse], clutter: list[Span], theses: list[Node],
           graph: MapGraph, with_text: bool = False) -> SourceReport:
    """One source's figures from its counted quotes and its clutter (no queries). `with_text`
    adds its passages and unused paragraphs, which need `source.text`."""
    merged_clutter = merge_spans(clutter, text_length)
    result = SourceReport(source, text_length, clutter_characters=length(merged_clutter), quotes=len(uses))
    result.quoted_characters = quoted_outside([(u.start, u.end) for u in uses], merged_clutter, text_length)
    for thesis in theses:
        lean = Lean(thesis)
        spans: dict[str, list[Span]] = {SUPPORT: [], OPPOSE: []}
        for use in uses:
            side = side_for(graph, thesis.pk, use.node_id)
            if side == CONTESTED:
                lean.contested += 1
            elif side in spans:
                spans[side].append((use.start, use.end))
        for side, tally in ((SUPPORT, lean.support), (OPPOSE, lean.oppose)):
            tally.quotes = len(spans[side])
            tally.characters = quoted_outside(spans[side], merged_clutter, text_length)
        result.leans.append(lean)
    if with_text:
        _add_passages(result, uses, clutter, theses, graph)
    return result


def _add_passages(result: SourceReport, uses: list[QuoteUse], clutter: list[Span], theses: list[Node],
                  graph: MapGraph) -> None:
    source = result.source
    found = paragraphs_of.source_coverage(source, "", [(u.start, u.end) for u in uses], clutter)
    result.unused, result.paragraphs = found.unused, found.paragraphs
    result.passages = found.used
    starts = [p.start for p in result.passages]
    members: list[list[QuoteUse]] = [[] for _ in result.passages]
    for use in uses:
        members[bisect.bisect_right(starts, use.start) - 1].append(use)
    for passage, its_uses in zip(result.passages, members):
        for thesis in theses:
            counts = {SUPPORT: 0, OPPOSE: 0, CONTESTED: 0}
            for use in its_uses:
                side = side_for(graph, thesis.pk, use.node_id)
                if side:
                    counts[side] += 1
            passage.sides += [PassageSide(thesis, side, n) for side, n in counts.items() if n]


# Loading


def counted_graph(map_: Map) -> MapGraph:
    """The map's graph without any node awaiting approval or rejected (and what hangs only from
    one): the same for every reader."""
    return approved_graph(map_)


def _theses(graph: MapGraph) -> list[Node]:
    by_id = Node.objects.in_bulk(graph.theses)
    return [by_id[pk] for pk in graph.theses if pk in by_id]


def source_report(map_: Map, source: Source) -> SourceReport:
    """One source of the map, with its passages and unused paragraphs (three queries and the graph's)."""
    graph = counted_graph(map_)
    theses = _theses(graph)
    uses = [
        QuoteUse(start, end, node_id)
        for start, end, node_id in Quote.objects.live().filter(source=source, node__map=map_)
        .order_by("start", "id").values_list("start", "end", "node_id")
        if node_id in graph
    ]
    clutter = list(ClutterRange.objects.live().filter(map=map_, source=source).values_list("start", "end"))
    return report(source, len(source.text), uses, clutter, theses, graph, with_text=True)


def map_report(map_: Map) -> tuple[list[Node], list[SourceReport]]:
    """The map's theses and every source of the map in the order attached, each with its rating
    (`with_ratings`) and `name` but not its text (four queries and the graph's)."""
    graph = counted_graph(map_)
    theses = _theses(graph)
    sources = list(
        with_ratings(Source.objects.in_map(map_).order_by("mapsource__id"), map_)
        .defer("text")
        .annotate(text_length=Length("text"), opening=Substr("text", 1, OPENING_LENGTH))
    )
    for source in sources:  # what display_title says, without loading the text
        source.name = source.title or untitled_name(source.opening)
    uses: dict[int, list[QuoteUse]] = {s.pk: [] for s in sources}
    rows = Quote.objects.live().filter(node__map=map_).order_by("start", "id")
    for source_id, start, end, node_id in rows.values_list("source_id", "start", "end", "node_id"):
        if node_id in graph and source_id in uses:
            uses[source_id].append(QuoteUse(start, end, node_id))
    clutter: dict[int, list[Span]] = {s.pk: [] for s in sources}
    for source_id, start, end in ClutterRange.objects.live().filter(map=map_).values_list("source_id", "start", "end"):
        if source_id in clutter:
            clutter[source_id].append((start, end))
    return theses, [report(s, s.text_length, uses[s.pk], clutter[s.pk], theses, graph) for s in sources]
