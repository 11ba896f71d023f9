"""Source text with quoted passages highlighted, overlapping ones included.

The text is cut at every quote boundary into segments; each segment knows the quotes that cover
it, so overlapping and nested quotes render as flat, valid HTML (no nested links) while the
characters stay exactly those of the source.
"""

import heapq
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


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


def render(
    text: str, spans: list[Span], href: Callable[[Segment], str], target: int | None = None
) -> SafeString:
    """HTML for the whole text: plain runs escaped, quoted runs as links (`href(segment)`) to the
    list of the quotes that cover them.

    Each quote also gets an empty anchor (`#quote-ID`) where it starts, so a link can scroll to it;
    the `target` quote is marked.
    """
    starts: dict[int, list[int]] = {}
    for span in spans:
        starts.setdefault(span.start, []).append(span.quote_id)
    marked = next((s for s in spans if s.quote_id == target), None)
    parts = []
    for segment in segments(len(text), spans):
        for quote_id in starts.pop(segment.start, ()):
            parts.append(f'<span class="quote-anchor" id="quote-{quote_id}"></span>')
        piece = escape(text[segment.start : segment.end])
        top = segment.top
        if top is None:
            parts.append(piece)
            continue
        classes = ["hl", top.css]
        if segment.depth > 1:
            classes.append("hl-overlap")
        if marked and marked.start <= segment.start < marked.end:
            classes.append("is-target")
        parts.append(
            f'<a class="{" ".join(c for c in classes if c)}" href="{escape(href(segment))}" '
            f'draggable="false">{piece}</a>'
        )
    return mark_safe("".join(parts))
