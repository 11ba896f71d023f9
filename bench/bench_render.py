"""How close the map pages come to the floor: server time next to a raw render of as many rows,
both measured in this run (so the ratio holds even while other work shares the machine).

    .venv/bin/python bench/bench_render.py [--repeat 20]

The floor for n rows: one SELECT of the map's live nodes (id, text, parent), then nested
`<ul><li>` strings joined in plain Python with the text escaped. Pages are timed through Django's
request handler in this process (the server's work, without network or browser), for an
anonymous reader and for a signed-in contributor (who gets the editing controls and vote forms).
"cold" reads the map's graph from the database and finds no rendered row kept; "warm" is every
request after that until the map changes.
"""

import argparse
import html
import statistics
import time

import os

from benchdb import start_django, synthetic_map

os.environ.setdefault("ARGMAP_DEBUG", "0")  # as in production: no template debug information, no query log
start_django()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from argmap.access import Access  # noqa: E402
from argmap.browsing import forget_graphs, load_graph  # noqa: E402
from argmap.models import Map, Membership, Node, Quote, Relation, Role  # noqa: E402

try:  # the row cache, once there is one
    from argmap.views.rows import forget_rows  # noqa: E402
except ImportError:
    def forget_rows():
        pass


def floor(map_) -> tuple[float, int]:
    """Milliseconds for the raw render of every live node of the map once, and the rows drawn."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT n.id, n.text, r.parent_id FROM {Node._meta.db_table} n"
            f" LEFT JOIN {Relation._meta.db_table} r ON r.child_id = n.id AND r.deleted_at IS NULL"
            " WHERE n.map_id = %s AND n.deleted_at IS NULL ORDER BY n.id",
            [map_.pk],
        )
        rows = cursor.fetchall()
    texts, children, roots = {}, {}, []
    for node, text, parent in rows:
        if node not in texts:  # the first parent only: each node drawn once
            texts[node] = text
            (children.setdefault(parent, []) if parent else roots).append(node)
    parts = []

    def draw(nodes):
        parts.append("<ul>")
        for node in nodes:
            parts.append(f'<li id="node-{node}">{html.escape(texts[node])}')
            if node in children:
                draw(children[node])
            parts.append("</li>")
        parts.append("</ul>")

    draw(roots)
    html = "".join(parts)
    assert html.count("<li") == len(texts)
    return (time.perf_counter() - started) * 1000, len(texts)


def median_floor(map_, repeat) -> tuple[float, int]:
    samples = [floor(map_) for _ in range(repeat)]
    return statistics.median(ms for ms, _ in samples), samples[0][1]


def timed(client, url, repeat, headers=None, cold=False) -> tuple[float, int]:
    """Median milliseconds, and the number of rows in the last response."""
    samples = []
    for _ in range(repeat):
        if cold:
            forget_graphs()
            forget_rows()
        started = time.perf_counter()
        response = client.get(url, headers=headers or {})
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples), response.content.decode().count('<li id="node-')


def demo_pages(map_):
    graph = load_graph(Access.for_site_operator(map_))
    thesis = graph.theses[0]
    child = max(graph.children(thesis), key=lambda e: graph.descendant_count(e.child)).child
    source = max(map_.sources.all(), key=lambda s: Quote.objects.filter(node__map=map_, source=s).count())
    return [
        ("demo map page", map_.get_absolute_url(), None),
        ("demo branch (htmx)", f"/maps/{map_.code}/branch/?path={thesis}.{child}&open={thesis}.{child}",
         {"HX-Request": "true"}),
        ("demo focus view", f"/maps/{map_.code}/nodes/{child}/", None),
        ("demo source reader", f"/maps/{map_.code}/sources/{source.code}/", None),
    ]


def contributor_on(maps):
    user, _ = get_user_model().objects.get_or_create(username="bench-contributor")
    for map_ in maps:
        Membership.objects.get_or_create(map=map_, user=user, defaults={"role": Role.CONTRIBUTOR})
    client = Client()
    client.force_login(user)
    return client


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    # The 1,000-node map draws more rows than the page allows to expand at once: lift the limit.
    settings.ARGMAP_EXPAND_ALL_LIMIT = 10**6

    big, small = synthetic_map(10_000), synthetic_map(1_000)
    demo = Map.objects.get(code="belarus")
    clients = {"anonymous": Client(), "contributor": contributor_on([big, small, demo])}
    floor_10k, rows_10k = median_floor(big, args.repeat)
    floor_1k, rows_1k = median_floor(small, args.repeat)
    floor_demo, rows_demo = median_floor(demo, args.repeat)
    print(f"\ndatabase: {connection.vendor}; medians of {args.repeat} requests (cold: {max(3, args.repeat // 4)})")
    print(f"floor: {rows_10k} rows {floor_10k:.2f} ms, {rows_1k} rows {floor_1k:.2f} ms,"
          f" {rows_demo} rows {floor_demo:.3f} ms\n")
    header = f"{'page':34} {'reader':>11} {'rows':>6} {'cold ms':>8} {'×floor':>7} {'warm ms':>8} {'×floor':>7}"
    print(header)
    print("-" * len(header))
    cases = [
        ("1,000 nodes, ?expand=all", f"{small.get_absolute_url()}?expand=all", None, floor_1k),
        ("10,000 nodes, map page", big.get_absolute_url(), None, floor_10k),
        *((label, url, headers, None) for label, url, headers in demo_pages(demo)),
    ]
    for label, url, headers, floor_ms in cases:
        for reader, client in clients.items():
            client.get(url, headers=headers or {})  # the first request of a process pays for imports
            cold, rows = timed(client, url, max(3, args.repeat // 4), headers, cold=True)
            warm, _ = timed(client, url, args.repeat, headers)
            ratios = (f"{cold / floor_ms:7.1f}", f"{warm / floor_ms:7.1f}") if floor_ms else ("", "")
            print(f"{label:34} {reader:>11} {rows:>6} {cold:8.1f} {ratios[0]:>7} {warm:8.1f} {ratios[1]:>7}")
    print("\nThe goals: expanded 1,000-node tree ≤ 10× its floor; the 10,000-node page cold ≤ 3×, warm ≤ 1×"
          " the floor's full render; the demo map's pages ≤ 10 ms warm.")


if __name__ == "__main__":
    main()
