"""The handout printed to PDF by Chromium, on A4 and on Letter: every word of the map is on the pages."""

import io
import re
import unicodedata

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

OWNER_PASSWORD = "a-long-owner-password"
# PDF page sizes in points (1/72 inch).
PAPER = {"A4": (595.3, 841.9), "Letter": (612.0, 792.0)}


def words(text: str) -> list[str]:
    """Letters and digits only: the PDF has no glyphs for emoji here, and punctuation may come out
    of the text layer in another form (a no-break space as a space, a line break as nothing).
    NFKC turns the typeset ligatures (ﬁ, ﬀ) back into letters."""
    return re.findall(r"\w+", unicodedata.normalize("NFKC", text))


class PrintedHandout:
    def __init__(self, pdf: bytes):
        from pypdf import PdfReader

        self.reader = PdfReader(io.BytesIO(pdf))
        self.pages = self.reader.pages
        self.text = "\n".join(page.extract_text() for page in self.pages)
        self.words = " ".join(words(self.text))

    def has_words_of(self, text: str) -> bool:
        return " ".join(words(text)) in self.words

    def text_outside_the_paper(self) -> list[str]:
        """Text that starts off the page or in its margins (cut off when printed)."""
        outside = []
        for page in self.pages:
            width, height = float(page.mediabox.width), float(page.mediabox.height)

            def visit(text, cm, tm, font_dict, font_size, width=width, height=height):
                if not text.strip():
                    return
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                # 10 mm is inside the stylesheet's margins on every side.
                if not (28 <= x <= width - 28 and 28 <= y <= height - 28):
                    outside.append(f"{text!r} at ({x:.0f}, {y:.0f})")

            page.extract_text(visitor_text=visit)
        return outside


def print_handout(page, url: str) -> dict[str, PrintedHandout]:
    response = page.goto(url)
    assert response.status == 200
    # Opened in the browser, not downloaded.
    assert "attachment" not in (response.headers.get("content-disposition") or "")
    page.emulate_media(media="print")
    printed = {paper: PrintedHandout(page.pdf(format=paper)) for paper in PAPER}
    page.emulate_media(media="screen")
    for paper, handout in printed.items():
        width, height = PAPER[paper]
        assert abs(float(handout.pages[0].mediabox.width) - width) < 1
        assert abs(float(handout.pages[0].mediabox.height) - height) < 1
    return printed


def assert_everything_printed(handout: PrintedHandout, map_):
    from argmap.exports.handout import outline
    from argmap.exports.loading import MapExport
    from argmap.access import Access

    export = MapExport.load(Access.for_site_operator(map_))
    sections = outline(export)
    assert handout.has_words_of(map_.title)
    assert handout.has_words_of(map_.question)
    for node in export.live_nodes():
        assert handout.has_words_of(node.text), f"missing from the PDF: {node.text!r}"
    for quote in export.live_quotes():
        assert handout.has_words_of(quote.exact), f"quote missing from the PDF: {quote.exact!r}"
    notes = [note for section in sections for note in section.notes]
    assert notes
    for note in notes:
        assert f"[{note.number}]" in handout.text
    # The list of sources at the very end made it onto paper.
    last = export.sources[-1]
    assert handout.has_words_of(last.display_title)
    if last.url:
        assert handout.has_words_of(last.url)
    # Nothing of the screen's toolbar.
    assert "Back to the map" not in handout.text
    assert "Print" not in handout.words.split()
    assert handout.text_outside_the_paper() == []


def test_it_prints_the_demo_map_on_a4_and_letter(page, live_server, demo_map, axe_clean):
    from argmap.models import Map

    printed = print_handout(page, f"{demo_map}export/handout/")
    map_ = Map.objects.get(code="belarus")
    for paper, handout in printed.items():
        assert_everything_printed(handout, map_)
        # Two theses, about forty claims and quotes: a few pages, not one and not dozens.
        assert 3 <= len(handout.pages) <= 12, f"{paper}: {len(handout.pages)} pages"
    # Letter is shorter than A4 and a little wider: the page counts stay close.
    assert abs(len(printed["A4"].pages) - len(printed["Letter"].pages)) <= 2

    # On screen: the stylesheet applies (no CSP complaint, see conftest) and the Print button works.
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(map_.title)
    axe_clean(page)


def test_it_prints_a_map_full_of_awkward_text(page, live_server, transactional_db, log_in):
    from django.contrib.auth import get_user_model

    from tests.exportdata import CLAIMS, awkward_map

    owner = get_user_model().objects.create_user("awk-owner", password=OWNER_PASSWORD)
    map_ = awkward_map(owner)
    log_in(page, owner.username, OWNER_PASSWORD)
    printed = print_handout(page, f"{live_server.url}/maps/{map_.code}/export/handout/")
    for handout in printed.values():
        assert_everything_printed(handout, map_)
        assert len(handout.pages) <= 3
        assert not handout.has_words_of(CLAIMS["deleted"])
        # Cyrillic and curly quotes come through as text, not as boxes.
        assert "«это только начало»" in handout.text
        assert "“not drawn in”" in handout.text


def test_the_print_button_is_hidden_on_paper_and_opens_the_print_dialog(page, live_server, demo_map):
    page.goto(f"{demo_map}export/handout/")
    # window.print() blocks in a headless browser's dialog; count the calls instead.
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("() => window.printed") == 1
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
