"""Importing Argmap JSON: an export imports back into the same map (compared row by row in the
database, apart from ids, codes and the import time); a bad file is refused whole, with a report
of every problem, and nothing saved; people and sources are matched, not duplicated."""

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from argmap.exports import argmap_json
from argmap.exports.loading import MapExport
from argmap.imports import MapImportError, import_map
from argmap.models import (
    PUBLIC_CODE_ALPHABET,
    Change,
    ClutterRange,
    Comment,
    Map,
    MapSource,
    Membership,
    Node,
    Quote,
    Relation,
    Source,
    Visibility,
)
from argmap.access import Access
from argmap.synthetic import Shape, build_map
from argmap.views.imports import import_page
from tests.exportdata import awkward_map

User = get_user_model()


# The comparison: a map as plain values, every object named by its place in id order instead of its id.


def canonical(map_: Map) -> dict:
    def ordinals(rows) -> dict[int, int]:
        return {pk: i for i, pk in enumerate(rows.order_by("id").values_list("pk", flat=True))}

    def name(user) -> str | None:
        return user.get_username() if user else None

    def deletion(obj) -> tuple:
        return obj.deleted_at, name(obj.deleted_by)

    nodes = Node.objects.filter(map=map_).order_by("id")
    relations = Relation.objects.filter(map=map_).order_by("id")
    quotes = Quote.objects.filter(node__map=map_).order_by("id")
    comments = Comment.objects.filter(node__map=map_).order_by("id")
    clutter = ClutterRange.objects.filter(map=map_).order_by("id")
    memberships = Membership.objects.filter(map=map_).order_by("id")
    changes = Change.objects.filter(map=map_).order_by("id")
    sources = Source.objects.in_map(map_).order_by("mapsource__id")
    places = {
        "node": ordinals(nodes), "relation": ordinals(relations), "quote": ordinals(quotes),
        "comment": ordinals(comments), "clutter": ordinals(clutter), "membership": ordinals(memberships),
        "history": ordinals(changes), "source": {s.pk: s.content_hash for s in sources}, "map": {map_.pk: "map"},
    }

    def state(value):
        if not isinstance(value, dict):
            return value
        result = {}
        for field, v in value.items():
            kind = argmap_json.REFERENCE_FIELDS.get(field)
            if kind is None:
                result[field] = v
            elif isinstance(v, list):
                result[field] = [places[kind].get(each) for each in v]
            else:
                result[field] = places[kind].get(v)
        return result

    return {
        "map": (map_.title, map_.question, map_.viewers_can_comment),
        "sources": [(s.content_hash, s.title, s.author, s.publisher, s.published_on, s.url, s.notes, s.rights,
                     s.is_public, name(s.added_by)) for s in sources],
        "nodes": [(n.kind, n.text, n.status, n.version, name(n.author), name(n.updated_by), n.created_at,
                   n.updated_at, *deletion(n)) for n in nodes],
        "relations": [(places["node"][r.child_id], places["node"][r.parent_id], r.stance, name(r.author),
                       r.created_at, *deletion(r)) for r in relations],
        "quotes": [(places["node"][q.node_id], q.source.content_hash, q.start, q.end, q.exact, q.prefix, q.suffix,
                    q.note, name(q.author), q.created_at, *deletion(q)) for q in quotes],
        "comments": [(places["node"][c.node_id], places["comment"].get(c.reply_to_id), c.text, name(c.author),
                      c.created_at, c.updated_at, c.edited_at, c.hidden_at, name(c.hidden_by), *deletion(c))
                     for c in comments],
        "clutter": [(c.source.content_hash, c.start, c.end, c.label, name(c.created_by), c.created_at, *deletion(c))
                    for c in clutter],
        "memberships": [(name(m.user), m.role, name(m.added_by), m.created_at) for m in memberships],
        "history": [(name(c.actor), c.action, c.target_type, places.get(c.target_type, {}).get(c.target_id),
                     places["node"].get(c.node_id), state(c.before), state(c.after), c.created_at) for c in changes],
    }


def export_bytes(map_, **kwargs) -> bytes:
    return argmap_json.render(MapExport.load(Access.for_site_operator(map_), **kwargs)).encode("utf-8")


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count()
            for model in (Map, MapSource, Source, Node, Relation, Quote, Comment, ClutterRange, Membership, Change,
                          User)}


# Round trips


