"""`python -m crimekit ingest FILE...`: import files into the local store and print the report."""

from __future__ import annotations

import argparse

from crimekit.errors import ParameterError
from crimekit.ingest import (DEFAULT_MAX_BYTES, available_formats, import_into_store,
                             import_summary)
from crimekit.store import Store

HELP = """\
Import crime data files into the local store, check them, and print what was found.

Give the incidents file, and optionally its victims/accused, beat polygons (GeoJSON or zipped
shapefile) and patrol log files in the same command: they become one dataset. The format and
the columns are recognised automatically (Chicago, LAPD, NYPD, Karnataka State Police,
Medellin, Vancouver, crimekit's own files, or any file with recognisable column names).
Rows that cannot be used (no readable date, duplicates) are dropped and reported; rows with
bad coordinates are kept without a location. Row numbers count the header as row 1.

examples:
  python -m crimekit ingest crimes.csv --name chicago
  python -m crimekit ingest fir.csv accused.csv victims.csv beats.geojson --name yadgir
  python -m crimekit ingest export.csv --map "Offense Type=category" --map "When=occurred_at"
  python -m crimekit ingest thefts.csv --format vancouver --crs EPSG:32610
"""


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
    p.add_argument("--store", metavar="DIR",
                   help="store folder (default: $CRIMEKIT_STORE or data/store)")
    p.add_argument("--max-mb", type=float, default=DEFAULT_MAX_BYTES / 1e6,
                   help="refuse files larger than this many MB of 1,000,000 bytes (default: "
                        "500)")
    p.add_argument("--replace", action="store_true",
                   help="replace an existing dataset of the same name")
    p.set_defaults(func=run)


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
        max_bytes=int(args.max_mb * 1e6))
    for report in reports:
        print(report.to_text())
    print(import_summary(name, ds))
    return 0
