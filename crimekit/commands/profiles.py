"""``python -m crimekit profiles``: victim and accused profiles, re-offending backtest, crime
links and place clusters, written as CSV tables to a folder."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from crimekit import links, profiles
from crimekit.errors import CrimekitError
from crimekit.export import write_csv
from crimekit.filters import Filters, apply_filters
from crimekit.place_clusters import PlaceClusters
from crimekit.reoffending import backtest_reoffending
from crimekit.sources import open_dataset
from crimekit.commands import add_data_argument

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
    p.add_argument("--months", type=int, default=12,
                   help="re-offending horizon in months (default 12)")
    p.add_argument("--unmask", action="store_true",
                   help="write person ids and full names instead of pseudonyms and masked names")
    p.set_defaults(func=run)


def tables(dataset, *, months: int = 12, mask_names: bool = True):
    """Yield (file name, table or the reason it was skipped) for every section."""
    cov = profiles.coverage(dataset)
    inc = dataset.incidents
    for role, n, fields in (("victim", cov.victims, cov.victim_fields),
                            ("accused", cov.accused, cov.accused_fields)):
        if not n:
            yield f"{role}_profiles.csv", f"the data has no {role} rows"
            continue
        yield f"{role}_profiles.csv", profiles.distribution(dataset, role)
    if cov.victims:
        over = [profiles.overrepresentation(dataset, field=f) for f in cov.victim_fields]
        yield "overrepresented_victims.csv", pd.concat(over, ignore_index=True)
        yield "repeat_victims.csv", (profiles.repeat_victims(dataset, mask_names=mask_names)
                                     if cov.victim_ids else "victim rows carry no person ids")
    if cov.count_columns:
        yield "person_counts.csv", profiles.person_counts(dataset)
    if cov.person_ids:
        yield "repeat_offenders.csv", profiles.repeat_offenders(dataset, mask_names=mask_names)
        yield "co_offending.csv", profiles.co_offending(dataset, mask_names=mask_names)
        try:
            bt = backtest_reoffending(dataset, months=months)
            yield "reoffending_backtest.csv", pd.DataFrame([{
                "as_of": bt.as_of, "months": bt.months, "offenders": bt.n,
                "base_rate": bt.base_rate, "auc": bt.auc, "auc_count_only": bt.auc_count_only,
                "brier": bt.brier, "brier_base_rate": bt.brier_base_rate}])
            yield "reoffending_by_group.csv", bt.by_group
        except CrimekitError as exc:
            yield "reoffending_backtest.csv", str(exc)
    else:
        yield "repeat_offenders.csv", "accused rows carry no person ids"
    yield "journey_to_crime.csv", (profiles.journey_summary(dataset) if cov.homes
                                   else "accused rows carry no home locations")
    yield "head_correlation.csv", links.head_correlation(inc)
    yield "co_occurrence.csv", links.co_occurrence(inc)
    yield "heinous_share.csv", links.heinous_share(inc)
    yield "major_heads.csv", links.major_head_breakdown(inc)
    yield "property_values.csv", links.property_values(inc, by=("category", "district"))
    try:
        clusters = PlaceClusters().fit(inc)
        yield "place_clusters.csv", clusters.labels_
        yield "place_cluster_profiles.csv", clusters.profiles_
    except CrimekitError as exc:
        yield "place_clusters.csv", str(exc)


def run(args) -> int:
    """Open the data, filter it, write every table; print what was written or skipped."""
    dataset = apply_filters(open_dataset(args.data), Filters(
        start=args.start, end=args.end, categories=tuple(args.category)))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"{len(dataset.incidents):,} incidents, {len(dataset.persons):,} person rows.")
    for name, table in tables(dataset, months=args.months, mask_names=not args.unmask):
        if isinstance(table, str):
            print(f"  skipped {name}: {table}")
            continue
        write_csv(table, out / name)
        print(f"  {out / name} ({len(table):,} rows)")
    return 0
