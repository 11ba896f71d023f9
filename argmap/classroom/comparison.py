"""Comparing the small groups' copies of an exercise's map, side by side.

Every group starts from a copy of the same map, so theses are matched across copies by their text.
What counts in a copy is what its readers see as settled: live, approved nodes reached from a
thesis. Pending nodes are counted apart (a teacher has yet to decide on them); rejected and
deleted ones do not count at all.

`compare_groups(exercise)` reads everything in a fixed number of queries whatever the number of
groups and nodes; `compare(copies)` does the work on plain values and is tested on its own.
"""

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Left

from argmap.models import Map, MapSource, Node, NodeKind, NodeStatus, Quote, Relation
from argmap.spans import Span, merge_spans
from argmap.tree import CONTESTED, OPPOSE, SUPPORT, Edge, MapGraph

# Plain inputs, one per group copy.


@dataclass(frozen=True)
class CopiedNode:
    id: int
    kind: str
    text: str
    status: str


@dataclass(frozen=True)
class QuotedPassage:
    node_id: int
    source_id: int
    start: int
    end: int
    exact: str


@dataclass
class GroupCopy:
    """One group and what its copy holds (`map_code` None: the group has no copy yet)."""

    group_id: int
    name: str
    map_code: str | None = None
    map_url: str | None = None
    nodes: list[CopiedNode] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    quotes: list[QuotedPassage] = field(default_factory=list)
    source_ids: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class SourceLabel:
    id: int
    code: str
    title: str


# Results.


@dataclass(frozen=True)
class ThesisTally:
    """What hangs under one thesis in one copy (sides follow every path: an oppose of an oppose supports)."""

    map_code: str
    node_id: int
    supporting: int
    opposing: int
    contested: int
    evidence_for: int
    evidence_against: int

    @property
    def evidence(self) -> int:
        return self.evidence_for + self.evidence_against


@dataclass
class ThesisRow:
    text: str
    cells: list[ThesisTally | None]  # one per group, None where the copy lacks this thesis

    @property
    def missing_from(self) -> int:
        return sum(1 for cell in self.cells if cell is None)


@dataclass(frozen=True)
class SourceCell:
    map_code: str | None
    quotes: int


@dataclass
class SourceRow:
    source: SourceLabel
    cells: list[SourceCell]  # one per group: how often that group quoted the source


@dataclass
class MissedPassage:
    """A passage one or more groups quoted that at least one other group did not touch at all."""

    start: int
    end: int
    exact: str
    found_by: list[str]  # groups that quoted exactly this passage
    partly_by: list[str]  # groups that quoted an overlapping passage
    missed_by: list[str]  # groups whose quotes overlap none of it


@dataclass
class SourcePassages:
    source: SourceLabel
    passages: list[MissedPassage]


@dataclass
class GroupSummary:
    group_id: int
    name: str
    map_code: str | None
    map_url: str | None
    theses: int
    claims: int
    evidence: int
    quotes: int
    pending: int


@dataclass
class Comparison:
    groups: list[GroupSummary]
    theses: list[ThesisRow]
    sources: list[SourceRow]
    missed: list[SourcePassages]

    @property
    def has_copies(self) -> bool:
        return any(group.map_code for group in self.groups)


def thesis_key(text: str) -> str:
    """Theses match across copies when their words do (spacing and case aside)."""
    return " ".join(text.split()).casefold()


def compare(copies: list[GroupCopy], sources: dict[int, SourceLabel]) -> Comparison:
    """The side-by-side comparison of the groups' copies, in the order given."""
    graphs = [_counted_graph(copy) for copy in copies]
    summaries = []
    for copy, (graph, counted_quotes) in zip(copies, graphs):
        summaries.append(
            GroupSummary(
                group_id=copy.group_id, name=copy.name, map_code=copy.map_code, map_url=copy.map_url,
                theses=len(graph.theses), claims=len(graph.nodes) - len(graph.theses), evidence=len(graph.evidence),
                quotes=len(counted_quotes),
                pending=sum(1 for n in copy.nodes if n.status == NodeStatus.PENDING),
            )
        )
    return Comparison(
        groups=summaries,
        theses=_thesis_rows(copies, [graph for graph, _ in graphs]),
        sources=_source_rows(copies, [quotes for _, quotes in graphs], sources),
        # A group without a copy yet has missed nothing: it has not started.
        missed=missed_passages(
            [copy.name for copy in copies if copy.map_code],
            [quotes for copy, (_, quotes) in zip(copies, graphs) if copy.map_code],
            sources,
        ),
    )


