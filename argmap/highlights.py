"""Source text with quoted passages highlighted, overlapping ones included.

The text is cut at every quote boundary into segments; each segment knows every quote that covers
it, so overlapping and nested quotes render as flat, valid HTML (no nested links) while the
characters stay exactly those of the source.
"""

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
    spans: tuple[Span, ...]

    @property
    def top(self) -> Span | None:
        """The innermost (shortest) quote over this segment: the one a click should open."""
        return min(self.spans, key=lambda s: (s.end - s.start, s.quote_id)) if self.spans else None


def segments(text_length: int, spans: list[Span]) -> list[Segment]:
    """Cut [0, text_length) at every span boundary; each piece lists the spans covering it."""
    cuts = {0, text_length}
    for span in spans:
        cuts.update((span.start, span.end))
    ordered = sorted(c for c in cuts if 0 <= c <= text_length)
    by_start = sorted(spans, key=lambda s: s.start)
    open_spans: list[Span] = []
    result, next_span = [], 0
    for start, end in zip(ordered, ordered[1:]):
        while next_span < len(by_start) and by_start[next_span].start <= start:
            open_spans.append(by_start[next_span])
            next_span += 1
        open_spans = [s for s in open_spans if s.end > start]
        covering = tuple(s for s in open_spans if s.start <= start and s.end >= end)
        result.append(Segment(start, end, covering))
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
        if len(segment.spans) > 1:
            classes.append("hl-overlap")
        if target is not None and any(s.quote_id == target for s in segment.spans):
            classes.append("is-target")
        parts.append(
            f'<a class="{" ".join(c for c in classes if c)}" href="{escape(href(segment))}" '
            f'draggable="false">{piece}</a>'
        )
    return mark_safe("".join(parts))
