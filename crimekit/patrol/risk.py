"""Risk per beat and shift for a planning period: what the patrol planner allocates against.

The default source (``"history"``) is deliberately transparent, so a commander can check it by
hand:

1. **Where and when.** Recorded incidents of the last ``lookback_days`` (two years) before the
   period, counted per (beat, shift), each weighted by ``0.5 ** (age_days / half_life_days)`` so
   recent crime counts more. Every beat-shift also gets half a pseudo-incident (a Jeffreys
   prior), so a quiet beat has small but non-zero risk.
2. **How much.** The city-wide expected number of incidents in the period = the daily rate of
   the last 365 days x the period's length x a month-of-year seasonal index (the average daily
   count in that calendar month over all complete history, divided by the overall average; 1
   when there is less than a year of history). Trends within the year are not extrapolated.
3. **Risk** of a beat-shift = city-wide expected incidents x its share of the weighted counts:
   expected incidents there in the period. The 80 % band (``level``) is the Gamma posterior of
   that share given the (weighted) count behind it: few incidents, wide band.

``risk_source="hotspots"`` asks the hotspot model (``crimekit.hotspots``) instead, and attaches
the same recorded-crime evidence. Both return the same columns (:data:`RISK_COLUMNS`).

**Precision.** Shifts need times known to the hour: data dated only to the day or the month is
planned for the whole day (one ``shift`` named :data:`ALL_DAY`), and month-dated data only by
month (``freq="M"``); a finer period is refused with one sentence (PrecisionError).
**Weights.** An optional ``plan_weight`` column (see :mod:`crimekit.patrol.inputs`) multiplies each
crime in the shares and the total (e.g. heinous crimes counting double, or 0 for crime heads
the plan leaves out); the evidence still counts crimes.
**Stragglers.** The rate and the seasons are learnt from where consistent recording starts
(:func:`crimekit.recording.recording_start`), not from a handful of crimes recorded years late.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from crimekit.errors import ParameterError, PrecisionError, UnusableInputError
from crimekit.periods import next_period, period_start
from crimekit.schema import (FREQS_FOR_PRECISION, SHIFTS, crime_count, crime_weights,
                             data_precision, shift_of)

#: Columns of every risk table.
RISK_COLUMNS = ("beat", "shift", "risk", "risk_low", "risk_high", "recorded", "evidence")
#: Days in each supported planning period (a month: its own length).
PERIOD_DAYS = {"D": 1, "W": 7, "2W": 14, "M": None}
#: The one "shift" of a plan for data without times of day: the same posting all day.
ALL_DAY = "all day"
RISK_SOURCES = ("history", "hotspots")
PRIOR = 0.5


def planning_start(dataset, freq: str = "W") -> pd.Timestamp:
    """The first whole period after the data ends: the next day, Monday (weekly) or the next
    fortnight on the same grid the hotspot model scores (two-weekly)."""
    _check_freq(freq)
    last = dataset.incidents["occurred_at"].max()
    if pd.isna(last):
        raise UnusableInputError("The dataset has no dated incidents, so there is nothing to "
                                 "plan from: check the date/time column.")
    day = pd.Timestamp(last).normalize() + pd.Timedelta(days=1)
    start = period_start(day, freq)  # weeks on Mondays, fortnights on crimekit's fixed grid
    return start if start >= day else next_period(start, freq)


def beats_of(dataset) -> list:
    """The beats to plan for: the beat polygons when given, else every beat named in the
    incidents or the duty logs (sorted)."""
    if dataset.beats is not None and len(dataset.beats):
        return sorted(map(str, dataset.beats["beat"].unique()))
    named = set(dataset.incidents["beat"].astype(str)) | set(dataset.patrols["beat"].astype(str))
    beats = sorted(b for b in named if b and b != "nan")
    if not beats:
        raise UnusableInputError("No incident names a beat and no beat polygons were given, so "
                                 "there is nothing to deploy across: map the beat column or "
                                 "pass --beats FILE.")
    return beats


def plan_shifts(incidents: pd.DataFrame) -> tuple:
    """The shifts a plan can tell apart: the three duty shifts when times are known to the
    hour, else one all-day posting (:data:`ALL_DAY`)."""
    return SHIFTS if data_precision(incidents) == "hour" else (ALL_DAY,)


def check_plan_freq(incidents: pd.DataFrame, freq: str) -> None:
    """Refuse, in one sentence, a planning period finer than the data's dates allow."""
    _check_freq(freq)
    have = data_precision(incidents)
    if freq not in FREQS_FOR_PRECISION[have]:
        raise PrecisionError(
            f"This data's dates are known only to the {have}, so a plan for "
            f"{_PERIOD_WORDS[freq]} would pile each {have}'s crimes on its first days: "
            + ("plan by month." if "M" in FREQS_FOR_PRECISION[have] else
               "it cannot be planned by period."))


_PERIOD_WORDS = {"D": "a day", "W": "a week", "2W": "two weeks", "M": "a month"}


