"""Crimes in time and place: the holidays, the expected daily counts per head, the shifting
hot spots, and the incidents drawn from them (with near-repeat follow-ups)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimekit.synth.heads import CRIME_HEADS, HEAD_BY_NAME, SHIFTING_SPOTS
from crimekit.synth.layout import FINE_CELL_M, bump, local_xy

def city_holidays(first_year: int, last_year: int) -> pd.DataFrame:
    """The demo city's own public holidays and festivals (fixed and moving dates)."""
    rows = []
    for year in range(first_year, last_year + 1):
        rows += [(f"{year}-01-01", "New Year"), (f"{year}-01-26", "Republic Day"),
                 (f"{year}-05-01", "Labour Day"), (f"{year}-08-15", "Independence Day"),
                 (f"{year}-10-02", "Gandhi Jayanti"), (f"{year}-12-25", "Christmas"),
                 (f"{year}-12-31", "New Year's Eve")]
        lights = pd.Timestamp(f"{year}-10-18") + pd.Timedelta(days=(year * 11) % 24)
        colours = pd.Timestamp(f"{year}-03-01") + pd.Timedelta(days=(year * 7) % 25)
        harvest = pd.Timestamp(f"{year}-01-14")
        rows += [(str(lights.date()), "Festival of Lights"),
                 (str((lights + pd.Timedelta(days=1)).date()), "Festival of Lights"),
                 (str(colours.date()), "Festival of Colours"), (str(harvest.date()), "Harvest")]
    out = pd.DataFrame(rows, columns=["date", "holiday"])
    out["date"] = pd.to_datetime(out["date"])
    return out.sort_values("date").reset_index(drop=True)


def daily_expected(start, end, holidays) -> pd.DataFrame:
    """Expected background incidents per day and head (before near-repeat follow-ups)."""
    days = pd.date_range(start, end - pd.Timedelta(days=1), freq="D")
    years = ((days - start).days / 365.25).to_numpy()
    doy = days.day_of_year.to_numpy()
    dow = days.day_of_week.to_numpy()
    is_holiday = days.isin(holidays["date"])
    out = {}
    for head in CRIME_HEADS:
        peak_doy = (head.season_peak_month - 1) * 30.44 + 15
        season = 1 + head.season_amplitude * np.cos(2 * np.pi * (doy - peak_doy) / 365.25)
        week = np.asarray(head.weekday, float) / np.mean(head.weekday)
        trend = (1 + head.trend_per_year) ** years
        holiday = np.where(is_holiday, head.holiday_factor, 1.0)
        out[head.name] = head.daily_rate * trend * season * week[dow] * holiday
    return pd.DataFrame(out, index=days)


def shifting_spots(cells, start, end, scale):
    """The shifting spots as rows (spot, name, head, start, end, daily_rate) and their maps."""
    span = end - start
    rows, maps_ = [], []
    for i, spot in enumerate(SHIFTING_SPOTS):
        centre = local_xy(*spot.where)
        kernel = bump(cells, centre, spot.radius_m)
        maps_.append(kernel / kernel.sum())
        first, last = (start + span * f for f in spot.active)
        rows += [(i, spot.name, head, first.normalize(), last.normalize(),
                  scale * spot.daily_rate / len(spot.heads)) for head in spot.heads]
    table = pd.DataFrame(rows, columns=["spot", "name", "head", "start", "end", "daily_rate"])
    return table, np.array(maps_)


def draw_spot_incidents(rng, cells, spots, spot_probs, days) -> pd.DataFrame:
    """Incidents from the shifting spots: Poisson per active day, places from each spot's map."""
    frames = []
    for row in spots.itertuples():
        active = days[(days >= row.start) & (days < row.end)]
        counts = rng.poisson(row.daily_rate, len(active))
        day = np.repeat(active.to_numpy(), counts)
        cell = rng.choice(len(cells), size=len(day), p=spot_probs[row.spot])
        hour = rng.choice(24, size=len(day), p=_hour_profile(HEAD_BY_NAME[row.head]))
        frames.append(pd.DataFrame({
            "occurred_at": pd.DatetimeIndex(day) + pd.to_timedelta(
                hour * 60 + rng.integers(0, 60, len(day)), unit="min"),
            "x": cells["x"].to_numpy()[cell] + rng.uniform(-0.5, 0.5, len(day)) * FINE_CELL_M,
            "y": cells["y"].to_numpy()[cell] + rng.uniform(-0.5, 0.5, len(day)) * FINE_CELL_M,
            "category": row.head, "near_repeat_of": -1}))
    return pd.concat(frames, ignore_index=True)


def _hour_profile(head) -> np.ndarray:
    hours = np.arange(24)
    prof = np.full(24, 0.08)
    for hour, width, weight in head.hour_peaks:
        d = np.minimum(np.abs(hours - hour), 24 - np.abs(hours - hour))
        prof += weight * np.exp(-d ** 2 / (2 * width ** 2))
    return prof / prof.sum()


def draw_incidents(rng, cells, probs, daily, scale_check=None) -> pd.DataFrame:
    """Draw incidents: Poisson counts per day and head, places from the head's map, hours from
    its profile, then near-repeat follow-ups for self-exciting heads."""
    frames = []
    for i, head in enumerate(CRIME_HEADS):
        counts = rng.poisson(daily[head.name].to_numpy())
        day = np.repeat(daily.index.to_numpy(), counts)
        cell = rng.choice(len(cells), size=len(day), p=probs[i])
        x = cells["x"].to_numpy()[cell] + rng.uniform(-0.5, 0.5, len(day)) * FINE_CELL_M
        y = cells["y"].to_numpy()[cell] + rng.uniform(-0.5, 0.5, len(day)) * FINE_CELL_M
        hour = rng.choice(24, size=len(day), p=_hour_profile(head))
        t = pd.DatetimeIndex(day) + pd.to_timedelta(hour * 60 + rng.integers(0, 60, len(day)),
                                                    unit="min")
        ev = pd.DataFrame({"occurred_at": t, "x": x, "y": y, "category": head.name,
                           "near_repeat_of": -1})
        if head.near_repeat > 0:
            ev = _add_near_repeats(rng, ev, head, daily.index[-1] + pd.Timedelta(days=1))
        frames.append(ev)
    out = pd.concat(frames, ignore_index=True).sort_values("occurred_at", kind="stable")
    return out.reset_index(drop=True)


def _add_near_repeats(rng, events, head, end) -> pd.DataFrame:
    """Hawkes branching: each event spawns Poisson(n) follow-ups ~5 days later within ~150 m."""
    generations = [events]
    parents = events
    while len(parents):
        k = rng.poisson(head.near_repeat, len(parents))
        idx = np.repeat(np.arange(len(parents)), k)
        if not len(idx):
            break
        delay = pd.to_timedelta(rng.exponential(5.0, len(idx)) * 24 * 60, unit="min")
        child = pd.DataFrame({
            "occurred_at": parents["occurred_at"].to_numpy()[idx] + delay,
            "x": parents["x"].to_numpy()[idx] + rng.normal(0, 150, len(idx)),
            "y": parents["y"].to_numpy()[idx] + rng.normal(0, 150, len(idx)),
            "category": head.name, "near_repeat_of": 1})
        hours = rng.choice(24, size=len(child), p=_hour_profile(head))
        child["occurred_at"] = (child["occurred_at"].dt.normalize()
                                + pd.to_timedelta(hours * 60 + rng.integers(0, 60, len(child)),
                                                  unit="min"))
        child = child[child["occurred_at"] < end]
        generations.append(child)
        parents = child
    return pd.concat(generations, ignore_index=True)
