"""The seed articles and the demo map."""

import hashlib
import json
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from argmap.access import Access
from argmap.browsing import read_graph
from argmap.imports import import_map
from argmap.management.commands.load_seeds import demo_document
from argmap.models import Comment, Map, Node, Quote, Relation, Source

SEEDS = settings.BASE_DIR / "seeds"
SHARED_SEEDS = settings.BASE_DIR.parent / "shared" / "seeds"


def test_it_keeps_the_seed_articles_byte_for_byte():
    if not SHARED_SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for original in SHARED_SEEDS.glob("*.txt"):
        assert (SEEDS / original.name).read_bytes() == original.read_bytes(), original.name


def test_it_stores_each_article_text_exactly_as_in_its_file(demo_map):
    for entry in json.loads((SEEDS / "demo_map.json").read_text())["sources"]:
        source = Source.objects.get(content_hash=hashlib.sha256((SEEDS / entry["file"]).read_bytes()).hexdigest())
        assert source.text.encode("utf-8") == (SEEDS / entry["file"]).read_bytes()


def test_it_loads_the_seeds_once_however_often_it_runs(db):
    first = StringIO()
    call_command("load_seeds", stdout=first)
    counts = [m.objects.count() for m in (Source, Map, Node, Relation, Quote, Comment)]
    second = StringIO()
    call_command("load_seeds", stdout=second)
    assert [m.objects.count() for m in (Source, Map, Node, Relation, Quote, Comment)] == counts
    assert "5 new" in first.getvalue() and "Loaded map" in first.getvalue()
    assert "0 new" in second.getvalue() and "unchanged" in second.getvalue()


def test_the_demo_map_is_an_ordinary_argmap_json_file_once_its_texts_are_read(teacher):
    result = import_map(json.dumps(demo_document()).encode(), format="json", user=teacher)
    assert result.counts["nodes"] == 49 and result.counts["quotes"] == 39 and result.counts["sources"] == 5
    assert result.map.code != "belarus" and result.map.owner == teacher


def test_it_gives_the_demo_map_its_code_visibility_owner_and_people(demo_map):
    assert (demo_map.code, demo_map.visibility, demo_map.owner.username) == ("belarus", "public", "ms-novak")
    assert demo_map.title == "How reliable an ally is Belarus to Russia?"
    authors = set(Node.objects.in_map(demo_map).values_list("author__username", flat=True))
    assert authors == {"ms-novak", "ales", "daria", "tomas"}
    assert not any(u.has_usable_password() for u in get_user_model().objects.filter(username__in=authors))


def test_it_fills_only_the_metadata_the_articles_show(demo_map):
    fp = Source.objects.in_map(demo_map).get(title="Belarus Is the Other Loser in Putin’s War")
    assert (fp.author, fp.publisher) == ("Amy Mackinnon", "Foreign Policy")
    forum = Source.objects.in_map(demo_map).get(author="2naSalit")
    assert forum.published_on.isoformat() == "2026-07-01"
    johnson = Source.objects.in_map(demo_map).get(author="Reuben F. Johnson")
    assert johnson.title == "" and johnson.publisher == ""


def test_it_builds_a_demo_map_rich_enough_to_teach_with(demo_map):
    graph = read_graph(Access.for_site_operator(demo_map))
    theses = {n.text: n.pk for n in Node.objects.filter(pk__in=graph.theses)}
    assert {"Lukashenko is hedging", "Belarus is a loyal ally"} <= set(theses)
    quotes = Quote.objects.of_map(demo_map).live()
    evidence = {q.node_id for q in quotes}
    assert len(evidence) >= 24
    assert quotes.values("source").distinct().count() == 5
    for thesis in theses.values():
        stances = {e.stance for e in graph.children(thesis)}
        assert stances == {"support", "oppose"}
        depth = max(len(graph.path_to(n)) - 1 for n in graph.descendants(thesis))
        assert depth >= 3
    on_both = [n for n in graph.nodes if all(graph.side(t, n) for t in theses.values())]
    assert len(on_both) >= 3
    assert Comment.objects.filter(node__map=demo_map, reply_to__isnull=False).exists()


def test_it_points_the_quote_of_the_repeated_paragraph_at_one_occurrence(demo_map):
    fp = Source.objects.in_map(demo_map).get(title="Belarus Is the Other Loser in Putin’s War")
    paragraph = "When Russia launched an attempted lightning assault"
    first, second = fp.text.find(paragraph), fp.text.find(paragraph, fp.text.find(paragraph) + 1)
    assert first != -1 and second != -1
    quoted = [q for q in Quote.objects.filter(source=fp) if first <= q.start < second]
    assert len(quoted) == 1 and "twice" in quoted[0].note
    assert not [q for q in Quote.objects.filter(source=fp) if second <= q.start < second + 250]
