"""A page's queries must not grow with the map: 10 nodes or 2,000, the same small number."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from argmap import editing
from argmap.access import Access
from argmap.browsing import forget_graphs, read_graph
from argmap.classroom.pseudonyms import ensure_pseudonyms
from argmap.models import ClassRole, Decision, Enrolment, Exercise, Review, SchoolClass
from argmap.models import Comment, Map, Node, NodeStatus, Quote
from argmap.synthetic import Shape, build_map
from argmap.views import forget_pages

MAX_QUERIES = 8  # the reader's: map, sources, graph (2), theses, quote offsets, quotes, clutter ranges


@pytest.fixture
def sources(demo_map):
    return list(demo_map.sources.all())


def populated_map(nodes, sources, width):
    """Every node shown is evidence with comments, and every first-level node also appears under
    the other thesis, so each rendered row carries quotes, comments and other places."""
    shape = Shape(nodes=nodes, top_branching=width, branching=4, evidence_share=1.0, comment_share=1.0,
                  shared_share=0.2, seed=nodes)
    map_ = build_map(f"Populated {nodes}", sources, shape)
    graph = read_graph(Access.for_site_operator(map_))
    first, second = (Node.objects.get(pk=t) for t in graph.theses)
    for edge in graph.children(first.pk):
        Node.objects.get(pk=edge.child).bear_on(second, "oppose")
    map_.refresh_from_db()
    return map_, graph.theses[0], graph.children(first.pk)[0].child


def urls(map_, thesis, child, source):
    return {
        "map page": map_.get_absolute_url(),
        "map page, branch open": f"{map_.get_absolute_url()}?open={thesis}.{child}",
        "branch": f"/maps/{map_.code}/branch/?path={thesis}.{child}&open={thesis}.{child}",
        "focus": f"/maps/{map_.code}/nodes/{child}/",
        # A live update: a thesis whose children changed, one of its rows, and the scoreboard.
        "live rows": f"/maps/{map_.code}/rows/?path={thesis}&path={thesis}.{child}&changed={thesis},{child}&scores=1",
        "reader": f"/maps/{map_.code}/sources/{source.code}/",
        "reader at a quote": f"/maps/{map_.code}/sources/{source.code}/?quote="
        + str(Quote.objects.filter(node__map=map_, source=source).first().pk),
    }


# The queries of the tree rows' cards, kept while the map's activity is unchanged (browsing.map_cards):
# a warm request skips them.
CARDS = {"map page": 2, "map page, branch open": 2, "branch": 2, "live rows": 2}


def count_queries(client, url, headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return len(queries), response


def test_it_runs_the_same_few_queries_for_10_and_2000_nodes(client, sources):
    small = populated_map(10, sources, width=4)
    large = populated_map(2000, sources, width=60)
    # The reader gets the source that the large map quotes most.
    source = max(sources, key=lambda s: Quote.objects.filter(node__map=large[0], source=s).count())
    counts = {}
    for label, m in (("small", small), ("large", large)):
        for page, url in urls(*m, source).items():
            headers = {"HX-Request": "true"} if page == "branch" else {}
            forget_graphs()  # the cold path: the graph is read from the database
            cold, response = count_queries(client, url, headers)
            forget_pages()  # drawn again, the graph found in the cache
            warm, _ = count_queries(client, url, headers)
            kept, _ = count_queries(client, url, headers)  # the same page again, nothing changed
            counts[label, page] = (cold, warm, kept)
            if page == "map page":
                html = response.content.decode()
                rows = html.count('<li id="node-')
                # small: 4 under the first thesis, 4 + the 4 shared ones under the second;
                # large: a full page of 60 under each thesis (the second has 120 children)
                assert rows == (12 if label == "small" else 120)
                assert html.count("Also in 1 other place") >= rows // 2 and html.count('class="quote"') == rows
    for page in urls(*small, source):
        # Never more for the large map (the plain reader even skips one: a source quoted that
        # often lists its passages only on demand).
        assert counts["large", page] <= counts["small", page], (page, counts["large", page], counts["small", page])
        assert counts["large", page] == counts["small", page] or page == "reader", page
        cold, warm, kept = counts["small", page]
        # Warm: the graph's two queries are saved, and where tree rows show, their cards'.
        assert cold <= MAX_QUERIES and warm == cold - 2 - CARDS.get(page, 0), (page, cold, warm)
        # A kept page costs only the access check's query (the live rows are never kept).
        assert kept == (warm if page == "live rows" else 1), (page, kept)


def test_it_keeps_the_large_pages_within_the_limit_for_a_signed_in_user(client, sources, teacher,
                                                                         django_assert_max_num_queries):
    large = populated_map(2000, sources, width=60)
    client.force_login(teacher)  # + the session and the user
    for page, url in urls(*large, sources[0]).items():
        forget_graphs()
        with django_assert_max_num_queries(MAX_QUERIES + 2):
            client.get(url, headers={"HX-Request": "true"} if page == "branch" else {})


# An exercise's map, read by a student, with moderation and anonymity on: the graph leaves out
# another student's pending branches, the student's own rejected claim shows its feedback, and
# every name shown is a pseudonym. Still a fixed number of queries.


def exercise_map(nodes, sources, width, suffix):
    map_, thesis, child = populated_map(nodes, sources, width)
    User = get_user_model()
    teacher = User.objects.create_user(f"teacher-{suffix}")
    reader, writer = (User.objects.create_user(f"{name}-{suffix}") for name in ("reader", "writer"))
    school_class = SchoolClass.objects.create(name=f"Class {suffix}")
    for user, role in ((teacher, ClassRole.TEACHER), (reader, ClassRole.STUDENT), (writer, ClassRole.STUDENT)):
        Enrolment.objects.create(school_class=school_class, user=user, role=role)
    exercise = Exercise.objects.create(school_class=school_class, title="Exercise", moderation=True, anonymity=True)
    ensure_pseudonyms(exercise)
    graph = read_graph(Access.for_site_operator(map_))
    Node.objects.filter(map=map_).update(author=writer)
    Comment.objects.filter(node__map=map_).update(author=writer)
    # The writer's pending claims one level down: their branches are hidden from the reader.
    second_level = [e.child for first in graph.children(thesis) for e in graph.children(first.child)]
    Node.objects.filter(pk__in=second_level[::3]).update(status=NodeStatus.PENDING)
    # The reader's own claim, rejected with feedback: on the map page, the branch and its focus view.
    Node.objects.filter(pk=child).update(author=reader, status=NodeStatus.REJECTED)
    Review.objects.create(exercise=exercise, node_id=child, decision=Decision.REJECTED, feedback="Say why")
    # Teachers keep their names: the map's owner, the theses' author, a comment on the claim.
    Node.objects.filter(pk__in=graph.theses).update(author=teacher)
    Comment.objects.create(node_id=child, author=teacher, text="Which source?")
    Map.objects.filter(pk=map_.pk).update(exercise=exercise, owner=teacher)
    map_.refresh_from_db()
    changed = Node.objects.get(pk=child)
    editing.edit_text(changed, changed.text + " (edited)", changed.version, writer)  # history in words
    flipped = "support" if graph.edge(thesis, child).stance == "oppose" else "oppose"
    editing.change_stance(changed, Node.objects.get(pk=thesis), flipped, writer)  # names its parent
    map_.refresh_from_db()
    return (map_, thesis, child), reader


# The graph's pending nodes, the pseudonyms, the rejected claims' reviews (the last two only where
# they are shown; at most two of the three on the reader and the focus view, the largest pages).
EXERCISE_EXTRA = 2
# The impact votes of the relations shown (one query for all of them, where the reader votes or sees votes).
VOTES = 1


def test_a_student_in_a_moderated_anonymous_exercise_gets_the_same_few_queries(client, sources):
    small, small_reader = exercise_map(40, sources, 4, "small")  # deep enough for a branch below it
    large, large_reader = exercise_map(2000, sources, 60, "large")
    source = max(sources, key=lambda s: Quote.objects.filter(node__map=large[0], source=s).count())
    counts = {}
    for label, m, reader in (("small", small, small_reader), ("large", large, large_reader)):
        client.force_login(reader)
        for page, url in urls(*m, source).items():
            headers = {"HX-Request": "true"} if page == "branch" else {}
            forget_graphs()
            cold, response = count_queries(client, url, headers)
            warm, _ = count_queries(client, url, headers)
            counts[label, page] = (cold, warm)
            if page in ("map page", "focus"):
                text = response.text
                assert "Say why" in text and "writer-" not in text and f"teacher-{label}" in text, (label, page)
    for page in urls(*small, source):
        # The reader's pages may skip a query or two on the large map: a source quoted that often
        # lists its passages only on demand, and the first quote may be in a hidden branch there.
        assert counts["large", page] == counts["small", page] or page.startswith("reader"), (page, counts)
        assert counts["large", page] <= counts["small", page], (page, counts)
        cold, warm = counts["small", page]
        assert cold <= MAX_QUERIES + 2 + EXERCISE_EXTRA + VOTES and warm == cold - 3 - CARDS.get(page, 0), (page, cold, warm)
    assert max(cold for cold, _ in counts.values()) == MAX_QUERIES + 2 + EXERCISE_EXTRA + VOTES
