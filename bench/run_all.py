"""The benchmark suite: time and peak memory of crimekit's heavy steps on a million incidents.

    python bench/run_all.py                 # every step, on a ~1,000,000-incident city
    python bench/run_all.py --scale 2       # a quick run on ~100,000 incidents
    python bench/run_all.py --only ingest plan

Each step runs in its own Python process, so its peak memory (max RSS) is its own. Results are
printed as a table, written to bench/results/latest.json and appended to
bench/results/history.csv, so each change can be compared with the last. Not run by the tests.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"


# --- steps: each takes the work folder and returns a short description of what it did ---------

def step_ingest(work: Path) -> str:
    """Import the city's incidents CSV (and beats) into an empty store."""
    from crimekit.ingest import import_into_store, import_summary
    from crimekit.store import Store
    name, ds, _ = import_into_store([work / "city" / "incidents.csv", work / "city" /
                                     "beats.geojson"], Store(work / "store"), name="bench",
                                    replace=True)
    return import_summary(name, ds)


def _load(work: Path):
    from crimekit.store import Store
    return Store(work / "store").load("bench")


def step_aggregate(work: Path) -> str:
    """One filter change: a year and three crime heads, counted per 250 m cell and per beat."""
    from crimekit.filters import Filters, apply_filters
    from crimekit.spatial import count_by_beat, count_by_cell, grid_for
    ds = _load(work)
    grid = grid_for(ds.incidents, cell_size=250, beats=ds.beats)
    t = time.perf_counter()
    view = apply_filters(ds, Filters(start="2025-01-01", end="2025-12-31",
                                     categories=("Theft", "Burglary", "Hurt")))
    cells = count_by_cell(view.incidents, grid)
    beats = count_by_beat(view.incidents, ds.beats)
    took = time.perf_counter() - t
    return (f"{len(view.incidents):,} of {len(ds.incidents):,} incidents -> {len(cells):,} cells, "
            f"{len(beats)} beats in {took:.2f} s (after loading)")


def step_map_layers(work: Path) -> str:
    """The Map page's layers for all incidents: cells, heat map, beats, outline."""
    from ui import maps
    from crimekit.spatial import count_by_beat, count_by_cell, grid_for, study_area
    ds = _load(work)
    grid = grid_for(ds.incidents, cell_size=250, beats=ds.beats)
    t = time.perf_counter()
    cells = count_by_cell(ds.incidents, grid)
    beats = count_by_beat(ds.incidents, ds.beats)
    layers = [maps.cell_layer(cells)[0], maps.heatmap_layer(cells), maps.beat_layer(beats)[0],
              maps.outline_layer(study_area(None, None, ds.beats, crs="EPSG:4326"))]
    deck = maps.deck(layers, maps.view_for(ds.incidents["lat"], ds.incidents["lon"]))
    size = len(deck.to_json())
    took = time.perf_counter() - t
    return f"{len(layers)} layers, {size / 1e6:.1f} MB of JSON in {took:.2f} s (after loading)"


def step_forecast(work: Path) -> str:
    """One citywide weekly Prophet forecast, 8 weeks ahead, with its 13-origin backtest."""
    from crimekit.forecast import ForecastSettings, backtest, forecast, metrics, series_table
    ds = _load(work)
    t = time.perf_counter()
    out = forecast(ds, ForecastSettings(freq="W", horizon=8)).forecast
    fit = time.perf_counter() - t
    history = series_table(ds.incidents, "W").drop(columns="series")
    m = metrics(backtest(history, ForecastSettings(freq="W", horizon=4), holidays=ds.holidays))
    return (f"{len(out)} weeks forecast in {fit:.1f} s ({out['method'].iloc[0]}); backtest "
            f"MASE {m['mase'].iloc[0]:.2f}, coverage {m['coverage'].iloc[0]:.2f}")


def step_hotspot_backtest(work: Path) -> str:
    """A 52-week backtest of the XGBoost hotspot model on 250 m cells (retrained every 13)."""
    from crimekit.hotspots.evaluate import backtest
    from crimekit.hotspots.features import count_cube
    from crimekit.hotspots import make_model
    from crimekit.spatial import grid_for
    ds = _load(work)
    cube = count_cube(ds.incidents, grid_for(ds.incidents, cell_size=250, beats=ds.beats),
                      freq="W", pois=ds.pois)
    t = time.perf_counter()
    bt = backtest(cube, {"xgboost": make_model("xgboost")}, n_periods=52,
                  retrain_every_weeks=13)
    took = time.perf_counter() - t
    s = bt.summary.set_index("coverage")
    return (f"{cube.n_periods} weeks x {len(cube.cell_ids):,} cells; 52-week backtest in "
            f"{took:.0f} s; hit rate {s.loc[0.01, 'hit_rate']:.3f} at 1%, "
            f"{s.loc[0.05, 'hit_rate']:.3f} at 5%")


