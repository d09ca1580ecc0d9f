"""Real concurrency for tests on PostgreSQL: threads, each with its own
database connection, released together by a barrier."""

import threading
from collections import Counter
from collections.abc import Callable

from django.db import connections


def run_in_threads(
    count: int, work: Callable[[int], str], *, outcome_of: Callable[[Exception], str] | None = None
) -> Counter[str]:
    """Run ``work(n)`` in ``count`` threads that start together; count what
    they return, and what they raise (the exception's class name, or
    ``outcome_of(error)``). Each thread closes its connections when done."""
    barrier = threading.Barrier(count)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcome = work(n)
        except Exception as error:  # Counted, and the test asserts on the counts.
            outcome = outcome_of(error) if outcome_of else type(error).__name__
        finally:
            connections.close_all()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcomes
