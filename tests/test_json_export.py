"""Argmap JSON export: everything of the map in a full backup, keys instead of ids, the reader's
view only (and no real names under anonymity) otherwise, a fixed number of queries."""

import json

import pytest
from django.urls import reverse

from argmap import anchoring, editing
from argmap.access import Access, access_for
from argmap.classroom.pseudonyms import ensure_pseudonyms
from argmap.exports import argmap_json
from argmap.exports.argmap_json import REFERENCE_FIELDS
from argmap.exports.loading import MapExport
from argmap.models import Change, Comment, Node, NodeStatus, Quote, Relation
from argmap.synthetic import Shape, build_map
from tests.conftest import PASSWORD
from tests.exportdata import FIRST_TEXT, awkward_map


def exported(map_, access=None, **kwargs) -> dict:
    # The command line's export unless a reader's access is given.
    return json.loads(argmap_json.render(MapExport.load(access or Access.for_site_operator(map_), **kwargs)))


def test_it_writes_a_versioned_full_backup_of_the_awkward_map(teacher):
    map_ = awkward_map(teacher)
    data = exported(map_)
    assert (data["format"], data["version"], data["full_backup"]) == ("argmap", 1, True)
    assert "notice" not in data
    assert len(data["nodes"]) == Node.objects.filter(map=map_).count()
    assert len(data["relations"]) == Relation.objects.filter(map=map_).count()
    assert len(data["quotes"]) == Quote.objects.filter(node__map=map_).count()
    assert len(data["comments"]) == Comment.objects.filter(node__map=map_).count()
    assert len(data["history"]) == Change.objects.filter(map=map_).count()
    assert {m["user"]: m["role"] for m in data["memberships"]} == {
        "awk-ales": "contributor", "awk-daria": "contributor", "awk-tomas": "viewer"}
    assert [n["key"] for n in data["nodes"]] == [f"n{i}" for i in range(1, len(data["nodes"]) + 1)]
    flagged = {(n["status"], n["deleted"]) for n in data["nodes"]}
    assert ("pending", False) in flagged and ("approved", True) in flagged
    assert any(r["deleted"] for r in data["relations"]) and any(q["deleted"] for q in data["quotes"])
    assert any(c["deleted"] for c in data["clutter"])
    comments = data["comments"]
    assert any(c["reply_to"] for c in comments) and any(c["hidden_at"] for c in comments)
    assert any(c["edited_at"] for c in comments)
    assert data["votes"] == [] and data["source_ratings"] == []


def test_quotes_carry_both_selectors_in_code_points_matching_the_source(teacher):
    data = exported(awkward_map(teacher))
    texts = {s["key"]: s["text"] for s in data["sources"]}
    assert FIRST_TEXT in texts.values()
    for quote in data["quotes"]:
        position, text_quote = quote["selector"]
        assert position["type"] == "TextPositionSelector" and text_quote["type"] == "TextQuoteSelector"
        text = texts[quote["source"]]
        assert text[position["start"]:position["end"]] == text_quote["exact"]
        assert text[:position["start"]].endswith(text_quote["prefix"])
        assert text[position["end"]:].startswith(text_quote["suffix"])
    emoji_quote = next(q for q in data["quotes"] if "🛰️" in q["selector"][1]["exact"])
    start = emoji_quote["selector"][0]["start"]
    assert start == FIRST_TEXT.index("the relay stations")  # code points, not UTF-16 units
    anchoring.verify(FIRST_TEXT, start, emoji_quote["selector"][0]["end"], emoji_quote["selector"][1]["exact"])


def test_the_file_holds_no_database_ids_and_history_references_are_keys(teacher):
    map_ = awkward_map(teacher)
    data = exported(map_)
    keys = {item["key"] for name in ("nodes", "relations", "quotes", "comments", "sources") for item in data[name]}
    assert all(isinstance(h["target"], str) for h in data["history"])
    deletion = next(h for h in data["history"] if h["action"] == "delete" and h["target_type"] == "node"
                    and h["after"] and "cascade" in h["after"])
    assert deletion["target"] in keys and deletion["node"] == deletion["target"]
    attach = next(h for h in data["history"] if h["action"] == "attach")
    assert attach["after"]["child"] in keys and attach["after"]["parent"] in keys
    quote_change = next(h for h in data["history"] if h["target_type"] == "quote")
    assert quote_change["after"]["source"].startswith("s") and quote_change["after"]["node"].startswith("n")

    for entry in data["history"]:
        for state in (entry["before"], entry["after"]):
            for field in REFERENCE_FIELDS:
                value = (state or {}).get(field)
                for each in value if isinstance(value, list) else [value]:
                    assert each is None or each in keys or each.startswith("h"), (field, each)


