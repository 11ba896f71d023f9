"""The printable handout: outline, numbered quotes, sources, escaping, what a reader may see, the page.

Printing it to PDF on A4 and Letter is tested in tests/browser/test_handout.py.
"""

import re

import lxml.html

from argmap import editing
from argmap.access import Access, access_for
from argmap.exports import FORMATS
from argmap.exports.loading import MapExport
from argmap.models import Map, MapSource, Node, NodeStatus
from tests.conftest import PASSWORD
from tests.exportdata import CLAIMS, THESIS_TEXT, awkward_map


def handout(map_, access=None) -> lxml.html.HtmlElement:
    export = MapExport.load(access or Access.for_site_operator(map_))
    return lxml.html.fromstring(FORMATS["handout"].render(export))


def has(name: str) -> str:
    """An XPath test for an element with the class `name`."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def find(element, path: str) -> list:
    """Elements by an XPath where `[.name]` stands for "has the class name" and `[!name]` for
    "has not": `//li[.item][!item--repeat]`."""
    path = re.sub(r"\[\.([\w-]+)\]", lambda m: f"[{has(m.group(1))}]", path)
    return element.xpath(re.sub(r"\[!([\w-]+)\]", lambda m: f"[not({has(m.group(1))})]", path))


def texts(page, path: str) -> list[str]:
    return [element.text_content() for element in find(page, path)]


def full_items(page) -> dict[str, str]:
    """Outline number -> text, for the places where a claim is printed in full."""
    return {li.get("id").removeprefix("item-"): find(li, "./div[.item-body]/span[.text]")[0].text_content()
            for li in find(page, "//li[.item][!item--repeat]")}


def test_it_prints_the_title_the_motion_and_every_thesis_with_its_claims(demo_map):
    page = handout(demo_map)
    export = MapExport.load(Access.for_site_operator(demo_map))
    assert texts(page, "//h1") == [demo_map.title]
    assert texts(page, "//*[.motion]/*[.text]") == [demo_map.question]
    assert texts(page, "//h2/*[.text]") == [t.text for t in export.theses]
    printed = full_items(page)
    claims = [n for n in export.live_nodes() if n.kind == "claim"]
    # Every claim is printed in full exactly once.
    assert sorted(printed.values()) == sorted(n.text for n in claims)


def test_it_marks_support_and_opposition_in_words_and_symbols(build):
    b = build()
    thesis = b.thesis("Minsk hedges")
    b.claim("Doors kept open", under=thesis, stance="support")
    b.claim("Troops let through", under=thesis, stance="oppose")
    page = handout(b.map)
    bodies = [" ".join(body.text_content().split()) for body in find(page, "//*[.item-body]")]
    assert bodies == ["1.1 + Supports Doors kept open", "1.2 − Opposes Troops let through"]


def test_it_nests_the_outline_as_the_tree_is_nested(build):
    b = build()
    thesis = b.thesis()
    first = b.claim("First", under=thesis)
    below = b.claim("Below first", under=first, stance="oppose")
    b.claim("Deeper still", under=below)
    b.claim("Second", under=thesis)
    page = handout(b.map)
    assert full_items(page) == {"1.1": "First", "1.1.1": "Below first", "1.1.1.1": "Deeper still", "1.2": "Second"}
    deeper = page.get_element_by_id("item-1.1.1.1")
    assert [li.get("id") for li in deeper.iterancestors("li")] == ["item-1.1.1", "item-1.1"]
    assert page.get_element_by_id("item-1.2").getparent().getparent().tag == "section"


def test_a_claim_in_two_places_is_printed_once_and_the_other_place_points_to_it(build):
    b = build()
    thesis = b.thesis()
    first = b.claim("First branch", under=thesis)
    second = b.claim("Second branch", under=thesis)
    shared = b.claim("Shared claim with a reply", under=first, quote="Moscow heard another.")
    b.claim("Reply to the shared claim", under=shared)
    editing.attach(shared, second, "oppose", b.owner)
    page = handout(b.map)
    assert full_items(page) == {"1.1": "First branch", "1.1.1": "Shared claim with a reply",
                                "1.1.1.1": "Reply to the shared claim", "1.2": "Second branch"}
    repeat = page.get_element_by_id("item-1.2.1")
    assert "item--repeat" in repeat.get("class")
    assert " ".join(repeat.text_content().split()) == "1.2.1 − Opposes Shared claim with a reply see 1.1.1"
    assert find(repeat, ".//a[.see]")[0].get("href") == "#item-1.1.1"
    # Neither its reply nor its quote comes twice.
    assert len(texts(page, "//*[.note]")) == 1
    assert not find(repeat, ".//*[.outline] | .//*[.note-ref]")


def test_quotes_are_numbered_in_order_of_appearance_and_a_passage_keeps_its_number(build):
    b = build()
    thesis = b.thesis()
    b.claim("Cites the end", under=thesis, quote="The relay stations stopped working.")
    b.claim("Cites the start", under=thesis, quote="Minsk said one thing.", start=0)
    b.claim("Cites the start again", under=thesis, quote="Minsk said one thing.", start=0)
    b.claim("Cites the other place", under=thesis, quote="Minsk said one thing.", start=80)
    page = handout(b.map)
    assert texts(page, "//*[.item-body]/*[.note-ref]") == ["[1]", "[2]", "[2]", "[3]"]
    assert texts(page, "//*[.note-number]") == ["[1]", "[2]", "[3]"]
    assert texts(page, "//*[.quote-text]") == ["The relay stations stopped working.", "Minsk said one thing.",
                                          "Minsk said one thing."]
    assert [a.get("href") for a in find(page, "//*[.item-body]/*[.note-ref]")] == ["#note-1", "#note-2", "#note-2",
                                                                             "#note-3"]


def test_numbers_run_on_across_theses_and_every_see_points_to_a_full_place(demo_map):
    page = handout(demo_map)
    numbers = [int(n.strip("[]")) for n in texts(page, "//*[.note-number]")]
    assert numbers == list(range(1, len(numbers) + 1))
    first_cited = []
    for ref in texts(page, "//*[.note-ref]"):
        if int(ref.strip("[]")) not in first_cited:
            first_cited.append(int(ref.strip("[]")))
    assert first_cited == numbers
    # Every "see" points at a place where that claim is printed in full.
    printed = full_items(page)
    repeats = find(page, "//li[.item--repeat]")
    assert repeats  # the demo map has claims in several places
    for repeat in repeats:
        target = find(repeat, ".//a[.see]")[0].get("href").removeprefix("#item-")
        short = find(repeat, ".//*[.text]")[0].text_content().removesuffix("…")
        assert " ".join(printed[target].split()).startswith(short)


def test_a_quote_is_printed_verbatim_with_its_source_author_and_date(demo_map):
    export = MapExport.load(Access.for_site_operator(demo_map))
    page = handout(demo_map)
    quote = export.live_quotes()[0]
    source = export.source_by_id[quote.source_id]
    note = next(n for n in find(page, "//*[.note]") if find(n, ".//*[.quote-text]")[0].text_content() == quote.exact)
    citation = find(note, ".//*[.citation]")[0].text_content()
    assert source.display_title in citation
    if source.author:
        assert source.author in citation
    if source.published_on:
        assert f"{source.published_on.day} {source.published_on:%B %Y}" in citation
    else:
        assert "undated" in citation


def test_it_lists_the_sources_with_their_details(demo_map):
    export = MapExport.load(Access.for_site_operator(demo_map))
    page = handout(demo_map)
    entries = [" ".join(e.split()) for e in texts(page, "//*[.sources]//li")]
    assert len(entries) == len(export.sources)
    for source, entry in zip(export.sources, entries):
        assert entry.startswith(source.display_title)
        for detail in (source.author, source.publisher, source.url):
            assert detail in entry


def test_it_escapes_every_text_and_links_only_web_addresses(teacher):
    map_ = awkward_map(teacher)
    html = FORMATS["handout"].render(MapExport.load(Access.for_site_operator(map_)))
    assert "<b>not</b>" not in html and "&lt;b&gt;not&lt;/b&gt;" in html
    assert "<one>" not in html and "&lt;one&gt;" in html
    assert "x=<y>" not in html and 'href="https://example.org/article?id=1&amp;x=&lt;y&gt;"' in html
    page = lxml.html.fromstring(html)
    assert texts(page, "//h1") == [map_.title]
    assert texts(page, "//h2/*[.text]")[0] == THESIS_TEXT
    # Line breaks in claims and quotes are kept (the stylesheet shows them).
    assert CLAIMS["quoted"] in full_items(page).values()
    assert "“We will not be drawn\ninto anyone’s war.”" in texts(page, "//*[.quote-text]")

    MapSource.objects.filter(map=map_, source=map_.sources.first()).update(url="javascript:alert(1)")
    page = handout(Map.objects.get(pk=map_.pk))
    assert not [a for a in page.xpath("//a") if a.get("href", "").startswith("javascript")]
    assert "javascript:alert(1)" in texts(page, "//*[.sources]//*[.url]")


def test_deleted_claims_and_others_pending_claims_are_left_out(lesson):
    l = lesson(moderation=True)
    thesis = l.builder.thesis("Lukashenko is hedging")
    l.builder.claim("Kept claim", under=thesis)
    gone = l.builder.claim("Deleted claim", under=thesis, quote="Moscow heard another.")
    editing.delete_node(gone, l.teacher)
    pending = Node.objects.create(map=l.map, text="Pending claim", author=l.students[0], status=NodeStatus.PENDING)
    pending.bear_on(thesis, "support")

    other_student = handout(l.map, access_for(l.map, l.students[1]))
    assert list(full_items(other_student).values()) == ["Kept claim"]
    assert not find(other_student, "//*[.note]")  # the deleted claim's quote went with it
    teacher = handout(l.map, access_for(l.map, l.teacher))
    assert [" ".join(t.split()) for t in texts(teacher, "//*[.item-body]")] == [
        "1.1 + Supports Kept claim", "1.2 + Supports Pending claim (pending approval)"]


def test_a_map_without_theses_says_so(build):
    page = handout(build().map)
    assert "This map has no theses yet." in page.text_content()


# The page


def test_it_opens_in_the_browser_with_its_own_stylesheet_and_script_and_nothing_inline(client, demo_map):
    response = client.get(f"/maps/{demo_map.code}/export/handout/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "Content-Disposition" not in response
    html = response.content.decode()
    page = lxml.html.fromstring(html)
    assert [link.get("href") for link in page.xpath("//link[@rel='stylesheet']")] == ["/static/css/handout.css"]
    assert [script.get("src") for script in page.xpath("//script")] == ["/static/js/handout.js"]
    assert not page.xpath("//style | //*[@style]")
    assert page.xpath("//button[@data-print][@hidden]")  # shown by the script only


def test_it_downloads_as_a_file_on_request(client, demo_map):
    response = client.get(f"/maps/{demo_map.code}/export/handout/?download=1")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")


def test_an_outsider_cannot_print_a_private_map(client, lesson, outsider):
    l = lesson()
    l.builder.thesis("Secret thesis")
    client.force_login(outsider)
    response = client.get(f"/maps/{l.map.code}/export/handout/")
    assert response.status_code == 404
    assert b"Secret thesis" not in response.content
    client.login(username=l.students[0].username, password=PASSWORD)
    assert client.get(f"/maps/{l.map.code}/export/handout/").status_code == 200


# Its queries, for a small and a large map: tests/test_export_queries.py, for every format.
