"""Thesis strengths on the synthetic 10,000-node map: the computation, the judge page and the map
page with its scoreboard.

    .venv/bin/python bench/bench_strength.py [--nodes 10000] [--repeat 20]

Uses bench/bench_map.py's database (bench/out/bench.sqlite3 unless DATABASE_URL is set) and its map
(code bench10000, built if missing). The first run adds votes once: 25 voters (contributors on the
map) each rating a fifth of the relations, and ratings of two sources. "cold" reads the graph, the
votes and the base scores from the database; "warm" finds the strengths in the per-process cache,
as every request does until the map's next vote or node change.
"""

import argparse
import random
import statistics
import time

from benchdb import start_django, synthetic_map

start_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from argmap import judging  # noqa: E402
from argmap.access import Access  # noqa: E402
from argmap.browsing import forget_graphs, load_graph  # noqa: E402
from argmap.models import Map, Membership, Relation, Role, SourceRating, Vote  # noqa: E402
from argmap.strength import strengths  # noqa: E402

VOTERS = 25
VOTED_SHARE = 0.2


def forget_all():
    forget_graphs()
    judging.forget_strengths()


def add_votes(map_):
    """25 contributors, each voting on a fifth of the relations; two sources rated (once)."""
    User = get_user_model()
    voters = [User.objects.get_or_create(username=f"bench-voter-{n}")[0] for n in range(VOTERS)]
    if Vote.objects.filter(relation__map=map_).exists():
        return voters
    rng = random.Random(11)
    relation_ids = list(Relation.objects.filter(map=map_).values_list("id", flat=True))
    with transaction.atomic():
        Membership.objects.bulk_create(
            [Membership(map=map_, user=v, role=Role.CONTRIBUTOR) for v in voters], ignore_conflicts=True)
        Vote.objects.bulk_create(
            Vote(relation_id=r, user=v, impact=rng.randint(0, 4))
            for v in voters for r in relation_ids if rng.random() < VOTED_SHARE)
        sources = list(map_.sources.order_by("id")[:2])
        for source, rating in zip(sources, (4, 1)):
            SourceRating.objects.update_or_create(map=map_, source=source, defaults={"rating": rating})
        # bulk_create sends no signals: bump the counter that keys the cached strengths ourselves.
        Map.objects.filter(pk=map_.pk).update(votes_revision=F("votes_revision") + 1)
    return voters


def median_ms(action, repeat, before=None):
    samples = []
    for _ in range(repeat):
        if before:
            before()
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), sorted(samples)[int(len(samples) * 0.9) - 1]


def count_queries(action, before=None):
    if before:
        before()
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    map_ = synthetic_map(args.nodes)
    voters = add_votes(map_)
    map_ = Map.objects.get(pk=map_.pk)
    votes = Vote.objects.filter(relation__map=map_).count()
    graph = load_graph(Access.for_site_operator(map_))
    print(f"\n{len(graph)} nodes, {votes} votes from {VOTERS} voters; database: {connection.vendor}; "
          f"{args.repeat} runs per figure; times in ms (median / p90)\n")

    # The computation alone, then map_strengths cold (graph, base scores, votes read) and warm.
    result = judging.map_strengths(map_)
    links = [link for children in result.links_by_parent.values() for link in children]
    pure = median_ms(lambda: strengths(result.graph.nodes, links, base=result.base, weights=result.weights),
                     args.repeat)
    print(f"{'strengths':44} {'time':>15} {'queries':>8}")
    print(f"{'DF-QuAD alone (' + str(len(links)) + ' relations)':44} {pure[0]:6.1f} / {pure[1]:5.1f}")
    figures = [
        ("everyone, cold (graph, votes, base scores)", lambda: judging.map_strengths(map_), forget_all),
        ("everyone, cold graph cached (after a vote)", lambda: judging.map_strengths(map_), judging.forget_strengths),
        ("everyone, warm", lambda: judging.map_strengths(map_), None),
        ("teacher, graph cached", lambda: judging.map_strengths(map_, judging.TEACHER), judging.forget_strengths),
        ("one person's, graph cached", lambda: judging.map_strengths(map_, judging.MINE, viewer=voters[0]),
         judging.forget_strengths),
    ]
    for label, action, before in figures:
        median, p90 = median_ms(action, args.repeat, before)
        print(f"{label:44} {median:6.1f} / {p90:5.1f} {count_queries(action, before):>8}")

    print(f"\n{'page':44} {'cold':>15} {'warm':>15} {'queries':>8}")
    pages = [
        ("judge page, anonymous", None, f"/maps/{map_.code}/judge/"),
        ("judge page, a voter (+ my votes)", voters[0], f"/maps/{map_.code}/judge/"),
        ("map page with scoreboard, anonymous", None, map_.get_absolute_url()),
        ("map page with scoreboard, a voter", voters[0], map_.get_absolute_url()),
    ]
    for label, user, url in pages:
        client = Client()
        if user is not None:
            client.force_login(user)

        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        cold, cold_p90 = median_ms(get, max(5, args.repeat // 2), forget_all)
        cold_queries = count_queries(get, forget_all)
        warm, warm_p90 = median_ms(get, args.repeat)
        warm_queries = count_queries(get)
        print(f"{label:44} {cold:6.1f} / {cold_p90:5.1f} {warm:6.1f} / {warm_p90:5.1f}"
              f" {cold_queries:>4}/{warm_queries:<3}")


if __name__ == "__main__":
    main()
