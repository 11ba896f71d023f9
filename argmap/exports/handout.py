"""The printable handout: a page a teacher opens in the browser and prints for the class.

Title, motion, one numbered outline per thesis (1, 1.1, 1.2, 1.2.1, ...) with each claim marked
"+ Supports" or "− Opposes" its parent, every quote verbatim as a numbered note, and the list of
sources. A node that hangs in several places is printed in full at its first place in reading
order; its later places say "see 1.2". Notes are numbered in order of first appearance, and the
same passage of a source (quoted by two claims, or met twice) keeps one number.

Only what the reader of the export sees (`export.graph`); no queries of its own.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string

from argmap.models import Node, NodeStatus, Quote, Source

SEE_ALSO_LENGTH = 70  # characters of a node's text repeated where it says "see 1.2"


@dataclass
class Note:
    number: int
    exact: str
    source: Source


@dataclass
class Item:
    """One place of a claim in a thesis's outline."""

    number: str
    depth: int  # 1 for the thesis's direct replies
    node: Node
    stance: str
    see: str | None = None  # the number where the node is printed in full, for its later places
    notes: list[Note] = field(default_factory=list)
    # Nested <ol> bookkeeping for the template, which writes the list from a flat sequence.
    opens: bool = False
    closes: range = range(0)

    @property
    def status(self) -> str | None:
        """A word for a node not (yet) approved; only people who see pending nodes get them."""
        return None if self.node.status == NodeStatus.APPROVED else self.node.get_status_display().lower()

    @property
    def short_text(self) -> str:
        text = " ".join(self.node.text.split())
        return text if len(text) <= SEE_ALSO_LENGTH else text[: SEE_ALSO_LENGTH - 1].rstrip() + "…"


@dataclass
class Section:
    """One thesis with its outline and the notes first cited in it."""

    number: str
    thesis: Node
    notes: list[Note] = field(default_factory=list)
    thesis_notes: list[Note] = field(default_factory=list)  # the thesis's own quotes
    items: list[Item] = field(default_factory=list)
    final_closes: range = range(0)


class Footnotes:
    """Numbers quotes in order of appearance; one number per passage (source and offsets)."""

    def __init__(self):
        self.by_passage: dict[tuple[int, int, int], Note] = {}

    def cite(self, quote: Quote, source: Source, section: Section) -> Note:
        key = (quote.source_id, quote.start, quote.end)
        note = self.by_passage.get(key)
        if note is None:
            note = self.by_passage[key] = Note(len(self.by_passage) + 1, quote.exact, source)
            section.notes.append(note)
        return note


def render(export) -> str:
    return render_to_string("exports/handout.html", context(export))


def context(export) -> dict:
    sections = outline(export)
    return {
        "map": export.map,
        "sections": sections,
        # Only web addresses become links (an imported file could hold any scheme).
        "sources": [{"source": s, "link": s.url.startswith(("https://", "http://"))} for s in export.sources],
        "map_url": settings.ARGMAP_SITE_URL + export.map.get_absolute_url(),
    }


def outline(export) -> list[Section]:
    theses = export.theses
    # Theses always get their own section, so a thesis met under another says "see 2".
    placed: dict[int, str] = {thesis.pk: str(index) for index, thesis in enumerate(theses, 1)}
    footnotes = Footnotes()
    sections = []
    for index, thesis in enumerate(theses, 1):
        section = Section(str(index), thesis)
        section.thesis_notes = _cite(export, thesis.pk, section, footnotes)
        _walk(export, section, placed, footnotes)
        _nest(section)
        sections.append(section)
    return sections


def _walk(export, section: Section, placed: dict[int, str], footnotes: Footnotes) -> None:
    """Depth first, in the order replies were added; a node's first place in reading order prints it."""
    stack = _replies(export, section.thesis.pk, section.number, 1)
    while stack:
        node_id, stance, number, depth = stack.pop()
        node = export.node_by_id[node_id]
        if node_id in placed:
            section.items.append(Item(number, depth, node, stance, see=placed[node_id]))
            continue
        placed[node_id] = number
        section.items.append(Item(number, depth, node, stance, notes=_cite(export, node_id, section, footnotes)))
        stack.extend(_replies(export, node_id, number, depth + 1))


def _cite(export, node_id: int, section: Section, footnotes: Footnotes) -> list[Note]:
    return [footnotes.cite(q, export.source_by_id[q.source_id], section) for q in export.quotes_of(node_id)]


def _replies(export, node_id: int, number: str, depth: int) -> list[tuple]:
    """The node's replies as stack entries, last first (so the first is taken first)."""
    edges = export.children_of(node_id)
    return [(e.child, e.stance, f"{number}.{i}", depth) for i, e in reversed(list(enumerate(edges, 1)))]


def _nest(section: Section) -> None:
    """Mark where the template opens and closes nested lists: depth goes up one at a time."""
    previous = 0
    for item in section.items:
        item.opens = item.depth > previous
        item.closes = range(max(previous - item.depth, 0))
        previous = item.depth
    section.final_closes = range(max(previous - 1, 0))
