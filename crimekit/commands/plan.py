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
risk (expected incidents), risk_low, risk_high (80% band), covered, covered_current,
under_patrolled and evidence (the recorded crime behind the risk).

--officers N posts N officers in every shift; --officers 20,25,15 gives each shift its own,
in the order morning,evening,night; without it, today's strength from the duty logs (else two
per beat). All available officers are posted unless the maximum per beat or the fairness cap
stops it (the command then says how many are left over). Without --min-per-beat every beat
gets one officer when every shift has at least one per beat (as in the app).

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


def _flag(p, name: str, *, metavar: str, type=None, nargs=None) -> None:
    """A flag for a :class:`PlanSettings` field: its default, choices and help from there."""
    from crimekit.patrol.settings import PlanSettings
    spec = PlanSettings.spec(name)
    words = {"unit": "beat", "units": "beats", "Units": "Beats"}
    kwargs = {"type": type} if type is not None else {}
    if nargs is not None:
        kwargs["nargs"] = nargs
    if spec["choices"] is not None:
        kwargs["choices"] = spec["choices"]
    else:
        kwargs["metavar"] = metavar
    default = spec["default"]
    shown = ("" if default is None or default == () else f" Default: {default:g}."
             if isinstance(default, float) else f" Default: {default}.")
    p.add_argument("--" + name.replace("_", "-"), default=default,
                   help=spec["help"].format(**words) + shown, **kwargs)


def register(subparsers) -> None:
    """Add the ``plan`` command (its flags are the fields of PlanSettings)."""
    p = subparsers.add_parser("plan", help="deploy officers across beats and shifts",
                              description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_argument(p)
    p.add_argument("--beats", metavar="FILE", help="beat polygons (GeoJSON or shapefile); "
                   "without them, beats come from the incidents' beat column")
    _flag(p, "officers", metavar="N or M,E,N", type=str)
    _flag(p, "min_per_beat", metavar="N", type=int)
    _flag(p, "max_per_beat", metavar="N", type=int)
    _flag(p, "max_change", metavar="N", type=int)
    _flag(p, "fair_cap", metavar="M", type=float)
    _flag(p, "must_cover", metavar="BEAT", nargs="+")
    _flag(p, "freq", metavar="FREQ")
    _flag(p, "areas", metavar="KIND")
    _flag(p, "n_areas", metavar="N", type=int)
    _flag(p, "station", metavar="DISTRICT", nargs="+")
    _flag(p, "heads", metavar="HEAD", nargs="+")
    _flag(p, "heinous_weight", metavar="W", type=float)
    _flag(p, "risk_source", metavar="SOURCE")
    p.add_argument("--out", required=True, metavar="FILE", help="CSV file to write the plan to")
    p.add_argument("--report", metavar="FILE", help="also write a printable HTML report")
    p.set_defaults(func=run)


def settings_from(args):
    """The :class:`PlanSettings` the flags ask for."""
    from crimekit.patrol.settings import PlanSettings, parse_officers
    officers = None if args.officers is None else parse_officers(args.officers,
                                                                 "plan --officers")
    return PlanSettings(officers=officers, min_per_beat=args.min_per_beat,
                        max_per_beat=args.max_per_beat, max_change=args.max_change,
                        fair_cap=args.fair_cap, must_cover=tuple(args.must_cover),
                        freq=args.freq, areas=args.areas, n_areas=args.n_areas,
                        station=tuple(args.station), heads=tuple(args.heads),
                        heinous_weight=args.heinous_weight, risk_source=args.risk_source)


def run(args) -> int:
    """Build the risk, solve the plan, write it and print the headline."""
    from crimekit import export
    from crimekit.patrol import hot_spot_visits, inputs_for, plan_patrols, plan_report_html
    from crimekit.wording import plural
    from crimekit.schema import SHIFTS
    from crimekit.sources import open_dataset

    settings = settings_from(args)
    dataset = open_dataset(args.data)
    if args.beats:
        dataset = replace(dataset, beats=_read_beats(args.beats))
    inputs = inputs_for(dataset, settings)
    result = plan_patrols(dataset, settings, inputs=inputs)
    plan = result.plan
    out = export.write_csv(plan.table, args.out)
    for note in result.notes:
        print(note)
    rows = (f"{result.area_unit}-shifts" if result.shifts == SHIFTS else
            plural(result.area_unit, len(plan.table)))
    print(f"Plan for the period from {result.period_start:%Y-%m-%d} ({result.freq}): "
          f"{len(plan.table):,} {rows}, {plan.limits.describe()}.")
    print(result.headline)
    for note in plan.notes:
        print(note)
    if not result.has_current:
        print("No duty logs in the data, so 'current' is 0 and no change is reported.")
    print(f"Wrote {out}")
    if args.report:
        from crimekit.briefing import dataset_title
        html_text = plan_report_html(result, visits=hot_spot_visits(inputs.dataset, plan.table),
                                     dataset_name=dataset_title(inputs.dataset))
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
