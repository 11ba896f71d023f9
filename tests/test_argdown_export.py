"""Argdown export, read back by the Argdown reference parser (`argdown json` of @argdown/cli,
installed into tests/tools/argdown by `make test`): the same statements with the same text, and
the same support and attack relations, as the map a reader sees."""

import html
import json
import os
import random
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from argmap import editing
from argmap.access import Access, access_for
from argmap.classroom.pseudonyms import ensure_pseudonyms
from argmap.exports import FORMATS
from argmap.exports.loading import MapExport
from argmap.models import Map, Node, NodeKind, Relation, Visibility
from argmap.synthetic import Shape, build_map
from tests.classwork import contribute, pending
from tests.exportdata import CLAIMS, THESIS_TEXT, awkward_map

ARGDOWN = Path(__file__).parent / "tools" / "argdown" / "node_modules" / ".bin" / "argdown"
RELATION_TYPES = {"support": "support", "oppose": "attack"}

# One string per kind of character Argdown could read as markup, and the places it matters.
AWKWARD_TEXTS = [
    "[brackets] and [a link](https://example.org) here", "[Title]: looks like a definition", "a[b]c",
    "<angle> brackets, <Argument>: and <!-- not a comment -->", "> quoted? <", "a // not a comment /* nor this */",
    "#hashtag #(long tag) x#y and # alone", "@[mention] @<argument> @someone", "Cost: 5: really", "12:30:45",
    ":smile: and .therefore. are shortcodes", "e.g. 3.5 and ... and a.b.c.d.", "+ leading plus", "- leading minus",
    "-> arrow", "<+ support arrow", "+> x", "<- x", "-- inference --", "1. numbered", "(1) statement number",
    "* bullet", "**bold** __bold__ *italic* _italic_ snake_case a*b*c", "back\\slash \\[ \\\\ and at the end\\",
    "{curly: braces} {a: b}", "=== front === matter ===", "a = b == c ====", "tab\there\t\tx", " leading space",
    "trailing space ", "double  spaces,  after  a comma.  Yes", "a ,  b ;  c -  d (  e )  f", "a:\tb, \tc",
    "line\nbreak\r\nWindows\rold Mac", "Хроніка «это только начало» 🙂 👩‍🏫🇧🇾", "“curly” ‘single’ — dash",
    "no\u00a0break and\u2028separator", "%$&!?|~^`'\"", "http://example.org/a:b?c=d#frag", "[", "]", "\\", "<", ">",
    "-", "+", "#", "@", ":", ".", "=", "{", "}", "_", "*", "/", ",.:;-()", "x,,  ..  ::",
]


def argdown(command: str, path: Path) -> str:
    """What the Argdown CLI prints for the file (fails on a syntax error)."""
    if not ARGDOWN.exists():
        message = "the Argdown CLI is not installed: run make test (npm ci --prefix tests/tools/argdown)"
        if os.environ.get("ARGMAP_REQUIRE_ALL") == "1":
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run([str(ARGDOWN), command, str(path), "--stdout", "--silent"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, subprocess.run([str(ARGDOWN), command, str(path), "--stdout"],
                                                  capture_output=True, text=True).stdout
    return result.stdout


@pytest.fixture
def read_back(tmp_path):
    """`read_back(text)`: the Argdown document as `argdown json` parses it."""

    def read(text: str) -> dict:
        path = tmp_path / "map.argdown"
        path.write_text(text, encoding="utf-8")
        return json.loads(argdown("json", path))

    return read


def exported(map_, access=None, **options) -> tuple[MapExport, str]:
    export = MapExport.load(access or Access.for_site_operator(map_), **options)  # the command line's, by default
    return export, FORMATS["argdown"].render(export)


def one_line(text: str) -> str:
    return re.sub(r"\r\n|\r|\n", " ", text)


def statements(document) -> dict[str, dict]:
    """Title -> the statement's definition (the member with text) and its data."""
    found = {}
    for title, statement in document["statements"].items():
        (definition,) = [m for m in statement["members"] if "text" in m]
        found[title] = {"text": definition["text"], "data": statement.get("data", {})}
    return found


def relations(document) -> Counter:
    return Counter((r["from"], r["to"], r["relationType"]) for r in document["relations"])


def assert_read_back_alike(export, document) -> dict[str, dict]:
    """Argdown sees one statement per live node, with its text, and one relation per live edge."""
    title = {n.pk: f"{'Thesis' if n.kind == NodeKind.THESIS else 'Claim'} {n.pk}" for n in export.live_nodes()}
    found = statements(document)
    assert {t: s["text"] for t, s in found.items()} == {title[n.pk]: one_line(n.text) for n in export.live_nodes()}
    assert relations(document) == Counter(
        (title[e.child], title[e.parent], RELATION_TYPES[e.stance]) for e in export.live_edges()
    )
    assert document["arguments"] == {}
    return found


def test_the_demo_map_reads_back_with_its_statements_and_relations(demo_map, read_back):
    export, text = exported(demo_map)
    found = assert_read_back_alike(export, read_back(text))
    assert {"support", "attack"} <= {r[2] for r in relations(read_back(text))}
    quoted = sum(len(s["data"].get("evidence", [])) for s in found.values())
    assert quoted == len(export.live_quotes()) == 39


def test_awkward_text_reaches_argdown_unchanged_and_deleted_claims_stay_out(teacher, read_back):
    export, text = exported(awkward_map(teacher))
    found = assert_read_back_alike(export, read_back(text))
    texts = {s["text"] for s in found.values()}
    assert THESIS_TEXT in texts and one_line(CLAIMS["quoted"]) in texts and one_line(CLAIMS["loyal"]) in texts
    assert not any(CLAIMS["deleted"] in t for t in texts)


def map_of_texts(owner, texts: list[str]) -> Map:
    """A map whose nodes carry `texts`: the first is the thesis, each next one hangs under an
    earlier one (three to a parent), supporting and opposing in turn."""
    map_ = Map.objects.create(title="Awkward texts", owner=owner, visibility=Visibility.PUBLIC)
    nodes = Node.objects.bulk_create(
        Node(map=map_, kind=NodeKind.THESIS if i == 0 else NodeKind.CLAIM, text=t, author=owner)
        for i, t in enumerate(texts)
    )
    Relation.objects.bulk_create(
        Relation(map=map_, child=node, parent=nodes[(i - 1) // 3], stance="support" if i % 2 else "oppose")
        for i, node in enumerate(nodes) if i
    )
    Map.touch(map_.pk)
    return map_


def test_every_kind_of_markup_like_character_reaches_argdown_unchanged(teacher, read_back):
    export, text = exported(map_of_texts(teacher, AWKWARD_TEXTS))
    assert_read_back_alike(export, read_back(text))


def test_random_strings_of_markup_characters_reach_argdown_unchanged(teacher, read_back):
    rng = random.Random(5)
    alphabet = [*"\\@#*_[],.:;</>-(){}=+!?'\"`~^|$%&", "a", "b", " ", "  ", "\t", "\n", "1", "Я", "🙂", "==="]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 16))) for _ in range(400)]
    export, text = exported(map_of_texts(teacher, texts))
    assert_read_back_alike(export, read_back(text))


