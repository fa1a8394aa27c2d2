"""The organization list's filter form: Django's select widgets vs core.filters' fast selects.

    .venv/bin/python benchmarks/filter_form.py

The form has selects of every region (514) and every ISIC sector (766): rendered with Django's
per-option templates, with the fast select building the options from the database each time (what a
request inside a transaction gets), and with the options cached (what a web request gets). Median of
20 renderings each, in-process, on the benchmark database; the ratio is to Django's widgets.
"""

from __future__ import annotations

import statistics
import sys
import time

from _common import machine_description, setup_django, today


def main() -> int:
    setup_django()
    from django.db import connection, transaction

    from khooshe.core import filters as core_filters
    from khooshe.registry.filters import OrganizationFilterSet

    def render(fast: bool) -> float:
        form = OrganizationFilterSet({"kind": ["startup"]}).form
        if fast:
            core_filters.fast_selects(form)
        t0 = time.perf_counter()
        html = "".join(str(form[name]) for name in form.fields)
        assert "<option" in html
        return (time.perf_counter() - t0) * 1000

    def measure(label, fast, atomic):
        times = []
        for _ in range(21):
            if atomic:
                with transaction.atomic():  # the cache is never used inside a transaction
                    times.append(render(fast))
            else:
                times.append(render(fast))
        return label, statistics.median(times[1:])

    assert not connection.in_atomic_block
    rows = [measure("Django's Select widgets (templates)", False, False),
            measure("fast select, options from the database", True, True),
            measure("fast select, cached options", True, False)]
    base = rows[0][1]
    print(f"Date {today()}; machine: {machine_description()}\n")
    print("| filter form of /registry/organizations/ | ms (median of 20) | ratio to Django's widgets |")
    print("|---|---:|---:|")
    for label, ms in rows:
        print(f"| {label} | {ms:.1f} | {ms / base:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
