"""Beat duty logs from an outdated plan (officers follow residents, not crime)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimekit.spatial import assign_beats

def duty_logs(rng, beats, incidents, layers, cells, end, days):
    """Beat duty logs from an outdated plan: officers follow residents, not crime, and the
    night shift is thin. Returns (logs, the beats most under-patrolled at night)."""
    cell_beat = assign_beats(cells["lat"], cells["lon"], beats)["beat"]
    residents = pd.Series(layers["residential"]).groupby(cell_beat.to_numpy()).sum()
    residents = residents.reindex(beats["beat"]).fillna(0) + 1e-4
    per_shift = {"morning": 3.0, "evening": 2.6, "night": 1.4}  # average officers per beat
    plan = {s: np.maximum(1, np.round(per_shift[s] * len(beats) * residents / residents.sum()))
            for s in per_shift}
    dates = pd.date_range(end - pd.Timedelta(days=days), end - pd.Timedelta(days=1), freq="D")
    frames = []
    for shift, officers in plan.items():
        base = np.tile(officers.to_numpy(), len(dates))
        present = rng.binomial(base.astype(int), 0.92)
        frames.append(pd.DataFrame({"beat": np.tile(beats["beat"].to_numpy(), len(dates)),
                                    "date": np.repeat(dates, len(beats)), "shift": shift,
                                    "officers": present}))
    logs = pd.concat(frames, ignore_index=True).sort_values(["date", "beat", "shift"])
    night = incidents[pd.Series(incidents["occurred_at"]).dt.hour.isin([22, 23, 0, 1, 2, 3, 4, 5])]
    risk = night["beat"].value_counts().reindex(beats["beat"]).fillna(0)
    ratio = (risk / risk.sum()) / (plan["night"] / plan["night"].sum())
    under = ratio[risk > risk.quantile(0.75)].sort_values(ascending=False).head(10)
    return logs.reset_index(drop=True), list(under.index)
