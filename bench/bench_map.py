"""Server time of the browsing pages on a synthetic 10,000-node map, next to the small demo map.

    .venv/bin/python bench/bench_map.py [--nodes 10000] [--repeat 30]

Uses its own database (bench/out/bench.sqlite3) unless DATABASE_URL is set, builds the map once
(realistic depth and branching, quotes spread over the five seed articles), then times each page
through Django's request handler in this process: the server's work, without network or browser.
"cold" reads the map's graph from the database; "warm" finds it in the per-process cache, as every
request after the first does until the map changes.
"""

import argparse
import statistics
import time

from benchdb import start_django, synthetic_map

start_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from argmap.access import Access  # noqa: E402
from argmap.browsing import forget_graphs, load_graph, read_graph  # noqa: E402
from argmap.models import Map, Quote  # noqa: E402


def timed(client, url, repeat, headers=None, cold=False):
    """Median and 90th percentile in milliseconds, the query count, and the response size."""
    samples = []
    for _ in range(repeat):
        if cold:
            forget_graphs()
        started = time.perf_counter()
        response = client.get(url, headers=headers or {})
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    if cold:
        forget_graphs()
    with CaptureQueriesContext(connection) as queries:
        client.get(url, headers=headers or {})
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9) - 1], len(queries), len(response.content)


def pages(map_):
    graph = load_graph(Access.for_site_operator(map_))
    thesis = graph.theses[0]
    child = max(graph.children(thesis), key=lambda e: graph.descendant_count(e.child)).child
    source = max(map_.sources.all(), key=lambda s: Quote.objects.filter(node__map=map_, source=s).count())
    quote = Quote.objects.filter(node__map=map_, source=source).first()
    htmx = {"HX-Request": "true"}
    return [
        ("map page", map_.get_absolute_url(), None),
        ("expand a node (htmx)", f"/maps/{map_.code}/branch/?path={thesis}.{child}&open={thesis}.{child}", htmx),
        ("filter: opposing only (htmx)", f"{map_.get_absolute_url()}?filter=oppose", {**htmx, "HX-Target": "trees"}),
        ("focus view", f"/maps/{map_.code}/nodes/{child}/", None),
        ("source reader", f"/maps/{map_.code}/sources/{source.code}/", None),
        ("reader at a quote", f"/maps/{map_.code}/sources/{source.code}/?quote={quote.pk}", None),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    map_ = synthetic_map(args.nodes)
    demo = Map.objects.get(code="belarus")

    started = time.perf_counter()
    graph = read_graph(Access.for_site_operator(map_))
    read_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    counts = [graph.descendant_count(t) for t in graph.theses]
    for t in graph.theses:
        graph.sides(t)
    shape_ms = (time.perf_counter() - started) * 1000
    quotes = Quote.objects.filter(node__map=map_).count()
    depth = max(len(graph.path_to(n)) for n in list(graph.nodes)[:: max(1, len(graph) // 500)])
    print(f"\n{len(graph)} visible nodes, {quotes} quotes, theses with {counts} descendants, depth about {depth}")
    print(f"reading the graph: {read_ms:.0f} ms; distinct counts and sides for every node: {shape_ms:.0f} ms")
    print(f"database: {connection.vendor}; {args.repeat} requests per figure; times in ms (median / p90)\n")

    client = Client()
    header = f"{'page':32} {'map':>8} {'cold':>15} {'warm':>15} {'queries':>8} {'KB':>7}"
    print(header)
    print("-" * len(header))
    for label, subject in (("demo (49 nodes)", demo), (f"{args.nodes} nodes", map_)):
        for page, url, headers in pages(subject):
            cold_median, cold_p90, queries, size = timed(client, url, max(5, args.repeat // 3), headers, cold=True)
            warm_median, warm_p90, warm_queries, _ = timed(client, url, args.repeat, headers)
            print(f"{page:32} {label:>16} {cold_median:6.1f} / {cold_p90:5.1f} {warm_median:6.1f} / {warm_p90:5.1f}"
                  f" {queries:>4}/{warm_queries:<3} {size / 1024:7.1f}")
        print()


if __name__ == "__main__":
    main()