def step_plan(work: Path) -> str:
    """A 300-beat x 3-shift patrol plan with 600 officers per shift (risk from the city)."""
    import numpy as np
    import pandas as pd
    from crimekit.patrol.solver import solve_plan
    rng = np.random.default_rng(0)
    risk = pd.DataFrame([(f"B{b:03d}", s, float(r)) for b in range(300)
                         for s, r in zip(("morning", "evening", "night"), rng.gamma(1.5, 1.0, 3))],
                        columns=["beat", "shift", "risk"])
    t = time.perf_counter()
    plan = solve_plan(risk, {"morning": 600, "evening": 600, "night": 600}, min_per_beat=1,
                      fair_cap=3)
    took = time.perf_counter() - t
    return f"{int(plan.table['officers'].sum()):,} officers placed in {took:.2f} s"


STEPS = {"ingest": step_ingest, "aggregate": step_aggregate, "map_layers": step_map_layers,
         "forecast": step_forecast, "hotspot_backtest": step_hotspot_backtest, "plan": step_plan}


# --- running ------------------------------------------------------------------------------------

def prepare(work: Path, scale: float) -> str:
    """Write the synthetic city's files once per work folder and scale."""
    marker = work / "city" / f"scale-{scale:g}"
    if marker.exists():
        return "reused"
    from crimekit.synth import generate_city, write_city
    t = time.perf_counter()
    city = generate_city(7, scale=scale)
    write_city(city, work / "city")
    marker.touch()
    return f"generated {len(city.dataset.incidents):,} incidents in {time.perf_counter() - t:.0f} s"


def run_step(name: str, work: Path) -> dict:
    """Run one step in a fresh interpreter; return seconds, peak MB and its description."""
    t = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--step", name, "--work", str(work)],
                         capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - t
    if out.returncode != 0:
        return {"step": name, "seconds": round(seconds, 2), "peak_mb": None,
                "detail": "FAILED: " + (out.stderr.strip().splitlines() or ["?"])[-1]}
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return {"step": name, "seconds": round(result["seconds"], 2), "peak_mb": result["peak_mb"],
            "detail": result["detail"]}


def child(name: str, work: Path) -> None:
    """Inside the step's own process: run it and print one JSON line."""
    t = time.perf_counter()
    detail = STEPS[name](work)
    seconds = time.perf_counter() - t
    peak_mb = _peak_rss_mb()
    print(json.dumps({"seconds": seconds, "peak_mb": round(peak_mb), "detail": detail}))


def _peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM; ru_maxrss would include the parent's
    peak, which Linux carries across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def save(rows, scale) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=ROOT).stdout.strip()
    (RESULTS / "latest.json").write_text(json.dumps(
        {"when": stamp, "commit": commit, "scale": scale, "steps": rows}, indent=2))
    history = RESULTS / "history.csv"
    new = not history.exists()
    with history.open("a", newline="") as fh:
        writer = csv.writer(fh)
        if new:
            writer.writerow(["when", "commit", "scale", "step", "seconds", "peak_mb"])
        for row in rows:
            writer.writerow([stamp, commit, scale, row["step"], row["seconds"], row["peak_mb"]])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=20.0,
                        help="synthetic city scale (20 = about a million incidents)")
    parser.add_argument("--only", nargs="*", choices=list(STEPS), help="run only these steps")
    parser.add_argument("--work", type=Path, help="work folder (default: a temp folder)")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        child(args.step, args.work)
        return 0
    work = args.work or Path(tempfile.gettempdir()) / "crimekit-bench"
    work.mkdir(parents=True, exist_ok=True)
    print(f"city: {prepare(work, args.scale)} ({work})")
    rows = []
    for name in args.only or list(STEPS):
        rows.append(run_step(name, work))
        r = rows[-1]
        peak = "-" if r["peak_mb"] is None else f"{r['peak_mb']:,}"
        print(f"{r['step']:<16} {r['seconds']:>8.2f} s {peak:>8} MB  {r['detail']}", flush=True)
    save(rows, args.scale)
    print(f"written to {RESULTS / 'latest.json'} and history.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
