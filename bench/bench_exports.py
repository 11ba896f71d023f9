"""Export times on a synthetic 10,000-node map (and the demo map): every format's renderer, the
whole download through Django's request handler, and the map's import from its own JSON.

    .venv/bin/python bench/bench_exports.py [--nodes 10000] [--repeat 3]

Shares bench_map.py's database (bench/out/bench.sqlite3 unless DATABASE_URL is set) and its map.
"""

import argparse
import statistics
import time

from benchdb import start_django, synthetic_map

start_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from argmap.access import Access  # noqa: E402
from argmap.exports import FORMATS  # noqa: E402
from argmap.exports.loading import MapExport  # noqa: E402
from argmap.models import Map  # noqa: E402


def median_ms(action, repeat):
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    big = synthetic_map(args.nodes)
    owner = get_user_model().objects.filter(username="bench-owner").first()
    if owner is None:
        owner = get_user_model().objects.create_user("bench-owner", password="bench-owner-password")
    Map.objects.filter(pk=big.pk).update(owner=owner)
    client = Client()
    client.force_login(owner)

    print(f"database: {connection.vendor}; median of {args.repeat} runs; times in ms\n")
    header = f"{'format':10} {'map':>12} {'load':>7} {'render':>8} {'download':>9} {'queries':>8} {'KB':>8}"
    print(header)
    print("-" * len(header))
    for label, map_ in (("demo", Map.objects.get(code="belarus")), (f"{args.nodes} nodes", big)):
        map_ = Map.objects.select_related("owner").get(pk=map_.pk)
        load_ms, export = median_ms(lambda: MapExport.load(Access.for_site_operator(map_)), args.repeat)
        for name, export_format in FORMATS.items():
            if name == "svg":
                export.options = {"root": export.graph.theses[0]}
            render_ms, body = median_ms(lambda: export_format.render(export), args.repeat)
            export.options = {}
            url = f"/maps/{map_.code}/export/{name}/"
            if name == "svg":
                url += f"?root={export.graph.theses[0]}"
            download_ms, response = median_ms(lambda: client.get(url), args.repeat)
            assert response.status_code == 200, (url, response.status_code)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            print(f"{name:10} {label:>12} {load_ms:7.0f} {render_ms:8.0f} {download_ms:9.0f} {len(queries):8}"
                  f" {len(body) / 1024:8.0f}")
        if "json" in FORMATS:
            from argmap.imports import import_map

            data = FORMATS["json"].render(MapExport.load(Access.for_site_operator(map_)))
            data = data.encode() if isinstance(data, str) else data
            started = time.perf_counter()
            result = import_map(data, format="json", user=owner)
            imported_ms = (time.perf_counter() - started) * 1000
            print(f"{'import':10} {label:>12} {'':7} {imported_ms:8.0f}   (JSON of {len(data) / 1024:.0f} KB)")
            copy = getattr(result, "map", result)
            if isinstance(copy, Map):
                copy.delete()
        print()


if __name__ == "__main__":
    main()
