"""The one way the benchmarks time a case: the median of `repeat` runs, then one more run
under tracemalloc for the peak of Python's heap."""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable


def measure(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median seconds, peak MiB)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), peak / 2**20