def located_incidents(dataset) -> pd.DataFrame:
    """Incidents with their beat (point-in-polygon for rows without one, when polygons exist)
    and shift (:data:`ALL_DAY` when the data has no times of day); rows with no beat are left
    out."""
    cols = ["occurred_at", "category", "beat", "lat", "lon", "count"]
    inc = dataset.incidents[cols + [c for c in ("plan_weight",)
                                    if c in dataset.incidents]].copy()
    inc["beat"] = inc["beat"].astype(str).replace("nan", "")
    missing = (inc["beat"] == "").to_numpy()
    if missing.any() and dataset.beats is not None:
        from crimekit.spatial import assign_beats
        rows = inc.loc[missing]
        inc.loc[missing, "beat"] = assign_beats(rows["lat"], rows["lon"],
                                                dataset.beats)["beat"].to_numpy()
    shifts = plan_shifts(dataset.incidents)
    inc = inc[(inc["beat"] != "") & inc["occurred_at"].notna()]
    inc["shift"] = (shift_of(inc["occurred_at"].dt.hour.to_numpy()) if shifts == SHIFTS
                    else ALL_DAY)
    return inc.reset_index(drop=True)


def plan_weights(inc: pd.DataFrame) -> np.ndarray:
    """Crimes per row times the plan's weight for its crime head (1 without ``plan_weight``)."""
    w = crime_weights(inc)
    return w * inc["plan_weight"].to_numpy(float) if "plan_weight" in inc else w


def period_days(start, freq: str) -> float:
    """Days in the planning period starting ``start`` (a month: its own length)."""
    if freq == "M":
        return float((next_period(pd.Timestamp(start), "M") - pd.Timestamp(start)).days)
    return float(PERIOD_DAYS[freq])


def beat_shift_risk(dataset, *, period_start=None, freq: str = "W", risk_source: str = "history",
                    lookback_days: int = 730, half_life_days: float = 180.0,
                    level: float = 0.8, hotspot_model: str = "poisson") -> pd.DataFrame:
    """Expected incidents per (beat, shift) in the period starting ``period_start``.

    Uses only incidents before ``period_start`` (default: the first period after the data
    ends). Returns :data:`RISK_COLUMNS`, one row per beat and shift: ``risk`` (expected
    incidents in the period), its ``level`` band, ``recorded`` (incidents in the last
    ``lookback_days``) and ``evidence`` (e.g. "5 Hurt, 2 Theft at night in the last 2 years").
    ``hotspot_model`` names the hotspot model used when ``risk_source="hotspots"``. Data
    without times of day gets one all-day row per beat; month-dated data needs ``freq="M"``.
    """
    _check_freq(freq)
    if risk_source not in RISK_SOURCES:
        raise ParameterError.invalid("risk_source", "beat_shift_risk",
                                     f"one of {RISK_SOURCES}", risk_source)
    if not 0 < level < 1:
        raise ParameterError.invalid("level", "beat_shift_risk", "a number in (0, 1)", level)
    check_plan_freq(dataset.incidents, freq)
    start = planning_start(dataset, freq) if period_start is None else pd.Timestamp(period_start)
    inc = located_incidents(dataset)
    inc = inc[inc["occurred_at"] < start]
    if not len(inc):
        raise UnusableInputError(f"No incident in a beat or area occurred before "
                                 f"{start:%Y-%m-%d}, so no risk can be estimated: widen the "
                                 "date range.")
    shifts = plan_shifts(dataset.incidents)
    recent = inc[inc["occurred_at"] >= start - pd.Timedelta(days=lookback_days)]
    frame = _frame(beats_of(dataset), shifts)
    evidence = _evidence(recent, frame, lookback_days)
    if risk_source == "hotspots":
        if shifts != SHIFTS:
            raise PrecisionError("The hotspot model splits risk across shifts, which needs "
                                 "times known to the hour: use the recorded history.")
        risk = _hotspot_risk(dataset, start, freq, hotspot_model)
    else:
        risk = _history_risk(inc, recent, frame, start, freq, half_life_days, level)
    return risk.merge(evidence, on=["beat", "shift"], how="left")[list(RISK_COLUMNS)]


def _frame(beats, shifts=SHIFTS) -> pd.DataFrame:
    """Every (beat, shift) pair, beats sorted, shifts in SHIFTS order."""
    return pd.DataFrame({"beat": np.repeat(beats, len(shifts)),
                         "shift": np.tile(shifts, len(beats))})


def _history_risk(inc, recent, frame, start, freq, half_life_days, level) -> pd.DataFrame:
    """Decay-weighted shares x the seasonal city-wide total, with a Gamma band."""
    age = (start - recent["occurred_at"]).dt.total_seconds().to_numpy() / 86400.0
    weights = pd.Series(0.5 ** (age / half_life_days) * plan_weights(recent), index=recent.index)
    weighted = weights.groupby([recent["beat"], recent["shift"]]).sum().clip(lower=0)
    n = frame.join(weighted.rename("w"), on=["beat", "shift"])["w"].fillna(0.0).to_numpy()
    n = n + PRIOR
    total = _expected_total(inc, start, period_days(start, freq))
    risk = total * n / n.sum()
    tail = (1 - level) / 2
    lower = stats.gamma.ppf(tail, n) / n
    upper = stats.gamma.ppf(1 - tail, n) / n
    return frame.assign(risk=risk, risk_low=risk * lower, risk_high=risk * upper)


