"""A Markdown outline of a map: its title and question, each thesis as a heading with its tree as
nested lists (supports and opposes said in words, outline numbers like 1.2.3), each quote as a
blockquote naming its source, and the list of sources at the end.

A node met in several places is shown in full at its first place (in outline order); its other
places refer to that number. Text is escaped (see `inline`) so that a CommonMark renderer shows
it as written; line breaks in claims and quotes become hard line breaks.

`places()` walks the outline; the CSV export (csv_format.py) walks it the same way, so both
number places alike.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from argmap.models import NodeStatus

STANCE_WORDS = {"support": "Supports", "oppose": "Opposes"}

# CommonMark may read these as markup anywhere in a line: escapes, code spans, emphasis, links
# and images, raw HTML and autolinks, tables and strikethrough (common extensions), closing `#`s
# of a heading. A backslash before any ASCII punctuation shows that character as itself.
_INLINE = re.compile(r"[\\`*_\[\]<>|~#]|&(?=#?\w+;)")
# At the start of a line: headings, block quotes, list items, setext underlines, fences, tables.
_LINE_START = re.compile(r"^([#>+\-*=|~`:]|\d+(?=[.)]))")
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def inline(text: str) -> str:
    """One line of text as Markdown that renders as the text itself (line breaks become spaces)."""
    return _INLINE.sub(r"\\\g<0>", LINE_BREAK.sub(" ", text)).strip()


def lines_of(text: str) -> list[str]:
    """Text as Markdown lines that render as its lines (join them with a hard line break)."""
    lines = []
    for line in LINE_BREAK.split(text.strip()):
        line = _INLINE.sub(r"\\\g<0>", line.strip())
        # A digit run stays; the `.` or `)` after it is what would start a list.
        line = _LINE_START.sub(lambda m: m.group() + "\\" if m.group().isdigit() else "\\" + m.group(), line)
        lines.append(line)
    return lines or [""]


def block(text: str, indent: str, first_prefix: str = "") -> list[str]:
    """Text after `first_prefix` on its first line, continued below at `indent`, with hard breaks."""
    parts = lines_of(text)
    out = [first_prefix + parts[0]]
    out.extend(indent + part for part in parts[1:])
    return [line + "\\" for line in out[:-1]] + out[-1:]


@dataclass(frozen=True)
class Place:
    """One place of a node in the outline: `number` is its outline number (1.2.3), `stance` how it
    bears on its parent place (None for a thesis), `first` whether it is the node's first place."""

    node_id: int
    number: tuple[int, ...]
    stance: str | None
    first: bool
    thesis_id: int

    @property
    def label(self) -> str:
        return ".".join(map(str, self.number))

    @property
    def depth(self) -> int:
        return len(self.number) - 1


def places(export, *, every_place: bool = False, limit: int = 100_000) -> Iterator[Place]:
    """The outline's places in order (depth first, children in the map's order).

    By default a node's subtree is walked at its first place only. With `every_place`, it is walked
    at each place, up to `limit` places in all: a map can hold many paths to one node (each node
    under two parents doubles those below), so past the limit only nodes not yet met are walked."""
    seen: set[int] = set()
    count = 0
    for index, thesis in enumerate(export.theses, start=1):
        stack = [(thesis.pk, (index,), None)]
        while stack:
            node_id, number, stance = stack.pop()
            first = node_id not in seen
            if not first and stance is None:
                continue  # a thesis already shown below another one
            seen.add(node_id)
            count += 1
            yield Place(node_id, number, stance, first, thesis.pk)
            if first or (every_place and count < limit):
                children = export.children_of(node_id)
                stack.extend(
                    (edge.child, number + (position,), edge.stance)
                    for position, edge in reversed(list(enumerate(children, start=1)))
                )


def render(export) -> str:
    map_ = export.map
    out = [f"# {inline(map_.title)}", ""]
    if map_.question.strip():
        out += block(map_.question, "", "**Question:** ") + [""]
    first_place: dict[int, str] = {}
    for place in places(export):
        node = export.node_by_id[place.node_id]
        if place.stance is None:
            first_place[node.pk] = place.label
            out += ["", f"## {place.label}. {inline(node.text)}", "", _byline(export, node), ""]
            out += _quotes(export, node, "")
            continue
        indent = "  " * (place.depth - 1)
        head = f"{indent}- **{place.label} {STANCE_WORDS[place.stance]}:** "
        if not place.first:
            out.append(f"{head}the claim shown at {first_place[node.pk]} (“{inline(_short(node.text))}”)")
            continue
        first_place[node.pk] = place.label
        out += block(node.text, indent + "  ", head)
        out[-1] += " " + _byline(export, node)
        out += _quotes(export, node, indent + "  ")
    if export.sources:
        out += ["", "## Sources", ""]
        out += [f"- {_source_line(source)}" for source in export.sources]
    # Blank lines only ever separate blocks here (text lines end in hard breaks), so runs of them
    # can shrink to one.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"


def _byline(export, node) -> str:
    name = export.name(node.author)
    parts = [f"by {inline(name)}"] if name else []
    if node.status != NodeStatus.APPROVED:
        parts.append(f"{node.get_status_display().lower()}")
    return f"*({', '.join(parts)})*" if parts else ""


def _quotes(export, node, indent: str) -> list[str]:
    out = []
    for quote in export.quotes_of(node.pk):
        source = export.source_by_id[quote.source_id]
        out += block(quote.exact, f"{indent}> ", f"{indent}> ")
        out[-1] += "\\"
        out.append(f"{indent}> — {_source_line(source)}")
        out.append("")
    return out


def _source_line(source) -> str:
    title = f"*{inline(source.display_title)}*"
    details = [
        inline(value)
        for value in (source.author, source.publisher, source.published_on.isoformat() if source.published_on else "")
        if value
    ]
    if source.url:
        details.append(f"<{source.url}>" if _plain_url(source.url) else inline(source.url))
    return ", ".join([title, *details])


def _plain_url(url: str) -> bool:
    # An autolink holds no spaces or angle brackets; anything else is shown as escaped text.
    return re.fullmatch(r"https?://[^\s<>]+", url) is not None


def _short(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
