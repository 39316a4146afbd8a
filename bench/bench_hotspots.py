"""Benchmark the hotspot models: accuracy against baselines (and the truth) and speed.

    python bench/bench_hotspots.py demo           # the demo city: all models vs the truth
    python bench/bench_hotspots.py real           # ../shared/data samples (Chicago, LAPD)
    python bench/bench_hotspots.py speed --scale 4 --years 7   # a real-sized city

Prints hit rates at 1% and 5% coverage (mean over the backtest's periods) and timings.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crimekit.evaluate import backtest  # noqa: E402
from crimekit.features import build_features, count_cube  # noqa: E402
from crimekit.hotspots import MODELS, HotspotModel, make_model, rolling_predict  # noqa: E402
from crimekit.periods import weeks_to_periods  # noqa: E402
from crimekit.schema import Dataset, conform_incidents  # noqa: E402
from crimekit.spatial import grid_for  # noqa: E402
from crimekit.synth import generate_city  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def report(name, bt, started):
    s = bt.summary[bt.summary["coverage"].isin([0.01, 0.05])]
    table = s.pivot(index="model", columns="coverage", values="hit_rate")
    table["pai_1%"] = s[s["coverage"] == 0.01].set_index("model")["pai"]
    table["brier"] = s.groupby("model")["brier"].first()
    print(f"\n== {name}: {len(bt.periods)} test periods, {time.time() - started:.0f} s")
    print(table.sort_values(0.01, ascending=False).round(4).to_string())
    base = table.drop(index=[m for m in table.index if m in ("xgboost",) or "truth" in m])
    for cov in (0.01, 0.05):
        best = base[cov].max()
        per = bt.per_period[bt.per_period["coverage"] == cov].pivot(
            index="period_start", columns="model", values="hit_rate").dropna()
        diff = per["xgboost"] - per[base[cov].idxmax()]
        se = diff.std(ddof=1) / np.sqrt(len(diff))
        print(f"  xgboost vs best baseline at {cov:.0%}: {table.loc['xgboost', cov]:.4f} vs "
              f"{best:.4f} ({base[cov].idxmax()}): {table.loc['xgboost', cov] - best:+.4f} "
              f"(paired over periods: {diff.mean():+.4f} +/- {1.96 * se:.4f})")
    if any("truth" in m for m in table.index):
        truth = table.loc[[m for m in table.index if "truth" in m][0], 0.01]
        print(f"  xgboost / truth at 1%: {table.loc['xgboost', 0.01] / truth:.3f}")


def truth_scores(city, cube, n):
    fine = city.truth.fine_cells
    exp = city.truth.expected_counts(cube.grid.cell_of(fine["lat"], fine["lon"]),
                                     freq=cube.freq)
    exp = exp[exp["unit"] >= 0].pivot(index="period_start", columns="unit", values="expected")
    return exp.reindex(index=cube.periods[-n:], columns=cube.cell_ids).fillna(0).to_numpy()


def demo(cell_size=250.0, freq="W", weeks=52):
    city = generate_city(7)
    ds = city.dataset
    started = time.time()
    grid = grid_for(ds.incidents, cell_size=cell_size, beats=ds.beats)
    cube = count_cube(ds.incidents, grid, freq=freq, pois=ds.pois)
    n = weeks_to_periods(weeks, freq)
    bt = backtest(cube, {m: make_model(m) for m in MODELS}, n_periods=n,
                  extra_scores={"truth": truth_scores(city, cube, n)})
    report(f"demo city, {cell_size:g} m, {freq}, {len(grid.cells)} cells", bt, started)


def real_sample(name, path, date_col, lat_col, lon_col, cell_size, freq, weeks, fmt=None):
    raw = pd.read_csv(path)
    inc = pd.DataFrame({"occurred_at": pd.to_datetime(raw[date_col], format=fmt,
                                                      errors="coerce"),
                        "lat": pd.to_numeric(raw[lat_col], errors="coerce"),
                        "lon": pd.to_numeric(raw[lon_col], errors="coerce"),
                        "category": "all"})
    inc = inc[(inc["lat"].abs() > 1) & inc["occurred_at"].notna()]
    ds = Dataset(name, conform_incidents(inc))
    started = time.time()
    grid = grid_for(ds.incidents, cell_size=cell_size)
    cube = count_cube(ds.incidents, grid, freq=freq)
    n = min(weeks_to_periods(weeks, freq), cube.n_periods // 3)
    bt = backtest(cube, {m: make_model(m) for m in MODELS}, n_periods=n)
    report(f"{name}: {len(inc)} incidents {inc['occurred_at'].min():%Y}-"
           f"{inc['occurred_at'].max():%Y}, {cell_size:g} m, {freq}, {len(grid.cells)} cells, "
           f"{cube.counts[-n:].sum():.0f} test crimes", bt, started)


def real():
    if not SHARED.exists():
        print(f"{SHARED} is absent; nothing to measure.")
        return
    for cell, freq in ((1000, "M"), (2000, "M")):
        real_sample("Chicago homicides", SHARED / "chicago_homicides_sample.csv", "Date",
                    "Latitude", "Longitude", cell, freq, 260, "%m/%d/%Y %I:%M:%S %p")
    for cell, freq in ((1000, "M"), (2000, "M")):
        real_sample("LAPD sample", SHARED / "lapd_sample.csv", "DATE OCC", "LAT", "LON",
                    cell, freq, 104)


def speed(scale=4.0, years=7.0, cell_size=250.0, weeks=52, retrain=13, seed=3):
    t0 = time.time()
    city = generate_city(seed, years=years, scale=scale)
    ds = city.dataset
    print(f"\n== speed: generated {len(ds.incidents):,} incidents over {years:g} years "
          f"in {time.time() - t0:.0f} s")
    t0 = time.time()
    grid = grid_for(ds.incidents, cell_size=cell_size, beats=ds.beats)
    cube = count_cube(ds.incidents, grid, freq="W", pois=ds.pois)
    t_cube = time.time() - t0
    t0 = time.time()
    build_features(cube, np.arange(cube.n_periods - 52, cube.n_periods))
    t_feat = time.time() - t0
    print(f"grid + counts: {t_cube:.1f} s ({len(grid.cells):,} cells x {cube.n_periods} "
          f"weeks); features for 52 weeks x all cells: {t_feat:.1f} s")
    t = np.arange(cube.n_periods - weeks, cube.n_periods)
    t0 = time.time()
    raw, prob, _ = rolling_predict(HotspotModel(), cube, t, retrain_every_weeks=retrain)
    t_bt = time.time() - t0
    print(f"XGBoost {weeks}-week backtest, refit every {retrain} weeks "
          f"({int(np.ceil(weeks / retrain))} fits, n_jobs=2): {t_bt:.0f} s")
    n = weeks
    t0 = time.time()
    bt = backtest(cube, {"all-history": make_model("all-history"), "kde": make_model("kde")},
                  n_periods=n, extra_scores={"xgboost": raw,
                                             "truth": truth_scores(city, cube, n)})
    print(f"baselines and measures: {time.time() - t0:.0f} s")
    s = bt.summary[bt.summary["coverage"].isin([0.01, 0.05])]
    print(s.pivot(index="model", columns="coverage", values="hit_rate").round(4).to_string())


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("part", choices=["demo", "real", "speed", "all"])
    p.add_argument("--scale", type=float, default=4.0)
    p.add_argument("--years", type=float, default=7.0)
    p.add_argument("--cell-size", type=float, default=250.0)
    args = p.parse_args()
    if args.part in ("demo", "all"):
        demo()
    if args.part in ("real", "all"):
        real()
    if args.part in ("speed", "all"):
        speed(args.scale, args.years, args.cell_size)
