"""A page's queries must not grow with the map: 10 nodes or 2,000, the same small number."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from argmap.browsing import forget_graphs, read_graph
from argmap.models import Node, Quote
from argmap.synthetic import Shape, build_map

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
    graph = read_graph(map_)
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
        "reader": f"/maps/{map_.code}/sources/{source.code}/",
        "reader at a quote": f"/maps/{map_.code}/sources/{source.code}/?quote="
        + str(Quote.objects.filter(node__map=map_, source=source).first().pk),
    }


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
            warm, _ = count_queries(client, url, headers)
            counts[label, page] = (cold, warm)
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
        cold, warm = counts["small", page]
        assert cold <= MAX_QUERIES and warm == cold - 2, (page, cold, warm)


def test_it_keeps_the_large_pages_within_the_limit_for_a_signed_in_user(client, sources, teacher,
                                                                         django_assert_max_num_queries):
    large = populated_map(2000, sources, width=60)
    client.force_login(teacher)  # + the session and the user
    for page, url in urls(*large, sources[0]).items():
        forget_graphs()
        with django_assert_max_num_queries(MAX_QUERIES + 2):
            client.get(url, headers={"HX-Request": "true"} if page == "branch" else {})
