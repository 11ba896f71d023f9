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

Then what open pages' polling costs the server while nothing changes: the CPU time (of this process,
so other work on the machine does not count) of one unchanged poll through Django's WSGI handler as
gunicorn calls it, times the polls per second of 200 open pages at a 4 s period (before) and a 2 s
period (now), as a share of one core; "before" puts back the ORM-built query the poll used to run.
"""

import argparse
import io
import os
import statistics
import time

from benchdb import start_django, synthetic_map

os.environ.setdefault("ARGMAP_DEBUG", "0")  # as in production: no query log, no static files rescans
start_django()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
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


OPEN_PAGES = 200


def poll_cpu_ms(map_, repeat: int) -> float:
    """Median CPU milliseconds of one unchanged poll through the WSGI handler (no test client)."""
    handler = WSGIHandler()
    query = urlencode({"token": live.make_token(map_, None), "since": map_.activity})
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": f"/maps/{map_.code}/activity/", "QUERY_STRING": query,
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver", "HTTP_HX_REQUEST": "true", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(), "wsgi.errors": io.StringIO(),
    }
    statuses, samples = [], []

    def start_response(status, headers):
        statuses.append(status)

    for _ in range(repeat):
        started = time.process_time_ns()
        b"".join(handler(dict(environ), start_response))
        samples.append((time.process_time_ns() - started) / 1e6)
    assert set(statuses) == {"204 No Content"}, set(statuses)
    return statistics.median(samples)


def query_cpu_ms(ask, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.process_time_ns()
        ask()
        samples.append((time.process_time_ns() - started) / 1e6)
    return statistics.median(samples)


def print_polling_cost(map_, repeat: int) -> None:
    now = poll_cpu_ms(map_, repeat)
    # Before, the poll built its one query through the ORM; the rest of the request is the same.
    orm = query_cpu_ms(lambda: Map.objects.filter(pk=map_.pk).only("code", "activity", "revision", "exercise_id")
                       .first(), repeat)
    raw = query_cpu_ms(lambda: Map.objects.for_poll(map_.pk), repeat)
    before = now - raw + orm
    print(f"\n{OPEN_PAGES} open pages polling an unchanged map ({map_.title})")
    print(f"one poll, CPU ms: {now:.2f} now; its query {raw:.2f} written out, {orm:.2f} built by the ORM"
          f" (before: {before:.2f})")
    print(f"{'period':28} {'polls/s':>8} {'CPU ms/s':>9} {'of a core':>10} {'worst wait s':>13}")
    for label, seconds, cpu in [("before: every 4 s, ORM query", 4, before), ("every 2 s, ORM query", 2, before),
                                ("now: every 2 s, SQL written", 2, now)]:
        rate = OPEN_PAGES / seconds
        print(f"{label:28} {rate:8.0f} {rate * cpu:9.1f} {rate * cpu / 1000:9.1%} {seconds:13}")


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
    print_polling_cost(Map.objects.get(code="belarus"), args.repeat * 20)


if __name__ == "__main__":
    main()
