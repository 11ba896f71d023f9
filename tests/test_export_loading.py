"""The data every export reads: loaded in a fixed number of queries; what a reader sees; names."""

from argmap import editing
from argmap.access import Access, access_for
from argmap.classroom.pseudonyms import ensure_pseudonyms
from argmap.exports.loading import MapExport
from argmap.models import Comment, Map, Node, NodeStatus
from argmap.synthetic import Shape, build_map


def test_it_loads_the_demo_map_whole(demo_map):
    export = MapExport.load(Access.for_site_operator(demo_map))
    assert len(export.nodes) == Node.objects.filter(map=demo_map).count()
    assert len(export.theses) == 2
    assert {s.pk for s in export.sources} == set(demo_map.sources.values_list("pk", flat=True))
    assert len(export.live_quotes()) == 39
    assert export.name(demo_map.owner) == demo_map.owner.username


def test_it_costs_the_same_queries_for_a_small_and_a_large_map(demo_map, django_assert_num_queries):
    sources = list(demo_map.sources.all())
    small = build_map("Small", sources, Shape(nodes=20), owner=demo_map.owner)
    large = build_map("Large", sources, Shape(nodes=600), owner=demo_map.owner)
    counts = []
    for map_ in (small, large):
        map_ = Map.objects.get(pk=map_.pk)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            export = MapExport.load(Access.for_site_operator(map_))
            [export.name(n.author) for n in export.nodes]
            export.live_quotes(), export.live_comments(), export.theses
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 10


def test_deleted_and_others_pending_nodes_are_left_out_of_what_a_reader_sees(lesson):
    l = lesson(moderation=True)
    thesis = l.builder.thesis("Lukashenko is hedging")
    kept = l.builder.claim("He keeps doors open", under=thesis)
    gone = l.builder.claim("Taken back", under=thesis)
    editing.delete_node(gone, l.teacher)
    pending = Node.objects.create(map=l.map, text="Pending claim", author=l.students[0], status=NodeStatus.PENDING)
    pending.bear_on(thesis, "support")
    everything = MapExport.load(Access.for_site_operator(l.map))
    assert {n.pk for n in everything.nodes} >= {kept.pk, gone.pk, pending.pk}
    assert {n.pk for n in everything.live_nodes()} == {thesis.pk, kept.pk, pending.pk}
    other_student = MapExport.load(access_for(l.map, l.students[1]))
    assert {n.pk for n in other_student.live_nodes()} == {thesis.pk, kept.pk}
    author = MapExport.load(access_for(l.map, l.students[0]))
    assert pending.pk in {n.pk for n in author.live_nodes()}


def test_names_become_pseudonyms_for_a_student_of_an_anonymous_exercise_or_on_request(lesson):
    l = lesson(anonymity=True)
    ensure_pseudonyms(l.exercise)
    thesis = l.builder.thesis("Lukashenko is hedging")
    claim = Node.objects.create(map=l.map, text="Student claim", author=l.students[0])
    claim.bear_on(thesis, "support")
    Comment.objects.create(node=claim, author=l.students[1], text="Really?")
    seen_by_other = MapExport.load(access_for(l.map, l.students[1]))
    shown = {seen_by_other.name(n.author) for n in seen_by_other.nodes}
    assert l.students[0].username not in shown and seen_by_other.anonymized
    requested = MapExport.load(Access.for_site_operator(l.map), anonymize=True)
    names = {requested.name(u) for u in (l.teacher, *l.students)}
    assert not names & {l.teacher.username, *(s.username for s in l.students)}
    assert len(names) == 3 and not requested.full_backup
    assert MapExport.load(Access.for_site_operator(l.map)).name(l.students[0]) == l.students[0].username
