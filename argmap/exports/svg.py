"""The picture: an SVG of each thesis tree, drawn left to right, made on the server.

Each tree runs from its thesis on the left to the replies on the right, one column per level.
Every box holds the node's text wrapped to the box (widths estimated from the characters, since
nothing here measures fonts), a header line with its outline number, its stance ("+ Supports",
"− Opposes") and whether it is evidence, and a <title> with the full text. Edges differ by colour,
line style and end marker (support: green, solid, arrow; oppose: red, dashed, bar) and carry a
+ or − sign, so the picture reads in black and white too; a legend says so.

Layout: each box owns a horizontal band as tall as its subtree; bands of siblings are stacked,
and a parent sits between its first and last child, kept inside its own band. Boxes in one column
therefore never overlap, and columns are apart.

Big maps: `export.options` may choose a subtree ("root": node id) and a number of levels ("depth",
the root counting as the first). At most MAX_BOXES boxes are drawn, level by level, and the
picture says how many nodes were left out and how to choose a part of the map instead.
A node met again after it was drawn becomes a small dashed box pointing to its first place.

No queries of its own: everything comes from the MapExport.
"""

import unicodedata
from collections import deque
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.conf import settings
from django.urls import reverse

from argmap.models import NodeStatus

MAX_BOXES = 400
MAX_LINES = 10  # of a node's text; the full text is in the box's <title>

FONT_FAMILY = "Verdana, 'DejaVu Sans', 'Segoe UI', Arial, sans-serif"
TEXT_SIZE = 16
HEADER_SIZE = 14
LINE = 21  # px between lines of node text
HEADER_LINE = 19
PAD = 10
BOX_WIDTH = 320
TEXT_WIDTH = BOX_WIDTH - 2 * PAD
COLUMN_GAP = 80
ROW_GAP = 16
TREE_GAP = 48
MARGIN = 24

INK = "#111111"
MUTED = "#444c56"
SUPPORT = "#1e6b34"
OPPOSE = "#a1262b"
THESIS_FILL = "#e8eef8"
EVIDENCE_FILL = "#fff4d6"
STANCE_WORDS = {"support": ("+", "Supports"), "oppose": ("−", "Opposes")}


# Text widths, estimated in em from the characters: the wider of Verdana and DejaVu Sans (the
# first fonts asked for) per letter, so narrower fallbacks only leave a little room at line ends.

LOWER = dict(zip("abcdefghijklmnopqrstuvwxyz", (
    .61, .64, .55, .64, .62, .36, .64, .64, .28, .28, .59, .28, .98, .64, .61, .64, .64, .43, .53, .40, .64, .60,
    .82, .60, .60, .53)))
NARROW = set("I.,:;|!'`[]()")
WIDE = set("MW@%&—ЖжШшЩщЮюМмФф")


def char_width(char: str) -> float:
    if char in LOWER:
        return LOWER[char]
    if char == " ":
        return 0.36
    if char in NARROW:
        return 0.4
    if char in WIDE:
        return 1.0
    if unicodedata.combining(char) or char in "\u200b\u200c\u200d\ufe0e\ufe0f":
        return 0.0
    if unicodedata.east_asian_width(char) in ("W", "F") or ord(char) >= 0x1F000:
        return 1.1  # CJK, emoji
    if char.isupper() or char.isdigit():
        return 0.75
    return 0.66


def text_width(text: str, size: float, bold: bool = False) -> float:
    return sum(char_width(c) for c in text) * size * (1.1 if bold else 1.0)


