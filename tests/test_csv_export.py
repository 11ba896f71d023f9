"""CSV export: one row per piece of evidence at each of its places, read back with the csv module
as a spreadsheet would read it (UTF-8 with a byte order mark), safe from formula injection."""

import csv
import io
from collections import Counter
from datetime import UTC, datetime

import pytest

from argmap import editing
from argmap.access import Access, access_for
from argmap.classroom.pseudonyms import ensure_pseudonyms
from argmap.exports import FORMATS
from argmap.exports.loading import MapExport
from argmap.models import Map, MapSource, NodeStatus, Quote, Source
from argmap.synthetic import Shape, build_map
from tests.classwork import contribute, pending
from tests.exportdata import CLAIMS, awkward_map

HEADER = ["thesis", "path", "relation", "claim", "quote", "source", "author", "status", "created", "added by"]
STANCE_WORDS = {"support": "supports", "oppose": "opposes"}


def read(body: str | bytes) -> list[dict]:
    data = body.encode("utf-8") if isinstance(body, str) else body
    assert data.startswith(b"\xef\xbb\xbf")  # the byte order mark spreadsheet programs look for
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    assert next(reader) == HEADER
    return [dict(zip(HEADER, row, strict=True)) for row in reader]


def exported(map_, access=None, **options) -> tuple[MapExport, list[dict]]:
    export = MapExport.load(access or Access.for_site_operator(map_), **options)  # the command line's, by default
    return export, read(FORMATS["csv"].render(export))


