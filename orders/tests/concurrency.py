"""Run requests at the same moment, for tests of races on the real PostgreSQL."""

import threading

from django.db import connection


def at_once(*calls, timeout: float = 30) -> list:
    """Call each of `calls` in its own thread, all released together by a barrier;
    returns their results in order. Each thread closes its database connection (the
    test database can then be dropped)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, call))
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
