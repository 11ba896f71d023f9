"""The load test: students on their class maps against the production server, one table out.

    .venv/bin/python bench/load/run.py --all                      # both scenarios, full size, PostgreSQL
    .venv/bin/python bench/load/run.py school --users 20 --duration 45s --sqlite   # a short smoke run

For each run: a fresh database (PostgreSQL `argmap_load` at 127.0.0.1, or SQLite with --sqlite)
with the demo map and `manage.py prepare_load`'s classes; collectstatic into a temporary folder;
gunicorn with deploy/gunicorn.conf.py and the production settings (ARGMAP_PRODUCTION=1, a generated
secret, host 127.0.0.1, static files by whitenoise); locust headless with bench/load/locustfile.py
(students spawn at `--spawn-rate`, by default the whole scenario within a minute, as a class logs in).
Then the writes the clients saw succeed are looked up in the database (each must be there exactly
once), and one table is printed: requests, latency, errors by kind, logins, writes, poll answers
and the CPU seconds the gunicorn processes used during the run.

Locust (the `load` extra in pyproject.toml) is installed into this Python's environment if missing.
"""

import argparse
import csv
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCENARIO_SIZES = {"school": 200, "classes": 180}
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "argmap_load"


def ensure_locust() -> None:
    try:
        import locust  # noqa: F401
        import psutil  # noqa: F401
    except ImportError:
        extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["load"]
        print(f"installing {', '.join(extra)} into {sys.prefix}")
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *extra], check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_database(sqlite: bool, folder: Path) -> str:
    if sqlite:
        return f"sqlite:///{folder / 'load.sqlite3'}"
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {PG_DATABASE}")
    return f"{PG_SERVER}/{PG_DATABASE}"


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def development_env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARGMAP_")}
    return {**env, "DATABASE_URL": database_url, "ARGMAP_DEBUG": "1"}


def production_env(database_url: str, static_root: Path, port: int) -> dict:
    return {
        **development_env(database_url),
        "ARGMAP_DEBUG": "0",
        "ARGMAP_PRODUCTION": "1",
        "ARGMAP_SECRET_KEY": secrets.token_urlsafe(50),
        "ARGMAP_ALLOWED_HOSTS": "127.0.0.1",
        # TLS would end at a proxy in front: the clients send X-Forwarded-Proto: https.
        "ARGMAP_SSL_REDIRECT": "0",
        "ARGMAP_STATIC_ROOT": str(static_root),
        "ARGMAP_BIND": f"127.0.0.1:{port}",
    }


def start_server(env: dict, port: int, log: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "-c", "deploy/gunicorn.conf.py", "argmap.wsgi"], cwd=ROOT, env=env,
                              stdout=log.open("w"), stderr=subprocess.STDOUT)
    request = urllib.request.Request(f"http://127.0.0.1:{port}/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    for _ in range(100):
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
        if server.poll() is not None:
            break
    server.kill()
    sys.exit(f"gunicorn did not start: see {log}")


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """User and system CPU of gunicorn's master and workers so far."""
    import psutil

    processes = [psutil.Process(server.pid)]
    processes += processes[0].children(recursive=True)
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def run_locust(scenario: str, users: int, spawn_rate: float, duration: str, port: int, folder: Path, run_id: str) -> dict:
    env = {**os.environ, "LOAD_MANIFEST": str(folder / "manifest.json"), "LOAD_SCENARIO": scenario,
           "LOAD_RESULTS": str(folder / f"{scenario}-results.json"), "LOAD_RUN": run_id}
    command = [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless", "--only-summary",
               "-u", str(users), "-r", str(spawn_rate), "-t", duration, "--stop-timeout", "10",
               "--host", f"http://127.0.0.1:{port}", "--csv", str(folder / scenario), "--exit-code-on-error", "0"]
    with (folder / f"{scenario}-locust.log").open("w") as log:
        subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=True)
    return json.loads((folder / f"{scenario}-results.json").read_text())


def error_kind(error: str) -> str:
    text = error.lower()
    code = re.search(r"code=(\d{3})|\b([45]\d\d)\b", error)
    if "reset" in text:
        return "connection reset"
    if "refused" in text:
        return "connection refused"
    if "timed out" in text or "timeout" in text:
        return "timeout"
    if "closed" in text or "disconnect" in text:
        return "connection closed"
    if code:
        return f"HTTP {code.group(1) or code.group(2)}"
    return "other: " + error[:60]


def read_stats(folder: Path, scenario: str) -> tuple[dict, Counter]:
    with (folder / f"{scenario}_stats.csv").open() as f:
        rows = {row["Name"]: row for row in csv.DictReader(f)}
    errors = Counter()
    with (folder / f"{scenario}_failures.csv").open() as f:
        for row in csv.DictReader(f):
            errors[error_kind(row["Error"])] += int(row["Occurrences"])
    return rows, errors