def imported_copy(copy: Map) -> dict:
    """The copy's canonical state without the last history entry, which records the import itself."""
    state = canonical(copy)
    *state["history"], imported = state["history"]
    assert imported[1:3] == ("create", "map") and imported[6]["imported_from"]
    return state


def test_it_rebuilds_the_awkward_map_exactly(teacher):
    original = awkward_map(teacher)
    result = import_map(export_bytes(original), format="json", user=teacher)
    copy = result.map
    assert copy.pk != original.pk and copy.code != original.code
    assert copy.owner == teacher and copy.visibility == Visibility.PRIVATE
    assert imported_copy(copy) == canonical(original)
    assert result.placeholders == []  # everyone already has an account here


def test_the_history_says_who_imported_the_map_and_from_where(teacher, outsider):
    original = awkward_map(teacher)
    copy = import_map(export_bytes(original), format="json", user=outsider).map
    last = Change.objects.filter(map=copy).order_by("id").last()
    assert (last.actor, last.action, last.target_type, last.target_id) == (outsider, "create", "map", copy.pk)
    assert last.after["imported_from"] == original.code


def test_it_rebuilds_the_demo_map_exactly(demo_map):
    result = import_map(export_bytes(demo_map), format="json", user=demo_map.owner)
    assert imported_copy(result.map) == canonical(demo_map)
    assert result.counts["nodes"] == Node.objects.filter(map=demo_map).count()


def test_a_second_round_trip_gives_the_same_file(teacher):
    original = awkward_map(teacher)
    first = json.loads(export_bytes(original))
    copy = import_map(export_bytes(original), format="json", user=teacher).map
    second = json.loads(export_bytes(copy))
    second["history"].pop()  # the import itself
    for data in (first, second):
        data.pop("exported_at")
        data["map"] = {k: v for k, v in data["map"].items() if k not in ("code", "created_at", "updated_at")}
    assert first == second


def test_sources_already_stored_are_reused(teacher):
    original = awkward_map(teacher)
    sources = Source.objects.count()
    result = import_map(export_bytes(original), format="json", user=teacher)
    assert Source.objects.count() == sources and result.reused_sources == 2
    assert set(result.map.sources.all()) == set(original.sources.all())


def test_a_new_source_is_stored_once_with_its_metadata(teacher):
    data = json.loads(export_bytes(awkward_map(teacher)))
    data["sources"][1]["text"] += "A sentence only this file has.\n"
    del data["sources"][1]["content_hash"]
    data["sources"][1]["title"] = "Новый источник"
    before = Source.objects.count()
    first = import_map(json.dumps(data).encode(), format="json", user=teacher)
    import_map(json.dumps(data).encode(), format="json", user=teacher)
    assert Source.objects.count() == before + 1
    assert Source.objects.in_map(first.map).get(title="Новый источник").text.endswith("A sentence only this file has.\n")


def test_unknown_people_become_placeholders_that_cannot_log_in(teacher, client):
    data = json.loads(export_bytes(awkward_map(teacher)))
    text = json.dumps(data, ensure_ascii=False).replace('"awk-ales"', '"ales-elsewhere"')
    result = import_map(text.encode(), format="json", user=teacher)
    assert result.placeholders == ["imported-ales-elsewhere"]
    placeholder = User.objects.get(username="imported-ales-elsewhere")
    assert not placeholder.is_active and not placeholder.has_usable_password()
    assert not client.login(username="imported-ales-elsewhere", password="")
    assert Node.objects.filter(map=result.map, author=placeholder).exists()
    assert Membership.objects.get(map=result.map, user=placeholder).role == "contributor"


def test_pseudonyms_are_never_matched_to_real_accounts(teacher):
    User.objects.create_user("Person 1")  # a real account that happens to be called like a pseudonym
    anonymous = import_map(export_bytes(awkward_map(teacher), anonymize=True), format="json", user=teacher)
    authors = set(Node.objects.filter(map=anonymous.map).values_list("author__username", flat=True))
    assert authors and all(a.startswith("imported-person-") for a in authors)
    assert not User.objects.get(username="Person 1").nodes.exists()


def test_a_file_naming_too_many_people_is_refused(teacher, backup):
    backup["nodes"] = [{"key": f"n{i}", "text": "A claim", "author": f"person-{i}"} for i in range(1001)]
    problems = refused(backup, user=teacher)
    assert any("names 1,00" in p and "at most 1,000" in p for p in problems)