def wrap(text: str, width: float, size: float, bold: bool = False, max_lines: int | None = None) -> list[str]:
    """Lines of at most `width` px: words kept whole where they fit, line breaks kept, and the
    last line ending in "…" if the text had to be cut."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if text_width(candidate, size, bold) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            # A word longer than the line is cut where it must be.
            while text_width(word, size, bold) > width:
                cut = _fitting(word, width, size, bold)
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        if line or not lines or paragraph.strip() == "":
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    if max_lines is not None and len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + " …", size, bold) > width:
            last = last[:-1]
        lines = lines[: max_lines - 1] + [last.rstrip() + " …"]
    return lines or [""]


def _fitting(word: str, width: float, size: float, bold: bool) -> int:
    used, cut = 0.0, 0
    for cut, char in enumerate(word):
        used += char_width(char) * size * (1.1 if bold else 1.0)
        if used > width:
            break
    return max(cut, 1)


# Characters XML 1.0 forbids become spaces; a carriage return is written as a reference, since
# XML readers turn a literal one into a line feed.
_NOT_XML = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF], " ")


def xml(text: str) -> str:
    """Text for XML content or a double- or single-quoted attribute."""
    return escape(text.translate(_NOT_XML), {'"': "&quot;", "'": "&apos;", "\r": "&#13;"})


def number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


# What is drawn


@dataclass
class Box:
    """One place of a node in the picture."""

    node_id: int
    label: str  # outline number: 1, 1.2, 1.2.3
    level: int  # 1 for a root
    stance: str | None  # towards the parent box
    first_place: "Box | None" = None  # set when the node is drawn in full elsewhere
    children: list["Box"] = field(default_factory=list)
    not_drawn: int = 0  # replies left out (depth or the cap)
    header: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    x: float = 0
    y: float = 0
    height: float = 0
    band: float = 0


def select(export, roots: list[int], depth: int | None, limit: int = MAX_BOXES) -> list[Box]:
    """The boxes to draw, level by level from the roots, at most `limit` of them."""
    trees = [Box(root, str(i), 1, None) for i, root in enumerate(roots, 1)]
    first: dict[int, Box] = {}
    queue = deque(trees)
    count = 0
    while queue:
        box = queue.popleft()
        if box.node_id in first:
            box.first_place = first[box.node_id]
            continue
        first[box.node_id] = box
        edges = export.children_of(box.node_id)
        if depth is not None and box.level >= depth:
            box.not_drawn = len(edges)
            continue
        for position, edge in enumerate(edges, 1):
            if count + len(trees) >= limit:
                box.not_drawn += 1
                continue
            count += 1
            child = Box(edge.child, f"{box.label}.{position}", box.level + 1, edge.stance)
            box.children.append(child)
            queue.append(child)
    return trees


def walk(trees: list[Box]):
    stack = list(reversed(trees))
    while stack:
        box = stack.pop()
        yield box
        stack.extend(reversed(box.children))


def reachable(export, roots: list[int]) -> set[int]:
    seen, queue = set(roots), deque(roots)
    while queue:
        for edge in export.children_of(queue.popleft()):
            if edge.child not in seen:
                seen.add(edge.child)
                queue.append(edge.child)
    return seen


# Layout


def measure(export, box: Box) -> None:
    node = export.node_by_id[box.node_id]
    if box.stance is None:
        parts = ["Thesis " + box.label if node.kind == "thesis" else "Claim " + box.label]
    else:
        symbol, word = STANCE_WORDS[box.stance]
        parts = [box.label, f"{symbol} {word}"]
    if box.first_place is None and export.quotes_of(box.node_id):
        quotes = len(export.quotes_of(box.node_id))
        parts.append(f"Evidence ×{quotes}" if quotes > 1 else "Evidence")
    if node.status != NodeStatus.APPROVED:
        parts.append(node.get_status_display())
    box.header = wrap(" · ".join(parts), TEXT_WIDTH, HEADER_SIZE, bold=True)
    if box.first_place is not None:
        box.lines = wrap(f"Drawn at {box.first_place.label}: {node.text}", TEXT_WIDTH, TEXT_SIZE, max_lines=2)
    else:
        box.lines = wrap(node.text, TEXT_WIDTH, TEXT_SIZE, max_lines=MAX_LINES)
    footer = HEADER_LINE if box.not_drawn else 0
    box.height = 2 * PAD + HEADER_LINE * len(box.header) + LINE * len(box.lines) + footer


def layout(trees: list[Box], top: float) -> float:
    """Place every box; returns the bottom of the last tree."""
    order = list(walk(trees))
    for box in reversed(order):  # children before parents: bands from the bottom up
        stacked = sum(c.band for c in box.children) + ROW_GAP * (len(box.children) - 1)
        box.band = max(box.height, stacked)
    for tree in trees:
        _place(tree, top)
        top += tree.band + TREE_GAP
    return top - TREE_GAP


def _place(tree: Box, top: float) -> None:
    stack = [(tree, top)]
    placed = []
    while stack:
        box, band_top = stack.pop()
        box.x = MARGIN + (box.level - 1) * (BOX_WIDTH + COLUMN_GAP)
        stacked = sum(c.band for c in box.children) + ROW_GAP * (len(box.children) - 1)
        child_top = band_top + (box.band - stacked) / 2 if box.children else band_top
        for child in box.children:
            stack.append((child, child_top))
            child_top += child.band + ROW_GAP
        box.y = band_top  # for now: the band's top, corrected once the children are placed
        placed.append(box)
    for box in reversed(placed):  # children first
        band_top = box.y
        if box.children:
            middle = (_middle(box.children[0]) + _middle(box.children[-1])) / 2
        else:
            middle = band_top + box.band / 2
        # Between its first and last child, but never out of its own band.
        box.y = min(max(middle - box.height / 2, band_top), band_top + box.band - box.height)


def _middle(box: Box) -> float:
    return box.y + box.height / 2


# Drawing


def render(export) -> str:
    options = export.options or {}
    depth = options.get("depth")
    if options.get("root") is not None:
        if options["root"] not in export.graph:
            raise ValueError(f"Node {options['root']} is not in the picture's map.")
        roots = [options["root"]]
    else:
        roots = [t.pk for t in export.theses]
    trees = select(export, roots, depth)
    boxes = list(walk(trees))
    for box in boxes:
        measure(export, box)

    columns = max((b.level for b in boxes), default=1)
    width = max(2 * MARGIN + columns * BOX_WIDTH + (columns - 1) * COLUMN_GAP, 760)
    head, top = _heading(export, roots, depth, boxes, width)
    if not trees:
        top += TEXT_SIZE
        head.insert(-1, _text_line("This map has no theses yet.", MARGIN, top, TEXT_SIZE))
    bottom = layout(trees, top) if trees else top
    height = bottom + MARGIN

    title = export.map.title
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {number(width)} {number(height)}" '
        f'width="{number(width)}" height="{number(height)}" font-family="{xml(FONT_FAMILY)}" '
        f'role="img" aria-labelledby="picture-title">\n',
        f'<title id="picture-title">{xml(title)}</title>\n',
        _defs(),
        f'<rect width="{number(width)}" height="{number(height)}" fill="#ffffff"/>\n',
        *head,
    ]
    parts += [_edges(box) for box in boxes if box.children]
    parts += [_box(export, box) for box in boxes]
    parts.append("</svg>\n")
    return "".join(parts)


def _heading(export, roots, depth, boxes, width) -> tuple[list[str], float]:
    """Title, motion, legend and what was left out; returns them and where the trees start."""
    out, y = ['<g data-heading="">\n'], MARGIN
    usable = width - 2 * MARGIN
    for line in wrap(export.map.title, usable, 24, bold=True, max_lines=3):
        y += 30
        out.append(_text_line(line, MARGIN, y, 24, weight="bold"))
    for line in wrap(export.map.question, usable, TEXT_SIZE, max_lines=4) if export.map.question else []:
        y += LINE
        out.append(_text_line(line, MARGIN, y, TEXT_SIZE, fill=MUTED))
    y += 14
    legend, y = _legend(y, usable)
    out.append(legend)

    drawn = {b.node_id for b in boxes}
    total = len(reachable(export, roots))
    if total > len(drawn):
        where = settings.ARGMAP_SITE_URL + reverse("map-export", args=[export.map.code])
        limit = f" to {depth} levels" if depth else ""
        notice = (
            f"{len(drawn):,} of {total:,} nodes drawn{limit}: {total - len(drawn):,} left out. "
            f"To see another part, choose a thesis or node (root) and a number of levels (depth) "
            f"on the export page, {where}"
        )
        y += 8
        for line in wrap(notice, usable, TEXT_SIZE, bold=True):
            y += LINE
            out.append(_text_line(line, MARGIN, y, TEXT_SIZE, weight="bold", fill=OPPOSE))
    out.append("</g>\n")
    return out, y + 28


def _legend(y: float, usable: float) -> tuple[str, float]:
    """One row (wrapping if narrow) of samples: support and oppose edges, evidence, a repeat."""
    items = [
        ("support", "+ supports (green, solid, arrow)"),
        ("oppose", "− opposes (red, dashed, bar)"),
        ("evidence", "evidence: quotes a source"),
        ("repeat", "drawn in full elsewhere"),
    ]
    out, x, row = ['<g data-legend="">\n'], MARGIN, y
    for kind, words in items:
        item_width = 60 + text_width(words, HEADER_SIZE) + 28
        if x > MARGIN and x + item_width > MARGIN + usable:
            x, row = MARGIN, row + 28
        middle = row + 10
        if kind in ("support", "oppose"):
            out.append(_edge_path(x, middle, x + 50, middle, kind, reverse=True))
        else:
            fill = EVIDENCE_FILL if kind == "evidence" else "#ffffff"
            dash = ' stroke-dasharray="5 4"' if kind == "repeat" else ""
            out.append(f'<rect x="{number(x + 8)}" y="{number(row)}" width="36" height="20" rx="4" fill="{fill}" '
                       f'stroke="{MUTED}" stroke-width="1.5"{dash}/>\n')
        out.append(_text_line(words, x + 60, middle + 5, HEADER_SIZE))
        x += item_width
    out.append("</g>\n")
    return "".join(out), row + 24


def _defs() -> str:
    return (
        "<defs>\n"
        f'<marker id="arrow-support" viewBox="0 0 12 12" refX="11" refY="6" markerWidth="12" markerHeight="12" '
        f'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L12,6 L0,12 z" fill="{SUPPORT}"/></marker>\n'
        f'<marker id="bar-oppose" viewBox="0 0 5 18" refX="5" refY="9" markerWidth="5" markerHeight="18" '
        f'markerUnits="userSpaceOnUse" orient="auto"><rect width="5" height="18" fill="{OPPOSE}"/></marker>\n'
        "</defs>\n"
    )


def _edge_path(x1, y1, x2, y2, stance: str, reverse: bool = False) -> str:
    """A curve from a reply (x1, y1) to what it bears on (x2, y2), ending in its stance's marker."""
    colour, marker = (SUPPORT, "arrow-support") if stance == "support" else (OPPOSE, "bar-oppose")
    dash = ' stroke-dasharray="9 6"' if stance == "oppose" else ""
    if reverse:  # legend samples run left to right
        path = f"M{number(x1)},{number(y1)} L{number(x2)},{number(y2)}"
    else:
        bend = (x1 + x2) / 2
        path = (f"M{number(x1)},{number(y1)} C{number(bend)},{number(y1)} {number(bend)},{number(y2)} "
                f"{number(x2)},{number(y2)}")
    return (f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash} '
            f'marker-end="url(#{marker})" data-stance="{stance}"/>\n')


