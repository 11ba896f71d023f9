"""What live updates cost the server: one poll while nothing changed, one that reports a change,
and delivering a change to an open map page, row by row (now) next to re-fetching its whole trees
region (what every open page did before, and still does when it cannot be told what changed),
measured in the same run.

    .venv/bin/python bench/bench_live.py [--nodes 1000] [--repeat 50]

On the demo map and on a synthetic map (bench/benchdb.py). The change delivered is a new claim
under an open first-level branch: the page asks for the thesis's card and list, the branch's card
and list (the new row drawn whole, the others as placeholders), and the scoreboard; a comment on
the branch's node needs its card alone. Times are the server's work through Django's request handler in this process (median and 90th percentile, ms);
the machine is shared, so compare the columns of one run, not runs.
"""

import argparse
import statistics
import time

from benchdb import start_django, synthetic_map

start_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils.http import urlencode  # noqa: E402

from argmap import live  # noqa: E402
from argmap.access import Access  # noqa: E402
from argmap.browsing import load_graph  # noqa: E402
from argmap.models import Map, Node  # noqa: E402


def timed(client, url, repeat, status, headers=None):
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, headers=headers or {})
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == status, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, headers=headers or {})
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9) - 1], len(queries), len(response.content)


def measure(map_, repeat):
    client = Client()
    graph = load_graph(Access.for_site_operator(map_))
    thesis = graph.theses[0]
    branch = max(graph.children(thesis), key=lambda e: len(graph.children(e.child))).child
    new = Node.objects.filter(map=map_, text="A claim for bench_live").first()
    if new is None:
        new = Node.objects.create(map=map_, text="A claim for bench_live")
        new.bear_on(Node.objects.get(pk=branch), "oppose")
    map_.refresh_from_db()
    token = live.make_token(map_, None)
    poll = f"/maps/{map_.code}/activity/?"
    open_branch = f"{thesis}.{branch}"
    rows = urlencode([("path", thesis), ("path", open_branch), ("open", open_branch),
                      ("changed", f"{branch},{new.pk}"), ("scores", "1")])
    one_card = urlencode([("path", open_branch), ("open", open_branch), ("changed", branch)])
    whole = f"{map_.get_absolute_url()}?{urlencode({'open': open_branch})}"
    htmx = {"HX-Request": "true"}
    client.get(whole)  # the graph in the cache, as on a running server
    return [
        ("poll, unchanged (204)", timed(client, poll + urlencode({"token": token, "since": map_.activity}), repeat, 204)),
        ("poll, a change reported", timed(client, poll + urlencode({"token": token, "since": map_.activity - 1}), repeat,
                                          200, htmx)),
        ("deliver: changed rows (now)", timed(client, f"/maps/{map_.code}/rows/?{rows}", repeat, 200, htmx)),
        ("deliver: a comment, one card (now)", timed(client, f"/maps/{map_.code}/rows/?{one_card}", repeat, 200, htmx)),
        ("deliver: whole trees (before)", timed(client, whole, repeat, 200, {**htmx, "HX-Target": "trees"})),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    synthetic = synthetic_map(args.nodes)
    for map_ in (Map.objects.get(code="belarus"), synthetic):
        print(f"\n{map_.title} ({len(load_graph(Access.for_site_operator(map_)))} nodes)")
        print(f"{'request':32} {'median ms':>10} {'p90 ms':>8} {'queries':>8} {'bytes':>8}")
        results = measure(map_, args.repeat)
        for label, (median, p90, queries, size) in results:
            print(f"{label:32} {median:10.2f} {p90:8.2f} {queries:8} {size:8}")
        before = results[4][1][0]
        for label, (now, *_) in results[2:4]:
            print(f"{label}: {now:.2f} ms vs the whole trees' {before:.2f} ms = {before / now:.1f}x less server time")


if __name__ == "__main__":
    main()
