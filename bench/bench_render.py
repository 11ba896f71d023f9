"""How close the map pages come to the floor: server time next to a raw render of as many rows,
both measured in this run (so the ratio holds even while other work shares the machine).

    .venv/bin/python bench/bench_render.py [--repeat 20]

The floor for n rows: one SELECT of the map's live nodes (id, text, parent), then nested
`<ul><li>` strings joined in plain Python with the text escaped. Pages are timed through Django's
request handler in this process (the server's work, without network or browser), for an
anonymous reader and for a signed-in contributor (who gets the editing controls and vote forms).
"cold" reads the map's graph and node cards from the database and finds no rendered row kept (the
thesis strengths of the scoreboard stay kept, but on the "strengths cold too" line); "warm" is
every request after that until the map changes. Both draw the page: the copy of a whole page kept
for a reader who asks for it again (views.kept_page) is forgotten before each request, so these
figures are what a reader's first view after a change costs (bench_demo_pages.py times kept pages).
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
from argmap.judging import forget_strengths  # noqa: E402
from argmap.models import Map, Membership, Node, Quote, Relation, Role  # noqa: E402
from argmap.views import forget_pages  # noqa: E402
from argmap.views.rows import forget_rows  # noqa: E402


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
    page = "".join(parts)
    assert page.count("<li") == len(texts)
    return (time.perf_counter() - started) * 1000, len(texts)


def timed(client, url, repeat, floor_map, headers=None, cold=False, strengths=False) -> tuple[float, float, int]:
    """Median milliseconds of the page and of its floor, each floor run right after a request (so a
    burst of load elsewhere on the machine weighs on both), and the rows in the last response.
    Cold: no graph, node card or drawn row kept; with `strengths`, no thesis strength either (as
    after a change to the map's shape, which all of them are kept by)."""
    samples, floors = [], []
    for _ in range(repeat):
        forget_pages()  # drawn, not served whole from the kept copy
        if cold:
            forget_graphs()  # and the node cards
            forget_rows()
            if strengths:
                forget_strengths()
        started = time.perf_counter()
        response = client.get(url, headers=headers or {})
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        floors.append(floor(floor_map)[0])
    return statistics.median(samples), statistics.median(floors), response.content.decode().count('<li id="node-')


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
    print(f"\ndatabase: {connection.vendor}; medians of {args.repeat} requests (cold: {max(3, args.repeat // 4)});"
          " each ratio is to the floor timed between the same requests")
    print(f"floor rows: 10,000-node map {floor(big)[1]}, 1,000-node map {floor(small)[1]}, demo {floor(demo)[1]}\n")
    header = (f"{'page':26} {'reader':>11} {'rows':>5} {'cold ms':>8} {'floor':>6} {'×floor':>7}"
              f" {'warm ms':>8} {'floor':>6} {'×floor':>7}")
    print(header)
    print("-" * len(header))
    cases = [
        ("1,000 nodes, ?expand=all", f"{small.get_absolute_url()}?expand=all", None, small, False),
        ("10,000 nodes, map page", big.get_absolute_url(), None, big, False),
        ("10,000, strengths cold too", big.get_absolute_url(), None, big, True),
        *((label, url, headers, demo, False) for label, url, headers in demo_pages(demo)),
    ]
    for label, url, headers, floor_map, strengths in cases:
        for reader, client in clients.items():
            client.get(url, headers=headers or {})  # the first request of a process pays for imports
            cold, cold_floor, rows = timed(client, url, max(3, args.repeat // 4), floor_map, headers, cold=True,
                                           strengths=strengths)
            warm, warm_floor, _ = timed(client, url, args.repeat, floor_map, headers)
            print(f"{label:26} {reader:>11} {rows:>5} {cold:8.1f} {cold_floor:6.2f} {cold / cold_floor:7.1f}"
                  f" {warm:8.1f} {warm_floor:6.2f} {warm / warm_floor:7.1f}")
    print("\nThe goals: expanded 1,000-node tree ≤ 10× its floor; the 10,000-node page cold ≤ 3×, warm ≤ 1×"
          " the floor's full render; the demo map's pages ≤ 10 ms warm (their floor: the demo's 49 rows).")


if __name__ == "__main__":
    main()
