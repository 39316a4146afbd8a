"""Risk per (beat, shift) from the hotspot model: the planner's second source of risk (the
first, decayed recorded history, is :func:`crimekit.patrol.risk.beat_shift_risk`). Imported only
when asked for, as it pulls in the hotspot models (and XGBoost)."""

from __future__ import annotations

import pandas as pd

from crimekit import periods
from crimekit.hotspots.scoring import cell_beats, score_periods
from crimekit.periods import next_period
from crimekit.schema import SHIFTS, shift_of
from crimekit.stats import poisson_band


def predict_beat_shift_risk(dataset, *, period_start=None, freq: str = "W",
                            model: str = "poisson", cell_size: float = 250.0,
                            categories=None, interval: float = 0.8) -> pd.DataFrame:
    """Expected incidents per (beat, shift) in the period after the data ends (or the period
    starting at ``period_start``), for the patrol planner.

    Cells' expected counts (the model's, from incidents before the period only) are summed per
    beat and split across shifts by the beat's share of incidents per shift over the last 52
    weeks (shrunk towards the city's shares). ``risk_low``/``risk_high`` bound a Poisson
    ``interval`` (default 80%) around ``risk``. Columns: ``beat, shift, risk, risk_low,
    risk_high, period_start``.
    """
    # the argument period_start hides the function, hence periods.period_start
    inc = dataset.incidents
    if period_start is None:
        period_start = next_period(periods.period_start(inc["occurred_at"].max(), freq), freq)
    period_start = periods.period_start(period_start, freq)
    risk, grid = score_periods(dataset, start=period_start, end=next_period(period_start, freq),
                               freq=freq, cell_size=cell_size, model=model,
                               categories=categories)
    cell_beat = cell_beats(grid, dataset, inc[inc["occurred_at"] < period_start])
    per_beat = risk.assign(beat=risk["cell_id"].map(cell_beat)).dropna(subset=["beat"]) \
        .groupby("beat")["expected"].sum()
    shares = _shift_shares(inc[inc["occurred_at"] < period_start], period_start, categories)
    rows = []
    for beat, total in per_beat.items():
        share = shares.get(beat, shares["__city__"])
        for s in SHIFTS:
            rows.append((beat, s, total * share[s]))
    out = pd.DataFrame(rows, columns=["beat", "shift", "risk"])
    out["risk_low"], out["risk_high"] = poisson_band(out["risk"].to_numpy(), interval)
    out["period_start"] = period_start
    return out


def _shift_shares(past, period_start, categories, prior: float = 10.0) -> dict:
    """Share of each beat's incidents per shift over the last 52 weeks, shrunk to the city's."""
    recent = past[past["occurred_at"] >= period_start - pd.Timedelta(weeks=52)]
    if categories:
        recent = recent[recent["category"].isin(list(categories))]
    shift = shift_of(recent["occurred_at"].dt.hour.to_numpy())
    table = pd.crosstab(recent["beat"].to_numpy(), shift).reindex(columns=list(SHIFTS),
                                                                   fill_value=0)
    city = table.sum() + 1.0
    city = city / city.sum()
    out = {"__city__": city}
    for beat, row in table.iterrows():
        out[beat] = (row + prior * city) / (row.sum() + prior)
    return out
