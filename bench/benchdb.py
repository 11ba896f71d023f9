"""What the benchmark scripts share: Django on their own database (bench/out/bench.sqlite3 unless
DATABASE_URL is set) holding the seeds, the demo map and one synthetic map per size, built once."""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "argmap.settings")
    if not os.environ.get("DATABASE_URL"):
        (ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'bench' / 'out' / 'bench.sqlite3'}"
    import django

    django.setup()


def synthetic_map(nodes: int):
    """The migrated database with the seeds and the demo map, and the synthetic map of `nodes` nodes
    (code bench<nodes>), built on the first run."""
    from django.core.management import call_command

    from argmap.models import Map, Source
    from argmap.synthetic import Shape, build_map

    call_command("migrate", verbosity=0)
    call_command("load_seeds", stdout=open(os.devnull, "w"))
    code = f"bench{nodes}"
    map_ = Map.objects.filter(code=code).first()
    if map_ is None:
        started = time.perf_counter()
        map_ = build_map(f"Synthetic map of {nodes} nodes", list(Source.objects.all()), Shape(nodes=nodes), code=code)
        print(f"built the {nodes}-node map in {time.perf_counter() - started:.1f} s")
    return map_
