"""Wall-clock timing shared by the benchmarks (each is run as a script, so this folder is on sys.path)."""
import time


def timed(fn) -> float:
    """Seconds one call of ``fn`` takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def best_time(fn, repeats: int):
    """The fastest of ``repeats`` calls of ``fn`` in seconds, and the last call's result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result
