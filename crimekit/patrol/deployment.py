"""Deployments: today's from the duty logs, the risk any deployment covers, the beats
under-patrolled today, and the plan against today's and other deployments of the same officers
(equal split, proportional to risk), with the headline a commander can quote."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimekit.schema import SHIFTS

#: ``k`` in the benefit ``risk * (1 - exp(-k * officers))``: one officer covers 39 % of a
#: beat-shift's risk, two 63 %, three 78 %.
DEFAULT_EFFECTIVENESS = 0.5


def risk_covered(risk, officers, effectiveness: float) -> np.ndarray:
    """Risk covered by ``officers`` in a beat-shift: ``risk * (1 - exp(-k * officers))``
    (``k = effectiveness``): each extra officer covers less."""
    return np.asarray(risk, float) * (1 - np.exp(-effectiveness * np.asarray(officers, float)))


def under_patrolled(table: pd.DataFrame, *, ratio: float = 1.5) -> pd.Series:
    """Beat-shifts under-patrolled relative to risk today: their share of the shift's risk is at
    least ``ratio`` x their share of its current officers, and their risk is above the shift's
    median. Never flagged in a shift with no officers today (no duty logs)."""
    by_shift = table.groupby("shift")
    risk_share = table["risk"] / by_shift["risk"].transform("sum")
    officer_share = table["current"] / by_shift["current"].transform("sum").replace(0, np.nan)
    above_median = table["risk"] > by_shift["risk"].transform("median")
    known = officer_share.notna()  # no duty logs for the shift: nothing to compare with
    return ((risk_share >= ratio * officer_share.fillna(0)) & above_median & known).astype(bool)


def current_deployment(patrols: pd.DataFrame, *, days: int = 28, end=None,
                       shifts=SHIFTS) -> pd.DataFrame:
    """Today's deployment from the beat duty logs: the average officers per beat and shift over
    the last ``days`` logged days (before ``end``), rounded to whole officers. With one all-day
    "shift" (data without times), the average over the three shifts of each beat.

    Returns ``beat, shift, officers, officers_mean``; empty when there are no logs.
    """
    cols = ["beat", "shift", "officers", "officers_mean"]
    logs = patrols
    if end is not None:
        logs = logs[logs["date"] < pd.Timestamp(end)]
    if not len(logs):
        return pd.DataFrame({c: [] for c in cols})
    last = logs["date"].max()
    logs = logs[logs["date"] > last - pd.Timedelta(days=days)]
    n_days = logs["date"].nunique()
    mean = logs.groupby(["beat", "shift"])["officers"].sum() / n_days
    out = mean.rename("officers_mean").reset_index()
    if tuple(shifts) != SHIFTS:
        out = (out.groupby("beat")["officers_mean"].sum() / len(SHIFTS)).reset_index()
        out["shift"] = shifts[0]
    out["beat"] = out["beat"].astype(str)
    out["officers"] = out["officers_mean"].round().astype(int)
    return out[cols]


def totals_per_shift(current: pd.DataFrame, shifts=SHIFTS) -> dict:
    """Officers per shift in a deployment table (``beat, shift, officers``), in ``shifts``
    order."""
    sums = current.groupby("shift")["officers"].sum()
    return {s: int(sums.get(s, 0)) for s in shifts}


def compare_deployments(plan) -> pd.DataFrame:
    """Risk covered by the plan (a solved :class:`~crimekit.patrol.solver.Plan`) vs the current
    deployment, the current pattern scaled to the plan's officers, an equal split and a
    risk-proportional split (same officers per shift).

    Returns ``deployment, officers, risk_covered, share_covered`` (expected incidents covered
    in the period, and as a share of all risk).
    """
    t = plan.table
    k = plan.limits.effectiveness
    total = plan.total_risk
    rows = [("recommended plan", t["officers"])]
    if t["current"].sum() > 0:
        rows.append(("current deployment (duty logs)", t["current"]))
        rows.append(("current pattern, same officers as the plan",
                     _split(t, t["current"].astype(float))))
    rows.append(("equal split", _split(t, pd.Series(1.0, index=t.index))))
    rows.append(("proportional to risk", _split(t, t["risk"])))
    out = pd.DataFrame({"deployment": [r[0] for r in rows],
                        "officers": [int(r[1].sum()) for r in rows],
                        "risk_covered": [float(risk_covered(t["risk"], r[1], k).sum()) for r in rows]})
    out["share_covered"] = out["risk_covered"] / total if total > 0 else 0.0
    return out


def _split(table, weights) -> pd.Series:
    """The plan's officers of each shift split by ``weights`` (largest remainders)."""
    out = pd.Series(0, index=table.index)
    for shift, idx in table.groupby("shift").groups.items():
        n = int(table.loc[idx, "officers"].sum())
        w = weights.loc[idx].to_numpy(float)
        share = n * w / w.sum() if w.sum() > 0 else np.full(len(w), n / len(w))
        whole = np.floor(share).astype(int)
        order = np.argsort(-(share - whole), kind="stable")[: n - whole.sum()]
        whole[order] += 1
        out.loc[idx] = whole
    return out


def headline(plan, comparison: pd.DataFrame | None = None) -> str:
    """One or two sentences a commander can quote."""
    comparison = compare_deployments(plan) if comparison is None else comparison
    rec = comparison.iloc[0]
    text = (f"The recommended plan covers {rec['share_covered']:.0%} of the expected crime "
            f"({rec['risk_covered']:.1f} of {plan.total_risk:.1f} crimes this period)")
    same = comparison[comparison["deployment"].str.startswith("current pattern")]
    if len(same):
        other = same.iloc[0]
        gain = rec["risk_covered"] / other["risk_covered"] - 1 if other["risk_covered"] else 0
        text += (f", against {other['share_covered']:.0%} for today's deployment pattern with "
                 f"the same officers ({gain:+.0%}).")
    else:
        text += "."
    moved = int(plan.table["change"].clip(lower=0).sum())
    if plan.table["current"].sum() > 0:
        text += f" It moves {moved} officer postings from today's deployment."
    return text