def _expected_total(inc, start, days) -> float:
    """City-wide expected incidents in ``days`` days from ``start`` (rate x season), learnt
    from where consistent recording starts."""
    inc = _from_recording_start(inc)
    last_year = inc[inc["occurred_at"] >= start - pd.Timedelta(days=365)]
    span = min(365.0, (start - inc["occurred_at"].min()).total_seconds() / 86400.0)
    rate = max(float(plan_weights(last_year).sum()), 0.0) / max(span, 1.0)
    return rate * days * seasonal_index(inc, start + pd.Timedelta(days=days / 2), start)


def _from_recording_start(inc) -> pd.DataFrame:
    from crimekit.recording import recording_start
    first = recording_start(inc).start
    return inc if first is None else inc[inc["occurred_at"] >= first]


def seasonal_index(inc, when, start) -> float:
    """Average daily count in ``when``'s calendar month over the complete months of history,
    divided by the overall average daily count (1 with less than a year of history)."""
    first = inc["occurred_at"].min().normalize()
    if (start - first).days < 365:
        return 1.0
    months = pd.date_range(first + pd.offsets.MonthBegin(0), start, freq="MS")[:-1]
    if len(months) < 12:
        return 1.0
    counts = pd.Series(plan_weights(inc), index=inc.index).groupby(
        inc["occurred_at"].dt.to_period("M")).sum()
    per_month = pd.Series([counts.get(m.to_period("M"), 0) / m.days_in_month for m in months],
                          index=months)
    by_month = per_month.groupby(per_month.index.month).mean()
    if by_month.mean() <= 0:
        return 1.0
    return float(by_month.get(pd.Timestamp(when).month, by_month.mean()) / by_month.mean())


_WHEN = {"morning": " in the morning", "evening": " in the evening", "night": " at night",
         ALL_DAY: ""}


def _evidence(recent, frame, lookback_days) -> pd.DataFrame:
    """The recorded crime behind each beat-shift: a count and a short sentence."""
    span = f"{lookback_days // 365} years" if lookback_days % 365 == 0 and lookback_days > 365 \
        else ("year" if lookback_days == 365 else f"{lookback_days} days")
    counts = crime_count(recent, ["beat", "shift", "category"]).rename("n").reset_index()
    counts = counts.sort_values(["beat", "shift", "n", "category"],
                                ascending=[True, True, False, True])
    text = {}
    for (beat, shift), grp in counts.groupby(["beat", "shift"], sort=False):
        top = ", ".join(f"{n} {c}" for c, n in zip(grp["category"].head(3), grp["n"].head(3)))
        more = len(grp) - 3
        text[(beat, shift)] = (f"{grp['n'].sum()} recorded{_WHEN[shift]} in the last {span}: "
                               f"{top}" + (f" and {more} other crime heads" if more > 0 else ""))
    totals = counts.groupby(["beat", "shift"])["n"].sum()
    out = frame.join(totals.rename("recorded"), on=["beat", "shift"])
    out["recorded"] = out["recorded"].fillna(0).astype(int)
    out["evidence"] = [text.get((b, s), f"none recorded{_WHEN[s]} in the last {span}")
                       for b, s in zip(out["beat"], out["shift"])]
    return out


def hotspot_risk_available() -> bool:
    """Whether the hotspot model can give risk per beat and shift here (it needs XGBoost and
    the rest of :mod:`crimekit.hotspots` installed)."""
    try:
        from crimekit.patrol.hotspot_risk import predict_beat_shift_risk  # noqa: F401
    except ImportError:
        return False
    return True


def _hotspot_risk(dataset, start, freq, model) -> pd.DataFrame:
    """Risk from the hotspot model (imported here: it pulls in XGBoost, which the history
    estimator does not need)."""
    from crimekit.patrol.hotspot_risk import predict_beat_shift_risk
    risk = predict_beat_shift_risk(dataset, period_start=start, freq=freq, model=model)
    risk = risk[["beat", "shift", "risk", "risk_low", "risk_high"]].copy()
    risk["beat"] = risk["beat"].astype(str)
    frame = _frame(beats_of(dataset))
    return frame.merge(risk, on=["beat", "shift"], how="left").fillna(
        {"risk": 0.0, "risk_low": 0.0, "risk_high": 0.0})


def _check_freq(freq):
    if freq not in PERIOD_DAYS:
        raise ParameterError.invalid("freq", "beat_shift_risk", f"one of {tuple(PERIOD_DAYS)}",
                                     freq)
