"""Markdown export, rendered by markdown-it (a CommonMark renderer, installed with the Argdown CLI
into tests/tools/argdown by `make test`): headings, nested lists and quotes show the map, and every
text shows as written, whatever markup-like characters it holds."""

import os
import random
import re
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from argmap import editing
from argmap.access import Access, access_for
from argmap.classroom.pseudonyms import ensure_pseudonyms
from argmap.exports import FORMATS
from argmap.exports.loading import MapExport
from argmap.models import Map, NodeKind
from argmap.synthetic import Shape, build_map
from tests.classwork import contribute, pending
from tests.exportdata import CLAIMS, awkward_map
from tests.test_argdown_export import AWKWARD_TEXTS, map_of_texts

MARKDOWN_IT = Path(__file__).parent / "tools" / "argdown" / "node_modules" / ".bin" / "markdown-it"
STANCE_WORDS = {"Supports": "support", "Opposes": "oppose"}
ITEM = re.compile(r"(?P<label>\d+(?:\.\d+)+) (?P<stance>Supports|Opposes): (?P<rest>.*)", re.S)
BYLINE = re.compile(r"(?P<text>.*) \(by (?P<name>[^()]*?)(?P<pending>, pending approval)?\)$", re.S)


def rendered(markdown: str, tmp_path) -> str:
    """HTML from markdown-it (raw HTML allowed and bare URLs linked, as many renderers do)."""
    if not MARKDOWN_IT.exists():
        message = "markdown-it is not installed: run make test (npm ci --prefix tests/tools/argdown)"
        if os.environ.get("ARGMAP_REQUIRE_ALL") == "1":
            pytest.fail(message)
        pytest.skip(message)
    path = tmp_path / "map.md"
    path.write_text(markdown, encoding="utf-8")
    result = subprocess.run([str(MARKDOWN_IT), "--linkify", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


class Outline(HTMLParser):
    """What a reader sees in the rendered page: headings, and each list item's own text with its
    quotes and the item it sits in. Line breaks (<br>) become "\\n"."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str]] = []  # (tag, text)
        self.paragraphs: list[str] = []
        self.items: list[dict] = []
        self.tags: Counter = Counter()
        self._open: list[tuple[str, dict | list]] = []
        self.feed(html)
        self.close()

    def _target(self):
        for tag, target in reversed(self._open):
            if tag in ("blockquote", "li", "h1", "h2", "p_top"):
                return target
        return None

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        if tag == "li":
            parent = next((t for tag_, t in reversed(self._open) if tag_ == "li"), None)
            heading = self.headings[-1][1] if self.headings else ""
            item = {"text": [], "quotes": [], "parent": parent, "heading": heading}
            self.items.append(item)
            self._open.append(("li", item))
        elif tag == "blockquote":
            quote = []
            (self._target() or {"quotes": []})["quotes"].append(quote)
            self._open.append(("blockquote", {"text": quote}))
        elif tag in ("h1", "h2"):
            self._open.append((tag, {"text": []}))
        elif tag == "p" and self._target() is None:
            self._open.append(("p_top", {"text": []}))
        elif tag == "br":
            self.handle_data("\n", line_break=True)

    def handle_endtag(self, tag):
        key = "p_top" if tag == "p" else tag
        if not self._open or self._open[-1][0] != key:
            return
        _, target = self._open.pop()
        text = joined(target["text"])
        if tag in ("h1", "h2"):
            self.headings.append((tag, text))
        elif key == "p_top":
            self.paragraphs.append(text)
        elif tag == "li":
            target["text"] = text

    def handle_data(self, data, line_break=False):
        target = self._target()
        if target is not None:
            # A browser shows a run of HTML white space as one space, and <br> as a line break.
            target["text"].append(data if line_break else re.sub(r"[ \t\n\r\f]+", " ", data))


def joined(parts: list[str]) -> str:
    return re.sub(r" ?\n ?", "\n", "".join(parts)).strip(" ")


def spaced(text: str) -> str:
    """Text as a browser shows it: runs of white space as one space."""
    return " ".join(text.split())


def outline_of(map_, tmp_path, access=None, **options) -> tuple[MapExport, Outline, str]:
    export = MapExport.load(access or Access.for_site_operator(map_), **options)  # the command line's, by default
    markdown = FORMATS["md"].render(export)
    return export, Outline(rendered(markdown, tmp_path)), markdown


def claims_shown(outline: Outline) -> dict[str, dict]:
    """Outline number -> {stance, text, name, pending, parent label or thesis heading, quotes}."""
    shown = {}
    for item in outline.items:
        match = ITEM.fullmatch(item["text"])
        if not match:
            continue  # the list of sources
        parent = item["parent"]
        entry = {"stance": STANCE_WORDS[match["stance"]], "rest": match["rest"], "quotes": item["quotes"],
                 "parent": ITEM.fullmatch(parent["text"])["label"] if parent else item["heading"].split(".")[0]}
        byline = BYLINE.fullmatch(match["rest"])
        if byline:
            entry.update(text=byline["text"], name=byline["name"], pending=bool(byline["pending"]))
        shown[match["label"]] = entry
    return shown


def assert_shows_the_map(export, outline):
    """Each thesis a heading, each live claim shown in full once, each relation once (a claim's
    later places refer to its first), each quote verbatim under its claim."""
    theses = dict(re.fullmatch(r"(\d+)\. (.*)", h, re.S).groups() for tag, h in outline.headings
                  if tag == "h2" and h != "Sources")
    assert sorted(theses.values()) == sorted(spaced(t.text) for t in export.theses)
    shown = claims_shown(outline)
    first = {label: entry for label, entry in shown.items() if "text" in entry}
    text_at = {label: spaced(entry["text"]) for label, entry in first.items()} | theses
    live_claims = [n for n in export.live_nodes() if n.kind == NodeKind.CLAIM]
    assert Counter(text_at[label] for label in first) == Counter(spaced(n.text) for n in live_claims)
    for label, entry in shown.items():
        if "text" not in entry:
            reference = re.fullmatch(r"the claim shown at (\S+) \(“.*”\)", entry["rest"], re.S)
            assert reference and reference[1] in first, entry["rest"]
            text_at[label] = text_at[reference[1]]
    parent_text = {label: text_at[e["parent"]] for label, e in shown.items()}
    node_text = {n.pk: spaced(n.text) for n in export.live_nodes()}
    assert Counter((text_at[label], parent_text[label], e["stance"]) for label, e in shown.items()) == Counter(
        (node_text[e.child], node_text[e.parent], e.stance) for e in export.live_edges()
    )
    by_text = {spaced(n.text): n for n in live_claims}
    for label, entry in first.items():
        node = by_text[text_at[label]]
        quotes = [spaced(joined(parts).rsplit("\n— ", 1)[0]) for parts in entry["quotes"]]
        assert quotes == [spaced(q.exact) for q in export.quotes_of(node.pk)]
    return shown


def test_the_demo_map_shows_as_an_outline_with_its_quotes(demo_map, tmp_path):
    export, outline, _ = outline_of(demo_map, tmp_path)
    assert outline.headings[0] == ("h1", demo_map.title)
    assert outline.paragraphs[0] == f"Question: {spaced(demo_map.question)}"
    shown = assert_shows_the_map(export, outline)
    assert {e["stance"] for e in shown.values()} == {"support", "oppose"}
    assert sum(len(e["quotes"]) for e in shown.values()) == len(export.live_quotes()) == 39


def test_awkward_text_shows_as_written_and_deleted_claims_stay_out(teacher, tmp_path):
    map_ = awkward_map(teacher)
    export, outline, markdown = outline_of(map_, tmp_path)
    assert outline.headings[0] == ("h1", map_.title)
    assert outline.paragraphs[0] == "Question: " + map_.question  # its line break kept as a <br>
    shown = assert_shows_the_map(export, outline)
    texts = {e["text"]: e for e in shown.values() if "text" in e}
    assert CLAIMS["quoted"] in texts  # line break and all
    assert CLAIMS["pending"] in texts and texts[CLAIMS["pending"]]["pending"]
    assert CLAIMS["deleted"] not in markdown
    # Only the tags our own markup makes: nothing in the text became markup.
    assert set(outline.tags) <= {"h1", "h2", "p", "ul", "li", "strong", "em", "blockquote", "br", "a"}


def test_every_kind_of_markup_like_character_shows_as_written(teacher, tmp_path):
    export, outline, _ = outline_of(map_of_texts(teacher, AWKWARD_TEXTS + [
        "| a | b |\n|---|---|\n| c | d |", "Heading\n===", "Also heading\n---", "```\ncode\n```", "~~~\nfence",
        "    indented code", "&amp; &#65; &copy; entities", "<div>html block</div>", "<https://example.org>",
        "![image](x.png)", "[ref]: https://example.org", "~~struck~~", "line\n> quote\n# heading\n1) item\n2. item",
        "trailing backslash\\\nnext line", "* * *", "***", "_ _ _",
    ]), tmp_path)
    assert_shows_the_map(export, outline)
    assert set(outline.tags) <= {"h1", "h2", "p", "ul", "li", "strong", "em", "br", "a"}


def test_random_strings_of_markup_characters_show_as_written(teacher, tmp_path):
    rng = random.Random(5)
    alphabet = [*"\\`*_[]<>|~#&;!()+-=.:\"'", "a", "b", " ", "  ", "\t", "\n", "1", "12", "Я", "🙂", "&amp;", "    "]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 16))) for _ in range(400)]
    texts = [t for t in texts if t.strip()]
    export, outline, _ = outline_of(map_of_texts(teacher, texts), tmp_path)
    assert_shows_the_map(export, outline)


def test_a_claim_in_several_places_is_shown_once_and_then_referred_to(build, tmp_path):
    builder = build()
    first = builder.thesis("Lukashenko is hedging")
    second = builder.thesis("Belarus is a loyal ally")
    shared = builder.claim("He let Russian troops in", under=first, stance="oppose", quote="Moscow heard another.")
    editing.attach(shared, second, "support", builder.owner)
    builder.claim("Only for exercises, he said", under=shared, stance="oppose")
    export, outline, markdown = outline_of(builder.map, tmp_path)
    shown = assert_shows_the_map(export, outline)
    assert shown["1.1"]["text"] == "He let Russian troops in"
    assert shown["1.1.1"]["text"] == "Only for exercises, he said"
    assert shown["2.1"]["rest"] == "the claim shown at 1.1 (“He let Russian troops in”)"
    assert "2.1.1" not in shown and markdown.count("Moscow heard another.") == 1


def test_a_student_sees_neither_others_pending_claims_nor_real_names(lesson, tmp_path):
    lesson_ = lesson(moderation=True, anonymity=True)
    ensure_pseudonyms(lesson_.exercise)
    first, other = lesson_.students
    thesis = lesson_.builder.thesis("Lukashenko is hedging")
    contribute(lesson_, first, "Approved claim by the first student", under=thesis)
    pending(lesson_, first, "Pending claim by the first student", under=thesis)
    export, outline, markdown = outline_of(lesson_.map, tmp_path, access=access_for(lesson_.map, other))
    shown = assert_shows_the_map(export, outline)
    assert [e["text"] for e in shown.values()] == ["Approved claim by the first student"]
    assert shown["1.1"]["name"] == export.name(first) != first.username
    assert first.username not in markdown
    _, outline, _ = outline_of(lesson_.map, tmp_path, access=access_for(lesson_.map, lesson_.teacher))
    names = {e["text"]: e["name"] for e in claims_shown(outline).values()}
    assert names == {"Approved claim by the first student": first.username,
                     "Pending claim by the first student": first.username}


# Its queries: tests/test_export_queries.py, for every format.
@pytest.mark.parametrize("size", [20, 400])
def test_the_download_shows_the_whole_of_a_small_or_large_map(demo_map, client, tmp_path, size):
    client.force_login(demo_map.owner)
    map_ = build_map(f"Map of {size}", list(demo_map.sources.all()), Shape(nodes=size), owner=demo_map.owner)
    response = client.get(f"/maps/{map_.code}/export/md/")
    assert response.status_code == 200 and response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{map_.slug}.md"'
    export = MapExport.load(Access.for_site_operator(Map.objects.get(pk=map_.pk)))
    assert_shows_the_map(export, Outline(rendered(response.content.decode(), tmp_path)))
