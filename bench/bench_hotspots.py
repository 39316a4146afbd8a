"""Benchmark the hotspot models: accuracy against every baseline (and the truth) and speed.

    python bench/bench_hotspots.py cities            # NYC shootings, Medellin homicides
    python bench/bench_hotspots.py cities --years 5  # ... and each of the last 5 years
    python bench/bench_hotspots.py demo              # the demo city, with the truth
    python bench/bench_hotspots.py real              # ../shared/data samples (Chicago, LAPD)
    python bench/bench_hotspots.py speed --scale 20 --years 3   # about a million incidents
    python bench/bench_hotspots.py page              # the Hotspots page's calls, cold

For each model: mean PAI and hit rate at 1% and 5% of the area over the backtest's periods
(weekly, 250 m cells, the last 52 weeks, refitted every 13 weeks on the weeks before only),
the seconds its backtest took, and for each learned model the paired difference from the best
baseline (mean over periods, with its standard error, and relative to the baseline).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crimekit.hotspots import (LEARNED, MODELS, HotspotSettings, make_model,  # noqa: E402
                               predict_hotspots, rolling_predict)
from crimekit.hotspots.evaluate import TRUTH, backtest, versus_best_baseline  # noqa: E402
from crimekit.hotspots.evaluate import truth_scores as truth_ceiling  # noqa: E402
from crimekit.hotspots.features import count_cube  # noqa: E402
from crimekit.periods import weeks_to_periods  # noqa: E402
from crimekit.schema import Dataset, conform_incidents  # noqa: E402
from crimekit.spatial import grid_for  # noqa: E402
from crimekit.synth import generate_city  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
CITIES = {"NYC shootings 2006-2018": "nypd_shootings_full.csv",
          "Medellin homicides 2010-2019": "medellin_homicides_full.csv"}
COVERAGES = (0.01, 0.05)


def timed_backtest(cube, names, n, extra=None, retrain=13):
    """One backtest per model (so each is timed): (Backtest of all, seconds per model)."""
    parts, seconds = [], {}
    for name in names:
        t0 = time.perf_counter()
        parts.append(backtest(cube, {name: make_model(name)}, n_periods=n,
                              retrain_every_weeks=retrain, coverages=COVERAGES))
        seconds[name] = time.perf_counter() - t0
    if extra:
        parts.append(backtest(cube, {}, n_periods=n, coverages=COVERAGES, extra_scores=extra))
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.joined(part)
    return joined, seconds


def report(title, bt, seconds):
    """Print every model's PAI and hit rate at 1% and 5%, its time, and the learned models'
    paired differences from the best baseline; return the latter as a table."""
    s = bt.summary
    table = s.pivot(index="model", columns="coverage", values="pai")
    table.columns = [f"PAI {c:.0%}" for c in table.columns]
    hits = s.pivot(index="model", columns="coverage", values="hit_rate")
    for c in hits.columns:
        table[f"hit {c:.0%}"] = hits[c]
    table["seconds"] = pd.Series(seconds)
    print(f"\n== {title}: {len(bt.periods)} test periods from {bt.periods[0]:%Y-%m-%d}")
    print(table.sort_values("PAI 1%", ascending=False).round(3).to_string())
    vs = versus_best_baseline(bt, COVERAGES, measure="pai")
    for r in vs.itertuples():
        print(f"  {r.model} vs best baseline at {r.coverage:.0%} ({r.baseline}): PAI "
              f"{r.value:.3f} vs {r.baseline_value:.3f}, paired difference "
              f"{r.difference:+.3f} +/- {r.se:.3f} (1 s.e.), {r.relative:+.1%} relative "
              f"({r.difference / r.se if r.se else np.nan:+.1f} s.e.)")
    return vs


def city_cube(path, cell_size=250.0, freq="W"):
    from crimekit.sources import open_dataset
    t0 = time.perf_counter()
    ds = open_dataset(str(path))
    grid = grid_for(ds.incidents, cell_size=cell_size, beats=ds.beats)
    cube = count_cube(ds.incidents, grid, freq=freq, pois=ds.pois)
    return ds, cube, time.perf_counter() - t0


def cities(years=1, models=None, cell_size=250.0):
    """Each city: the last 52 weeks, and with ``years`` > 1 each of the 52-week blocks before
    (an origin per year; the models are refitted every 13 weeks within each)."""
    if not SHARED.exists():
        print(f"{SHARED} is absent; nothing to measure.")
        return
    names = models or list(MODELS)
    rows = []
    for city, file in CITIES.items():
        ds, cube, took = city_cube(SHARED / file, cell_size)
        print(f"\n#### {city}: {len(ds.incidents):,} incidents ({cube.counts.sum():,.0f} crimes "
              f"in {len(cube.cell_ids):,} cells of {cell_size:g} m x {cube.n_periods} weeks); "
              f"read and counted in {took:.1f} s")
        for back in range(years - 1, -1, -1):
            cut = cube.n_periods - 52 * back
            sub = type(cube)(**{**cube.__dict__, "periods": cube.periods[:cut],
                                "counts": cube.counts[:cut], "other": cube.other[:cut]})
            bt, seconds = timed_backtest(sub, names, 52)
            vs = report(f"{city}, weekly, {cell_size:g} m", bt, seconds)
            rows.append(vs.assign(city=city, origin=bt.periods[0]))
    if rows:
        out = pd.concat(rows, ignore_index=True)
        if years > 1:
            print("\n== every origin: learned model vs best baseline (relative PAI, s.e.)")
            out["cell"] = [f"{r:+.1%} ({s / b:.1%})" for r, s, b in
                           zip(out["relative"], out["se"], out["baseline_value"])]
            print(out.pivot_table(index=["city", "origin"], columns=["model", "coverage"],
                                  values="cell", aggfunc="first").to_string())
        return out


def truth_scores(city, cube, n):
    return truth_ceiling(city.truth, cube, n)[TRUTH]


def demo(cell_size=250.0, freq="W", weeks=52):
    city = generate_city(7)
    ds = city.dataset
    grid = grid_for(ds.incidents, cell_size=cell_size, beats=ds.beats)
    cube = count_cube(ds.incidents, grid, freq=freq, pois=ds.pois)
    n = weeks_to_periods(weeks, freq)
    truth = truth_scores(city, cube, n)
    bt, seconds = timed_backtest(cube, list(MODELS), n, extra={"truth": truth})
    report(f"demo city, {cell_size:g} m, {freq}, {len(grid.cells)} cells", bt, seconds)
    # the same scores ranked against the truth's expected counts (what the cells really hold)
    print("  ranked against the true expected counts (PAI of expected crimes flagged):")
    from crimekit.hotspots.evaluate import period_metrics
    t = np.arange(cube.n_periods - n, cube.n_periods)
    for name in ("poisson", "xgboost", "last-52-weeks", "all-history"):
        raw = rolling_predict(make_model(name), cube, t)[0]
        pai = [np.mean([period_metrics(s, e, c)["pai"] for s, e in zip(raw, truth)])
               for c in COVERAGES]
        print(f"    {name:14s} " + "  ".join(f"{c:.0%}: {p:.3f}" for c, p in
                                            zip(COVERAGES, pai)))


def real_sample(name, path, date_col, lat_col, lon_col, cell_size, freq, weeks, fmt=None):
    raw = pd.read_csv(path)
    inc = pd.DataFrame({"occurred_at": pd.to_datetime(raw[date_col], format=fmt,
                                                      errors="coerce"),
                        "lat": pd.to_numeric(raw[lat_col], errors="coerce"),
                        "lon": pd.to_numeric(raw[lon_col], errors="coerce"),
                        "category": "all"})
    inc = inc[(inc["lat"].abs() > 1) & inc["occurred_at"].notna()]
    ds = Dataset(name, conform_incidents(inc))
    grid = grid_for(ds.incidents, cell_size=cell_size)
    cube = count_cube(ds.incidents, grid, freq=freq)
    n = min(weeks_to_periods(weeks, freq), cube.n_periods // 3)
    bt, seconds = timed_backtest(cube, list(MODELS), n)
    report(f"{name}: {len(inc)} incidents {inc['occurred_at'].min():%Y}-"
           f"{inc['occurred_at'].max():%Y}, {cell_size:g} m, {freq}, {len(grid.cells)} cells",
           bt, seconds)


def real():
    if not SHARED.exists():
        print(f"{SHARED} is absent; nothing to measure.")
        return
    for cell in (1000, 2000):
        real_sample("Chicago homicides", SHARED / "chicago_homicides_sample.csv", "Date",
                    "Latitude", "Longitude", cell, "M", 260, "%m/%d/%Y %I:%M:%S %p")
        real_sample("LAPD sample", SHARED / "lapd_sample.csv", "DATE OCC", "LAT", "LON",
                    cell, "M", 104)


def speed(scale=20.0, years=3.0, cell_size=250.0, weeks=52, retrain=13, seed=3):
    """A city of about a million incidents (scale 20, 3 years): count cube, one fit of each
    learned model, and their 52-week backtests beside the fast baselines."""
    t0 = time.perf_counter()
    city = generate_city(seed, years=years, scale=scale)
    ds = city.dataset
    print(f"\n== speed: generated {len(ds.incidents):,} incidents over {years:g} years "
          f"in {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    grid = grid_for(ds.incidents, cell_size=cell_size, beats=ds.beats)
    cube = count_cube(ds.incidents, grid, freq="W", pois=ds.pois)
    print(f"grid + counts: {time.perf_counter() - t0:.1f} s ({len(grid.cells):,} cells x "
          f"{cube.n_periods} weeks)")
    for name in LEARNED:
        t0 = time.perf_counter()
        make_model(name).fit(cube)
        print(f"{name}: one fit on all history {time.perf_counter() - t0:.1f} s")
    n = weeks_to_periods(weeks, "W")
    bt, seconds = timed_backtest(cube, list(MODELS), n, extra={"truth": truth_scores(
        city, cube, n)}, retrain=retrain)
    report(f"speed city, {len(ds.incidents):,} incidents", bt, seconds)


def page(cell_size=250.0):
    """The Hotspots page's first calls on the demo city, cold (nothing cached): the default
    (the fast models' backtest of 13 weeks, the chosen model's fit and risk per cell) and the
    Overview's XGBoost with every model's backtest and the truth."""
    city = generate_city(7)
    print(f"\n== page: demo city, {cell_size:g} m cells")
    for name, settings in (
            ("default (best fast model)", HotspotSettings(cell_size=cell_size)),
            ("XGBoost, every model backtested", HotspotSettings(cell_size=cell_size,
                                                                 model="xgboost",
                                                                 compare=True))):
        t0 = time.perf_counter()
        r = predict_hotspots(city.dataset, settings, truth=city.truth)
        print(f"{name}: {time.perf_counter() - t0:.1f} s (model {r.model}, backtested hit "
              f"rate {r.hit_rate:.3f} at {settings.coverage:.0%})")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("part", choices=["cities", "demo", "real", "speed", "page", "all"])
    p.add_argument("--years", type=float, default=None,
                   help="cities: how many yearly origins (default 1); speed: years of data")
    p.add_argument("--scale", type=float, default=20.0)
    p.add_argument("--cell-size", type=float, default=250.0)
    p.add_argument("--models", default=None, help="comma-separated (default: every model)")
    args = p.parse_args()
    chosen = args.models.split(",") if args.models else None
    if args.part in ("cities", "all"):
        cities(int(args.years or 1), chosen, args.cell_size)
    if args.part in ("demo", "all"):
        demo(args.cell_size)
    if args.part in ("real", "all"):
        real()
    if args.part in ("speed", "all"):
        speed(args.scale, args.years or 3.0, args.cell_size)
    if args.part in ("page", "all"):
        page(args.cell_size)