def test_the_importer_owns_the_copy_and_a_membership_naming_them_is_skipped(teacher):
    original = awkward_map(teacher)
    ales = User.objects.get(username="awk-ales")
    copy = import_map(export_bytes(original), format="json", user=ales).map
    assert copy.owner == ales
    assert not Membership.objects.filter(map=copy, user=ales).exists()
    assert set(Membership.objects.filter(map=copy).values_list("user__username", flat=True)) == {"awk-daria", "awk-tomas"}


def test_a_minimal_hand_written_document_imports_with_defaults(teacher):
    document = {
        "format": "argmap", "version": 1, "map": {"title": "Minimal"},
        "sources": [{"key": "a", "text": "One fact. Another fact."}],
        "nodes": [{"key": "t", "kind": "thesis", "text": "A thesis"}, {"key": "c", "text": "A claim"}],
        "relations": [{"child": "c", "parent": "t", "stance": "oppose"}],
        "quotes": [{"node": "c", "source": "a", "selector": [{"type": "TextQuoteSelector", "exact": "Another fact."}]}],
        "comments": [{"key": "x", "node": "c", "text": "Why?"}, {"node": "c", "reply_to": "x", "text": "Because."}],
    }
    result = import_map(json.dumps(document).encode(), format="json", user=teacher)
    quote = Quote.objects.get(node__map=result.map)
    assert (quote.start, quote.end, quote.prefix) == (10, 23, "One fact. ")
    assert Comment.objects.get(node__map=result.map, text="Because.").reply_to.text == "Why?"
    assert Node.objects.get(map=result.map, text="A claim").author is None


# Refused imports: every problem listed, nothing saved


def refused(data, **kwargs) -> list[str]:
    before = row_counts()
    with pytest.raises(MapImportError) as caught:
        import_map(data if isinstance(data, bytes) else json.dumps(data).encode(), format="json", **kwargs)
    assert row_counts() == before
    return caught.value.problems


@pytest.fixture
def backup(teacher) -> dict:
    return json.loads(export_bytes(awkward_map(teacher)))


def test_malformed_json_is_refused_with_its_place(teacher):
    [problem] = refused(b'{"format": "argmap",\n "version": 1,,}', user=teacher)
    assert "not valid JSON" in problem and "line 2" in problem


@pytest.mark.parametrize(("change", "expected"), [
    ({"format": "aif"}, "not an Argmap JSON file"),
    ({"version": 2}, "version 2 of the Argmap format; this Argmap reads version 1"),
    ({"version": "1"}, "version “1”"),
])
def test_another_format_or_version_is_refused(teacher, backup, change, expected):
    [problem] = refused(backup | change, user=teacher)
    assert expected in problem


def test_a_list_is_not_a_map(teacher):
    assert "holds a list" in refused([1, 2], user=teacher)[0]


def test_a_quote_that_does_not_match_its_source_is_refused(teacher, backup):
    quote = backup["quotes"][0]
    quote["selector"][0]["start"] += 1
    quote["selector"][0]["end"] += 1
    problems = refused(backup, user=teacher)
    [problem] = [p for p in problems if p.startswith(f"quote {quote['key']}:")]
    start, end = quote["selector"][0]["start"], quote["selector"][0]["end"]
    assert f"the text at {start}–{end} of source {quote['source']} is not its exact" in problem


def test_offsets_out_of_range_are_refused(teacher, backup):
    backup["quotes"][1]["selector"][0]["end"] = 10**6
    backup["clutter"][0]["start"] = -1
    problems = refused(backup, user=teacher)
    assert any("q2:" in p and "outside source" in p for p in problems)
    assert any(p.startswith("clutter k1:") and "start" in p for p in problems)


def test_a_cycle_is_refused_naming_its_nodes(teacher, backup):
    backup["relations"].append({"key": "loop", "child": "n3", "parent": "n6", "stance": "support"})
    backup["relations"].append({"key": "loop2", "child": "n6", "parent": "n3", "stance": "support"})
    problems = refused(backup, user=teacher)
    assert any("go round in a circle" in p and "n3" in p and "n6" in p for p in problems)


