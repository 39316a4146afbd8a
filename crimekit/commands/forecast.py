"""``python -m crimekit forecast``: Prophet forecasts of incidents per period, with backtests."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from crimekit import export
from crimekit import forecast as F
from crimekit.errors import ParameterError
from crimekit.sources import open_dataset
from crimekit.periods import period_start
from crimekit.temporal import BY_FIELDS, FREQS
from crimekit.commands import add_data_argument

HELP = """\
Forecast incidents per period (D day, W week starting Monday, M month) for the whole area
(series "all") or per crime head / major head / district / beat (--by), with an 80% band.
Writes --out with the columns series,ds,yhat,yhat_lower,yhat_upper (ds = period start).

The model sees only incidents before --train-end, and the first forecast period is the period
containing --train-end. When --train-end is not a period start (e.g. not a Monday for weekly),
that period's days before --train-end are left out of training (a part-week is not a low week)
and the period is still forecast in full. Without --train-end the forecast starts after the
last complete period of the data.

Counts are modelled by Prophet on log1p(count); series too short or too sparse for Prophet get
a seasonal-naive or recent-average forecast instead (column method in --details). Holidays: the
dataset's own list, plus a country's public holidays with --country (e.g. IN, US, GB).

examples:
  python -m crimekit forecast --data demo --freq W --train-end 2025-07-07 --horizon 8 --out f.csv
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
    p.add_argument("--by", choices=BY_FIELDS, help="one series per value of this field")
    p.add_argument("--out", required=True, metavar="CSV", help="forecast file to write")
    p.add_argument("--details", metavar="CSV",
                   help="also write expected (mean), method and fallback reason per row")
    p.add_argument("--backtest", action="store_true",
                   help="also backtest (rolling origin over the last year) and print MAE, "
                        "MASE and 80%% band coverage per series")
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
    """Fit, forecast, write; optionally backtest and report."""
    if args.horizon < 1:
        raise ParameterError.invalid("--horizon", "forecast", "a whole number >= 1",
                                     args.horizon)
    train_end = None if args.train_end is None else F.parse_date(args.train_end, "--train-end")
    dataset = open_dataset(args.data)
    inc = dataset.incidents
    holidays = None if args.no_holidays else holidays_for(dataset, args.country, inc,
                                                          args.train_end)
    settings = F.ForecastSettings(freq=args.freq, horizon=args.horizon)
    table = F.series_table(inc, args.freq, args.by, train_end=train_end)
    first = None if train_end is None else period_start(train_end, args.freq)
    result = F.forecast_series(table, settings, holidays=holidays, n_jobs=args.jobs, first=first)
    out = result[list(F.FORECAST_COLUMNS)].copy()
    out["ds"] = out["ds"].dt.strftime("%Y-%m-%d")
    out[["yhat", "yhat_lower", "yhat_upper"]] = out[["yhat", "yhat_lower", "yhat_upper"]].round(3)
    export.write_csv(out, args.out)
    if args.details:
        export.write_csv(result, args.details)
    methods = result.groupby("series")["method"].first().value_counts()
    print(f"Wrote {len(out)} rows ({out['series'].nunique()} series x {args.horizon} "
          f"{FREQS[args.freq][0]}s from {out['ds'].min()}) to {args.out}. Methods: "
          + ", ".join(f"{m} {n}" for m, n in methods.items()) + ".")
    if args.backtest or args.backtest_out:
        report_backtest(table, settings, holidays, args)
    return 0


def report_backtest(table, settings, holidays, args) -> None:
    """Backtest every series and print (and optionally write) its metrics."""
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
