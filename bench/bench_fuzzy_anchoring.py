"""Time the fuzzy step of `anchoring.find` beside Hypothesis's matcher, in the same run, on the same inputs.

    .venv/bin/python bench/bench_fuzzy_anchoring.py [--quotes 20] [--repeats 5] [--before REV]

Hypothesis anchors quotes with approx-string-match (Myers' bit-parallel algorithm in JavaScript);
bench/tools pins it, and this script installs it there with `npm ci` when it is missing. The cases:

- 300 characters with 6 typos, in the five seed articles repeated four times (~117k characters);
- 3,000 characters with 30 typos, in the same text;
- 3,000 characters that are not in a 60k text of seed words (the time to refuse).

Each quote is looked up with its place as the position hint, and Hypothesis is given the same
largest number of errors as ours (a tenth of the quote). Times are wall-clock milliseconds per
search, median / 90th percentile over quotes × repeats; ours are warm (the folded source cached,
as for every search after the first in a source), and "cold" adds folding the source. The two
programs take turns quote by quote, so that other work on the machine weighs on both alike.
"same span": in how many quotes both found the same start and end (Hypothesis's best match
nearest the hint), or both refused. `--before REV` adds a column timing argmap/anchoring.py as
it was at that git revision.
"""

import argparse
import importlib.util
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "bench" / "tools"
sys.path.insert(0, str(ROOT))

from argmap import anchoring  # noqa: E402
from bench_anchoring import synthetic_text  # noqa: E402  (text of seed words, as bench_anchoring makes it)


@dataclass
class Case:
    label: str
    text: str
    quotes: list[tuple[str, int]]  # (quote, where its passage starts); -1 for a quote that is not there
    times: dict[str, list[float]] = field(default_factory=dict)
    spans: dict[str, list[tuple[int, int] | None]] = field(default_factory=dict)


def with_typos(passage: str, count: int, rng: random.Random) -> str:
    """The passage with `count` typos (a letter left out or changed), none at its two ends. None
    adds a letter: a quote of 3,000 characters stays within what the fuzzy step takes."""
    chars = list(passage)
    for _ in range(count):
        at = rng.randrange(1, len(chars) - 1)
        chars[at : at + 1] = rng.choice([[], ["q" if chars[at] == "x" else "x"]])
    return "".join(chars)


def passages(text: str, count: int, length: int, rng: random.Random) -> list[tuple[str, int]]:
    found = []
    while len(found) < count:
        start = rng.randrange(len(text) - length)
        passage = text[start : start + length]
        if passage == passage.strip():
            found.append((passage, start))
    return found


def make_cases(quotes: int, rng: random.Random) -> list[Case]:
    seeds = [path.read_bytes().decode("utf-8") for path in sorted((ROOT / "seeds").glob("*.txt"))]
    repeated = "\n\n".join(seeds * 4)
    synthetic, elsewhere = synthetic_text(seeds, 60_000, rng), synthetic_text(seeds, 60_000, rng)
    return [
        Case(
            "300 chars, 6 typos, 117k text",
            repeated,
            [(with_typos(p, 6, rng), at) for p, at in passages(repeated, quotes, 300, rng)],
        ),
        Case(
            "3,000 chars, 30 typos, 117k text",
            repeated,
            [(with_typos(p, 30, rng), at) for p, at in passages(repeated, quotes, 3000, rng)],
        ),
        Case(
            "3,000 chars not in a 60k text",
            synthetic,
            [(p, -1) for p, _ in passages(elsewhere, quotes, 3000, rng)],
        ),
    ]


def max_errors(quote: str) -> int:
    return int(anchoring.FUZZY_MAX_ERROR_RATE * len(quote))


