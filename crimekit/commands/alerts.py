"""``python -m crimekit alerts``: beats or crime heads whose recent counts are above forecast."""

from __future__ import annotations

import argparse

import pandas as pd

from crimekit import export
from crimekit.forecast.alerts import alerts
from crimekit.commands.forecast import holidays_for
from crimekit.sources import open_dataset
from crimekit.temporal import BY_FIELDS, FREQS
from crimekit.commands import add_data_argument

HELP = """\
List the beats (or crime heads, major heads, districts: --by) whose last --recent complete
periods had more incidents than the forecast expected. Each series' forecast is fitted on the
periods before the window; the window's count is tested against the expected count (one-sided
Poisson test). Flagged: p-value below --alpha and at least --min-excess incidents above
expected.

example:
  python -m crimekit alerts --data demo --by beat --recent 4 --out alerts.csv
"""


def register(subparsers) -> None:
    """Add the ``alerts`` command."""
    p = subparsers.add_parser("alerts", help="beats or crime heads above their forecast",
                              description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_argument(p)
    p.add_argument("--by", default="beat", choices=BY_FIELDS, help="series (default beat)")
    p.add_argument("--freq", default="W", choices=list(FREQS), help="resolution (default W)")
    p.add_argument("--recent", type=int, default=4, help="periods in the window (default 4)")
    p.add_argument("--end", metavar="DATE", help="look only at incidents before this date")
    p.add_argument("--alpha", type=float, default=0.01, help="p-value threshold (0.01)")
    p.add_argument("--min-excess", type=float, default=3.0,
                   help="fewest incidents above expected to flag (default 3)")
    p.add_argument("--country", metavar="CODE", help="add this country's public holidays")
    p.add_argument("--out", metavar="CSV", help="write every series' result here")
    p.add_argument("--jobs", type=int, default=None, help="parallel processes (default all)")
    p.set_defaults(func=run)


def run(args) -> int:
    dataset = open_dataset(args.data)
    holidays = holidays_for(dataset, args.country, dataset.incidents, args.end)
    table = alerts(dataset.incidents, by=args.by, freq=args.freq, recent=args.recent,
                   end=args.end, alpha=args.alpha, min_excess=args.min_excess,
                   holidays=holidays, n_jobs=args.jobs)
    flagged = table[table["flagged"]]
    first, last = table["window_start"].min(), table["window_end"].max()
    print(f"{len(flagged)} of {len(table)} {args.by} series above forecast in "
          f"{first:%Y-%m-%d}..{last:%Y-%m-%d} ({args.recent} {FREQS[args.freq][0]}s; "
          f"p < {args.alpha}, at least {args.min_excess:g} above expected).")
    if len(flagged):
        with pd.option_context("display.width", 200):
            print(flagged[["series", "observed", "expected", "ratio", "p_value"]]
                  .round(3).to_string(index=False))
    if args.out:
        export.write_csv(table, args.out)
        print(f"Wrote {args.out}.")
    return 0
