"""``python -m crimekit forecast``: forecasts of crimes per period (a backtest-weighted
combination of methods), with the span learned from, the weights and backtests."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from crimekit import export
from crimekit.commands import add_data_argument
from crimekit.forecast import ForecastSettings, forecast, parse_date
from crimekit.sources import open_dataset

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
    """Add the ``forecast`` command; its defaults and choices are ForecastSettings'."""
    spec = ForecastSettings.spec
    p = subparsers.add_parser("forecast", help="forecast incidents per period, with backtests",
                              description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_argument(p)
    p.add_argument("--freq", default=spec("freq")["default"], choices=spec("freq")["choices"],
                   help=f"resolution (default {spec('freq')['default']})")
    p.add_argument("--train-end", metavar="DATE", help="use only incidents before this date")
    horizon = spec("horizon")
    p.add_argument("--horizon", type=int, default=horizon["default"],
                   help=f"periods to forecast, {horizon['low']}-{horizon['high']} "
                        f"(default {horizon['default']})")
    p.add_argument("--by", metavar="FIELDS", help=spec("by")["help"])
    p.add_argument("--method", default=spec("method")["default"],
                   choices=spec("method")["choices"],
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


def settings_from(args) -> ForecastSettings:
    """The ForecastSettings the command line asks for."""
    train_end = None if args.train_end is None else parse_date(args.train_end, "--train-end")
    backtest = args.method == "prophet" and bool(args.backtest or args.backtest_out)
    return ForecastSettings(freq=args.freq, horizon=args.horizon, by=args.by,
                            train_end=train_end, method=args.method, backtest=backtest,
                            city_holidays=not args.no_holidays,
                            country=None if args.no_holidays else args.country)


def run(args) -> int:
    """Fit, forecast, write; optionally report details and the backtest."""
    settings = settings_from(args)
    result = forecast(open_dataset(args.data), settings, n_jobs=args.jobs)
    out = result.csv()
    export.write_csv(out, args.out)
    print(f"Wrote {len(out)} rows ({out['series'].nunique()} series x {settings.horizon} "
          f"{settings.unit}s from {out['ds'].min()}) to {args.out}. " + result.describe())
    warn_problems(result.problems)
    if args.details:
        write_details(result, args.details)
    if args.backtest or args.backtest_out:
        report_backtest(result, args)
    return 0


def warn_problems(problems) -> None:
    """Print the data problems the backtest points to (MASE > 2, a band 5x the forecast)."""
    for _, row in problems.head(10).iterrows():
        print(f"Warning, series {row['series']}: {row['problem']}", file=sys.stderr)
    if len(problems) > 10:
        print(f"Warning: {len(problems) - 10} more series look like data problems "
              "(see --details, column problem).", file=sys.stderr)


def write_details(result, path) -> None:
    """Per row: the forecast, every method's forecast and the series' span, weights and
    backtest; and a per-series summary on stdout."""
    export.write_csv(result.details(), path)
    summary = result.summary
    if result.settings.method == "combination":
        for _, row in summary.head(10).iterrows():
            print(f"- {row['series']}: {row['method']}; weights {row['weights']}; backtest "
                  f"error relative to seasonal naive {row['relative_error']:.2f} over "
                  f"{row['origins']} origins." + (f" {row['span_note']}" if row["span_note"]
                                                  else ""))
        if len(summary) > 10:
            print(f"({len(summary) - 10} more series in {path}.)")
    print(f"Wrote the details to {path}.")


def report_backtest(result, args) -> None:
    """Print (and optionally write) the backtest per series."""
    table = result.backtest_table()
    if result.settings.method == "combination":
        title = ("Backtest (rolling origins inside the history, the same horizon; coverage of "
                 "the 80% band, each origin's band from the other origins' errors; "
                 "relative_mae < 1 beats seasonal naive):")
    else:
        title = ("Backtest (rolling origin over the last year; coverage of the 80% band; "
                 "relative_mae < 1 beats seasonal naive):")
    with pd.option_context("display.width", 250, "display.max_rows", 500,
                           "display.max_columns", 30):
        print(title)
        print(table.round(3).to_string(index=False))
    if args.backtest_out:
        export.write_csv(table, args.backtest_out)
        print(f"Wrote the backtest metrics to {args.backtest_out}.")