def _counted_graph(copy: GroupCopy) -> tuple[MapGraph, list[QuotedPassage]]:
    """The copy's graph of approved nodes, and the quotes of the nodes in it."""
    approved = {n.id for n in copy.nodes if n.status == NodeStatus.APPROVED}
    theses = [n.id for n in copy.nodes if n.kind == NodeKind.THESIS and n.id in approved]
    edges = [e for e in copy.edges if e.child in approved and e.parent in approved]
    graph = MapGraph(theses, edges, evidence={q.node_id for q in copy.quotes})
    return graph, [q for q in copy.quotes if q.node_id in graph.nodes]


def _tally(map_code: str, graph: MapGraph, thesis: int) -> ThesisTally:
    sides = graph.sides(thesis)
    count = {SUPPORT: 0, OPPOSE: 0, CONTESTED: 0}
    evidence = {SUPPORT: 0, OPPOSE: 0, CONTESTED: 0}
    for node, side in sides.items():
        count[side] += 1
        if node in graph.evidence:
            evidence[side] += 1
    return ThesisTally(
        map_code=map_code, node_id=thesis,
        supporting=count[SUPPORT], opposing=count[OPPOSE], contested=count[CONTESTED],
        evidence_for=evidence[SUPPORT], evidence_against=evidence[OPPOSE],
    )


def _thesis_rows(copies: list[GroupCopy], graphs: list[MapGraph]) -> list[ThesisRow]:
    rows: dict[str, ThesisRow] = {}
    for column, (copy, graph) in enumerate(zip(copies, graphs)):
        texts = {n.id: n.text for n in copy.nodes}
        for thesis in graph.theses:
            key = thesis_key(texts[thesis])
            row = rows.setdefault(key, ThesisRow(text=texts[thesis], cells=[None] * len(copies)))
            if row.cells[column] is None:  # a copy with the same thesis twice: the first one counts
                row.cells[column] = _tally(copy.map_code, graph, thesis)
    return list(rows.values())


def _source_rows(copies, quotes_per_copy, sources: dict[int, SourceLabel]) -> list[SourceRow]:
    """Every source attached to or quoted in any copy, with each group's number of quotes of it."""
    quoted = ({q.source_id for q in quotes} for quotes in quotes_per_copy)
    source_ids = set().union(*(copy.source_ids for copy in copies), *quoted)
    tallies = [Counter(q.source_id for q in quotes) for quotes in quotes_per_copy]
    return [
        SourceRow(
            source=_label(sources, source_id),
            cells=[SourceCell(copy.map_code, tally[source_id]) for copy, tally in zip(copies, tallies)],
        )
        for source_id in sorted(source_ids, key=lambda s: (_label(sources, s).title.casefold(), s))
    ]


class _Coverage:
    """The stretches of each source one group quoted, merged, for overlap tests by bisection."""

    def __init__(self, quotes: list[QuotedPassage]):
        by_source: dict[int, list[Span]] = {}
        for q in quotes:
            by_source.setdefault(q.source_id, []).append((q.start, q.end))
        spans = {source: merge_spans(its) for source, its in by_source.items()}
        self._spans = spans
        self._starts = {source: [start for start, _ in merged] for source, merged in spans.items()}

    def overlaps(self, source_id: int, start: int, end: int) -> bool:
        spans = self._spans.get(source_id)
        if not spans:
            return False
        # The last merged stretch starting before `end` is the only one that can reach into [start, end).
        index = bisect_left(self._starts[source_id], end) - 1
        return index >= 0 and spans[index][1] > start