def as_typed(cell: str) -> str:
    """What was written, before the apostrophe that keeps a spreadsheet from running it."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@", "\t", "\r") else cell


def paths_to(export) -> Counter:
    """How many paths lead from the theses to each node a reader sees."""
    count = Counter({t.pk: 1 for t in export.theses})
    order = []  # parents before children
    waiting = Counter(e.child for e in export.live_edges())
    ready = [t.pk for t in export.theses if waiting[t.pk] == 0]
    while ready:
        node = ready.pop()
        order.append(node)
        for edge in export.children_of(node):
            count[edge.child] += count[node]
            waiting[edge.child] -= 1
            if waiting[edge.child] == 0:
                ready.append(edge.child)
    return count


def assert_rows_follow_the_map(export, rows):
    """One row per live quote per place; each path leads through the map to its claim."""
    expected = Counter()
    for quote in export.live_quotes():
        expected[(quote.node_id, quote.exact)] += paths_to(export)[quote.node_id]
    found = Counter()
    for row in rows:
        numbers = [int(n) for n in row["path"].split(".")]
        node = export.theses[numbers[0] - 1]
        assert as_typed(row["thesis"]) == node.text
        edge = None
        for number in numbers[1:]:
            edge = export.children_of(node.pk)[number - 1]
            node = export.node_by_id[edge.child]
        assert as_typed(row["claim"]) == node.text
        assert row["relation"] == (STANCE_WORDS[edge.stance] if edge else "")
        assert row["status"] == node.status
        assert as_typed(row["added by"]) == export.name(node.author)
        found[(node.pk, as_typed(row["quote"]))] += 1
    assert found == expected


def test_the_demo_map_has_a_row_per_evidence(demo_map):
    export, rows = exported(demo_map)
    assert_rows_follow_the_map(export, rows)
    assert len({(r["claim"], r["quote"]) for r in rows}) == len(export.live_quotes()) == 39
    assert {r["relation"] for r in rows} == {"supports", "opposes"}
    sources = Source.objects.in_map(demo_map)
    assert {r["source"] for r in rows} == {s.display_title for s in sources}
    by_title = {s.display_title: s.author for s in sources}
    assert all(r["author"] == by_title[r["source"]] for r in rows)


def test_awkward_text_is_kept_exactly_and_deleted_claims_stay_out(teacher):
    export, rows = exported(awkward_map(teacher))
    assert_rows_follow_the_map(export, rows)
    claims = {r["claim"] for r in rows}
    assert "'" + CLAIMS["quoted"] in claims and "'" + CLAIMS["minus"] in claims  # line break kept
    assert "“We will not be drawn\ninto anyone’s war.”" in {r["quote"] for r in rows}
    assert CLAIMS["cyrillic"] in claims and CLAIMS["deleted"] not in claims
    assert all(r["status"] == "approved" for r in rows)


def test_cells_that_a_spreadsheet_would_run_as_formulas_get_an_apostrophe(build):
    builder = build()
    thesis = builder.thesis("=HYPERLINK(\"http://evil.example\", \"click\")")
    typed = ["=1+1", "+ more troops", "-5 degrees", "@SUM(A1:A2)", "\tTabbed", "\rCarriage return",
             "Plain, with \"quotes\" and a\r\nWindows line break", " =not at the start"]
    for text in typed:
        builder.claim(text, under=thesis, quote="Minsk said one thing. Moscow")
    MapSource.objects.filter(map=builder.map).update(title="=cmd|' /C calc'!A0")
    export, rows = exported(Map.objects.get(pk=builder.map.pk))
    assert_rows_follow_the_map(export, rows)
    cells = {r["claim"] for r in rows}
    assert cells == {"'=1+1", "'+ more troops", "'-5 degrees", "'@SUM(A1:A2)", "'\tTabbed", "'\rCarriage return",
                     "Plain, with \"quotes\" and a\r\nWindows line break", " =not at the start"}
    assert {r["thesis"] for r in rows} == {"'=HYPERLINK(\"http://evil.example\", \"click\")"}
    assert {r["source"] for r in rows} == {"'=cmd|' /C calc'!A0"}


def test_a_claim_under_two_theses_has_a_row_for_each_place(build):
    builder = build()
    first = builder.thesis("Lukashenko is hedging")
    second = builder.thesis("Belarus is a loyal ally")
    builder.claim("Unrelated", under=first)
    shared = builder.claim("He let Russian troops in", under=first, stance="oppose", quote="Moscow heard another.")
    editing.attach(shared, second, "support", builder.owner)
    below = builder.claim("Only for exercises, he said", under=shared, stance="oppose",
                          quote="The relay stations stopped working.")
    export, rows = exported(builder.map)
    assert_rows_follow_the_map(export, rows)
    assert [(r["thesis"], r["path"], r["relation"], r["claim"]) for r in rows] == [
        ("Lukashenko is hedging", "1.2", "opposes", shared.text),
        ("Lukashenko is hedging", "1.2.1", "opposes", below.text),
        ("Belarus is a loyal ally", "2.1", "supports", shared.text),
        ("Belarus is a loyal ally", "2.1.1", "opposes", below.text),
    ]


def test_several_quotes_give_several_rows_with_their_sources_and_times(build):
    builder = build()
    thesis = builder.thesis()
    claim = builder.claim("Minsk says one thing and does another", under=thesis, quote="Minsk said one thing. Moscow")
    other = Source.objects.create(text="Moscow heard another.")
    MapSource.objects.create(map=builder.map, source=other, title="Second article", author="B. Writer")
    Quote.anchor(claim, other, "Moscow heard another.").save()
    export, rows = exported(builder.map)
    assert [(r["quote"], r["source"], r["author"]) for r in rows] == [
        ("Minsk said one thing. Moscow", "Test article", "A. Writer"),
        ("Moscow heard another.", "Second article", "B. Writer"),
    ]
    for row, quote in zip(rows, export.quotes_of(claim.pk), strict=True):
        created = datetime.fromisoformat(row["created"])
        assert row["created"].endswith("Z") and created.utcoffset().total_seconds() == 0
        assert created == quote.created_at.astimezone(UTC).replace(microsecond=0)


def test_a_student_sees_neither_others_pending_claims_nor_real_names(lesson):
    lesson_ = lesson(moderation=True, anonymity=True)
    ensure_pseudonyms(lesson_.exercise)
    first, other = lesson_.students
    thesis = lesson_.builder.thesis("Lukashenko is hedging")
    contribute(lesson_, first, "Approved claim", under=thesis, quote="Minsk said one thing. Moscow")
    pending(lesson_, first, "Pending claim", under=thesis, quote="Moscow heard another.")
    export, rows = exported(lesson_.map, access=access_for(lesson_.map, other))
    assert_rows_follow_the_map(export, rows)
    assert [(r["claim"], r["status"]) for r in rows] == [("Approved claim", "approved")]
    assert rows[0]["added by"] == export.name(first) not in (first.username, "")
    export, rows = exported(lesson_.map, access=access_for(lesson_.map, lesson_.teacher))
    assert [(r["claim"], r["status"], r["added by"]) for r in rows] == [
        ("Approved claim", "approved", first.username), ("Pending claim", NodeStatus.PENDING, first.username),
    ]


# Its queries: tests/test_export_queries.py, for every format.
@pytest.mark.parametrize("size", [20, 400])
def test_the_download_has_a_row_per_evidence_of_a_small_or_large_map(demo_map, client, size):
    client.force_login(demo_map.owner)
    map_ = build_map(f"Map of {size}", list(demo_map.sources.all()), Shape(nodes=size), owner=demo_map.owner)
    response = client.get(f"/maps/{map_.code}/export/csv/")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{map_.slug}.csv"'
    assert_rows_follow_the_map(MapExport.load(Access.for_site_operator(Map.objects.get(pk=map_.pk))), read(response.content))