def _edges(parent: Box) -> str:
    out = []
    # Ends spread along the parent's side, so that each marker shows.
    count = len(parent.children)
    step = min(12.0, (parent.height - 16) / (count - 1)) if count > 1 else 0.0
    for index, child in enumerate(parent.children):
        x1, y1 = child.x, _middle(child)
        x2, y2 = parent.x + BOX_WIDTH, _middle(parent) + (index - (count - 1) / 2) * step
        out.append(_edge_path(x1 - 2, y1, x2 + 2, y2, child.stance))
        # The stance's sign beside the reply, for black-and-white copies and colour-blind readers.
        colour = SUPPORT if child.stance == "support" else OPPOSE
        cx = x1 - 18
        out.append(f'<circle cx="{number(cx)}" cy="{number(y1)}" r="11" fill="#ffffff" stroke="{colour}" '
                   f'stroke-width="2"/>\n')
        out.append(f'<text x="{number(cx)}" y="{number(y1 + 6)}" font-size="18" font-weight="bold" '
                   f'text-anchor="middle" fill="{colour}">{STANCE_WORDS[child.stance][0]}</text>\n')
    return "".join(out)


def _box(export, box: Box) -> str:
    node = export.node_by_id[box.node_id]
    repeat = box.first_place is not None
    if box.level == 1 and node.kind == "thesis":
        fill, stroke, stroke_width = THESIS_FILL, INK, 2.5
    elif not repeat and export.quotes_of(box.node_id):
        fill, stroke, stroke_width = EVIDENCE_FILL, MUTED, 1.5
    else:
        fill, stroke, stroke_width = "#ffffff", MUTED, 1.5
    dash = ' stroke-dasharray="6 4"' if repeat else ""
    header_colour = {"support": SUPPORT, "oppose": OPPOSE}.get(box.stance, INK)
    marks = ' data-repeat=""' if repeat else ""
    out = [
        f'<g data-node="{box.node_id}" data-label="{box.label}"{marks}>\n',
        f"<title>{xml(node.text)}</title>\n",
        f'<rect x="{number(box.x)}" y="{number(box.y)}" width="{BOX_WIDTH}" height="{number(box.height)}" rx="6" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{stroke_width}"{dash}/>\n',
    ]
    y = box.y + PAD
    for line in box.header:
        y += HEADER_LINE
        out.append(_text_line(line, box.x + PAD, y - 4, HEADER_SIZE, weight="bold", fill=header_colour))
    text_lines = [f'<tspan x="{number(box.x + PAD)}" y="{number(y + LINE * i + LINE - 5)}">{xml(line)}</tspan>'
                  for i, line in enumerate(box.lines)]
    style = ' font-style="italic"' if repeat else ""
    out.append(f'<text font-size="{TEXT_SIZE}" fill="{INK}"{style} data-text="">{"".join(text_lines)}</text>\n')
    if box.not_drawn:
        y += LINE * len(box.lines) + HEADER_LINE
        replies = f"{box.not_drawn} more repl{'ies' if box.not_drawn > 1 else 'y'} not drawn"
        out.append(_text_line(replies, box.x + PAD, y - 4, HEADER_SIZE, fill=MUTED, style="italic"))
    out.append("</g>\n")
    return "".join(out)


def _text_line(text: str, x: float, y: float, size: int, weight: str = "", fill: str = INK, style: str = "") -> str:
    extra = (f' font-weight="{weight}"' if weight else "") + (f' font-style="{style}"' if style else "")
    return f'<text x="{number(x)}" y="{number(y)}" font-size="{size}" fill="{fill}"{extra}>{xml(text)}</text>\n'