def test_a_longer_cycle_through_existing_relations_is_refused(teacher, backup):
    # n4 opposes n3 (in the file already); n3 bearing on n4 closes the circle.
    assert any(r["child"] == "n4" and r["parent"] == "n3" and not r["deleted"] for r in backup["relations"])
    backup["relations"].append({"child": "n3", "parent": "n4", "stance": "oppose"})
    assert any("circle" in p for p in refused(backup, user=teacher))


def test_unknown_references_and_wrong_types_are_all_listed(teacher, backup):
    backup["relations"][0]["parent"] = "n999"
    backup["nodes"][1]["text"] = 42
    del backup["nodes"][2]["text"]
    backup["comments"][0]["created_at"] = "yesterday"
    backup["history"][0]["target"] = "m99"
    backup["votes"] = [{"node": "n1"}]
    problems = refused(backup, user=teacher)
    expected = [
        "relation r1: parent names “n999”, which is not a node key of this file",
        "node n2: text must be a string, not a number",
        "node n3: text is missing",
        "comment c1: created_at must be an ISO 8601 time",
        "history entry h1: target names “m99”, which is not a membership key of this file",
        "votes: this version of Argmap has no votes",
    ]
    for text in expected:
        assert any(p.startswith(text) for p in problems), text


def test_times_at_the_calendars_edge_are_refused_by_item(teacher, backup):
    """They overflowed when moved to UTC: a 500 instead of a list of problems."""
    backup["nodes"][1]["created_at"] = "0001-01-01T00:00:00+05:00"
    backup["comments"][0]["created_at"] = "9999-12-31T23:59:59-05:00"
    backup["nodes"][2]["deleted_at"] = "9999-12-31T23:59:59-05:00"
    backup["nodes"][2]["deleted"] = True
    backup["relations"][0]["created_at"] = "1969-12-31T23:59:59Z"
    problems = refused(backup, user=teacher)
    node1, node2, rel = backup["nodes"][1]["key"], backup["nodes"][2]["key"], backup["relations"][0]["key"]
    for text in (f"node {node1}: created_at must be a time between the years 1970 and 2999, not “0001-01-01",
                 "comment c1: created_at must be a time between the years 1970 and 2999, not “9999-12-31",
                 f"node {node2}: deleted_at must be a time between the years 1970 and 2999",
                 f"relation {rel}: created_at must be a time between the years 1970 and 2999"):
        assert any(p.startswith(text) for p in problems), (text, problems)


def test_text_with_nul_or_lone_surrogates_is_refused(teacher, backup):
    backup["nodes"][0]["text"] = "A\u0000B"
    backup["sources"][0]["title"] = "bad \ud800 title"
    backup["history"][2]["after"]["text"] = "nul \u0000"
    problems = refused(json.dumps(backup).encode(), user=teacher)
    assert any(p.startswith("node n1: text contains a NUL") for p in problems)
    assert any(p.startswith("source s1: title contains invalid Unicode") for p in problems)
    assert any(p.startswith("history entry h3: after contains a NUL") for p in problems)


def test_raw_nul_bytes_and_invalid_utf8_are_refused(teacher, backup):
    assert "NUL" in refused(b'{"format": "argmap"\x00}', user=teacher)[0]
    assert "not UTF-8" in refused(json.dumps(backup).encode()[:200] + b"\xff\xfe", user=teacher)[0]


def test_a_file_over_the_limit_is_refused_before_reading(teacher, backup, settings):
    data = json.dumps(backup).encode()
    settings.ARGMAP_IMPORT_MAX_BYTES = len(data) - 1
    [problem] = refused(data, user=teacher)
    assert "the limit is" in problem


def test_the_seed_file_without_its_texts_is_refused_not_half_read(teacher):
    seed_file = Path(__file__).resolve().parent.parent / "seeds" / "demo_map.json"
    seed = json.loads(seed_file.read_text(encoding="utf-8"))
    problems = refused(seed, user=teacher)
    assert any(p.startswith("source blog: text is missing") for p in problems)


