"""Benchmark and settings check for crimekit.forecast.

    python bench/bench_forecast.py            # timings: one citywide series, all beats
    python bench/bench_forecast.py --compare  # backtest accuracy of Prophet settings
    python bench/bench_forecast.py --compare --quick  # the chosen settings, band calibrated or not
    python bench/bench_forecast.py --origins  # the combination, 52 weeks ahead from each January
                                              # on the real series (+ stragglers, + a level shift)
    python bench/bench_forecast.py --panel    # 2,700 monthly series, 12 months ahead
    python bench/bench_forecast.py --origins --statsforecast  # statsforecast's models in the
    python bench/bench_forecast.py --panel --statsforecast    # combination (SF_VARIANTS)

--statsforecast needs statsforecast, which requirements.txt leaves out (2.1.1 requires
pandas < 3; see crimekit/forecast/methods.py). It was measured in a separate environment
on our pins: python -m venv --system-site-packages ENV, then ENV/bin/pip install --no-deps
statsforecast==2.1.1 coreforecast==0.0.20 fugue==0.9.7 triad==1.0.4 adagio==0.2.6
utilsforecast==0.2.17 statsmodels==0.15.0 patsy==1.0.3 formulaic==1.2.2 interface_meta==2.0.1
fsspec==2026.9.0.

Timings use the demo city (seed 7) and the calls the pages make (crimekit.forecast.forecast
and check_alerts with the Trends page's default settings). The comparison backtests (rolling origin over the last
year, horizon 4 periods) the demo city's citywide, crime-head and district series and real
weekly series built from the samples in ../shared/data (Chicago homicides, LAPD), for a few
Prophet settings, and prints MAE, MASE, coverage of the 80% band and MAE relative to seasonal
naive (below 1 = beats it).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crimekit import forecast as F  # noqa: E402
from crimekit.synth import generate_city  # noqa: E402
from crimekit.periods import next_period, period_range, period_start  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
CANDIDATES = {
    "chosen: log1p, cps 0.01, order 4": {},
    "same, band not calibrated on a holdout": {"calibrate": False},
    "log1p, cps 0.05, order 10": {"changepoint_prior_scale": 0.05, "yearly_order": 10},
    "raw counts, additive, cps 0.05, order 10 (Prophet defaults)":
        {"transform": "none", "changepoint_prior_scale": 0.05, "yearly_order": 10},
    "raw counts, multiplicative, cps 0.05": {"transform": "none",
                                             "seasonality_mode": "multiplicative",
                                             "changepoint_prior_scale": 0.05},
}


def real_weekly(name: str) -> pd.DataFrame:
    """A weekly ``ds, y`` series from one of the real samples (complete weeks only)."""
    if name == "chicago homicides":
        raw = pd.read_csv(DATA / "chicago_homicides_sample.csv", usecols=["Date"])
        when = pd.to_datetime(raw["Date"], format="%m/%d/%Y %I:%M:%S %p")
    else:
        raw = pd.read_csv(DATA / "lapd_sample.csv", usecols=["DATE OCC"])
        when = pd.to_datetime(raw["DATE OCC"])
    weeks = pd.Series(1, index=period_start(when, "W")).groupby(level=0).sum()
    full = period_range(weeks.index.min(), next_period(weeks.index.max(), "W"), "W")
    y = weeks.reindex(full, fill_value=0).iloc[1:-1]  # drop partial first/last weeks
    return pd.DataFrame({"ds": y.index, "y": y.to_numpy()})


def demo_series(city) -> dict:
    """Demo-city series to check: citywide (weekly and daily), heads, districts, one beat."""
    inc = city.dataset.incidents
    out = {"demo citywide W": F.series_table(inc, "W")}
    out["demo citywide D"] = F.series_table(inc, "D")
    by_head = F.series_table(inc, "W", "category")
    for head in ("Theft", "Hurt", "Burglary", "Robbery", "Murder"):
        out[f"demo head {head} W"] = by_head[by_head["series"] == head]
    by_district = F.series_table(inc, "W", "district")
    for d in ("Central", "West"):
        out[f"demo district {d} W"] = by_district[by_district["series"] == d]
    by_beat = F.series_table(inc, "W", "beat")
    busiest = by_beat.groupby("series")["y"].sum().idxmax()
    out[f"demo beat {busiest} W"] = by_beat[by_beat["series"] == busiest]
    return out


def compare(horizon: int = 4, quick: bool = False) -> pd.DataFrame:
    city = generate_city(7)
    series = demo_series(city)
    series["chicago homicides W"] = real_weekly("chicago homicides")
    series["lapd sample W"] = real_weekly("lapd")
    rows = []
    for label, table in series.items():
        freq = label.rsplit(" ", 1)[1]
        holidays = city.dataset.holidays if label.startswith("demo") else None
        for cand, changes in list(CANDIDATES.items())[:2 if quick else None]:
            settings = replace(F.ForecastSettings(freq=freq, horizon=horizon), **changes)
            t0 = time.perf_counter()
            pts = F.backtest(table[["ds", "y"]], settings, holidays=holidays)
            m = F.metrics(pts).iloc[0]
            rows.append({"series": label, "settings": cand, "mean_y": table["y"].mean(),
                         "mae": m["mae"], "mase": m["mase"], "coverage": m["coverage"],
                         "naive_mae": m["naive_mae"], "naive_mase": m["naive_mase"],
                         "relative_mae": m["relative_mae"], "method": m["method"],
                         "seconds": time.perf_counter() - t0})
            print(f"{label:28s} {cand[:40]:40s} mae {m['mae']:7.2f} mase {m['mase']:.3f} "
                  f"cov {m['coverage']:.2f} naive mase {m['naive_mase']:.3f} "
                  f"rel {m['relative_mae']:.3f}", flush=True)
    return pd.DataFrame(rows)


def timings(n_jobs: int = 2) -> None:
    city = generate_city(7)
    ds, hol = city.dataset, city.dataset.holidays
    settings = F.ForecastSettings(freq="W", horizon=8)  # the Trends page's default
    t0 = time.perf_counter()
    F.forecast(ds, settings)
    print(f"one citywide weekly series, 8 weeks ahead: {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    F.forecast(ds, settings.replace(freq="D", horizon=28))
    print(f"one citywide daily series, 28 days ahead: {time.perf_counter() - t0:.2f} s")
    for jobs in (1, n_jobs):
        t0 = time.perf_counter()
        out = F.forecast(ds, settings.replace(by="beat"), n_jobs=jobs).forecast
        print(f"all {out['series'].nunique()} beats, weekly, 8 weeks ahead, n_jobs={jobs}: "
              f"{time.perf_counter() - t0:.2f} s "
              f"({(out.groupby('series')['method'].first() == 'prophet').sum()} by Prophet)")
    t0 = time.perf_counter()
    table = F.series_table(ds.incidents, "W")
    F.backtest(table[["ds", "y"]], settings.replace(horizon=4), holidays=hol)
    print(f"backtest of the citywide weekly series (13 origins): "
          f"{time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    alerts = F.check_alerts(ds, F.AlertSettings(by="category"), n_jobs=n_jobs)
    print(f"alerts by crime head ({alerts.tested} series, the Overview's first check), "
          f"n_jobs={n_jobs}: {time.perf_counter() - t0:.2f} s")


def yearly_origins(label: str, table: pd.DataFrame, prophet=True) -> pd.DataFrame:
    """The combination from each 1 January with 3+ years behind it, 52 weeks ahead: per origin
    the relative error (MAE / seasonal naive's) of every component and of the combination,
    80% band coverage and seconds."""
    from crimekit.forecast.combination import combined_forecast
    from crimekit.forecast.spans import learning_span
    ds = pd.DatetimeIndex(table["ds"])
    y = table["y"].to_numpy(float)
    rows = []
    first = ds[learning_span(y, ds, "W").start].year  # not 1969 for a file with stragglers
    for year in range(first + 3, ds[-1].year + 1):
        o = int(ds.searchsorted(pd.Timestamp(f"{year}-01-01")))
        actual = y[o:o + 52]
        t0 = time.perf_counter()
        res = combined_forecast(table.iloc[:o], "W", len(actual), prophet=prophet, n_jobs=2)
        seconds = time.perf_counter() - t0
        comp = res.components.pivot(index="ds", columns="method", values="yhat")
        naive = abs(actual - comp["seasonal naive"].to_numpy()).mean()
        f = res.forecast
        row = {"series": label, "origin": year}
        for m in res.methods:
            row[m] = abs(actual - comp[m].to_numpy()).mean() / naive
        row["combination"] = abs(actual - f["yhat"].to_numpy()).mean() / naive
        row["combination (mean)"] = abs(actual - f["expected"].to_numpy()).mean() / naive
        row["coverage"] = ((actual >= f["low"].to_numpy())
                           & (actual <= f["high"].to_numpy())).mean()
        row["seconds"] = seconds
        rows.append(row)
        print(", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                        for k, v in row.items()), flush=True)
    return pd.DataFrame(rows)


def real_series() -> dict:
    """Weekly citywide series of the two real files, plus the NYPD one with injected
    stragglers (0.4 % of rows dated 1966-2005) and with a synthetic level shift (x0.6 from
    2012)."""
    import numpy as np
    from crimekit.sources import open_dataset
    out = {}
    for name, file in (("nypd", "nypd_shootings_full.csv"),
                       ("medellin", "medellin_homicides_full.csv")):
        inc = open_dataset(str(DATA / file)).incidents
        out[name] = F.series_table(inc, "W")
        if name == "nypd":
            rng = np.random.default_rng(0)
            late = inc.sample(frac=0.004, random_state=0).copy()
            late["occurred_at"] = pd.Timestamp("1966-01-01") + pd.to_timedelta(
                rng.integers(0, 40 * 365, len(late)), unit="D")
            out["nypd + stragglers"] = F.series_table(pd.concat([inc, late]), "W")
            shifted = out["nypd"].copy()
            after = shifted["ds"] >= "2012-01-01"
            shifted.loc[after, "y"] = rng.binomial(shifted.loc[after, "y"].astype(int), 0.6)
            out["nypd, level x0.6 from 2012"] = shifted
    return out


def panel_table(seed: int = 0):
    """2,700 synthetic monthly series (300 areas x 9 categories, drifting levels): (train,
    test) tables, the last 12 months held out."""
    import numpy as np
    rng = np.random.default_rng(seed)
    T = 96
    ds = pd.date_range("2015-01-01", periods=T + 12, freq="MS")
    season = 1 + 0.15 * np.sin(2 * np.pi * np.arange(T + 12) / 12)
    level = rng.lognormal(0, 1, 300)[:, None] * rng.lognormal(0, 0.8, 9)[None, :]
    drift = np.exp(np.cumsum(rng.normal(0, 0.03, (300, 9, T + 12)), axis=2))
    y = rng.poisson(level[:, :, None] * season * drift)
    names = [f"A{a} | C{c}" for a in range(300) for c in range(9)]
    table = pd.DataFrame({"series": np.repeat(names, T + 12), "ds": np.tile(ds, 2700),
                          "y": y.reshape(-1)})
    return table[table["ds"] < ds[T]], table[table["ds"] >= ds[T]]


def panel(seed: int = 0, label: str = "today") -> dict:
    """The panel of :func:`panel_table`, 12 months ahead: time, relative error of the
    combination and of every method, coverage."""
    from crimekit.forecast.combination import combined_forecast
    from crimekit.forecast.weighting import median_count
    train, test = panel_table(seed)
    t0 = time.perf_counter()
    res = combined_forecast(train, "M", 12)
    seconds = time.perf_counter() - t0
    f = res.forecast.merge(test, on=["series", "ds"])
    comp = res.components.pivot_table(index=["series", "ds"], columns="method",
                                      values="yhat").reset_index().merge(test, on=["series", "ds"])
    naive = (comp["y"] - comp["seasonal naive"]).abs().sum()
    row = {"series": "panel 2700 monthly", "variant": label, "origin": "12 months"}
    for m in res.methods:
        row[m] = (comp["y"] - comp[m]).abs().sum() / naive
    row["combination"] = (f["y"] - f["yhat"]).abs().sum() / naive
    row["combination (mean)"] = (f["y"] - f["expected"]).abs().sum() / naive
    # like for like with the combination's yhat: each method's median count
    for m in res.methods:
        row[f"{m} (median)"] = (comp["y"] - median_count(comp[m])).abs().sum() / naive
    row["coverage"] = ((f["y"] >= f["low"]) & (f["y"] <= f["high"])).mean()
    row["seconds"] = seconds
    print(f"panel of 2,700 monthly series, 12 months ahead ({label}): {seconds:.1f} s; "
          f"relative error combination {row['combination']:.3f} (its mean "
          f"{row['combination (mean)']:.3f}), "
          + ", ".join(f"{m} {row[m]:.3f} (median {row[f'{m} (median)']:.3f})"
                      for m in res.methods)
          + f"; 80% band coverage {row['coverage']:.3f}", flush=True)
    return row


# --- statsforecast as components: the measurement behind crimekit/forecast/methods.py's note ---
SF_FREQ = {"D": "D", "W": "W-MON", "M": "MS"}
#: statsforecast models measured: (alias, on) where ``on`` is "raw" (the model's own season,
#: season_length = one year) or "deseasonalised" (the counts over crimekit's pooled season,
#: season_length 1, the forecast times the future season, like the numpy methods).
SF_MODELS = (("sf AutoETS", "raw"), ("sf AutoTheta", "raw"), ("sf MSTL", "raw"),
             ("sf AutoETS x season", "deseasonalised"), ("sf AutoTheta x season", "deseasonalised"))
SF_VARIANTS = {
    "today": None,
    "+ every sf model": [m for m, _ in SF_MODELS],
    "+ sf AutoETS, AutoTheta, MSTL": ["sf AutoETS", "sf AutoTheta", "sf MSTL"],
    "sf AutoETS, AutoTheta for damped, theta": ["-damped trend", "-theta", "sf AutoETS",
                                                "sf AutoTheta"],
    "sf x season for damped, theta": ["-damped trend", "-theta", "sf AutoETS x season",
                                      "sf AutoTheta x season"],
}
_SF_CACHE: dict = {}


def _sf_models(names, m):
    from statsforecast.models import MSTL, AutoETS, AutoTheta
    out = []
    for name in names:
        season = m if dict(SF_MODELS)[name] == "raw" else 1
        if name.startswith("sf AutoETS"):
            out.append(AutoETS(season_length=season, alias=name))
        elif name.startswith("sf AutoTheta"):
            out.append(AutoTheta(season_length=season, alias=name))
        else:
            out.append(MSTL(season_length=season, alias=name))
    return out


def sf_forecasts(Y, start, ds, freq, horizon, names, n_jobs=1):
    """The SF_MODELS ``names`` on every series' span (from ``start``), through
    ``StatsForecast(models, freq, n_jobs).forecast`` on a long-format frame: {alias: array
    (series, horizon)}, cached by input and model (the variants share them)."""
    import hashlib
    import numpy as np
    from statsforecast import StatsForecast
    from statsforecast.models import Naive
    from crimekit.forecast import methods as FM
    from crimekit.forecast.series import SEASON, future_starts
    key = hashlib.sha1(np.ascontiguousarray(Y).tobytes() + np.asarray(start).tobytes()
                       + f"{ds[0]}{freq}{horizon}".encode()).hexdigest()
    n, T = Y.shape
    m = SEASON[freq]
    todo = [k for k in names if (key, k) not in _SF_CACHE]
    if todo:
        future = future_starts(ds[-1], horizon, freq)
        P, Pf = FM.fit_season(Y, start, ds, future, freq, pooled=n > 1)
        keep = FM.valid_mask(Y.shape, start)
        ii, tt = np.nonzero(keep)
        for on, values in (("raw", Y), ("deseasonalised", Y / P)):
            group = [k for k in todo if dict(SF_MODELS)[k] == on]
            if not group:
                continue
            df = pd.DataFrame({"unique_id": ii, "ds": ds[tt], "y": values[ii, tt]})
            sf = StatsForecast(models=_sf_models(group, m), freq=SF_FREQ[freq], n_jobs=n_jobs,
                               fallback_model=Naive())
            fc = sf.forecast(df=df, h=horizon)
            for name in group:
                arr = fc.pivot(index="unique_id", columns="ds", values=name).reindex(range(n))
                arr = np.clip(arr.to_numpy(float), 0, None)
                _SF_CACHE[key, name] = arr * Pf if on == "deseasonalised" else arr
    return {k: _SF_CACHE[key, k].copy() for k in names}


class sf_variant:
    """Context: crimekit's fast methods with statsforecast models added (names) or removed
    ("-name"), and Prophet's forecasts cached (the same for every variant)."""

    _prophet_cache: dict = {}

    def __init__(self, changes, n_jobs=1):
        self.changes, self.n_jobs = changes, n_jobs

    def __enter__(self):
        import hashlib
        import numpy as np
        from crimekit.forecast import combination as C
        from crimekit.forecast import methods as FM
        self.saved = FM.fast_forecasts, C.prophet_forecasts
        fast, prophet_jobs = self.saved
        changes, n_jobs, cache = self.changes, self.n_jobs, self._prophet_cache

        def patched(Y, start, ds, freq, horizon, pooled=True):
            out = fast(Y, start, ds, freq, horizon, pooled=pooled)
            if changes:
                extra = sf_forecasts(np.asarray(Y, float), start, pd.DatetimeIndex(ds), freq,
                                     horizon, [c for c in changes if not c.startswith("-")],
                                     n_jobs)
                for c in changes:
                    if c.startswith("-"):
                        out.pop(c[1:])
                    else:
                        out[c] = extra[c]
            return out

        def cached_prophet(Y, starts, ds, cuts, horizon, freq, holidays, n_jobs_, progress):
            key = hashlib.sha1(np.ascontiguousarray(Y).tobytes() + np.asarray(starts).tobytes()
                               + f"{ds[0]}{cuts}{horizon}{freq}".encode()).hexdigest()
            if key not in cache:
                cache[key] = prophet_jobs(Y, starts, ds, cuts, horizon, freq, holidays, n_jobs_,
                                          progress)
            return cache[key]

        FM.fast_forecasts, C.prophet_forecasts = patched, cached_prophet
        return self

    def __exit__(self, *exc):
        from crimekit.forecast import combination as C
        from crimekit.forecast import methods as FM
        FM.fast_forecasts, C.prophet_forecasts = self.saved


def statsforecast_origins(variants=None) -> pd.DataFrame:
    """Every SF_VARIANTS entry on the real series' January origins (bench --origins)."""
    rows = []
    series = real_series()
    for variant, changes in SF_VARIANTS.items():
        if variants and variant not in variants:
            continue
        for label, table in series.items():
            print(f"== {variant}: {label}", flush=True)
            with sf_variant(changes):
                rows.append(yearly_origins(label, table).assign(variant=variant))
    return pd.concat(rows, ignore_index=True)



if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compare", action="store_true", help="compare Prophet settings")
    parser.add_argument("--quick", action="store_true",
                        help="compare only the chosen settings with and without band calibration")
    parser.add_argument("--out", help="CSV file for the comparison table")
    parser.add_argument("--origins", action="store_true",
                        help="the combination from each January on the real series")
    parser.add_argument("--panel", action="store_true", help="2,700 monthly series")
    parser.add_argument("--statsforecast", action="store_true",
                        help="with --origins or --panel: the SF_VARIANTS (needs statsforecast)")
    parser.add_argument("--variant", action="append",
                        help="with --statsforecast: only this variant (repeatable)")
    args = parser.parse_args()
    if args.statsforecast and args.origins:
        table = statsforecast_origins(args.variant)
        with pd.option_context("display.width", 250, "display.max_columns", 30):
            print(table.groupby(["variant", "series"]).agg(["mean", "max", "min"]).round(3).T)
        if args.out:
            table.to_csv(args.out, index=False)
    elif args.statsforecast and args.panel:
        rows = []
        for variant, changes in SF_VARIANTS.items():
            if args.variant and variant not in args.variant:
                continue
            _SF_CACHE.clear()  # each variant's time includes its own statsforecast fits
            with sf_variant(changes, n_jobs=2):
                rows.append(panel(label=variant))
        if args.out:
            pd.DataFrame(rows).to_csv(args.out, index=False)
    elif args.origins:
        table = pd.concat([yearly_origins(k, v) for k, v in real_series().items()])
        with pd.option_context("display.width", 250, "display.max_columns", 20):
            print(table.groupby("series").agg(["mean", "max", "min"]).round(3).T)
        if args.out:
            table.to_csv(args.out, index=False)
    elif args.panel:
        row = panel()
        if args.out:
            pd.DataFrame([row]).to_csv(args.out, index=False)
    elif args.compare:
        table = compare(quick=args.quick)
        if args.out:
            table.to_csv(args.out, index=False)
    else:
        timings()
