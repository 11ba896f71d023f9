"""The demo map's pages (seeds/demo_map.json, 49 nodes): server time warm and cold, for an anonymous
reader and a signed-in contributor, next to the floor (bench_render.floor: the demo's rows drawn raw)
timed between the same requests, so the ratio holds while other work shares the machine.

    .venv/bin/python bench/bench_demo_pages.py [--repeat 40] [--profile PAGE]

Production-like settings (ARGMAP_DEBUG=0: no template debug information, no query log); requests
go through Django's handler in this process, middleware, sessions and authentication included.
`--profile "focus view"` prints where one warm page spends its time (cProfile, top functions).
"""

import argparse
import cProfile
import pstats
import statistics
import time

import bench_render
from bench_render import contributor_on, floor, timed  # starts Django with production-like settings

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from argmap.access import Access  # noqa: E402
from argmap.browsing import load_graph  # noqa: E402
from argmap.models import Map, Quote  # noqa: E402
from benchdb import synthetic_map  # noqa: E402

try:  # the kept pages, once there are: "cold" forgets them too
    from argmap.views import forget_pages  # noqa: E402
except ImportError:
    def forget_pages():
        pass
_forget_rows = bench_render.forget_rows
bench_render.forget_rows = lambda: (_forget_rows(), forget_pages())


def demo_pages(map_):
    """The pages a reader of the demo map opens, as (label, url, headers)."""
    graph = load_graph(Access.for_site_operator(map_))
    thesis = graph.theses[0]
    child = max(graph.children(thesis), key=lambda e: graph.descendant_count(e.child)).child
    source = max(map_.sources.all(), key=lambda s: Quote.objects.filter(node__map=map_, source=s).count())
    quote = Quote.objects.filter(node__map=map_, source=source).order_by("id").first()
    base = f"/maps/{map_.code}"
    return [
        ("map page", map_.get_absolute_url(), None),
        ("branch (htmx)", f"{base}/branch/?path={thesis}.{child}&open={thesis}.{child}", {"HX-Request": "true"}),
        ("focus view", f"{base}/nodes/{child}/", None),
        ("source reader", f"{base}/sources/{source.code}/", None),
        ("reader at a quote", f"{base}/sources/{source.code}/?quote={quote.pk}", None),
    ]


def query_count(client, url, headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(url, headers=headers or {})
    return len(queries)


def profile(client, url, headers, repeat: int) -> None:
    client.get(url, headers=headers or {})
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        client.get(url, headers=headers or {})
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--profile", help="a page's label: profile it (warm, both readers) instead of timing")
    args = parser.parse_args()

    synthetic_map(1_000)  # the shared bench database: migrated, with the seeds and the demo map
    demo = Map.objects.get(code="belarus")
    clients = {"anonymous": Client(), "contributor": contributor_on([demo])}
    pages = demo_pages(demo)
    if args.profile:
        for reader, client in clients.items():
            for label, url, headers in pages:
                if label == args.profile:
                    print(f"\n===== {label}, {reader}")
                    profile(client, url, headers, args.repeat)
        return

    print(f"\ndatabase: {connection.vendor}; medians of {args.repeat} requests ({max(3, args.repeat // 4)} cold);"
          f" floor: the demo's {floor(demo)[1]} rows drawn raw, timed between the same requests")
    print("cold: nothing cached; drawn: the graph and cards cached, the page drawn (every warm request before"
          " pages were kept, and a reader's first view after a change); kept: the same page again\n")
    header = (f"{'page':18} {'reader':>11} {'cold ms':>8} {'drawn ms':>9} {'kept ms':>8} {'floor':>6}"
              f" {'kept×floor':>10} {'queries drawn/kept':>19} {'KB':>5}")
    print(header)
    print("-" * len(header))
    for label, url, headers in pages:
        for reader, client in clients.items():
            response = client.get(url, headers=headers or {})  # the first request of a process pays for imports
            cold, _, _ = timed(client, url, max(3, args.repeat // 4), demo, headers, cold=True)
            drawn = drawn_ms(client, url, headers, args.repeat)
            forget_pages()
            drawn_queries = query_count(client, url, headers)
            kept, kept_floor, _ = timed(client, url, args.repeat, demo, headers)
            print(f"{label:18} {reader:>11} {cold:8.1f} {drawn:9.1f} {kept:8.1f} {kept_floor:6.2f} {kept / kept_floor:10.1f}"
                  f" {drawn_queries:>10}/{query_count(client, url, headers):<8} {len(response.content) / 1024:5.1f}")
    print("\nThe goal: each page ≤ 10 ms warm.")


def drawn_ms(client, url, headers, repeat: int) -> float:
    """Median milliseconds of the page drawn with every other cache warm."""
    samples = []
    for _ in range(repeat):
        forget_pages()
        started = time.perf_counter()
        client.get(url, headers=headers or {})
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


if __name__ == "__main__":
    main()
