import re

from argmap.highlights import Span, render, segments

TEXT = "0123456789"


def covered(result):
    return [(s.start, s.end, sorted(x.quote_id for x in s.spans)) for s in result]


def test_it_cuts_overlapping_quotes_into_segments():
    result = segments(len(TEXT), [Span(1, 2, 6), Span(2, 4, 8)])
    assert covered(result) == [(0, 2, []), (2, 4, [1]), (4, 6, [1, 2]), (6, 8, [2]), (8, 10, [])]


def test_it_handles_nested_and_identical_quotes():
    result = segments(len(TEXT), [Span(1, 0, 10), Span(2, 3, 5), Span(3, 3, 5)])
    assert covered(result) == [(0, 3, [1]), (3, 5, [1, 2, 3]), (5, 10, [1])]
    assert result[1].top.quote_id == 2  # the innermost (then the oldest) answers a click


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
