"""Filtered reads of a large stored dataset: the whole dataset then a filter (what crimekit did),
against reading only the rows (and columns) a filter asks for, with pyarrow (what
``Store.load(name, filters)`` does) and with DuckDB (measured to decide whether crimekit needs
it: it does not, pyarrow reads as fast; DuckDB is not a dependency, install it to compare).

    python bench/bench_store.py                    # on bench/run_all.py's ~1M-incident store
    python bench/bench_store.py --work /tmp/crimekit-bench

The filter is run_all.py's "aggregate" step: one year (2025) and three crime heads (Theft,
Burglary, Hurt), about 160,000 of 1,041,572 incidents. Each way runs in its own Python process,
so its peak memory (VmHWM) is its own; times include opening the file, not importing. Run
bench/run_all.py --only ingest first (it writes the store this reads). Not run by the tests.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

START, END = "2025-01-01", "2026-01-01"
HEADS = ("Theft", "Burglary", "Hurt")
#: What a count per cell, beat or period needs.
COLUMNS = ("occurred_at", "category", "lat", "lon", "beat", "district", "count", "precision")


def _incidents_file(work: Path) -> Path:
    from crimekit.store import Store
    store = Store(work / "store")
    return (store.root / "bench").resolve() / "incidents.parquet"


def _filters():
    import pandas as pd
    from crimekit.filters import Filters
    return Filters(start=START, end=pd.Timestamp(END) - pd.Timedelta(days=1), categories=HEADS)


def way_load_then_filter(work: Path):
    """What crimekit did: load the whole dataset, then apply the filters."""
    from crimekit.filters import apply_filters
    from crimekit.store import Store
    view = apply_filters(Store(work / "store").load("bench"), _filters())
    return len(view.incidents), view.incidents.shape[1]


def way_store_load_filtered(work: Path):
    """Store.load(name, filters): the filters pushed down to the Parquet reader (pyarrow), the
    whole dataset object (persons, beats...) as apply_filters gives it."""
    from crimekit.store import Store
    view = Store(work / "store").load("bench", _filters())
    return len(view.incidents), view.incidents.shape[1]


def way_pyarrow(work: Path, columns=None):
    """pyarrow reads the file with the filter pushed down (row groups skipped when they can)."""
    import pandas as pd
    import pyarrow.parquet as pq
    table = pq.read_table(_incidents_file(work), columns=list(columns) if columns else None,
                          filters=[("occurred_at", ">=", pd.Timestamp(START)),
                                   ("occurred_at", "<", pd.Timestamp(END)),
                                   ("category", "in", list(HEADS))])
    df = table.to_pandas()
    return len(df), df.shape[1]


def way_pyarrow_columns(work: Path):
    """As way_pyarrow, reading only the columns a count needs."""
    return way_pyarrow(work, COLUMNS)


def way_duckdb(work: Path, columns=None):
    """DuckDB scans the file with the filter pushed down, into pandas."""
    import duckdb
    cols = ", ".join(f'"{c}"' for c in columns) if columns else "*"
    heads = ", ".join(f"'{h}'" for h in HEADS)
    df = duckdb.sql(f"SELECT {cols} FROM read_parquet('{_incidents_file(work)}') "
                    f"WHERE occurred_at >= TIMESTAMP '{START}' AND occurred_at < TIMESTAMP "
                    f"'{END}' AND category IN ({heads})").df()
    return len(df), df.shape[1]


def way_duckdb_columns(work: Path):
    """As way_duckdb, reading only the columns a count needs."""
    return way_duckdb(work, COLUMNS)


WAYS = {"load_then_filter": way_load_then_filter,
        "store_load_filtered": way_store_load_filtered, "pyarrow": way_pyarrow,
        "pyarrow_columns": way_pyarrow_columns, "duckdb": way_duckdb,
        "duckdb_columns": way_duckdb_columns}


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(name: str, work: Path) -> None:
    if name.startswith("duckdb"):
        import duckdb  # noqa: F401  (imported before the clock and the baseline memory)
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401
    from crimekit import filters, store  # noqa: F401
    base = _peak_mb()
    t = time.perf_counter()
    rows, cols = WAYS[name](work)
    print(json.dumps({"seconds": time.perf_counter() - t, "peak_mb": _peak_mb(),
                      "added_mb": _peak_mb() - base, "rows": rows, "columns": cols}))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "crimekit-bench")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each way (best kept)")
    parser.add_argument("--way", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.way:
        child(args.way, args.work)
        return 0
    print(f"{'way':<18} {'seconds':>8} {'peak MB':>8} {'+MB':>6} {'rows':>9} {'cols':>5}")
    for name in WAYS:
        if name.startswith("duckdb") and importlib.util.find_spec("duckdb") is None:
            print(f"{name:<18} skipped: duckdb is not installed (pip install duckdb)")
            continue
        runs = []
        for _ in range(args.repeat):
            out = subprocess.run([sys.executable, __file__, "--way", name, "--work",
                                  str(args.work)], capture_output=True, text=True, cwd=ROOT)
            if out.returncode:
                print(f"{name:<18} FAILED: {out.stderr.strip().splitlines()[-1]}")
                break
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        if runs:
            best = min(runs, key=lambda r: r["seconds"])
            print(f"{name:<18} {best['seconds']:>8.2f} {best['peak_mb']:>8.0f} "
                  f"{best['added_mb']:>6.0f} {best['rows']:>9,} {best['columns']:>5}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
