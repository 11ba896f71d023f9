"""Every format in the registry costs a fixed number of queries: the download whatever the map's
size, and the rendering none at all (everything is read by the loader first). A new format is
covered by being registered."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from argmap.access import Access
from argmap.exports import FORMATS
from argmap.exports.loading import MapExport
from argmap.models import Map, Source
from argmap.synthetic import Shape, build_map

# The loader's queries, the access check and the session: the same for every format (11 for the owner).
MOST_QUERIES = 14


@pytest.fixture
def sources(db):
    return [Source.objects.create(text="Minsk said one thing. Moscow heard another. " * 80)]


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_renders_a_large_map_without_a_query(sources, teacher, name, django_assert_num_queries):
    large = build_map("Large", sources, Shape(nodes=500), owner=teacher)
    # Loaded as the download view loads it.
    export = MapExport.load(Access.for_site_operator(Map.objects.select_related("owner").get(pk=large.pk)))
    with django_assert_num_queries(0):
        FORMATS[name].render(export)


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "owner"])
@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_download_runs_the_same_queries_for_a_small_and_a_large_map(
        client, sources, teacher, name, signed_in, django_assert_max_num_queries):
    if signed_in:
        client.force_login(teacher)
    # 500 nodes: more than a picture draws (svg.MAX_BOXES), so the cut-off costs nothing either.
    small = build_map("Small", sources, Shape(nodes=20), owner=teacher)
    large = build_map("Large", sources, Shape(nodes=500), owner=teacher)
    counts = []
    for map_ in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("map-download", args=[map_.code, name]))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= MOST_QUERIES, counts
    with django_assert_max_num_queries(counts[0]):
        client.get(reverse("map-export", args=[large.code]))
