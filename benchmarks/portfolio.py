"""Portfolio run speed: 100,000 clients through 'kortools portfolio' (target < 30 s).

Writes a synthetic clients file (a few bad rows included), runs the command as a user
would (subprocess, CSV and XLSX out), and prints wall time per stage.
Run: ``.venv/bin/python benchmarks/portfolio.py [--clients 100000]``
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def synthetic_clients(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    turnover = rng.uniform(2_000, 30_000, n).round(2)
    share = rng.uniform(0, 1, n)
    frame = pd.DataFrame(
        {
            "klant": [f"klant {i}" for i in range(n)],
            "omzet_consumenten": (turnover * share).round(2),
            "omzet_bedrijven": (turnover * (1 - share)).round(2),
            "kosten_met_btw": (turnover * rng.uniform(0.05, 0.4, n)).round(2),
            "kosten_zonder_btw": (turnover * rng.uniform(0, 0.1, n)).round(2),
            "btw_tarief": rng.choice([21, 9, 0], n, p=[0.8, 0.15, 0.05]),
            "investering_btw": np.where(rng.uniform(size=n) < 0.3, rng.uniform(100, 10_000, n).round(2), 0),
            "investering_jaar": rng.integers(2018, 2026, n),
            "investering_soort": rng.choice(["roerend", "onroerend"], n, p=[0.9, 0.1]),
            "beleid": rng.choice(["consumentenprijs", "nettoprijs", "marge"], n),
            "jaar": rng.choice([2025, 2026], n),
        }
    ).astype(str)
    frame = frame.replace(r"^(-?\d+)\.(\d+)$", r"\1,\2", regex=True)  # a Dutch Excel's decimal comma
    frame.loc[::10_000, "omzet_consumenten"] = "onbekend"  # bad rows: reported, not fatal
    return frame


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    n = parser.parse_args().clients
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "klanten.csv"
        synthetic_clients(n).to_csv(source, index=False)
        command = [sys.executable, "-m", "kortools.cli", "portfolio", str(source), "--quiet", "--out"]
        startup = timed([sys.executable, "-c", "import kortools.cli"])
        csv_time = timed([*command, str(Path(folder) / "advies.csv")])
        xlsx_time = timed([*command, str(Path(folder) / "advies.xlsx")])
        rows = len(pd.read_csv(Path(folder) / "advies.csv"))
        errors = len(pd.read_csv(Path(folder) / "advies.fouten.csv"))
    print(
        f"{n:,} clients ({rows:,} advised, {errors} bad rows reported); Python start-up and imports "
        f"{startup:.1f} s"
    )
    print(f"  kortools portfolio -> .csv : {csv_time:5.1f} s  (target < 30 s)")
    print(f"  kortools portfolio -> .xlsx: {xlsx_time:5.1f} s  (target < 30 s)")


if __name__ == "__main__":
    main()
