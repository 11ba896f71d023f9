"""Source text with quoted passages highlighted, overlapping ones included.

The text is cut at every quote boundary into segments; each segment knows the quotes that cover
it, so overlapping and nested quotes render as flat, valid HTML (no nested links) while the
characters stay exactly those of the source. Page clutter ranges cut the segments once more, so
a run is dimmed or not as a whole and quoted clutter keeps its highlight.
"""

import bisect
import heapq
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from argmap.spans import merge_spans


@dataclass(frozen=True)
class Span:
    quote_id: int
    start: int
    end: int
    css: str = ""  # classes saying which side it serves


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    top: Span | None  # the innermost (shortest, then oldest) quote here: the one a click opens
    depth: int  # how many quotes cover this segment


def segments(text_length: int, spans: list[Span]) -> list[Segment]:
    """Cut [0, text_length) at every span boundary; each piece knows its innermost quote and how
    many quotes cover it. Heaps keep this O(n log n) however deeply the quotes overlap."""
    spans = [s for s in spans if 0 <= s.start < s.end <= text_length]
    cuts = sorted({0, text_length} | {s.start for s in spans} | {s.end for s in spans})
    by_start = sorted(spans, key=lambda s: s.start)
    open_by_end: list[tuple[int, int]] = []
    open_by_size: list[tuple[int, int, int, int]] = []
    result, next_span = [], 0
    for start, end in zip(cuts, cuts[1:]):
        while next_span < len(by_start) and by_start[next_span].start <= start:
            span = by_start[next_span]
            heapq.heappush(open_by_end, (span.end, next_span))
            heapq.heappush(open_by_size, (span.end - span.start, span.quote_id, span.end, next_span))
            next_span += 1
        while open_by_end and open_by_end[0][0] <= start:
            heapq.heappop(open_by_end)
        while open_by_size and open_by_size[0][2] <= start:
            heapq.heappop(open_by_size)
        top = by_start[open_by_size[0][3]] if open_by_size else None
        result.append(Segment(start, end, top, len(open_by_end)))
    return result


def _cut(segment: Segment, ranges: list[tuple[int, int]]) -> Iterator[tuple[Segment, bool]]:
    """The segment cut at the edges of the (merged, ordered) ranges, each piece saying whether it
    lies inside one."""
    at = segment.start
    # Merged ranges are ordered by their ends too: skip those that end before this segment.
    first = bisect.bisect_right(ranges, at, key=lambda r: r[1])
    for start, end in ranges[first:]:
        if start >= segment.end:
            break
        if start > at:
            yield Segment(at, start, segment.top, segment.depth), False
        inside_end = min(end, segment.end)
        yield Segment(max(start, at), inside_end, segment.top, segment.depth), True
        at = inside_end
    if at < segment.end:
        yield Segment(at, segment.end, segment.top, segment.depth), False


def _text_html(text: str) -> str:
    # The HTML parser turns a literal CR (and CRLF) into LF, which would make the page's text differ
    # from the source's; as a character reference a CR reaches the DOM as itself.
    return escape(text).replace("\r", "&#13;")


def render(
    text: str,
    spans: list[Span],
    href: Callable[[Segment], str],
    target: int | None = None,
    clutter: Iterable[tuple[int, int]] = (),
) -> SafeString:
    """HTML for the whole text: plain runs escaped, quoted runs as links (`href(segment)`) to the
    list of the quotes that cover them, runs inside a `clutter` range (start, end) marked with the
    class `clutter` (quoted runs keep their highlight too).

    Each quote also gets an empty anchor (`#quote-ID`) where it starts, so a link can scroll to it;
    the `target` quote is marked. The text content of the result is exactly `text`.
    """
    starts: dict[int, list[int]] = {}
    for span in spans:
        starts.setdefault(span.start, []).append(span.quote_id)
    marked = next((s for s in spans if s.quote_id == target), None)
    clutter = merge_spans(clutter, len(text))
    parts = []
    for segment in segments(len(text), spans):
        for quote_id in starts.pop(segment.start, ()):
            parts.append(f'<span class="quote-anchor" id="quote-{quote_id}"></span>')
        for piece, in_clutter in _cut(segment, clutter):
            parts.append(_piece_html(text, piece, in_clutter, href, marked))
    return mark_safe("".join(parts))


def _piece_html(text: str, piece: Segment, in_clutter: bool, href: Callable[[Segment], str], marked: Span | None) -> str:
    content = _text_html(text[piece.start : piece.end])
    top = piece.top
    if top is None:
        return f'<span class="clutter">{content}</span>' if in_clutter else content
    classes = ["hl", top.css]
    if piece.depth > 1:
        classes.append("hl-overlap")
    if marked and marked.start <= piece.start < marked.end:
        classes.append("is-target")
    if in_clutter:
        classes.append("clutter")
    return (
        f'<a class="{" ".join(c for c in classes if c)}" href="{escape(href(piece))}" '
        f'draggable="false">{content}</a>'
    )
