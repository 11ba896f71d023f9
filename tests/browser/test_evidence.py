"""Adding evidence in a real browser: select a passage with the mouse in the reader, pick the node
it bears on, say which side, write the claim, and find the new highlight and the new node.

Node ids are read from the database by text (they differ from run to run on PostgreSQL).
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BACK_DOORS = "Lukashenko keeps back doors open to the West"
HEDGING = "Lukashenko is hedging"
PASSWORD = "a-long-browser-password"
CLAIM = "Minsk keeps talking to both sides at once"

# Finds the on-screen rectangles of the passage [start, end) (UTF-16 units) of #source-text,
# after scrolling it into the middle of the window. Nothing here touches the selection.
PASSAGE_RECTS = """([start, end]) => {
    const walker = document.createTreeWalker(document.getElementById('source-text'), NodeFilter.SHOW_TEXT);
    const texts = [];
    while (walker.nextNode()) texts.push(walker.currentNode);
    const point = (offset, isEnd) => {
        let seen = 0;
        for (const text of texts) {
            const last = seen + text.data.length;
            if (isEnd ? offset <= last : offset < last) return [text, offset - seen];
            seen += text.data.length;
        }
        throw new Error('offset ' + offset + ' is beyond the text');
    };
    const rectOf = ([text, offset], length) => {
        const range = document.createRange();
        range.setStart(text, offset);
        range.setEnd(text, offset + length);
        return range.getClientRects()[0];
    };
    const [startText, startOffset] = point(start, false);
    const [endText, endOffset] = point(end, true);
    const top = rectOf([startText, startOffset], 1).top;
    window.scrollBy(0, top - window.innerHeight / 3);
    const a = rectOf([startText, startOffset], 1), b = rectOf([endText, endOffset - 1], 1);
    return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
}"""


@pytest.fixture
def student(demo_contributor):
    """A contributor on the demo map, with a password to log in with."""
    return demo_contributor("student-e", PASSWORD)


def unquoted_sentence(source, min_length=40):
    """A sentence of the source that no quote of the map touches: (start, end) in code points."""
    from argmap.models import Quote

    taken = list(Quote.objects.filter(source=source).values_list("start", "end"))
    for match in re.finditer(r"[A-Z][^.!?\n]{%d,200}[.!?]" % min_length, source.text):
        start, end = match.span()
        if all(end <= s or start >= e for s, e in taken):
            return start, end
    raise AssertionError("no unquoted sentence in this source")


def utf16(text: str, offset: int) -> int:
    return len(text[:offset].encode("utf-16-le")) // 2


def drag_over(page, text: str, start: int, end: int) -> None:
    """Select text[start:end] (code points) by dragging the mouse across it."""
    rects = page.evaluate(PASSAGE_RECTS, [utf16(text, start), utf16(text, end)])
    page.mouse.move(rects["x1"], rects["y1"])
    page.mouse.down()
    page.mouse.move((rects["x1"] + rects["x2"]) / 2, (rects["y1"] + rects["y2"]) / 2, steps=5)
    page.mouse.move(rects["x2"], rects["y2"], steps=5)
    page.mouse.up()


def settled(page) -> None:
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def reader_url(live_server, source) -> str:
    return live_server.url + reverse("source-reader", args=["belarus", source.code])


def read_unquoted_sentence(page, live_server, log_in):
    """The student opens the reader on the demo map's second source: (source, start, end) of a
    sentence there that no quote touches yet."""
    from argmap.models import Map

    source = Map.objects.get(code="belarus").sources.order_by("mapsource__id")[1]
    start, end = unquoted_sentence(source)
    log_in(page, "student-e", PASSWORD)
    page.goto(reader_url(live_server, source))
    return source, start, end


def test_it_turns_a_dragged_selection_into_evidence(page, demo_map, student, live_server, log_in, axe_clean):
    from argmap.models import Quote

    source, start, end = read_unquoted_sentence(page, live_server, log_in)
    passage = source.text[start:end]
    form = page.locator("#evidence-form")
    # Until a passage is selected, the panel only says how to start.
    expect(form).to_be_hidden()
    expect(page.get_by_text("Select a passage in the text to quote it")).to_be_visible()

    drag_over(page, source.text, start, end)

    expect(form).to_be_visible()
    expect(page.locator("[data-evidence-preview]")).to_have_text(passage)
    expect(page.locator("#evidence-q")).to_be_focused()
    expect(page.get_by_label("Quote", exact=True)).to_be_hidden()
    page.locator("#evidence-q").fill("back doors")
    choice = page.locator("#evidence-node-choices label.node-choice", has_text=BACK_DOORS)
    expect(choice).to_have_count(1)
    choice.click()
    page.get_by_label("opposes it").check()
    page.get_by_label("Your claim, in your own words").fill(CLAIM)
    axe_clean(page)

    page.get_by_role("button", name="Add evidence").click()

    page.wait_for_url(re.compile(r"\?quote=\d+#quote-\d+$"))
    quote = Quote.objects.select_related("node").get(node__text=CLAIM)
    assert (quote.start, quote.end, quote.exact) == (start, end, passage)
    assert quote.node.author == student and quote.node.parent_links.get().stance == "oppose"
    assert page.url.endswith(f"?quote={quote.pk}#quote-{quote.pk}")
    marked = page.locator("#source-text a.hl.is-target")
    expect(marked.first).to_be_in_viewport()
    assert "".join(marked.all_text_contents()) == passage
    message = page.get_by_text(f"Added your evidence “{CLAIM}”")
    expect(message).to_be_visible()
    axe_clean(page)

    page.get_by_role("link", name="See it in the tree").click()
    new_row = page.locator("li.node", has=page.locator(":scope > .node-card > p.node-text", has_text=CLAIM))
    expect(new_row.first).to_be_visible()
    expect(new_row.first).to_contain_text("Opposes")


def test_it_counts_offsets_in_code_points_after_an_emoji(page, demo_map, student, live_server, log_in):
    from argmap.models import Map, MapSource, Quote, Source

    map_ = Map.objects.get(code="belarus")
    source = Source.objects.create(
        text="Olga 🙂: the 🇧🇾 delegation left early.\nIvan 👍🏽: Minsk will not send troops this year, he said.\n",
    )
    MapSource.objects.create(map=map_, source=source, title="Chat log")
    passage = "Minsk will not send troops this year"
    start = source.text.index(passage)
    log_in(page, "student-e", PASSWORD)
    page.goto(reader_url(live_server, source))

    drag_over(page, source.text, start, start + len(passage))

    expect(page.locator("[data-evidence-preview]")).to_have_text(passage)
    assert page.locator("input[name=start]").input_value() == str(start)  # code points, not UTF-16 units
    page.locator("#evidence-node-choices label.node-choice", has_text=HEDGING).click()
    page.get_by_label("supports it").check()
    page.get_by_label("Your claim, in your own words").fill("Belarus stays out of the fighting")
    page.get_by_role("button", name="Add evidence").click()
    page.wait_for_url(re.compile(r"\?quote=\d+#quote-\d+$"))
    quote = Quote.objects.get(source=source)
    assert (quote.start, quote.exact) == (start, passage)
    assert "".join(page.locator("#source-text a.hl.is-target").all_text_contents()) == passage


def test_it_explains_a_refusal_in_place_and_keeps_what_was_typed(
    page_expecting_400, demo_map, student, live_server, log_in
):
    from argmap.models import Quote

    page = page_expecting_400
    source, start, end = read_unquoted_sentence(page, live_server, log_in)
    passage = source.text[start:end]
    drag_over(page, source.text, start, end)
    page.locator("#evidence-node-choices label.node-choice", has_text=HEDGING).click()
    page.get_by_label("supports it").check()
    page.get_by_label("Your claim, in your own words").fill(passage.upper())  # the quote, copied

    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Add evidence").click()
    assert answer.value.status == 400
    settled(page)

    errors = page.locator("#evidence-errors")
    expect(errors).to_contain_text("Your claim repeats the quote")
    expect(errors).to_be_focused()
    expect(page.locator("[data-evidence-preview]")).to_have_text(passage)
    page.get_by_label("Your claim, in your own words").fill("The author thinks Minsk is careful")
    page.get_by_role("button", name="Add evidence").click()
    page.wait_for_url(re.compile(r"\?quote=\d+#quote-\d+$"))
    assert Quote.objects.get(node__text="The author thinks Minsk is careful").exact == passage


def test_it_takes_a_pasted_quote_without_javascript(new_page, demo_map, student, live_server, log_in):
    from argmap.models import Quote

    page = new_page(java_script_enabled=False)
    source, start, end = read_unquoted_sentence(page, live_server, log_in)
    # Pasted with its line breaks and spaces changed, as copying often does.
    page.get_by_label("Quote", exact=True).fill("  " + " ".join(source.text[start:end].split()) + "\n")
    page.get_by_label("Find the node it bears on").fill("back doors")
    page.get_by_role("button", name="Find").click()
    page.locator("label.node-choice", has_text=BACK_DOORS).click()
    page.get_by_label("supports it").check()
    page.get_by_label("Your claim, in your own words").fill("Found without scripts")
    page.get_by_role("button", name="Add evidence").click()
    page.wait_for_url(re.compile(r"\?quote=\d+#quote-\d+$"))
    quote = Quote.objects.get(node__text="Found without scripts")
    assert (quote.start, quote.end) == (start, end)
    expect(page.get_by_text("Added your evidence “Found without scripts”")).to_be_visible()


def test_it_asks_which_occurrence_of_a_pasted_quote_in_place(page_expecting_400, demo_map, student, live_server,
                                                             log_in, axe_clean):
    from argmap.models import Map, MapSource, Quote, Source

    page = page_expecting_400
    source = Source.objects.create(
        text="Monday: the border stays open to trade. Officials smiled.\n"
             "Friday: the border stays open to trade. Officials frowned.\n",
    )
    MapSource.objects.create(map=Map.objects.get(code="belarus"), source=source, title="Two briefings")
    log_in(page, "student-e", PASSWORD)
    page.goto(reader_url(live_server, source))
    page.get_by_role("button", name="Paste a quote instead").click()
    quote_box = page.get_by_label("Quote", exact=True)
    expect(quote_box).to_be_focused()
    quote_box.fill("the border stays open to trade")
    page.locator("#evidence-node-choices label.node-choice", has_text=HEDGING).click()
    page.get_by_label("supports it").check()
    page.get_by_label("Your claim, in your own words").fill("Trade goes on whatever happens")
    page.get_by_role("button", name="Add evidence").click()

    friday = page.get_by_role("radio", name=re.compile(r"Friday: the border stays open to trade"))
    expect(friday).to_be_visible()
    axe_clean(page)
    friday.check()
    page.get_by_role("button", name="Use this one").click()
    page.wait_for_url(re.compile(r"\?quote=\d+#quote-\d+$"))
    assert Quote.objects.get(source=source).start == source.text.index("Friday") + len("Friday: ")


def test_it_selects_across_highlights_without_following_their_links(page, demo_map, student, live_server, log_in):
    from argmap.models import Map, Quote

    map_ = Map.objects.get(code="belarus")
    quoted = Quote.objects.filter(node__map=map_).order_by("start").select_related("source").first()
    source = quoted.source
    log_in(page, "student-e", PASSWORD)
    page.goto(reader_url(live_server, source))
    address = page.url
    # The drag starts and ends inside highlights, which are links to the quotes at that point.
    drag_over(page, source.text, quoted.start + 2, quoted.end - 2)

    expect(page.locator("[data-evidence-preview]")).to_have_text(source.text[quoted.start + 2 : quoted.end - 2].strip())
    expect(page.locator("#evidence-q")).to_be_focused()
    page.wait_for_timeout(300)
    assert page.url == address
    expect(page.locator("#passage-uses-heading")).to_have_text("Quoted here")
