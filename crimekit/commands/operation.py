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
    """Add the ``operation`` command (its flags are fields of OperationSettings)."""
    from crimekit.operations.settings import OperationSettings
    spec = OperationSettings.spec
    p = subparsers.add_parser("operation", help="did an operation work? (crime there against "
                              "the forecast and comparable places)", description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_argument(p)
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--beats", nargs="+", metavar="BEAT", help="the operation's beats")
    where.add_argument("--hot-spots", type=int, metavar="N",
                       help=f"the N busiest grid cells ({spec('cell_size')['default']:g} m): "
                            + spec("hot_spots")["help"])
    p.add_argument("--district", metavar="NAME", default=spec("district")["default"],
                   help=spec("district")["help"])
    p.add_argument("--start", required=True, metavar="DATE", help=spec("start")["help"])
    p.add_argument("--end", required=True, metavar="DATE", help=spec("end")["help"])
    p.add_argument("--out", metavar="CSV", help="write crimes per period and group here")
    p.set_defaults(func=run)


def settings_from(args):
    """The :class:`OperationSettings` the flags ask for."""
    from crimekit.operations.settings import OperationSettings
    if args.beats:
        return OperationSettings(start=args.start, end=args.end, unit="beat",
                                 places=tuple(args.beats))
    return OperationSettings(start=args.start, end=args.end, unit="cell",
                             hot_spots=args.hot_spots, district=args.district or "")


def run(args) -> int:
    from crimekit import export
    from crimekit.operations import check_operation
    from crimekit.sources import open_dataset

    settings = settings_from(args)
    check = check_operation(open_dataset(args.data), settings)
    for line in check.summary():
        print(line)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(export.to_csv_bytes(check.series))
        print(f"Wrote {out}")
    return 0
