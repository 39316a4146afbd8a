"""``python -m crimekit alerts``: beats or crime heads whose recent counts are above forecast."""

from __future__ import annotations

import argparse

import pandas as pd

from crimekit import export
from crimekit.commands import add_data_argument
from crimekit.forecast import AlertSettings, check_alerts, parse_date
from crimekit.sources import open_dataset

HELP = """\
List the beats (or crime heads, major heads, districts: --by) whose last --recent complete
periods had more incidents than the forecast expected. Each series' forecast is fitted on the
periods before the window; the window's count is tested against the expected count (one-sided
Poisson test). Flagged: q-value (the p-value after accounting for every series checked,
Benjamini-Hochberg) below --alpha and at least --min-excess incidents above expected.
Month-dated data is checked by month.

example:
  python -m crimekit alerts --data demo --by beat --recent 4 --out alerts.csv
"""


def register(subparsers) -> None:
    """Add the ``alerts`` command; its defaults and choices are AlertSettings'."""
    spec = AlertSettings.spec
    p = subparsers.add_parser("alerts", help="beats or crime heads above their forecast",
                              description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_argument(p)
    p.add_argument("--by", default=spec("by")["default"], choices=spec("by")["choices"],
                   help=f"series (default {spec('by')['default']})")
    p.add_argument("--freq", default=spec("freq")["default"], choices=spec("freq")["choices"],
                   help=f"resolution (default {spec('freq')['default']})")
    recent = spec("recent")
    p.add_argument("--recent", type=int, default=recent["default"],
                   help=f"periods in the window, {recent['low']}-{recent['high']} "
                        f"(default {recent['default']})")
    p.add_argument("--end", metavar="DATE", help="look only at incidents before this date")
    p.add_argument("--alpha", type=float, default=spec("alpha")["default"],
                   choices=spec("alpha")["choices"],
                   help=f"q-value threshold (default {spec('alpha')['default']})")
    p.add_argument("--min-excess", type=float, default=spec("min_excess")["default"],
                   help=f"fewest incidents above expected to flag (default "
                        f"{spec('min_excess')['default']:g})")
    p.add_argument("--country", metavar="CODE", help="add this country's public holidays")
    p.add_argument("--out", metavar="CSV", help="write every series' result here")
    p.add_argument("--jobs", type=int, default=None, help="parallel processes (default all)")
    p.set_defaults(func=run)


def run(args) -> int:
    settings = AlertSettings(by=args.by, freq=args.freq, recent=args.recent,
                             end=None if args.end is None else parse_date(args.end, "--end"),
                             alpha=args.alpha, min_excess=args.min_excess, country=args.country)
    result = check_alerts(open_dataset(args.data), settings, n_jobs=args.jobs)
    table, flagged = result.table, result.flagged
    first, last = result.window
    print(f"{len(flagged)} of {len(table)} {args.by} series above forecast in "
          f"{first:%Y-%m-%d}..{last:%Y-%m-%d} ({args.recent} {result.unit}s; "
          f"q < {args.alpha}, at least {args.min_excess:g} above expected)."
          + (f" {result.note}" if result.note else ""))
    if len(flagged):
        with pd.option_context("display.width", 200):
            print(flagged[["series", "observed", "expected", "ratio", "p_value"]]
                  .round(3).to_string(index=False))
    if args.out:
        export.write_csv(table, args.out)
        print(f"Wrote {args.out}.")
    return 0
