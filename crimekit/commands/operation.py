"""``python -m crimekit operation``: did an operation work?"""

from __future__ import annotations

import argparse
from pathlib import Path

from crimekit.commands import add_data_argument

HELP = """\
Check an operation: the change in crime in its beats (or hot spots) from --start up to, not
including, --end, against the forecast made from the data before it, against comparable
untreated places (a difference-in-differences with a 95% interval), and next door (did crime
move to the neighbouring beats?). Weekly, or monthly for data dated to the month only.

--hot-spots N takes the N grid cells with the most crime in the 13 weeks before --start (in
--district when given) as the operation's places, instead of --beats.

example:
  python -m crimekit operation --data demo --beats E-02 E-03 --start 2025-06-02 \\
      --end 2025-09-01 --out operation.csv
  python -m crimekit operation --data demo --hot-spots 10 --start 2025-06-02 --end 2025-09-01
"""


def register(subparsers) -> None:
    """Add the ``operation`` command."""
    p = subparsers.add_parser("operation", help="did an operation work? (crime there against "
                              "the forecast and comparable places)", description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_argument(p)
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--beats", nargs="+", metavar="BEAT", help="the operation's beats")
    where.add_argument("--hot-spots", type=int, metavar="N",
                       help="the N busiest grid cells before the start")
    p.add_argument("--district", metavar="NAME", help="with --hot-spots: cells in this district")
    p.add_argument("--start", required=True, metavar="DATE", help="first day of the operation")
    p.add_argument("--end", required=True, metavar="DATE",
                   help="the day after the operation's last day")
    p.add_argument("--out", metavar="CSV", help="write crimes per period and group here")
    p.set_defaults(func=run)


def run(args) -> int:
    from crimekit import export
    from crimekit.operations import check_operation, top_cells_before
    from crimekit.sources import open_dataset
    from crimekit.spatial import grid_for

    dataset = open_dataset(args.data)
    if args.beats:
        check = check_operation(dataset, args.beats, args.start, args.end)
    else:
        grid = grid_for(dataset.incidents, beats=dataset.beats)
        cells = top_cells_before(dataset, grid, args.start, args.hot_spots,
                                 district=args.district)
        check = check_operation(dataset, cells, args.start, args.end, unit="cell", grid=grid)
    for line in check.summary():
        print(line)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(export.to_csv_bytes(check.series))
        print(f"Wrote {out}")
    return 0
