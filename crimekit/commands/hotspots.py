"""``python -m crimekit hotspots``: risk per grid cell for every period in [start, end)."""

from __future__ import annotations

import argparse
from pathlib import Path

from crimekit import export
from crimekit.hotspots import ScoreSettings, score_hotspots
from crimekit.sources import open_dataset
from crimekit.commands import add_data_argument

HELP = """\
Score every grid cell for every period starting in [--start, --end) with a hotspot model, and
write risk.csv (period_start,cell_id,score; higher = riskier) and cells.csv (cell_id,geometry as
WKT polygons in EPSG:4326). Each period's scores use only incidents that occurred before it
started; the model is refitted every --retrain-every weeks on the data before the refit.

Periods: D day, S shift (06-14, 14-22, 22-06), W week (from Monday), 2W two weeks, M month.
Data whose dates are known only to the month (or day) is scored per month (or day), with one
sentence saying so.

Models: poisson (default: learns from counts how to weigh each cell's last 8 periods, last 13
and 52 weeks, all history, its neighbours and points of interest; about a second per fit),
xgboost (Poisson boosting on top of it; slower), and the baselines last-period, last-year,
last-52-weeks, all-history, kde, markov.

example:
  python -m crimekit hotspots --data demo --start 2025-10-06 --end 2026-01-05 \\
      --out risk.csv --cells cells.csv
"""


def register(subparsers) -> None:
    """Add the ``hotspots`` command."""
    p = subparsers.add_parser("hotspots", help="predict crime risk per grid cell and period",
                              description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_argument(p)
    p.add_argument("--start", required=True, metavar="DATE", help="first period starts here")
    p.add_argument("--end", required=True, metavar="DATE",
                   help="score periods starting before this date")
    spec = ScoreSettings.spec
    p.add_argument("--freq", default=spec("freq")["default"], choices=spec("freq")["choices"],
                   help=f"period length (default {spec('freq')['default']})")
    size = spec("cell_size")
    p.add_argument("--cell-size", type=float, default=float(size["default"]), metavar="METRES",
                   help=f"grid cell size in metres, {size['low']:g} to {size['high']:g} "
                        f"(default {size['default']:g})")
    p.add_argument("--model", default=spec("model")["default"], choices=spec("model")["choices"],
                   help=f"which model scores the cells (default {spec('model')['default']})")
    p.add_argument("--category", nargs="+", default=None, metavar="C",
                   help="only these crime heads (default: all)")
    every = spec("retrain_every_weeks")
    p.add_argument("--retrain-every", type=float, default=float(every["default"]),
                   metavar="WEEKS", help=f"refit the model every this many weeks (default "
                                         f"{every['default']:g})")
    p.add_argument("--out", required=True, metavar="risk.csv", help="where to write the scores")
    p.add_argument("--cells", required=True, metavar="cells.csv",
                   help="where to write the cells' polygons")
    p.set_defaults(func=run)


def run(args) -> int:
    """Score the periods and write the two files."""
    settings = ScoreSettings(cell_size=args.cell_size, freq=args.freq,
                             categories=tuple(args.category or ()), model=args.model,
                             retrain_every_weeks=args.retrain_every)
    dataset = open_dataset(args.data)
    scored = score_hotspots(dataset, settings, start=args.start, end=args.end)
    for note in scored.notes:
        print(note)
    # the contract's score is the calibrated probability of at least one crime
    out = scored.risk[["period_start", "cell_id", "probability"]].rename(
        columns={"probability": "score"})
    out["period_start"] = out["period_start"].dt.strftime(
        "%Y-%m-%d %H:%M" if scored.freq == "S" else "%Y-%m-%d")
    for path in (args.out, args.cells):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    export.write_csv(out, args.out, float_format="%.8g")
    grid = scored.grid
    cells = grid.cells[["cell_id"]].assign(geometry=grid.cells.geometry.to_wkt())
    export.write_csv(cells, args.cells)
    n_periods = out["period_start"].nunique()
    print(f"Scored {len(grid.cells):,} cells of {grid.cell_size:g} m for {n_periods} "
          f"period(s) with the {scored.model} model; wrote {args.out} and {args.cells}.")
    return 0
