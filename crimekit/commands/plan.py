"""``python -m crimekit plan``: the patrol deployment plan for the period after the data ends."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from crimekit.commands import add_data_argument

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

example:
  python -m crimekit plan --data demo --officers 300,280,140 --min-per-beat 1 --out plan.csv
  python -m crimekit plan --data incidents.csv --beats beats.geojson --officers 40 \\
      --max-change 10 --must-cover C-01 C-02 --out plan.csv --report plan.html
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
    p.add_argument("--freq", choices=("D", "W", "2W"), default="W",
                   help="planning period: a day, a week (default, starting Monday) or two weeks")
    p.add_argument("--risk-source", choices=("history", "hotspots"), default="history",
                   help="risk from decayed recorded history (default) or the hotspot model")
    p.add_argument("--out", required=True, metavar="FILE", help="CSV file to write the plan to")
    p.add_argument("--report", metavar="FILE", help="also write a printable HTML report")
    p.set_defaults(func=run)


def run(args) -> int:
    """Build the risk, solve the plan, write it and print the headline."""
    from crimekit import export, patrol
    from crimekit.patrol_risk import beat_shift_risk, planning_start
    from crimekit.sources import open_dataset

    dataset = open_dataset(args.data)
    if args.beats:
        dataset = replace(dataset, beats=_read_beats(args.beats))
    officers = patrol.officers_per_shift(args.officers, "plan --officers")
    current = patrol.current_deployment(dataset.patrols)
    risk = beat_shift_risk(dataset, freq=args.freq, risk_source=args.risk_source)
    plan = patrol.plan_patrols(risk, officers, min_per_beat=args.min_per_beat,
                               max_per_beat=args.max_per_beat, must_cover=args.must_cover,
                               current=current if len(current) else None,
                               max_change=args.max_change, fair_cap=args.fair_cap)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(export.to_csv_bytes(plan.table))
    start = planning_start(dataset, args.freq)
    print(f"Plan for the period from {start:%Y-%m-%d} ({args.freq}): {len(plan.table):,} "
          f"beat-shifts, {plan.settings.describe()}.")
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
