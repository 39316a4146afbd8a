"""``python -m crimekit forecast``: forecasts of crimes per period (a backtest-weighted
combination of methods), with the span learned from, the weights and backtests."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from crimekit import export
from crimekit import forecast as F
from crimekit.errors import ParameterError
from crimekit.sources import open_dataset
from crimekit.periods import period_start
from crimekit.temporal import AREA, BY_FIELDS, FREQS, check_by
from crimekit.commands import add_data_argument

HELP = """\
Forecast crimes per period (D day, W week starting Monday, M month) for the whole area
(series "all") or per value of one or more fields (--by category, --by area,category; area is
the finest area the data has: beat, else district; series then read "AREA | CATEGORY"), with
an 80% band. Writes --out with the columns series,ds,yhat,yhat_lower,yhat_upper (ds = period
start).

The model sees only incidents before --train-end, and the first forecast period is the period
containing --train-end. When --train-end is not a period start (e.g. not a Monday for weekly),
that period's days before --train-end are left out of training (a part-week is not a low week)
and the period is still forecast in full. Without --train-end the forecast starts after the
last complete period of the data.

Before any model sees a series, the periods before consistent recording starts (e.g. a few
crimes recorded decades late) are left out, and abrupt level shifts are levelled, so neither
reads as a trend. The forecast combines a few different methods (a multi-year seasonal naive, a
recent level x season, damped-trend smoothing, Theta, and Prophet with holidays when there are
at most 8 series) with weights from each series' own rolling-origin backtest; the 80% band
comes from that backtest's errors. When seasonal naive beat the combination on the backtest,
seasonal naive is the forecast. --details writes every method's forecast, the weights, what
was left out and the backtest per series. Holidays (for Prophet): the dataset's own list, plus
a country's public holidays with --country (e.g. IN, US, GB). Month-dated data is forecast by
month only.

examples:
  python -m crimekit forecast --data demo --freq W --train-end 2025-07-07 --horizon 8 --out f.csv
  python -m crimekit forecast --data demo --freq M --by area,category --horizon 12 --out f.csv
  python -m crimekit forecast --data demo --by district --horizon 12 --out f.csv --backtest
"""


def register(subparsers) -> None:
    """Add the ``forecast`` command."""
    p = subparsers.add_parser("forecast", help="forecast incidents per period, with backtests",
                              description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_argument(p)
    p.add_argument("--freq", default="W", choices=list(FREQS), help="resolution (default W)")
    p.add_argument("--train-end", metavar="DATE", help="use only incidents before this date")
    p.add_argument("--horizon", type=int, default=8, help="periods to forecast (default 8)")
    p.add_argument("--by", metavar="FIELDS",
                   help="one series per value of these fields, comma-separated, from "
                        f"{', '.join(BY_FIELDS + (AREA,))} (e.g. area,category)")
    p.add_argument("--method", default="combination", choices=("combination", "prophet"),
                   help="combination (default) or one Prophet per series (the old default)")
    p.add_argument("--out", required=True, metavar="CSV", help="forecast file to write")
    p.add_argument("--details", metavar="CSV",
                   help="also write, per row, every method's forecast, the weights, the span "
                        "learned from (and what was left out, and why) and the backtest, and "
                        "print them per series")
    p.add_argument("--backtest", action="store_true",
                   help="also print the backtest per series (MAE, MASE, 80%% band coverage, "
                        "error relative to seasonal naive for the forecast and each method)")
    p.add_argument("--backtest-out", metavar="CSV", help="write the backtest metrics here")
    p.add_argument("--country", metavar="CODE", help="add this country's public holidays")
    p.add_argument("--no-holidays", action="store_true", help="ignore holidays")
    p.add_argument("--jobs", type=int, default=None,
                   help="parallel processes for many series (default: all cores)")
    p.set_defaults(func=run)


def holidays_for(dataset, country, incidents, train_end=None, horizon_days=800):
    """The dataset's holidays plus ``country``'s over the data's years and the horizon."""
    parts = [dataset.holidays] if len(dataset.holidays) else []
    if country:
        first = incidents["occurred_at"].min()
        last = pd.Timestamp(train_end) if train_end else incidents["occurred_at"].max()
        years = range(first.year, (last + pd.Timedelta(days=horizon_days)).year + 1)
        parts.append(F.country_holidays(country, years))
    return pd.concat(parts, ignore_index=True) if parts else None


