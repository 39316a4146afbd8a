"""Benchmark: ingest a generated 1,000,000-row CSV; print time and peak memory.

Usage: python bench/bench_ingest.py [--rows N]
Each measurement runs in a fresh subprocess so ru_maxrss is that run's peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def make_csv(path: Path, n: int, layout: str) -> None:
    """Write n synthetic incidents around Bengaluru (canonical or 'generic' column names)."""
    rng = np.random.default_rng(0)
    ts = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 5 * 365 * 86400, n), "s")
    cats = np.array(["THEFT", "BURGLARY", "ASSAULT", "ROBBERY", "VEHICLE THEFT", "FRAUD"])
    df = pd.DataFrame({
        "incident_id": np.arange(n).astype(str), "occurred_at": ts.strftime("%Y-%m-%d %H:%M:%S"),
        "category": cats[rng.integers(0, len(cats), n)], "lat": 12.97 + rng.normal(0, 0.05, n),
        "lon": 77.59 + rng.normal(0, 0.05, n), "beat": "B" + rng.integers(1, 200, n).astype(str),
        "district": "D" + rng.integers(1, 10, n).astype(str)})
    if layout == "generic":
        df = df.rename(columns={"incident_id": "Case No", "occurred_at": "Date Time",
                                "category": "Offense Type", "lat": "Latitude",
                                "lon": "Longitude", "beat": "Sector", "district": "Precinct"})
    df.to_csv(path, index=False, float_format="%.6f")


def child(path: str, store: str) -> None:
    """Run in the subprocess: ingest + save; print timings as JSON."""
    sys.path.insert(0, str(ROOT))
    from crimekit.ingest import ingest_files
    from crimekit.store import Store
    t0 = time.perf_counter()
    ds, reports = ingest_files([path], name="bench")
    t1 = time.perf_counter()
    Store(store).save(ds, sources=ds.meta["sources"], reports=reports)
    t2 = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"ingest_s": t1 - t0, "save_s": t2 - t1, "peak_mb": peak_mb,
                      "kept": reports[0].rows_kept}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    print(f"{'layout':10} {'rows':>10} {'MB':>7} {'ingest s':>9} {'save s':>7} {'peak MB':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for layout in ("canonical", "generic"):
            path = Path(tmp) / f"{layout}.csv"
            make_csv(path, args.rows, layout)
            out = subprocess.run([sys.executable, __file__, "--child", str(path),
                                  str(Path(tmp) / f"store-{layout}")],
                                 capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{layout:10} {r['kept']:>10,} {path.stat().st_size / 1e6:>7.1f} "
                  f"{r['ingest_s']:>9.1f} {r['save_s']:>7.1f} {r['peak_mb']:>8.0f}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
