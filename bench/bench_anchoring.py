"""Time `anchoring.find` at its three levels over the seed articles and a long synthetic text.

    .venv/bin/python bench/bench_anchoring.py [--quotes 30] [--length 300]

For each text, takes random passages of `--length` characters and looks each up three ways:
as pasted (exact); with straight quotes, collapsed white space and changed case (typography);
and the same with a few typos, about 1 per 100 characters (fuzzy). "cold" includes folding the
source (the first search in a source); "warm" finds the folded source in the cache, as every
later search in the same source does. Times are per search, in milliseconds of CPU time
(which is the wall time on a quiet machine, and stays meaningful on a busy one).
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from argmap import anchoring  # noqa: E402

STRAIGHTEN = str.maketrans("‘’“”—–", "''\"\"--")


def typographic(passage: str) -> str:
    return " ".join(passage.translate(STRAIGHTEN).split()).swapcase()


def with_typos(passage: str, rng: random.Random) -> str:
    chars = list(passage)
    for _ in range(max(1, len(passage) // 100)):
        at = rng.randrange(len(chars))
        chars[at] = "x" if chars[at] != "x" else "y"
    return "".join(chars)


def timed(text: str, quote: str, position: int, cold: bool) -> tuple[float, str]:
    if cold:
        for cached in (anchoring._fold_cached, anchoring._composed_cached, anchoring._symbols_cached):
            cached.cache_clear()
    started = time.process_time()
    try:
        method = anchoring.find(text, quote, position=position).method
    except anchoring.QuoteNotFound:
        method = "not found"
    return (time.process_time() - started) * 1000, method


def synthetic_text(seeds: list[str], size: int, rng: random.Random) -> str:
    """English-like text of `size` characters: sentences of words drawn from the seeds."""
    words = [w for text in seeds for w in text.split()]
    sentences, length = [], 0
    while length < size:
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(8, 30))) + "."
        if rng.random() < 0.2:
            sentence += "\n\n"
        sentences.append(sentence)
        length += len(sentence) + 1
    return " ".join(sentences)[:size]


def bench_text(label: str, text: str, elsewhere: str, quotes: int, length: int, rng: random.Random) -> None:
    """Time `quotes` random passages of `text` at each level, and passages of `elsewhere` that
    are not in it (the slowest path: every step runs and fails)."""
    length = min(length, len(text) // 2)
    times: dict[str, dict[bool, list[float]]] = {}
    for _ in range(quotes):
        start = rng.randrange(len(text) - length)
        passage = text[start : start + length].strip()
        start = text.index(passage, start)
        other = rng.randrange(len(elsewhere) - length)
        for level, quote in [
            ("exact", passage),
            ("typography", typographic(passage)),
            ("fuzzy", with_typos(typographic(passage), rng)),
            ("not found", typographic(elsewhere[other : other + length])),
        ]:
            for cold in (True, False):
                elapsed, method = timed(text, quote, start, cold)
                assert method == level, (label, level, method, quote)
                times.setdefault(level, {}).setdefault(cold, []).append(elapsed)
    print(f"{label} ({len(text):,} characters, {quotes} quotes of {length:,})")
    for level, by_cold in times.items():
        cold, warm = by_cold[True], by_cold[False]
        print(
            f"  {level:<11} cold {statistics.median(cold):7.2f} / {max(cold):7.2f}"
            f"   warm {statistics.median(warm):7.2f} / {max(warm):7.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=30)
    parser.add_argument("--length", type=int, default=300)
    arguments = parser.parse_args()
    rng = random.Random(11)
    seeds = {path.name: path.read_bytes().decode("utf-8") for path in sorted((ROOT / "seeds").glob("*.txt"))}
    print("anchoring.find: milliseconds of CPU time per search, median / max")
    print("cold: the search folds the source; warm: the folded source is cached, as for every later search\n")
    names = list(seeds)
    for i, (name, text) in enumerate(seeds.items()):
        elsewhere = seeds[names[(i + 1) % len(names)]]
        bench_text(name, text, elsewhere, arguments.quotes, arguments.length, rng)
    long_text = synthetic_text(list(seeds.values()), 60_000, rng)
    elsewhere = synthetic_text(list(seeds.values()), 60_000, rng)
    bench_text("synthetic text of seed words", long_text, elsewhere, arguments.quotes, arguments.length, rng)
    bench_text("the same, long quotes", long_text, elsewhere, 5, 3000, rng)

    # The worst case of the fuzzy step: the pieces of the quote occur everywhere, so the filter
    # gives up and the whole text is scanned at every limit.
    dull = "".join(rng.choice("ab ") for _ in range(60_000))
    other = "".join(rng.choice("ab ") for _ in range(300))
    elapsed = []
    for _ in range(5):
        elapsed.append(timed(dull, other, 0, cold=True)[0])
    print(
        "\nworst case: 300 characters not in 60,000 of a 3-letter alphabet "
        f"(the whole text is scanned): median {statistics.median(elapsed):.1f} ms"
    )


if __name__ == "__main__":
    main()
