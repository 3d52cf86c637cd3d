"""Model speed: one 10-year scenario, and a vectorised sweep of 100,000 margin cases.

Targets: one 10-year scenario with net income under 10 ms (issue "Net after income tax"; under 5 ms
before net income was computed); 100,000 margin cases under 0.5 s.
Prints figures; asserts nothing (speed is measured here, not in the test suite).
Run: ``.venv/bin/python benchmarks/model.py``
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import kortools as kt


def best_and_median(func, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def ten_year_scenario() -> kt.Scenario:
    # 2023–2032: figures after 2027 are the 2027 ones, shown as an assumption.
    return kt.Scenario(
        name="benchmark",
        first_year=2023,
        last_year=2032,
        consumer_sales=14000,
        business_sales=3000,
        costs_with_vat=3000,
        costs_without_vat=800,
        kor_start_year=2025,
        kor_last_year=2030,
        assets=[
            kt.Asset("car", "movable", 2023, 4500),
            kt.Asset("shed", "immovable", 2022, 9000),
            kt.Asset("laptop", "movable", 2026, 420),
        ],
        hours=1300,
        partner_hours=900,
        business_start_year=2023,
        assume_last_tax_year=True,
    )


def main() -> None:
    scenario = ten_year_scenario()
    kt.evaluate(scenario)  # warm the data cache
    best, median = best_and_median(lambda: kt.evaluate(scenario), 200)
    print(
        f"one 10-year scenario:   median {median * 1e3:6.2f} ms, best {best * 1e3:6.2f} ms  (target < 10 ms)"
    )

    shares = np.linspace(0, 1, 1000)
    turnover = np.linspace(1000, 40000, 100)
    share_grid, turnover_grid = np.meshgrid(shares, turnover)  # 100 × 1000 = 100,000 cases

    def sweep():
        return kt.margin_sweep(
            share_grid * turnover_grid, (1 - share_grid) * turnover_grid, 0.2 * turnover_grid, 500
        )

    cases = len(sweep())
    best, median = best_and_median(sweep, 20)
    print(
        f"{cases:,} margin cases: median {median * 1e3:6.1f} ms, best {best * 1e3:6.1f} ms  (target < 500 ms)"
    )

    def loop():
        for sc, sb in zip(share_grid.flat[:2000], turnover_grid.flat[:2000], strict=True):
            kt.compare_margin(sc * sb, (1 - sc) * sb, 0.2 * sb, 500)

    best_loop, _ = best_and_median(loop, 3)
    print(
        f"for comparison, a Python loop over compare_margin: {best_loop / 2000 * 1e6:.1f} µs a case, "
        f"{best_loop / 2000 * cases:.1f} s for {cases:,} ({best_loop / 2000 * cases / best:.0f}x the sweep)"
    )


if __name__ == "__main__":
    main()