def minimal(**changes) -> dict:
    document = {
        "format": "argmap", "version": 1, "map": {"title": "Minimal"},
        "sources": [{"key": "s", "text": "Belarus hosts relay stations. The stations went quiet after a deadline."}],
        "nodes": [{"key": "t", "kind": "thesis", "text": "He is hedging"}, {"key": "a", "text": "Quiet stations"}],
        "relations": [{"child": "a", "parent": "t", "stance": "support"}],
        "quotes": [{"node": "a", "source": "s", "selector": [{"type": "TextQuoteSelector", "exact": "went quiet"}]}],
    }
    return document | changes


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d["quotes"][0]["selector"][0].update(exact="stations"), "2 times"),
    (lambda d: d["quotes"][0]["selector"][0].update(exact="went loud"), "not in"),
    (lambda d: d["relations"][0].update(stance="maybe"), "stance"),
    (lambda d: d["nodes"][1].update(quotes=[{"source": "s", "exact": "went quiet"}]), "top-level quotes"),
])
def test_a_hand_written_document_with_a_mistake_is_refused(teacher, change, expected):
    document = minimal()
    change(document)
    problems = refused(document, user=teacher)
    assert any(expected in p for p in problems), problems


def test_a_changed_source_text_is_caught_by_its_hash(teacher, backup):
    backup["sources"][0]["text"] = backup["sources"][0]["text"].replace("Tuesday", "Monday")
    problems = refused(backup, user=teacher)
    assert any(p.startswith("source s1: content_hash") for p in problems)


def test_a_thesis_as_a_child_and_duplicate_keys_are_refused(teacher, backup):
    backup["relations"][0]["child"] = "n1"
    backup["nodes"][2]["key"] = "n2"
    problems = refused(backup, user=teacher)
    assert any("is a thesis" in p for p in problems)
    assert any("the key 'n2' is used twice" in p for p in problems)


# Speed and queries


def test_import_queries_do_not_grow_with_the_map(demo_map):
    sources = list(demo_map.sources.all())
    counts = []
    for size in (20, 300):
        data = export_bytes(build_map(f"Size {size}", sources, Shape(nodes=size), owner=demo_map.owner))
        with CaptureQueriesContext(connection) as queries:
            import_map(data, format="json", user=demo_map.owner)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# The upload page


def test_the_upload_page_asks_anonymous_visitors_to_log_in(db, client):
    response = client.get(reverse("map-import"))
    assert response.status_code == 302 and "/login" in response["Location"]
    assert client.post(reverse("map-import"), {"format": "json"}).status_code == 302
    assert reverse("map-import") not in client.get(reverse("map-list")).content.decode()


def test_the_import_address_is_never_a_map(db):
    assert resolve("/maps/import/").func is import_page
    assert "i" not in PUBLIC_CODE_ALPHABET  # a generated code can never be "import"


def test_the_upload_page_shows_the_form_and_the_map_list_links_to_it(teacher, client):
    client.force_login(teacher)
    assert client.get(reverse("map-list")).content.decode().count(reverse("map-import")) == 1
    response = client.get(reverse("map-import"))
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content and b"Kialo" in response.content


def test_a_good_upload_redirects_to_the_new_map(teacher, client):
    client.force_login(teacher)
    data = export_bytes(awkward_map(teacher))
    upload = _upload(data)
    response = client.post(reverse("map-import"), {"file": upload, "format": "json"})
    copy = Map.objects.filter(owner=teacher).order_by("-id").first()
    assert response.status_code == 302 and response["Location"] == copy.get_absolute_url()
    assert "Беларусь 🙂" in client.get(response["Location"]).content.decode()


def test_a_kialo_upload_becomes_a_map(teacher, client):
    client.force_login(teacher)
    kialo = "Discussion Title: Is Minsk hedging?\n\n1. Minsk is hedging.\n1.1. Pro: It says one thing, does another.\n"
    upload = _upload(kialo.encode())
    response = client.post(reverse("map-import"), {"file": upload, "format": "kialo"})
    copy = Map.objects.get(owner=teacher, title="Is Minsk hedging?")
    assert response.status_code == 302 and response["Location"] == copy.get_absolute_url()
    assert Relation.objects.get(map=copy).child.text == "It says one thing, does another."


def test_a_bad_upload_shows_the_whole_report_and_saves_nothing(teacher, client, backup):
    client.force_login(teacher)
    backup["relations"][0]["parent"] = "n999"
    backup["nodes"][1]["text"] = "<script>alert(1)</script>"
    backup["nodes"][1]["kind"] = "opinion"
    before = row_counts()
    response = client.post(reverse("map-import"), {"file": _upload(json.dumps(backup).encode()), "format": "json"})
    assert response.status_code == 400 and row_counts() == before
    page = response.content.decode()
    assert "Nothing was imported: the file has 2 problems" in page
    assert "parent names “n999”" in page and "kind is &#x27;opinion&#x27;" in page


