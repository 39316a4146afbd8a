"""``python -m crimekit briefing``: the weekly briefing as a two-page A4 PDF."""

from __future__ import annotations

import argparse
from pathlib import Path

from crimekit.commands import add_data_argument

HELP = """\
Print the weekly briefing for a station commander on at most two A4 pages: a map of the
district (or the whole area) with the coming week's hot spots and the patrol plan, the top
places by name with their usual times and the reasons, what is rising (tested for chance and
corrected for testing many crime heads at once; "not comparable" when the data does not cover
both periods), the plan per shift with the changes from today's deployment (when duty logs
exist), the accuracy of each prediction on its backtest, and the limits of it all.

Officers per shift default to today's strength from the duty logs (two per beat without
them). Data dated to the month only gets a monthly briefing without times of day or shifts.

example:
  python -m crimekit briefing --data demo --district East --out briefing.pdf
  python -m crimekit briefing --data incidents.csv --officers 20,25,15 --out briefing.pdf \\
      --png briefing.png
"""


def register(subparsers) -> None:
    """Add the ``briefing`` command."""
    p = subparsers.add_parser("briefing", help="the weekly briefing as a two-page PDF",
                              description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_argument(p)
    p.add_argument("--out", required=True, metavar="FILE", help="PDF file to write")
    p.add_argument("--district", metavar="NAME", help="brief on this district (station) only")
    p.add_argument("--officers", metavar="N or M,E,N",
                   help="officers available per shift (default: today's, from the duty logs)")
    p.add_argument("--png", metavar="FILE", help="also write the first page as a PNG image")
    p.set_defaults(func=run)


def run(args) -> int:
    from crimekit.briefing import BriefingSettings, build_briefing
    from crimekit.briefing_pdf import write_pdf, write_png
    from crimekit.sources import open_dataset

    dataset = open_dataset(args.data)
    brief = build_briefing(dataset, BriefingSettings(district=args.district,
                                                     officers=args.officers))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_pdf(brief, out)
    print(f"{brief.title} ({brief.dataset}).")
    for line in brief.headline:
        print(line)
    for row in brief.places.head(5).itertuples():
        print(f"{row.rank}. {row.name}: {row.reason}")
    print(f"Wrote {out} (2 pages)")
    if args.png:
        write_png(brief, args.png)
        print(f"Wrote {args.png}")
    return 0
