"""Concurrency tests on PostgreSQL: many threads, each with its own database connection, released at the
same moment, never more connections open at once than the server can spare."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection, connections


def free_connections(cap: int = 60) -> int:
    """How many connections the tests may open at once: below the server's max_connections, which other
    clients (another test run, the developer's tools) share."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity")
        free = cursor.fetchone()[0]
    return max(4, min(cap, free - 15))


def crashed(exc: BaseException) -> tuple[int, dict]:
    """What an HTTP call that raised counts as: a 500, which the tests then refuse."""
    return 500, {"detail": repr(exc)}


def run_together(n: int, call: Callable[[int], Any], *,
                 on_error: Callable[[BaseException], Any] | None = None) -> list[Any]:
    """``call(i)`` for i in 0..n-1, each in its own thread, all released together; at most
    ``free_connections()`` run at once, and each closes its connections. Returns the results in the order
    of i; a call that raised gives ``on_error(exception)`` (or the exception itself)."""
    gate = threading.Barrier(n)
    slots = threading.BoundedSemaphore(free_connections())
    results: list[Any] = [None] * n

    def worker(i: int) -> None:
        gate.wait()
        with slots:
            try:
                results[i] = call(i)
            except Exception as exc:  # noqa: BLE001 - handed back to the test, which decides
                results[i] = on_error(exc) if on_error else exc
            finally:
                connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
