"""The recently-used cache behind the graphs (argmap.browsing) and the strengths (argmap.judging)."""

from argmap.caching import KeptRecently


def test_it_makes_a_value_once_and_gives_it_back_while_kept():
    made = []
    kept = KeptRecently(2)
    assert kept.get("a", lambda: made.append("a") or 1) == 1
    assert kept.get("a", lambda: made.append("a") or 2) == 1
    assert made == ["a"]


def test_it_lets_the_least_recently_used_value_go_past_its_size():
    kept = KeptRecently(2)
    kept.put("a", 1)
    kept.put("b", 2)
    kept.get("a", lambda: 0)  # "a" is used again, so "b" is the oldest
    kept.put("c", 3)
    assert len(kept) == 2
    assert kept.get("a", lambda: "made again") == 1
    assert kept.get("b", lambda: "made again") == "made again"


def test_it_forgets_everything_when_cleared():
    kept = KeptRecently(2)
    kept.put("a", 1)
    kept.clear()
    assert len(kept) == 0 and kept.get("a", lambda: 2) == 2
