"""``python -m crimekit profiles``: victim and accused profiles, re-offending backtest, crime
links and place clusters, written as CSV tables to a folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from crimekit.commands import add_data_argument, add_setting_argument
from crimekit.export import write_csv
from crimekit.filters import Filters
from crimekit.profiles import ProfileSettings, profile
from crimekit.sources import open_dataset

HELP = """\
Profile who is harmed and who offends, how crime heads go together and which places are alike,
and write each table as a CSV to DIR. Sections the data cannot support (no victims, no person
ids, no home locations) are skipped with the reason printed. Names are masked and people are
shown as pseudonyms unless --unmask is given.

example:
  python -m crimekit profiles --data demo --out profiles/ --start 2024-01-01 --end 2025-12-31
"""


def register(subparsers) -> None:
    """Add the ``profiles`` command."""
    p = subparsers.add_parser("profiles", help="victim/accused profiles, crime links, "
                              "place clusters", description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_argument(p)
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write the tables to")
    p.add_argument("--start", help="first day (YYYY-MM-DD)")
    p.add_argument("--end", help="last day, inclusive (YYYY-MM-DD)")
    p.add_argument("--category", action="append", default=[], metavar="C",
                   help="only this crime head (repeat for more)")
    add_setting_argument(p, ProfileSettings, "months")
    add_setting_argument(p, ProfileSettings, "by")
    add_setting_argument(p, ProfileSettings, "min_persons")
    add_setting_argument(p, ProfileSettings, "unit")
    add_setting_argument(p, ProfileSettings, "cell_size")
    add_setting_argument(p, ProfileSettings, "method")
    p.add_argument("--unmask", action="store_true",
                   help="write person ids and full names instead of pseudonyms and masked names")
    p.set_defaults(func=run)


def settings_of(args) -> ProfileSettings:
    """The settings the options ask for (checked by ProfileSettings)."""
    return ProfileSettings(section="all", mask_names=not args.unmask, months=args.months,
                           by=args.by, min_persons=args.min_persons, unit=args.unit,
                           cell_size=args.cell_size, method=args.method)


def tables(dataset, settings: ProfileSettings = ProfileSettings()):
    """[(file name, table or the reason it was skipped)] for every section."""
    return profile(dataset, settings.replace(section="all")).tables()


def run(args) -> int:
    """Open the data, filter it, write every table; print what was written or skipped."""
    settings = settings_of(args)
    dataset = open_dataset(args.data, filters=Filters(
        start=args.start, end=args.end, categories=tuple(args.category)))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"{len(dataset.incidents):,} incidents, {len(dataset.persons):,} person rows.")
    for name, table in tables(dataset, settings):
        if isinstance(table, str):
            print(f"  skipped {name}: {table}")
            continue
        write_csv(table, out / name)
        print(f"  {out / name} ({len(table):,} rows)")
    return 0