def check_writes(writes: list[dict], run_id: str) -> dict:
    """How many of the writes the clients saw succeed are in the database exactly once."""
    from argmap.models import Comment, Node, Vote

    stored = Counter()
    pattern = re.compile(rf"LT-{re.escape(run_id)}-\d+-\d+")
    for text in [*Node.objects.filter(text__contains=f"LT-{run_id}-").values_list("text", flat=True),
                 *Comment.objects.filter(text__contains=f"LT-{run_id}-").values_list("text", flat=True)]:
        stored.update(pattern.findall(text))
    last_vote = {}
    for write in writes:
        if write["kind"] == "vote" and write["ok"]:
            last_vote[(write["user"], write["relation"])] = write["impact"]
    votes = {(u, r): i for u, r, i in Vote.objects.filter(user__username__in={u for u, _ in last_vote})
             .values_list("user__username", "relation_id", "impact")}
    result = Counter(attempted=len(writes))
    for write in writes:
        if write["kind"] == "vote":
            if write["ok"]:
                result["landed once" if votes.get((write["user"], write["relation"])) is not None else "missing"] += 1
            else:
                result["refused"] += 1
            continue
        copies = stored[write["marker"]]
        if write["ok"]:
            result["landed once" if copies == 1 else "missing" if copies == 0 else "doubled"] += 1
        else:
            result["refused" if copies == 0 else "refused but landed"] += 1
    result["votes not as last cast"] = sum(1 for key, impact in last_vote.items() if votes.get(key) != impact)
    return result


def percentile(values: list[float], share: float) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * share))] if values else float("nan")


def report(scenario: str, users: int, stats: dict, errors: Counter, results: dict, writes: Counter, cpu: float,
           database: str) -> list[str]:
    total = stats["Aggregated"]
    logins = results["logins_ms"]
    polls = results["polls"]
    return [
        f"scenario                 {scenario} on {database}",
        f"students                 {users} (logged in: {len(logins)})",
        f"requests, req/s          {total['Request Count']}, {float(total['Requests/s']):.1f}",
        f"p50 / p95 / p99 (ms)     {total['50%']} / {total['95%']} / {total['99%']}",
        f"errors                   {sum(errors.values())}" + (f" ({', '.join(f'{k}: {n}' for k, n in errors.most_common())})" if errors else ""),
        f"login p50 / max (ms)     {statistics.median(logins):.0f} / {max(logins):.0f}" if logins else "login                    none succeeded",
        f"writes                   {writes['attempted']} attempted: {writes['landed once']} landed once, "
        f"{writes['missing']} missing, {writes['doubled']} doubled, {writes['refused']} refused "
        f"({writes['refused but landed']} of them landed anyway); votes not as last cast: {writes['votes not as last cast']}",
        f"polls                    {polls['changed']} changed ({polls.get('nothing shown changed', 0)} of them nothing shown), {polls['unchanged']} unchanged, {polls['stopped']} stopped",
        f"gunicorn CPU s           {cpu:.1f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", metavar="scenario", help="school, classes")
    parser.add_argument("--all", action="store_true", help="every scenario, one after the other")
    parser.add_argument("--users", type=int, help="students (default: the scenario's size)")
    parser.add_argument("--spawn-rate", type=float, help="students starting per second (default: all within 60 s)")
    parser.add_argument("--duration", default="5m", help="locust's run time, e.g. 45s, 5m")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--keep", action="store_true", help="keep the folder with the logs, CSVs and database")
    args = parser.parse_args()
    scenarios = list(SCENARIO_SIZES) if args.all else args.scenarios
    if not scenarios or set(scenarios) - set(SCENARIO_SIZES):
        parser.error("name the scenarios (school, classes) or say --all")
    ensure_locust()

    folder = Path(tempfile.mkdtemp(prefix="argmap-load-"))
    database_url = fresh_database(args.sqlite, folder)
    database = "SQLite" if args.sqlite else "PostgreSQL"
    print(f"preparing {', '.join(scenarios)} on {database} in {folder} ...", flush=True)
    manage(development_env(database_url), "migrate", "--noinput")
    manage(development_env(database_url), "prepare_load", *scenarios, "--manifest", str(folder / "manifest.json"))
    port = free_port()
    env = production_env(database_url, folder / "static", port)
    manage(env, "collectstatic", "--noinput")

    os.environ.update(development_env(database_url))
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "argmap.settings"
    import django

    django.setup()
    tables = []
    for scenario in scenarios:
        users = args.users or SCENARIO_SIZES[scenario]
        spawn_rate = args.spawn_rate or max(1.0, users / 60)
        run_id = secrets.token_hex(3)
        server = start_server(env, port, folder / f"{scenario}-gunicorn.log")
        try:
            cpu_before = server_cpu_seconds(server)
            print(f"{scenario}: {users} students, {spawn_rate:.1f}/s, {args.duration} ...", flush=True)
            results = run_locust(scenario, users, spawn_rate, args.duration, port, folder, run_id)
            cpu = server_cpu_seconds(server) - cpu_before
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        stats, errors = read_stats(folder, scenario)
        writes = check_writes(results["writes"], run_id)
        tables.append(report(scenario, users, stats, errors, results, writes, cpu, database))
    print()
    for table in tables:
        print("\n".join(table) + "\n")
    if args.keep:
        print(f"logs, CSVs{' and the database' if args.sqlite else ''}: {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
