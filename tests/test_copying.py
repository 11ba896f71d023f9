"""Copies of a map (what each small group starts from): the live content, nothing else, in a fixed
number of queries."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from argmap import anchoring, editing
from argmap.classroom.copying import copy_map
from argmap.models import Change, ClutterRange, Comment, Map, MapSource, Membership, Node, Quote, Relation, Source
from argmap.synthetic import Shape, build_map


@pytest.fixture
def copier(db):
    return get_user_model().objects.create_user("ms-copier", password="a-long-copier-pass")


def theses(map_):
    return sorted(Node.objects.filter(map=map_).live().theses().values_list("text", flat=True))


def relations_by_text(map_):
    return sorted(
        Relation.objects.filter(map=map_).live().values_list("child__text", "parent__text", "stance")
    )


def quotes_by_text(map_):
    return sorted(
        Quote.objects.of_map(map_).live().values_list("node__text", "source_id", "start", "end", "exact", "prefix", "suffix", "note")
    )


def test_it_copies_theses_claims_relations_and_quotes_under_a_new_code(demo_map, copier):
    copy = copy_map(demo_map, owner=copier)
    assert copy.pk != demo_map.pk and copy.code != demo_map.code
    assert copy.title == demo_map.title and copy.question == demo_map.question and copy.owner == copier
    assert theses(copy) == theses(demo_map) and len(theses(copy)) >= 2
    assert sorted(Node.objects.filter(map=copy).values_list("kind", "text", "author_id", "status", "created_at")) == sorted(
        Node.objects.filter(map=demo_map).values_list("kind", "text", "author_id", "status", "created_at")
    )
    assert relations_by_text(copy) == relations_by_text(demo_map) and relations_by_text(copy)
    assert quotes_by_text(copy) == quotes_by_text(demo_map) and quotes_by_text(copy)
    # Every relation and quote of the copy belongs to the copy's own nodes.
    assert not Relation.objects.filter(map=copy).exclude(child__map=copy).exists()
    assert not Relation.objects.filter(map=copy).exclude(parent__map=copy).exists()
    assert Quote.objects.of_map(copy).count() == Quote.objects.of_map(demo_map).count()


def test_it_attaches_the_same_sources_without_duplicating_them(demo_map, copier):
    sources_before = Source.objects.count()
    copy = copy_map(demo_map, owner=copier)
    assert Source.objects.count() == sources_before
    assert list(copy.sources.order_by("id")) == list(demo_map.sources.order_by("id"))
    assert MapSource.objects.filter(map=copy).count() == 5


def test_its_quotes_still_mark_their_passages_in_the_source_texts(demo_map, copier):
    copy = copy_map(demo_map, owner=copier)
    for quote in Quote.objects.of_map(copy).select_related("source"):
        anchoring.verify(quote.source.text, quote.start, quote.end, quote.exact)
        assert quote.source.text[quote.start : quote.end] == quote.exact


def test_it_copies_live_clutter_and_leaves_deleted_things_behind(demo_map, copier):
    owner = demo_map.owner
    source = demo_map.sources.first()
    ClutterRange.objects.create(map=demo_map, source=source, start=0, end=20, label="menu")
    ClutterRange.objects.create(map=demo_map, source=source, start=30, end=40, label="gone").soft_delete()
    evidence = Quote.objects.of_map(demo_map).select_related("node").first()
    gone_node = evidence.node
    editing.delete_node(gone_node, owner)
    other_quote = Quote.objects.of_map(demo_map).live().filter(node__deleted_at__isnull=True).first()
    editing.delete_quote(other_quote, owner)

    copy = copy_map(demo_map, owner=copier)

    assert list(ClutterRange.objects.filter(map=copy).values_list("source_id", "start", "end", "label", "deleted_at")) == [
        (source.pk, 0, 20, "menu", None)
    ]
    copied_texts = set(Node.objects.filter(map=copy).values_list("text", flat=True))
    assert gone_node.text not in copied_texts
    assert not Node.objects.filter(map=copy, deleted_at__isnull=False).exists()
    assert not Quote.objects.of_map(copy).filter(exact=other_quote.exact, start=other_quote.start).exists()
    assert not Relation.objects.filter(map=copy).filter(child__text=gone_node.text).exists()
    assert not Quote.objects.of_map(copy).filter(deleted_at__isnull=False).exists()
    live_relations = sorted(
        Relation.objects.filter(map=demo_map).live()
        .filter(child__deleted_at__isnull=True, parent__deleted_at__isnull=True)
        .values_list("child__text", "parent__text", "stance")
    )
    assert relations_by_text(copy) == live_relations
    assert len(live_relations) < len(Relation.objects.filter(map=demo_map))


def test_it_copies_no_comments_history_or_roles(demo_map, copier):
    assert Comment.objects.filter(node__map=demo_map).exists()
    Membership.objects.create(map=demo_map, user=copier, role="editor")
    thesis = Node.objects.filter(map=demo_map).theses().first()
    editing.edit_text(thesis, thesis.text + " (edited)", thesis.version, demo_map.owner)
    assert Change.objects.filter(map=demo_map).exists()
    copy = copy_map(demo_map, owner=copier)
    assert not Comment.objects.filter(node__map=copy).exists()
    assert not Membership.objects.filter(map=copy).exists()
    changes = list(Change.objects.filter(map=copy))
    assert len(changes) == 1
    assert changes[0].target_type == "map" and changes[0].target_id == copy.pk and changes[0].actor == copier
    assert changes[0].after["copied_from"] == demo_map.code


def test_it_leaves_the_original_as_it_was(demo_map, copier):
    before = (
        relations_by_text(demo_map), quotes_by_text(demo_map), theses(demo_map),
        Node.objects.filter(map=demo_map).count(), Comment.objects.filter(node__map=demo_map).count(),
        Change.objects.filter(map=demo_map).count(),
    )
    demo_map.refresh_from_db()
    revision = demo_map.revision
    copy = copy_map(demo_map, owner=copier)
    assert before == (
        relations_by_text(demo_map), quotes_by_text(demo_map), theses(demo_map),
        Node.objects.filter(map=demo_map).count(), Comment.objects.filter(node__map=demo_map).count(),
        Change.objects.filter(map=demo_map).count(),
    )
    demo_map.refresh_from_db()
    assert demo_map.revision == revision
    # Changing the copy does not touch the original.
    Node.objects.filter(map=copy).update(text="changed")
    assert theses(demo_map) == before[2]


def test_it_bumps_the_copys_revision_so_cached_graphs_are_not_reused(demo_map, copier):
    copy = copy_map(demo_map, owner=copier)
    assert copy.revision >= 1 and copy.activity >= 1


def test_it_names_the_exercise_group_title_and_visibility_when_given(lesson, copier):
    from argmap.models import ExerciseGroup

    l = lesson(groups=True)
    l.builder.claim("Stations went quiet", under=l.builder.thesis("Hedging"), quote="The relay stations stopped working.")
    group = ExerciseGroup.objects.create(exercise=l.exercise, name="Group A")
    copy = copy_map(l.map, title="Group A: Test map", owner=l.teacher, exercise=l.exercise, group=group,
                    visibility="private")
    assert (copy.title, copy.exercise, copy.group, copy.visibility) == ("Group A: Test map", l.exercise, group, "private")
    assert list(group.maps.all()) == [copy]
    plain = copy_map(l.map, owner=copier)
    assert plain.exercise is None and plain.group is None and plain.visibility == l.map.visibility


def test_it_makes_nothing_when_a_write_fails(demo_map, copier, monkeypatch):
    maps_before, nodes_before, changes_before = Map.objects.count(), Node.objects.count(), Change.objects.count()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Quote.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        copy_map(demo_map, owner=copier)
    assert (Map.objects.count(), Node.objects.count(), Change.objects.count()) == (
        maps_before, nodes_before, changes_before
    )


def copy_queries(map_, owner) -> int:
    with CaptureQueriesContext(connection) as captured:
        copy_map(map_, owner=owner)
    return len(captured)


def test_it_takes_the_same_number_of_queries_for_a_small_and_a_large_map(demo_map, copier):
    sources = list(demo_map.sources.all())
    small = build_map("Small", sources, Shape(nodes=12, theses=2, seed=3))
    large = build_map("Large", sources, Shape(nodes=300, theses=3, seed=4))
    assert Node.objects.filter(map=large).count() == 300
    small_count, large_count = copy_queries(small, copier), copy_queries(large, copier)
    assert small_count == large_count
    assert large_count <= 19  # 16, and the live-updates log written with the revision bump (Map.touch)
    copy = Map.objects.get(title="Large", owner=copier)
    assert Node.objects.filter(map=copy).count() == 300
    assert relations_by_text(copy) == relations_by_text(large)
