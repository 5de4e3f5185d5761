"""A bounded memory of a pure function's answers, for extraction's per-word and per-span caches
where the key is not the function's argument (functools.lru_cache keys on the arguments)."""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Memory(dict, Generic[V]):
    """Answers by key, at most `size` of them: when full it forgets them all and starts again
    (no bookkeeping per hit; the words a corpus repeats come back at once)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def recall(self, key: Hashable, make: Callable[[], V]) -> V:
        """The answer remembered for the key, or `make()`'s, remembered."""
        found = self.get(key)
        if found is None:
            if len(self) >= self.size:
                self.clear()
            found = self[key] = make()
        return found
