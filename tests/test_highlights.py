import random
import re

from argmap.highlights import Span, render, segments

TEXT = "0123456789"


def covered(result):
    """(start, end, innermost quote, how many quotes) of each segment."""
    return [(s.start, s.end, s.top.quote_id if s.top else None, s.depth) for s in result]


def test_it_cuts_overlapping_quotes_into_segments():
    result = segments(len(TEXT), [Span(1, 2, 6), Span(2, 4, 9)])
    assert covered(result) == [(0, 2, None, 0), (2, 4, 1, 1), (4, 6, 1, 2), (6, 9, 2, 1), (9, 10, None, 0)]


def test_it_handles_nested_and_identical_quotes():
    result = segments(len(TEXT), [Span(1, 0, 10), Span(3, 3, 5), Span(2, 3, 5), Span(4, 2, 7)])
    # the innermost quote answers a click; between two of the same length, the older one
    assert covered(result) == [(0, 2, 1, 1), (2, 3, 4, 2), (3, 5, 2, 4), (5, 7, 4, 2), (7, 10, 1, 1)]


def test_it_ignores_spans_outside_the_text():
    assert covered(segments(5, [Span(1, 3, 9), Span(2, -1, 2)])) == [(0, 5, None, 0)]


def test_it_matches_a_brute_force_count_on_random_overlaps():
    rng = random.Random(3)
    spans = []
    for quote_id in range(1, 200):
        start = rng.randrange(0, 95)
        spans.append(Span(quote_id, start, rng.randrange(start + 1, 100)))
    for segment in segments(100, spans):
        here = [s for s in spans if s.start <= segment.start and segment.end <= s.end]
        assert segment.depth == len(here)
        assert segment.top == min(here, key=lambda s: (s.end - s.start, s.quote_id), default=None)


def href(segment):
    return f"?at={segment.start}"


def test_it_keeps_the_text_exactly_and_escapes_it():
    text = "a <b>&\n“c” 🙂 end"
    html = render(text, [Span(7, 2, 9, "hl-support"), Span(8, 5, 12)], href=href)
    visible = html.replace('<span class="quote-anchor" id="quote-7"></span>', "").replace(
        '<span class="quote-anchor" id="quote-8"></span>', ""
    )
    stripped = re.sub(r"</?a[^>]*>", "", visible)
    assert stripped == "a &lt;b&gt;&amp;\n“c” 🙂 end"
    assert "<b>" not in html


def test_it_marks_the_target_quote_and_anchors_each_start():
    html = render(TEXT, [Span(1, 2, 6, "hl-oppose"), Span(2, 4, 8, "hl-support")], href=href, target=2)
    assert html.index('id="quote-1"') < html.index("23")
    assert html.index('id="quote-2"') < html.index("45")
    assert '<a class="hl hl-oppose" href="?at=2" draggable="false">23</a>' in html
    # Both quotes are four characters long: the older one is on top where they overlap.
    assert '<a class="hl hl-oppose hl-overlap is-target" href="?at=4" draggable="false">45</a>' in html
    assert '<a class="hl hl-support is-target" href="?at=6" draggable="false">67</a>' in html
