"""`python -m crimekit ingest FILE...`: import files into the local store and print the report."""

from __future__ import annotations

import argparse

from crimekit.errors import ParameterError
from crimekit.ingest import (DEFAULT_MAX_BYTES, available_formats, import_into_store,
                             import_summary)
from crimekit.store import Store

HELP = """\
Import crime data files into the local store, check them, and print what was found.

Give the incidents file(s), and optionally victims/accused, beat or area polygons (GeoJSON or
zipped shapefile) and patrol logs in the same command: they become one dataset. FILE may be a
folder, a glob pattern or a zip archive (a police.uk download): many monthly files of one
source become one dataset, and a file that cannot be used is reported and skipped (exit 2
only when no file is usable). The format and the columns are recognised automatically
(police.uk, Calgary community counts, St. Louis SLMPD, Chicago, LAPD, NYPD, Karnataka State
Police, Medellin, Vancouver, crimekit's own files, or any file with recognisable column
names). Rows that cannot be used (no readable date, duplicates) are dropped and reported; rows
with bad coordinates are kept without a location. Row numbers count the header as row 1.

examples:
  python -m crimekit ingest crimes.csv --name chicago
  python -m crimekit ingest fir.csv accused.csv victims.csv beats.geojson --name yadgir
  python -m crimekit ingest durham-2022.zip --name durham
  python -m crimekit ingest "slmpd/*.csv" --name stlouis
  python -m crimekit ingest counts.csv communities.geojson --name calgary
  python -m crimekit ingest agg_assaults.csv --label "Aggravated assault"
  python -m crimekit ingest export.csv --map "Offense Type=category" --map "When=occurred_at"
  python -m crimekit ingest thefts.csv --format vancouver --crs EPSG:32610
"""

#: How the command line says what a report's advice asks for (the app has boxes for these).
CLI_HINTS = {"coordinate system": "--crs", "day/month order": "--dayfirst or --monthfirst",
             "label": "--label", "in the mapping": "--map", "another sheet": "--sheet",
             "another date column": "--map"}


def register(subparsers) -> None:
    """Add the `ingest` command."""
    p = subparsers.add_parser("ingest", help="import files into the local store",
                              description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="CSV (any delimiter/encoding), Excel, Parquet, GeoJSON or zipped shapefile")
    p.add_argument("--name", help="dataset name (default: the incidents file's name)")
    p.add_argument("--format", default="auto", choices=available_formats(),
                   help="the files' layout (default: recognised automatically)")
    p.add_argument("--map", action="append", default=[], metavar="SOURCE=FIELD",
                   help="map a source column to a field, e.g. \"Primary Type=category\" "
                        "(FIELD 'ignore' drops the column); repeat for more columns")
    p.add_argument("--crs", help="coordinate system of projected X/Y columns, e.g. EPSG:32610")
    order = p.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", dest="date_order", action="store_const", const="dayfirst",
                       help="read dates like 01/02/2024 as day/month (1 February)")
    order.add_argument("--monthfirst", dest="date_order", action="store_const",
                       const="monthfirst", help="read dates like 01/02/2024 as month/day "
                       "(2 January); default: decided from the data")
    p.add_argument("--label", help="crime type for a file without a crime-type column "
                   "(default: from the file name)")
    p.add_argument("--sheet", help="the sheet of an Excel workbook to read (default: the one "
                   "that looks like data)")
    p.add_argument("--store", metavar="DIR",
                   help="store folder (default: $CRIMEKIT_STORE or data/store)")
    p.add_argument("--max-mb", type=float, default=DEFAULT_MAX_BYTES / 1e6,
                   help="refuse files larger than this many MB of 1,000,000 bytes (default: "
                        "500)")
    p.add_argument("--replace", action="store_true",
                   help="replace an existing dataset of the same name")
    p.set_defaults(func=run, date_order="auto")


def parse_map(items) -> dict:
    """{"Primary Type": "category"} from ["Primary Type=category"]."""
    out = {}
    for item in items:
        src, sep, fld = item.rpartition("=")
        if not sep or not src.strip():
            raise ParameterError(f"--map {item!r} must look like SOURCE=FIELD, e.g. "
                                 "--map \"Primary Type=category\".")
        out[src.strip()] = fld.strip()
    return out


def run(args) -> int:
    """Import, save, print each file's report and a one-line summary."""
    name, ds, reports = import_into_store(
        args.files, Store(args.store), name=args.name, replace=args.replace, format=args.format,
        mapping=parse_map(args.map) or None, crs=args.crs,
        max_bytes=int(args.max_mb * 1e6), date_order=args.date_order,
        label=args.label, sheet=args.sheet)
    for report in reports:
        print(report.to_text(hints=CLI_HINTS))
    if len(reports) > 2:
        print(per_file_totals(reports))
    print(import_summary(name, ds))
    return 0


def per_file_totals(reports) -> str:
    """A small table: rows read and kept, crimes and date range per incidents file."""
    lines = [f"{'file':40} {'rows read':>10} {'kept':>10} {'crimes':>10}  dates"]
    for r in reports:
        if r.kind in ("incidents", "skipped"):
            dates = f"{r.first} to {r.last}" if r.first else "(skipped)"
            crimes = f"{r.crimes:,}" if r.crimes is not None else "-"
            lines.append(f"{r.file[:40]:40} {r.rows_read:>10,} {r.rows_kept:>10,} "
                         f"{crimes:>10}  {dates}")
    return "\n".join(lines)