def load_before(revision: str):
    """argmap/anchoring.py as it was at `revision`, imported under another name."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{revision}:argmap/anchoring.py"], capture_output=True, text=True, check=True
    ).stdout
    spec = importlib.util.spec_from_loader("anchoring_before", loader=None)
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, f"anchoring.py@{revision}", "exec"), module.__dict__)
    return module


def clear_caches(module) -> None:
    for name in ("_fold_cached", "_symbols_cached", "_composed_cached"):
        if hasattr(module, name):
            getattr(module, name).cache_clear()


def ours(module, case: Case, quote: str, at: int, repeats: int, cold: bool = False) -> tuple[list[float], tuple | None]:
    """Times of `module.find` for one quote, and the span it found (None: refused)."""
    times, span = [], None
    for _ in range(repeats):
        if cold:
            clear_caches(module)
        started = time.perf_counter()
        try:
            match = module.find(case.text, quote, position=max(at, 0))
            span = (match.start, match.end)
        except module.QuoteNotFound:
            span = None
        times.append((time.perf_counter() - started) * 1000)
    return times, span


class Hypothesis:
    """bench/tools/time_hypothesis.mjs, kept running, asked one quote at a time."""

    def __init__(self, texts: list[str]) -> None:
        if not (shutil.which("node") and shutil.which("npm")):
            sys.exit("Hypothesis's matcher runs in Node.js: install node and npm (Debian: apt-get install nodejs npm).")
        if not (TOOLS / "node_modules" / "approx-string-match").is_dir():
            print("Installing Hypothesis's matcher (npm ci in bench/tools)...", file=sys.stderr)
            subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(TOOLS)],
                check=True,
                stdout=subprocess.DEVNULL,
                env={**os.environ, "NPM_CONFIG_LOGLEVEL": "error"},
            )
        self.texts = texts
        self.node = subprocess.Popen(
            ["node", str(TOOLS / "time_hypothesis.mjs")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.ask({"texts": texts})

    def ask(self, request: dict) -> dict:
        self.node.stdin.write(json.dumps(request) + "\n")
        self.node.stdin.flush()
        return json.loads(self.node.stdout.readline())

    def time(self, case: Case, quote: str, at: int, repeats: int) -> tuple[list[float], tuple | None]:
        """Times of Hypothesis's search for one quote, and its best match nearest the quote's place."""
        answer = self.ask(
            {"text": self.texts.index(case.text), "pattern": quote, "maxErrors": max_errors(quote), "repeats": repeats}
        )
        nearest = min(answer["matches"], key=lambda m: abs(m["start"] - at), default=None)
        return answer["times"], (nearest["start"], nearest["end"]) if nearest else None

    def close(self) -> None:
        self.node.stdin.close()
        self.node.wait()


def run(cases: list[Case], repeats: int, before) -> None:
    hypothesis = Hypothesis(list(dict.fromkeys(case.text for case in cases)))
    contenders = [("ours", anchoring)] + ([("before", before)] if before else [])
    for case in cases:
        # Untimed: lets node compile the matcher, and folds the source as an earlier search would.
        hypothesis.time(case, *case.quotes[0], repeats=3)
        for _, module in contenders:
            ours(module, case, *case.quotes[0], repeats=1)
        for quote, at in case.quotes:
            for label, timed in [
                *[(label, lambda m=module: ours(m, case, quote, at, repeats)) for label, module in contenders],
                ("hypothesis", lambda: hypothesis.time(case, quote, at, repeats)),
                ("ours cold", lambda: ours(anchoring, case, quote, at, 1, cold=True)),
            ]:
                times, span = timed()
                case.times.setdefault(label, []).extend(times)
                case.spans.setdefault(label, []).append(span)
    hypothesis.close()


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    return f"{statistics.median(ordered):7.2f} / {ordered[int(0.9 * (len(ordered) - 1))]:7.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--before", metavar="REV", help="also time argmap/anchoring.py at this git revision")
    arguments = parser.parse_args()
    cases = make_cases(arguments.quotes, random.Random(13))
    before = arguments.before
    run(cases, arguments.repeats, load_before(before) if before else None)
    columns = (["before"] if before else []) + ["ours", "hypothesis", "ours cold"]
    print("anchoring.find, fuzzy step, beside Hypothesis's matcher (approx-string-match 2.0.0) in the same run:")
    print("milliseconds of wall time per search, median / p90\n")
    header = f"{'case':<34}" + "".join(f"{name:>20}" for name in columns) + f"{'ours/Hyp.':>11}   same span"
    print(header)
    for case in cases:
        ratio = statistics.median(case.times["ours"]) / statistics.median(case.times["hypothesis"])
        count = len(case.quotes)
        same = sum(a == b for a, b in zip(case.spans["ours"], case.spans["hypothesis"]))
        row = f"{case.label:<34}" + "".join(f"{summary(case.times[name]):>20}" for name in columns)
        print(row + f"{ratio:>10.2f}×   {same}/{count}")
    if before:
        for case in cases:
            count = len(case.quotes)
            changed = sum(a != b for a, b in zip(case.spans["ours"], case.spans["before"]))
            print(f"{case.label}: {changed} of {count} spans differ from those found at {before}")


if __name__ == "__main__":
    main()
