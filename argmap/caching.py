"""A small in-process cache that keeps the values used most recently (an LRU), shared by threads.

For values that never change once made and are found again by a key that changes when the data
behind them does (a map's graph by its revision, strengths by the map's counters): nothing is ever
invalidated, old keys simply fall out when more than `size` are kept.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


class KeptRecently[V]:
    def __init__(self, size: int):
        self.size = size
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept under `key`, or `make()`'s, kept from now on. `make` runs outside the lock,
        so two threads may both make a missing value; the later one is kept (they are equal)."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = make()
        self.put(key, value)
        return value

    def find(self, key: Hashable) -> V | None:
        """The value kept under `key`, or None (nothing is made)."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        return None

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)
