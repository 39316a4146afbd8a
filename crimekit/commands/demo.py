"""``python -m crimekit demo``: write the synthetic city's files."""

from __future__ import annotations

import argparse

from crimekit.synth import generate_city, write_city

HELP = """\
Write the synthetic demo city to DIR: incidents.csv, persons.csv (victims and accused),
beats.geojson, patrols.csv (beat duty logs), pois.csv, holidays.csv, and the truth it was drawn
from (truth_beat_week.csv, truth.json). Same seed, same city.

example:
  python -m crimekit demo --out demo/ --seed 7
  python -m crimekit ingest demo/incidents.csv demo/persons.csv demo/beats.geojson --name demo
"""


def register(subparsers) -> None:
    """Add the ``demo`` command."""
    p = subparsers.add_parser("demo", help="write the synthetic demo city's files",
                              description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write the files into")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--years", type=float, default=3.0, help="years of incidents (default 3)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="multiply every crime rate (default 1 = about 50,000 incidents; "
                        "20 = about a million)")
    p.set_defaults(func=run)


def run(args) -> int:
    """Generate the city and write it; print what was written."""
    city = generate_city(args.seed, years=args.years, scale=args.scale)
    paths = write_city(city, args.out)
    ds = city.dataset
    first, last = ds.date_range
    print(f"Wrote the synthetic city (seed {args.seed}): {len(ds.incidents):,} incidents "
          f"from {first:%Y-%m-%d} to {last:%Y-%m-%d}, {len(ds.persons):,} persons, "
          f"{len(ds.beats)} beats, {len(ds.patrols):,} duty-log rows.")
    for path in paths:
        print(f"  {path}")
    return 0