def run(args) -> int:
    """Fit, forecast, write; optionally report details and the backtest."""
    if args.horizon < 1:
        raise ParameterError.invalid("--horizon", "forecast", "a whole number >= 1",
                                     args.horizon)
    train_end = None if args.train_end is None else F.parse_date(args.train_end, "--train-end")
    dataset = open_dataset(args.data)
    inc = dataset.incidents
    F.check_precision(inc, args.freq)
    by = check_by(args.by, "forecast", inc)
    holidays = None if args.no_holidays else holidays_for(dataset, args.country, inc,
                                                          args.train_end)
    settings = F.ForecastSettings(freq=args.freq, horizon=args.horizon, method=args.method)
    table = F.series_table(inc, args.freq, by, train_end=train_end)
    first = None if train_end is None else period_start(train_end, args.freq)
    details = None
    if args.method == "combination":
        details = F.forecast_details(table, settings, holidays=holidays, n_jobs=args.jobs,
                                     first=first)
        result = details.forecast
    else:
        result = F.forecast_series(table, settings, holidays=holidays, n_jobs=args.jobs,
                                   first=first)
    out = result[list(F.FORECAST_COLUMNS)].copy()
    out["ds"] = out["ds"].dt.strftime("%Y-%m-%d")
    out[["yhat", "yhat_lower", "yhat_upper"]] = out[["yhat", "yhat_lower", "yhat_upper"]].round(3)
    export.write_csv(out, args.out)
    print(f"Wrote {len(out)} rows ({out['series'].nunique()} series x {args.horizon} "
          f"{FREQS[args.freq][0]}s from {out['ds'].min()}) to {args.out}. "
          + (describe_methods(details) if details is not None else "Methods: " + ", ".join(
              f"{m} {n}" for m, n in
              result.groupby("series")["method"].first().value_counts().items()) + "."))
    if details is not None:
        warn_problems(details.summary)
    if args.details:
        write_details(details, result, args.details)
    if args.backtest or args.backtest_out:
        if details is not None:
            report_combination_backtest(details, args)
        else:
            report_backtest(table, settings, holidays, args)
    return 0


def describe_methods(details) -> str:
    """Which methods ran and what was forecast by what, in one or two sentences."""
    chosen = details.summary["method"].value_counts()
    parts = [f"{n} series by the combination of {', '.join(details.methods)}"
             if m == "combination" else f"{n} by seasonal naive (it beat the combination on "
             "their backtest)" for m, n in chosen.items()]
    left = details.summary["left_out_periods"].gt(0).sum()
    shifted = details.summary["level_shifts"].gt(0).sum()
    notes = []
    if left:
        notes.append(f"{left} series left out periods before consistent recording started")
    if shifted:
        notes.append(f"{shifted} had a level shift levelled")
    return "Forecast: " + "; ".join(parts) + "." + (
        " " + "; ".join(notes).capitalize() + " (see --details)." if notes else "")


def warn_problems(summary) -> None:
    """Print the data problems the backtest points to (MASE > 2, a band 5x the forecast)."""
    flagged = summary[summary["problem"] != ""]
    for _, row in flagged.head(10).iterrows():
        print(f"Warning, series {row['series']}: {row['problem']}", file=sys.stderr)
    if len(flagged) > 10:
        print(f"Warning: {len(flagged) - 10} more series look like data problems "
              "(see --details, column problem).", file=sys.stderr)


DETAIL_COLUMNS = ("method", "learned_from", "left_out_periods", "left_out_crimes",
                  "level_shifts", "span_note", "weights", "origins", "relative_error", "mase",
                  "coverage", "problem")


def write_details(details, result, path) -> None:
    """Per row: the forecast, every method's forecast and the series' span, weights and
    backtest; and a per-series summary on stdout."""
    comp = details.components.pivot_table(index=["series", "ds"], columns="method",
                                          values="yhat", sort=False)
    comp.columns = [f"yhat {c}" for c in comp.columns]
    summary = details.summary
    rows = result.drop(columns=["method"]).merge(comp.reset_index(), on=["series", "ds"],
                                                 how="left")
    rows = rows.merge(summary[["series", *DETAIL_COLUMNS,
                               *[c for c in summary if c.startswith(("weight ",
                                                                     "relative_error "))]]],
                      on="series", how="left")
    export.write_csv(rows, path)
    for _, row in summary.head(10).iterrows():
        print(f"- {row['series']}: {row['method']}; weights {row['weights']}; backtest error "
              f"relative to seasonal naive {row['relative_error']:.2f} over {row['origins']} "
              f"origins." + (f" {row['span_note']}" if row["span_note"] else ""))
    if len(summary) > 10:
        print(f"({len(summary) - 10} more series in {path}.)")
    print(f"Wrote the details to {path}.")


def report_combination_backtest(details, args) -> None:
    """Print (and optionally write) the combination's backtest per series."""
    s = details.summary
    table_m = s[["series", "method", "origins", "mae", "naive_mae", "mase", "coverage"]].copy()
    table_m["relative_mae"] = s["relative_error"]
    for m in details.methods:
        table_m[f"rel {m}"] = s[f"relative_error {m}"]
    with pd.option_context("display.width", 250, "display.max_rows", 500,
                           "display.max_columns", 30):
        print("Backtest (rolling origins inside the history, the same horizon; coverage of the "
              "80% band, each origin's band from the other origins' errors; relative_mae < 1 "
              "beats seasonal naive):")
        print(table_m.round(3).to_string(index=False))
    if args.backtest_out:
        export.write_csv(table_m, args.backtest_out)
        print(f"Wrote the backtest metrics to {args.backtest_out}.")


def report_backtest(table, settings, holidays, args) -> None:
    """Backtest every series (Prophet) and print (and optionally write) its metrics."""
    n = table["series"].nunique()
    if n > 20:
        print(f"Backtesting {n} series (13 fits each); this takes a while...", file=sys.stderr)
    points = F.backtest_series(table, settings, holidays=holidays, n_jobs=args.jobs)
    table_m = F.metrics(points, by="series")
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print("Backtest (rolling origin over the last year; coverage of the 80% band; "
              "relative_mae < 1 beats seasonal naive):")
        print(table_m.round(3).to_string(index=False))
    if args.backtest_out:
        export.write_csv(table_m, args.backtest_out)
        print(f"Wrote the backtest metrics to {args.backtest_out}.")