def test_an_upload_over_the_limit_is_refused(teacher, client, settings):
    settings.ARGMAP_IMPORT_MAX_BYTES = 10
    client.force_login(teacher)
    response = client.post(reverse("map-import"), {"file": _upload(b'{"format": "argmap"}'), "format": "json"})
    assert response.status_code == 400 and "the limit is 10 bytes" in response.content.decode()


def test_the_upload_page_refuses_other_methods(teacher, client):
    client.force_login(teacher)
    assert client.put(reverse("map-import")).status_code == 405


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("map.json", data, content_type="application/json")


# The command


def test_the_command_prints_the_new_code(teacher, tmp_path: Path, capsys):
    path = tmp_path / "map.json"
    path.write_bytes(export_bytes(awkward_map(teacher)))
    call_command("import_map", str(path), "--owner", teacher.username)
    code = capsys.readouterr().out.strip()
    assert Map.objects.get(code=code).owner == teacher


def test_the_command_lists_every_problem_and_exits_1(teacher, tmp_path: Path, capsys, backup):
    backup["relations"][0]["parent"] = "n999"
    backup["quotes"][0]["selector"][0]["start"] += 1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(backup))
    before = row_counts()
    with pytest.raises(CommandError) as caught:
        call_command("import_map", str(path), "--format", "json")
    assert caught.value.returncode == 1 and row_counts() == before
    err = capsys.readouterr().err
    assert "2 problems" in err and "relation r1: parent" in err and "quote q1:" in err


def test_an_upload_credits_work_only_to_people_the_uploader_works_with(lesson, outsider, client):
    # The teacher's backup names a student of their class (matched) and an outsider (not: a
    # stranger's upload must not make anyone the author of words they never wrote).
    l = lesson()
    thesis = l.builder.thesis("Lukashenko is hedging")
    editing_student = l.students[0]
    from argmap.models import Node

    Node.objects.create(map=l.map, text="A student's claim", author=editing_student).bear_on(thesis, "support")
    Node.objects.create(map=l.map, text="An outsider's claim", author=outsider).bear_on(thesis, "oppose")
    data = export_bytes(l.map)
    client.force_login(l.teacher)
    response = client.post(reverse("map-import"), {"file": _upload(data), "format": "json"})
    copy = Map.objects.filter(owner=l.teacher).order_by("-id").first()
    assert response.status_code == 302
    authors = dict(copy.nodes.values_list("text", "author__username"))
    assert authors["A student's claim"] == editing_student.username
    assert authors["An outsider's claim"] != outsider.username
    assert authors["An outsider's claim"].startswith("imported-")


# Placeholders: how many, and under which names


def people_file(backup: dict, count: int) -> bytes:
    backup["nodes"] = [{"key": f"n{i}", "text": "A claim", "author": f"person-{i}"} for i in range(count)]
    for section in ("relations", "quotes", "comments", "clutter", "history"):
        backup[section] = []
    return json.dumps(backup).encode()


def test_an_upload_naming_too_many_unknown_people_is_refused_whole(teacher, client, backup):
    before = row_counts()
    client.force_login(teacher)
    response = client.post(reverse("map-import"), {"file": _upload(people_file(backup, 51)), "format": "json"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "names 51 people who have no account here" in html and "at most 50 placeholder accounts" in html
    assert row_counts() == before


def test_an_upload_may_make_fifty_placeholders(teacher, client, backup):
    client.force_login(teacher)
    response = client.post(reverse("map-import"), {"file": _upload(people_file(backup, 50)), "format": "json"})
    assert response.status_code == 302
    assert User.objects.filter(username__startswith="imported-person-").count() == 50


def test_a_placeholder_never_takes_a_name_a_real_person_signs_up_with(teacher, client, backup):
    # A backup naming someone who has no account here yet: the placeholder must not take their name.
    result = import_map(people_file(backup, 1).replace(b'"person-0"', b'"tomas"'), format="json", user=teacher)
    assert result.placeholders == ["imported-tomas"]
    response = client.post("/accounts/signup/", {"username": "tomas", "password1": "plum-orchard-lantern-42",
                                                 "password2": "plum-orchard-lantern-42"})
    assert response.status_code == 302
    assert User.objects.get(username="tomas").is_active