def test_a_claim_in_several_places_is_one_statement_with_each_relation(build, read_back):
    builder = build()
    first = builder.thesis("Lukashenko is hedging")
    second = builder.thesis("Belarus is a loyal ally")
    shared = builder.claim("He let Russian troops in", under=first, stance="oppose",
                           quote="Moscow heard another.")
    editing.attach(shared, second, "support", builder.owner)
    below = builder.claim("Only for exercises, he said", under=shared, stance="oppose")
    export, text = exported(builder.map)
    document = read_back(text)
    assert_read_back_alike(export, document)
    members = document["statements"][f"Claim {shared.pk}"]["members"]
    assert sum("text" in m for m in members) == 1
    assert text.count(f"[Claim {shared.pk}]:") == 1 and text.count(f"<+ [Claim {shared.pk}]\n") == 1
    assert text.count(f"[Claim {below.pk}]") == 2  # defined below its first place; its metadata


def test_quotes_and_sources_are_kept_as_statement_metadata(teacher, read_back):
    map_ = awkward_map(teacher)
    export, text = exported(map_)
    found = statements(read_back(text))
    for node in export.live_nodes():
        data = found[f"{'Thesis' if node.kind == NodeKind.THESIS else 'Claim'} {node.pk}"]["data"]
        assert data["author"] == node.author.username
        expected = [
            (q.exact, export.source_by_id[q.source_id].display_title, export.source_by_id[q.source_id].author or None)
            for q in export.quotes_of(node.pk)
        ]
        assert [(e["quote"], e["source"], e.get("author")) for e in data.get("evidence", [])] == expected
    pending_claim = next(n for n in export.live_nodes() if n.text == CLAIMS["pending"])
    assert found[f"Claim {pending_claim.pk}"]["data"]["status"] == "pending"


def test_the_map_title_and_question_are_the_documents_title_and_subtitle(teacher, tmp_path):
    map_ = awkward_map(teacher)
    path = tmp_path / "map.argdown"
    path.write_text(exported(map_)[1], encoding="utf-8")
    page = argdown("html", path)
    title = re.search(r"<h1>(.*?)</h1>", page).group(1)
    subtitle = re.search(r'<h2 class="subtitle">(.*?)</h2>', page).group(1)
    assert html.unescape(title) == map_.title
    assert html.unescape(subtitle) == one_line(map_.question)


def test_titles_are_stable_between_exports(demo_map):
    assert exported(demo_map)[1] == exported(Map.objects.get(pk=demo_map.pk))[1]


def test_a_student_sees_neither_others_pending_claims_nor_real_names(lesson, read_back):
    lesson_ = lesson(moderation=True, anonymity=True)
    ensure_pseudonyms(lesson_.exercise)
    first, other = lesson_.students
    thesis = lesson_.builder.thesis("Lukashenko is hedging")
    kept = contribute(lesson_, first, "Approved claim by the first student", under=thesis)
    hidden = pending(lesson_, first, "Pending claim by the first student", under=thesis)
    export, text = exported(lesson_.map, access=access_for(lesson_.map, other))
    found = assert_read_back_alike(export, read_back(text))
    assert f"Claim {hidden.pk}" not in found
    assert found[f"Claim {kept.pk}"]["data"]["author"] not in {first.username, other.username}
    assert first.username not in text
    teacher_export, teacher_text = exported(lesson_.map, access=access_for(lesson_.map, lesson_.teacher))
    assert f"Claim {hidden.pk}" in statements(read_back(teacher_text))
    assert first.username in teacher_text


# Its queries: tests/test_export_queries.py, for every format.
@pytest.mark.parametrize("size", [20, 400])
def test_the_download_reads_back_with_every_statement_of_a_small_or_large_map(demo_map, client, read_back, size):
    map_ = build_map(f"Map of {size}", list(demo_map.sources.all()), Shape(nodes=size), owner=demo_map.owner)
    client.force_login(demo_map.owner)
    response = client.get(f"/maps/{map_.code}/export/argdown/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{map_.slug}.argdown"'
    assert len(statements(read_back(response.content.decode()))) == size
