"""Model rules: the map stays acyclic, quotes match their source, deleting keeps history."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from argmap.access import Access
from argmap.browsing import read_graph
from argmap.models import CycleError, Map, MapSource, Node, NodeKind, Quote, Relation, Source, Stance


def test_it_refuses_a_relation_that_closes_a_cycle(build):
    b = build()
    thesis = b.thesis()
    a = b.claim("A", under=thesis)
    c = b.claim("C", under=a)
    d = b.claim("D", under=c, stance="oppose")
    with pytest.raises(CycleError, match="go round in a circle"):
        a.bear_on(d, Stance.SUPPORT)
    with pytest.raises(CycleError):
        c.bear_on(c, Stance.SUPPORT)
    assert Relation.objects.filter(child=a).count() == 1


def test_it_refuses_relations_that_break_the_maps_shape(build):
    b = build()
    thesis, other_thesis = b.thesis("T1"), b.thesis("T2")
    a = b.claim("A", under=thesis)
    with pytest.raises(ValidationError, match="thesis stands on its own"):
        other_thesis.bear_on(thesis, Stance.SUPPORT)
    with pytest.raises(ValidationError, match="already bears on"):
        a.bear_on(thesis, Stance.OPPOSE)
    with pytest.raises(ValidationError, match="support or oppose"):
        a.bear_on(other_thesis, "sideways")
    elsewhere = build().thesis("Elsewhere")
    with pytest.raises(ValidationError, match="same map"):
        a.bear_on(elsewhere, Stance.SUPPORT)


def test_it_lets_one_node_bear_on_two_theses_with_opposite_sides(build):
    b = build()
    hedging, loyal = b.thesis("Hedging"), b.thesis("Loyal")
    relay = b.claim("Relay stations stopped", under=hedging)
    relay.bear_on(loyal, Stance.OPPOSE)
    graph = read_graph(Access.for_site_operator(b.map))
    assert (graph.side(hedging.pk, relay.pk), graph.side(loyal.pk, relay.pk)) == ("support", "oppose")


@pytest.mark.django_db(transaction=True)
def test_it_refuses_the_second_half_of_a_cycle_added_at_the_same_time(build):
    b = build()
    thesis = b.thesis()
    a = b.claim("A", under=thesis)
    c = b.claim("C", under=thesis)
    start = threading.Barrier(2)
    outcomes = []

    def link(child, parent):
        try:
            start.wait()
            child.bear_on(parent, Stance.SUPPORT)
            outcomes.append("linked")
        except CycleError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=link, args=pair) for pair in [(a, c), (c, a)]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["linked", "refused"]
    assert Relation.objects.filter(child__in=[a, c], parent__in=[a, c]).count() == 1


def test_it_refuses_a_quote_that_differs_from_the_source(build, article):
    b = build()
    evidence = b.claim("Stations", under=b.thesis())
    start = article.text.index("The relay")
    with pytest.raises(ValidationError, match="does not match the source"):
        Quote(node=evidence, source=article, start=start, end=start + 18, exact="The relay station.").save()
    with pytest.raises(ValidationError, match="outside the source"):
        Quote(node=evidence, source=article, start=start, end=10_000, exact="The relay").save()
    assert not Quote.objects.exists()


def test_it_refuses_a_quote_of_a_source_the_map_does_not_use(build):
    b = build()
    evidence = b.claim("Stations", under=b.thesis())
    stranger = Source.objects.create(text="Another article entirely.")
    with pytest.raises(ValidationError, match="sources of its own map"):
        Quote.anchor(evidence, stranger, "Another article").save()


def test_it_stores_selectors_that_point_at_the_source_text(build, article):
    b = build()
    evidence = b.claim("Stations", under=b.thesis(), quote="The relay stations stopped working.")
    quote = evidence.quotes.get()
    assert article.text[quote.start : quote.end] == quote.exact
    assert article.text[: quote.start].endswith(quote.prefix) and quote.prefix.endswith("another.\n")
    assert article.text[quote.end :].startswith(quote.suffix) and quote.suffix.startswith(" Minsk said")


def test_it_never_changes_the_text_of_a_quoted_source(build, article):
    b = build()
    b.claim("Stations", under=b.thesis(), quote="The relay stations stopped working.")
    article.text = article.text.replace("relay", "radio")
    with pytest.raises(ValidationError, match="cannot change"):
        article.save()
    assert "relay stations" in Source.objects.get(pk=article.pk).text


def test_it_lets_an_unquoted_source_be_corrected(article):
    article.text = "Corrected text."
    article.save()
    assert Source.objects.get(pk=article.pk).content_hash != "" and article.code


def test_it_hides_a_deleted_node_and_what_hangs_only_from_it_until_restored(build):
    b = build()
    thesis = b.thesis()
    a = b.claim("A", under=thesis)
    only_under_a = b.claim("Only under A", under=a)
    shared = b.claim("Under A and the thesis", under=a)
    shared.bear_on(thesis, Stance.OPPOSE)
    a.soft_delete()
    graph = read_graph(Access.for_site_operator(b.map))
    assert a.pk not in graph and only_under_a.pk not in graph
    assert shared.pk in graph and graph.descendant_count(thesis.pk) == 1
    assert Node.objects.filter(pk=a.pk).exists()  # still there, for history and restore
    a.restore()
    graph = read_graph(Access.for_site_operator(Map.objects.get(pk=b.map.pk)))
    assert {a.pk, only_under_a.pk, shared.pk} <= graph.nodes
    assert graph.descendant_count(thesis.pk) == 3


def test_it_refuses_a_cycle_through_a_deleted_node_so_restoring_is_safe(build):
    b = build()
    thesis = b.thesis()
    a = b.claim("A", under=thesis)
    c = b.claim("C", under=a)
    a.soft_delete()
    with pytest.raises(CycleError):
        a.bear_on(c, Stance.SUPPORT)


def test_it_bumps_the_map_revision_on_every_change_to_its_shape(build):
    b = build()
    revisions = [Map.objects.get(pk=b.map.pk).revision]
    thesis = b.thesis()
    revisions.append(Map.objects.get(pk=b.map.pk).revision)
    a = b.claim("A", under=thesis, quote="Moscow heard another.")
    revisions.append(Map.objects.get(pk=b.map.pk).revision)
    a.soft_delete()
    revisions.append(Map.objects.get(pk=b.map.pk).revision)
    assert revisions == sorted(set(revisions))  # strictly increasing


def test_it_keeps_kinds_and_visibility_as_declared(build):
    b = build()
    assert b.thesis().kind == NodeKind.THESIS
    assert MapSource.objects.filter(map=b.map).count() == 1