def missed_passages(
    names: list[str], quotes_per_group: list[list[QuotedPassage]], sources: dict[int, SourceLabel]
) -> list[SourcePassages]:
    """Passages some group quoted whose range overlaps no quote of some other group, by source.

    Each distinct passage (source and offsets) is listed once, with the groups that quoted it
    exactly, those that quoted an overlapping passage, and those that touched none of it.
    """
    coverage = [_Coverage(quotes) for quotes in quotes_per_group]
    found: dict[tuple[int, int, int], tuple[str, set[int]]] = {}
    for column, quotes in enumerate(quotes_per_group):
        for q in quotes:
            found.setdefault((q.source_id, q.start, q.end), (q.exact, set()))[1].add(column)
    by_source: dict[int, list[MissedPassage]] = {}
    for (source_id, start, end), (exact, finders) in sorted(found.items()):
        missed = [c for c in range(len(names)) if not coverage[c].overlaps(source_id, start, end)]
        if not missed:
            continue
        partly = [c for c in range(len(names)) if c not in finders and c not in missed]
        by_source.setdefault(source_id, []).append(
            MissedPassage(
                start=start, end=end, exact=exact,
                found_by=[names[c] for c in sorted(finders)],
                partly_by=[names[c] for c in partly],
                missed_by=[names[c] for c in missed],
            )
        )
    order = sorted(by_source, key=lambda s: (_label(sources, s).title.casefold(), s))
    return [SourcePassages(source=_label(sources, s), passages=by_source[s]) for s in order]


def _label(sources: dict[int, SourceLabel], source_id: int) -> SourceLabel:
    # A quote's source is attached to its map (Quote.save checks it); should it not be, still name it.
    return sources.get(source_id) or SourceLabel(source_id, "", f"Source {source_id} (no longer attached)")


# Loading.


def compare_groups(exercise) -> Comparison:
    """The comparison of an exercise's small groups (in the order they were made), in six queries."""
    groups = list(exercise.small_groups.order_by("id").values_list("id", "name"))
    copies = {gid: GroupCopy(group_id=gid, name=name) for gid, name in groups}
    maps = (
        Map.objects.filter(exercise=exercise, group_id__in=copies).order_by("id").only("id", "code", "title", "group_id")
    )
    map_group: dict[int, int] = {}
    for map_ in maps:
        copy = copies[map_.group_id]
        if copy.map_code is None:  # should a group have two copies, its first one counts
            copy.map_code, copy.map_url = map_.code, map_.get_absolute_url()
            map_group[map_.pk] = map_.group_id
    live = Q(deleted_at__isnull=True)
    for map_id, kind, text, status, node_id in (
        Node.objects.filter(live, map_id__in=map_group).order_by("id")
        .values_list("map_id", "kind", "text", "status", "id")
    ):
        copies[map_group[map_id]].nodes.append(CopiedNode(node_id, kind, text, status))
    for map_id, *edge in Relation.objects.filter(
        live, map_id__in=map_group, child__deleted_at__isnull=True, parent__deleted_at__isnull=True
    ).order_by("id").values_list("map_id", "id", "child_id", "parent_id", "stance"):
        copies[map_group[map_id]].edges.append(Edge(*edge))
    for map_id, *quote in (
        Quote.objects.filter(live, node__map_id__in=map_group, node__deleted_at__isnull=True)
        .order_by("id").values_list("node__map_id", "node_id", "source_id", "start", "end", "exact")
    ):
        copies[map_group[map_id]].quotes.append(QuotedPassage(*quote))
    sources = {}
    for map_id, source_id, code, title, opening in (
        MapSource.objects.filter(map_id__in=map_group)
        .annotate(opening=Left("source__text", 80))
        .values_list("map_id", "source_id", "source__code", "title", "opening")
    ):
        copies[map_group[map_id]].source_ids.add(source_id)
        # As Source.display_title, without reading whole texts.
        title = title or f"Untitled source: “{' '.join(opening.split()[:8])}…”"
        sources[source_id] = SourceLabel(source_id, code, title)
    return compare(list(copies.values()), sources)
