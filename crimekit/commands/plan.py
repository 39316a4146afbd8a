"""``python -m crimekit plan``: the patrol deployment plan for the period after the data ends."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from crimekit.commands import add_data_argument
from crimekit.patrol_areas import KINDS

HELP = """\
Plan how many officers to post to each beat in each shift (morning 06-14, evening 14-22,
night 22-06) for the period after the data ends, to cover the most expected crime with
diminishing returns per extra officer. Writes one row per (beat, shift) with the columns
beat, shift, officers, current (today's deployment from the duty logs, 0 if none), change,
risk (expected incidents), risk_lower, risk_upper (80% band), covered, covered_current,
under_patrolled and evidence (the recorded crime behind the risk).

--officers N posts N officers in every shift; --officers 20,25,15 gives each shift its own,
in the order morning,evening,night. All available officers are posted unless the maximum per
beat or the fairness cap stops it (the command then says how many are left over).

Areas: the beat polygons when given (--beats or imported with the data), else the areas or
districts the incidents name, else compact areas of similar workload drawn from the map
(--areas chooses; --n-areas sets how many are drawn). --station plans one district's areas
only. The plan weighs every crime head, each crime once, unless --heads or --heinous-weight
say otherwise. Data without times of day gets one all-day posting per area (one --officers
number); month-dated data is planned for the next month.

example:
  python -m crimekit plan --data demo --officers 300,280,140 --min-per-beat 1 --out plan.csv
  python -m crimekit plan --data incidents.csv --beats beats.geojson --officers 40 \\
      --max-change 10 --must-cover C-01 C-02 --out plan.csv --report plan.html
  python -m crimekit plan --data demo --station East --officers 30,28,14 --heinous-weight 2 \\
      --out east.csv
"""


def register(subparsers) -> None:
    """Add the ``plan`` command."""
    p = subparsers.add_parser("plan", help="deploy officers across beats and shifts",
                              description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_argument(p)
    p.add_argument("--beats", metavar="FILE", help="beat polygons (GeoJSON or shapefile); "
                   "without them, beats come from the incidents' beat column")
    p.add_argument("--officers", required=True, metavar="N or M,E,N",
                   help="officers available per shift: one number for every shift, or three "
                        "separated by commas in the order morning,evening,night")
    p.add_argument("--min-per-beat", type=int, default=0, metavar="N",
                   help="officers every beat gets in every shift (default 0)")
    p.add_argument("--max-per-beat", type=int, default=None, metavar="N",
                   help="most officers one beat gets in one shift (default no limit)")
    p.add_argument("--max-change", type=int, default=None, metavar="N",
                   help="most officers moved per shift from today's deployment (duty logs)")
    p.add_argument("--fair-cap", type=float, default=None, metavar="M",
                   help="no beat gets more than M times the equal share (officers in the shift "
                        "/ beats), an over-policing guard (e.g. 3)")
    p.add_argument("--must-cover", nargs="+", default=(), metavar="BEAT",
                   help="beats that get at least one officer in every shift")
    p.add_argument("--freq", choices=("D", "W", "2W", "M"), default="W",
                   help="planning period: a day, a week (default, starting Monday), two weeks "
                        "or a month (month-dated data is always planned by month)")
    p.add_argument("--areas", choices=("auto",) + KINDS, default="auto",
                   help="what to deploy across: auto (default: beat polygons, else the areas or "
                        "districts the incidents name, else areas drawn from the map), beats, "
                        "named, districts or grid")
    p.add_argument("--n-areas", type=int, default=None, metavar="N",
                   help="how many areas to draw from the map (grid areas; default about one "
                        "per 50 crimes of the last two years)")
    p.add_argument("--station", nargs="+", default=(), metavar="DISTRICT",
                   help="plan only this district's (station's) areas; several for a group")
    p.add_argument("--heads", nargs="+", default=(), metavar="HEAD",
                   help="crime heads the plan weighs (default: every head)")
    p.add_argument("--heinous-weight", type=float, default=1.0, metavar="W",
                   help="how many times a heinous crime counts (default 1)")
    p.add_argument("--risk-source", choices=("history", "hotspots"), default="history",
                   help="risk from decayed recorded history (default) or the hotspot model")
    p.add_argument("--out", required=True, metavar="FILE", help="CSV file to write the plan to")
    p.add_argument("--report", metavar="FILE", help="also write a printable HTML report")
    p.set_defaults(func=run)


def run(args) -> int:
    """Build the risk, solve the plan, write it and print the headline."""
    from crimekit import export, patrol
    from crimekit.patrol_areas import build_patrol_areas, plural
    from crimekit.schema import SHIFTS
    from crimekit.planning import HeadWeights, current_of, make_plan, plan_inputs
    from crimekit.sources import open_dataset

    dataset = open_dataset(args.data)
    if args.beats:
        dataset = replace(dataset, beats=_read_beats(args.beats))
    areas = build_patrol_areas(dataset, args.areas, station=tuple(args.station),
                               n_areas=args.n_areas)
    inputs = plan_inputs(dataset, areas, heads=HeadWeights(tuple(args.heads),
                                                           args.heinous_weight),
                         freq=args.freq)
    officers = patrol.officers_per_shift(args.officers, "plan --officers", inputs.shifts)
    current = current_of(inputs)
    plan = make_plan(inputs, officers, risk_source=args.risk_source,
                     min_per_beat=args.min_per_beat, max_per_beat=args.max_per_beat,
                     must_cover=args.must_cover, max_change=args.max_change,
                     fair_cap=args.fair_cap)
    dataset = inputs.dataset
    out = export.write_csv(plan.table, args.out)
    start = inputs.start
    for note in inputs.notes:
        print(note)
    rows = (f"{areas.unit}-shifts" if inputs.shifts == SHIFTS else
            plural(areas.unit, len(plan.table)))
    print(f"Plan for the period from {start:%Y-%m-%d} ({inputs.freq}): {len(plan.table):,} "
          f"{rows}, {plan.settings.describe()}.")
    print(patrol.headline(plan))
    for note in plan.notes:
        print(note)
    if not len(current):
        print("No duty logs in the data, so 'current' is 0 and no change is reported.")
    print(f"Wrote {out}")
    if args.report:
        from crimekit.briefing import dataset_title
        from crimekit.report import plan_report_html
        html_text = plan_report_html(plan, dosage=patrol.dosage(dataset, plan.table),
                                     dataset_name=dataset_title(dataset),
                                     period_start=start)
        Path(args.report).write_text(html_text, encoding="utf-8")
        print(f"Wrote {args.report}")
    return 0


def _read_beats(path):
    """Beat polygons from a GeoJSON or shapefile, through the ingestion readers."""
    from crimekit.ingest import ingest_files
    dataset, _reports = ingest_files([Path(path)], name=Path(path).stem)
    if dataset.beats is None:
        from crimekit.errors import UnusableInputError
        raise UnusableInputError(f"{path} has no beat polygons: give a GeoJSON or shapefile "
                                 "with a beat name column.")
    return dataset.beats