def test_it_keeps_awkward_text_exactly(teacher):
    map_ = awkward_map(teacher)
    data = exported(map_)
    assert data["map"]["title"] == map_.title
    assert {n["text"] for n in data["nodes"]} == set(Node.objects.filter(map=map_).values_list("text", flat=True))
    assert "«Хроніка»" in argmap_json.render(MapExport.load(Access.for_site_operator(map_)))  # UTF-8, not \u escapes


def test_the_order_is_stable(teacher):
    map_ = awkward_map(teacher)
    first, second = exported(map_), exported(map_)
    first.pop("exported_at"), second.pop("exported_at")
    assert first == second


def test_a_student_gets_only_what_they_see_and_no_names_of_others(lesson):
    l = lesson(moderation=True, anonymity=True)
    ensure_pseudonyms(l.exercise)
    thesis = l.builder.thesis("Lukashenko is hedging")
    seen = l.builder.claim("Approved claim", under=thesis)
    gone = l.builder.claim("Deleted claim", under=thesis)
    editing.delete_node(gone, l.teacher)
    mine, _ = editing.add_claim(thesis, l.students[0], "My pending claim", "support", moderated=True)
    theirs, _ = editing.add_claim(thesis, l.students[1], "Their pending claim", "oppose", moderated=True)
    Comment.objects.create(node=seen, author=l.students[1], text="A remark by the other student")
    data = exported(l.map, access=access_for(l.map, l.students[0]))
    assert data["full_backup"] is False and "not a full backup" in data["notice"]
    texts = {n["text"] for n in data["nodes"]}
    assert texts == {"Lukashenko is hedging", "Approved claim", "My pending claim"}
    assert data["history"] == [] and data["memberships"] == []
    assert not any(item["deleted"] for name in ("nodes", "relations", "quotes", "comments") for item in data[name])
    body = json.dumps(data)
    # Other students only by pseudonym (teachers keep their names, as on the map's pages).
    assert l.students[1].username not in body
    assert any(c["author"] and c["author"] != l.students[1].username for c in data["comments"])
    assert Node.objects.get(pk=theirs.pk).status == NodeStatus.PENDING


def test_an_anonymized_export_names_nobody_and_says_it_is_no_backup(teacher):
    map_ = awkward_map(teacher)
    data = exported(map_, anonymize=True)
    body = json.dumps(data, ensure_ascii=False)
    for username in ("ms-teacher", "awk-ales", "awk-daria", "awk-tomas"):
        assert username not in body
    assert data["full_backup"] is False and "pseudonyms" in data["notice"]
    assert all(set(u) == {"username"} for u in data["users"])
    assert not any(n["deleted"] for n in data["nodes"]) and data["history"] == []
    assert {c["text"] for c in data["comments"]} == {
        "Where is “drawn in” in the text?\nLine two: <script>alert(1)</script>",
        "Second line of the article 🙂 — «Хроніка» (edited)",
    }  # deleted and hidden comments left out


def test_a_viewer_gets_no_full_backup(teacher, client):
    map_ = awkward_map(teacher)
    client.force_login(map_.memberships.get(user__username="awk-tomas").user)
    response = client.get(reverse("map-download", args=[map_.code, "json"]))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["full_backup"] is False and data["memberships"] == []


def test_the_owner_downloads_the_full_backup(teacher, client):
    map_ = awkward_map(teacher)
    client.login(username="ms-teacher", password="a-long-teacher-pass")
    response = client.get(reverse("map-download", args=[map_.code, "json"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert json.loads(response.content)["full_backup"] is True


def test_the_demo_map_exports_every_quote(demo_map):
    data = exported(demo_map)
    assert len(data["quotes"]) == Quote.objects.filter(node__map=demo_map).count() >= 39
    assert data["map"]["owner"] == "ms-novak"


# Its queries: tests/test_export_queries.py, for every format.
@pytest.mark.parametrize("size", [20, 400])
def test_the_owner_downloads_every_node_of_a_small_or_large_map(demo_map, client, size):
    owner = demo_map.owner
    owner.set_password(PASSWORD)
    owner.save()
    client.login(username=owner.username, password=PASSWORD)
    map_ = build_map(f"Size {size}", list(demo_map.sources.all()), Shape(nodes=size), owner=owner)
    response = client.get(reverse("map-download", args=[map_.code, "json"]))
    assert response.status_code == 200 and len(json.loads(response.content)["nodes"]) >= size
