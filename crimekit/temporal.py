"""When crime happens: counts over time, the long-term trend, hour x weekday, the yearly
profile and year-over-year change.

Every function takes an incidents table (already filtered to the view) and an optional ``by``
field (crime head ``category``, major head ``category_group``, ``district`` or ``beat``) and
returns a tidy DataFrame with a ``series`` column (``"all"`` without ``by``), so pages, the
command line and tests read the same columns. The last section puts them together the way the
Trends page shows them (:func:`over_time`, :func:`yearly_trend`, :func:`patterns`).

This module describes the past; :mod:`crimekit.forecast` forecasts from the series it counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from crimekit.errors import ParameterError, UnusableInputError
from crimekit.schema import crime_count, data_precision, freq_for, require_precision
from crimekit.periods import FREQS as PERIOD_NAMES
from crimekit.periods import check_freq, next_period, period_range, period_start

#: Time resolutions of trends and forecasts (the period lengths Prophet handles): code ->
#: (plain name, periods per calendar year). Periods themselves are defined in crimekit.periods.
FREQS = {f: (PERIOD_NAMES[f], per_year) for f, per_year in (("D", 365.25), ("W", 52.18),
                                                             ("M", 12.0))}
#: Fields a series can be split by.
BY_FIELDS = ("category", "category_group", "district", "beat")
ALL = "all"
#: A yearly trend needs at least this many crimes (and a year of periods).
MIN_TREND_CRIMES = 30
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


#: ``area`` in a ``by`` means the finest area the data has: ``beat`` when any incident has
#: one, else ``district``.
AREA = "area"
#: A series of several fields is named by their values joined with this.
JOIN = " | "


def area_field(incidents: pd.DataFrame | None) -> str:
    """The finest area field with values: ``beat`` if any incident has one, else ``district``."""
    if incidents is not None and "beat" in incidents and \
            (incidents["beat"].astype(str).str.strip() != "").any():
        return "beat"
    return "district"


def check_by(by, where: str, incidents: pd.DataFrame | None = None):
    """``by`` checked: None, one field in BY_FIELDS (or ``area``), or several of them (a list,
    a tuple or a comma-separated string such as "area,category"). Returns None, a field name,
    or a tuple of field names, with ``area`` resolved against ``incidents``."""
    if by is None:
        return None
    fields = [b.strip() for b in by.split(",")] if isinstance(by, str) else list(by)
    rule = f"None or one or more of {', '.join(BY_FIELDS + (AREA,))} (comma-separated)"
    if not fields or any(f not in BY_FIELDS + (AREA,) for f in fields) or \
            len(set(fields)) != len(fields):
        raise ParameterError.invalid("by", where, rule, by)
    fields = [area_field(incidents) if f == AREA else f for f in fields]
    if incidents is not None:
        for f in fields:
            if f not in incidents:
                raise UnusableInputError(f"The incidents have no {f!r} column to split by; "
                                         "map it on import or choose another field.")
    return fields[0] if len(fields) == 1 else tuple(fields)


def _series(incidents: pd.DataFrame, by) -> pd.Series:
    if by is None:
        return pd.Series(ALL, index=incidents.index, dtype=object)
    if not isinstance(by, str):
        parts = [_series(incidents, b).astype(str) for b in by]
        out = parts[0]
        for part in parts[1:]:
            out = out + JOIN + part
        return out.astype(object)
    return incidents[by].astype(object).where(incidents[by].astype(str) != "", "(none)")


def counts_over_time(incidents: pd.DataFrame, freq: str = "W", by=None, *, start=None,
                     end=None, top: int | None = None) -> pd.DataFrame:
    """Incidents per period, zero-filled: columns ``series, period_start, count, complete``.

    ``start``/``end`` (inclusive days) bound the periods; by default the first and last days
    with incidents. ``complete`` is False for a period only partly inside those days (the
    first or last week of a date range), so models and charts can leave it out. ``top`` keeps
    only the ``top`` busiest series.
    """
    check_freq(freq, "counts_over_time", allowed=FREQS)
    by = check_by(by, "counts_over_time", incidents)
    when = incidents["occurred_at"].dropna()
    if start is None and end is None and not len(when):
        return pd.DataFrame({"series": [], "period_start": pd.to_datetime([]), "count": [],
                             "complete": []})
    first = pd.Timestamp(start).normalize() if start is not None else when.min().normalize()
    last = pd.Timestamp(end).normalize() if end is not None else when.max().normalize()
    keep = incidents["occurred_at"].between(first, last + pd.Timedelta(days=1),
                                            inclusive="left")
    inc = incidents[keep]
    series = _series(inc, by)
    names = crime_count(inc, series)
    if top is not None:
        names = names.head(top)
    names = list(names.index) or ([ALL] if by is None else [])
    stop = last + pd.Timedelta(days=1)  # end of the last day (the date range is inclusive)
    periods = period_range(first, stop, freq)
    counts = crime_count(inc, [series, period_start(inc["occurred_at"], freq)])
    full = pd.MultiIndex.from_product([names, periods], names=["series", "period_start"])
    out = counts.reindex(full, fill_value=0).rename("count").reset_index()
    out["count"] = out["count"].astype(int)
    out["complete"] = ((out["period_start"] >= first)
                       & (next_period(out["period_start"], freq) <= stop))
    return out


def trend_line(counts: pd.DataFrame, freq: str = "W") -> pd.DataFrame:
    """``counts`` (from :func:`counts_over_time`) with a ``trend`` column: the centred moving
    average over one year of periods (half a year at the edges), which removes the seasons and
    leaves the long-term level."""
    window = int(round(FREQS[check_freq(freq, "trend_line", allowed=FREQS)][1]))
    out = counts.copy()
    out["trend"] = (out.groupby("series")["count"]
                    .transform(lambda s: s.rolling(window, center=True,
                                                   min_periods=max(window // 2, 1)).mean()))
    return out


def trend_summary(counts: pd.DataFrame, freq: str = "W") -> pd.DataFrame:
    """Is it going up? One row per series: ``series, periods, mean_per_period,
    change_per_year, low, high, p_value, direction``.

    A Poisson log-linear regression of each series' complete periods on time (with month-of-
    year terms, so a season does not pass for a trend) estimates the relative change per year
    (0.10 = +10 %/yr) with a 95% interval from over-dispersion-scaled standard errors.
    ``direction`` is "up"/"down" when the interval excludes zero, else "no clear change".

    Honest by construction: a series with less than a year of complete periods or fewer than
    :data:`MIN_TREND_CRIMES` crimes gets no estimate ("too little data": a few weeks do not
    make a yearly rate), and ``q_value`` is the Benjamini-Hochberg q-value across the series,
    so testing many crime heads at once does not turn chance into "up".
    """
    per_year = FREQS[check_freq(freq, "trend_summary", allowed=FREQS)][1]
    rows = []
    for name, part in counts[counts["complete"]].groupby("series", sort=False):
        y = part["count"].to_numpy(float)
        t = (np.arange(len(y)) / per_year)
        enough = len(y) >= per_year - 1e-9 and y.sum() >= MIN_TREND_CRIMES
        fit = _poisson_trend(y, t, part["period_start"], freq) if enough else (np.nan,) * 4
        rows.append((name, len(y), y.mean(), *fit))
    out = pd.DataFrame(rows, columns=["series", "periods", "mean_per_period", "change_per_year",
                                      "low", "high", "p_value"])
    from crimekit.stats import fdr_q_values
    out["q_value"] = fdr_q_values(out["p_value"])
    out["direction"] = np.where(
        out["change_per_year"].isna(), "too little data (needs a year and "
        f"{MIN_TREND_CRIMES} crimes)", np.where(
            (out["low"] > 0) & (out["q_value"] < 0.05), "up",
            np.where((out["high"] < 0) & (out["q_value"] < 0.05), "down", "no clear change")))
    return out


def _poisson_trend(y, t, starts, freq):
    """(change per year, low, high, p) from a Poisson GLM fitted by IRLS."""
    if len(y) < 4 or (y > 0).sum() < 5:  # too few incidents to say anything
        return (np.nan, np.nan, np.nan, np.nan)
    columns = [np.ones_like(t), t - t.mean()]
    month = pd.DatetimeIndex(starts).month.to_numpy()
    seen = np.unique(month)
    if len(y) >= 24 and len(seen) == 12:  # enough to separate season from trend
        columns += [(month == m).astype(float) for m in seen[1:]]
    X = np.column_stack(columns)
    beta = np.zeros(X.shape[1])
    beta[0] = np.log(max(y.mean(), 1e-9))
    for _ in range(50):
        mu = np.exp(np.clip(X @ beta, -30, 30))
        z = X @ beta + (y - mu) / mu
        XtW = X.T * mu
        step = np.linalg.lstsq(XtW @ X, XtW @ z, rcond=None)[0]
        done = np.max(np.abs(step - beta)) < 1e-8
        beta = step
        if done:
            break
    mu = np.exp(np.clip(X @ beta, -30, 30))
    dispersion = max(1.0, float(np.sum((y - mu) ** 2 / mu) / max(len(y) - X.shape[1], 1)))
    cov = np.linalg.pinv((X.T * mu) @ X) * dispersion
    b, se = beta[1], float(np.sqrt(cov[1, 1]))
    if not (np.isfinite(b) and np.isfinite(se)) or abs(b) > 5:  # did not converge
        return (np.nan, np.nan, np.nan, np.nan)
    p = float(2 * stats.norm.sf(abs(b) / se)) if se > 0 else np.nan
    return (np.expm1(b), np.expm1(b - 1.96 * se), np.expm1(b + 1.96 * se), p)


def hour_weekday(incidents: pd.DataFrame, by=None) -> pd.DataFrame:
    """Incidents per (weekday, hour): ``series, weekday, day, hour, count, share``.

    ``weekday`` is 0 = Monday; ``share`` is the cell's share of the series' incidents, so
    series of different sizes compare on one colour scale.
    """
    by = check_by(by, "hour_weekday", incidents)
    inc = incidents[incidents["occurred_at"].notna()]
    if not len(inc):
        inc = incidents
    require_precision(inc, "hour", "an hour by weekday chart")
    when = inc["occurred_at"]
    series = _series(inc, by)
    names = list(crime_count(inc, series).index) or [ALL]
    full = pd.MultiIndex.from_product([names, range(7), range(24)],
                                      names=["series", "weekday", "hour"])
    out = (crime_count(inc, [series, when.dt.day_of_week, when.dt.hour])
           .rename_axis(["series", "weekday", "hour"]).reindex(full, fill_value=0)
           .rename("count").reset_index())
    out["count"] = out["count"].astype(int)
    out.insert(2, "day", [WEEKDAYS[d] for d in out["weekday"]])
    totals = out.groupby("series")["count"].transform("sum")
    out["share"] = np.where(totals > 0, out["count"] / totals.where(totals > 0, 1), 0.0)
    return out


def season_profile(incidents: pd.DataFrame, by=None) -> pd.DataFrame:
    """The yearly profile: ``series, month, month_name, count, days, per_day, index``.

    ``per_day`` divides each calendar month's incidents by the number of days of that month the
    data covers (so a partial year or February's 28 days do not distort it); ``index`` is
    ``per_day`` over the series' average (1.2 = 20 % busier than an average month).
    """
    by = check_by(by, "season_profile", incidents)
    inc = incidents[incidents["occurred_at"].notna()]
    if not len(inc):
        return pd.DataFrame(columns=["series", "month", "month_name", "count", "days",
                                     "per_day", "index"])
    days = pd.date_range(inc["occurred_at"].min().normalize(),
                         inc["occurred_at"].max().normalize(), freq="D")
    days_per_month = pd.Series(days.month).value_counts().reindex(range(1, 13), fill_value=0)
    series = _series(inc, by)
    names = list(crime_count(inc, series).index)
    full = pd.MultiIndex.from_product([names, range(1, 13)], names=["series", "month"])
    out = (crime_count(inc, [series, inc["occurred_at"].dt.month])
           .rename_axis(["series", "month"]).reindex(full, fill_value=0)
           .rename("count").reset_index())
    out.insert(2, "month_name", [MONTHS[m - 1] for m in out["month"]])
    out["days"] = days_per_month.reindex(out["month"]).to_numpy()
    out["per_day"] = np.where(out["days"] > 0, out["count"] / out["days"].clip(lower=1), np.nan)
    out["index"] = out["per_day"] / out.groupby("series")["per_day"].transform("mean")
    return out


def peak_month(profile: pd.DataFrame) -> pd.Series:
    """The busiest calendar month (1-12) of each series in a :func:`season_profile`."""
    best = profile.loc[profile.groupby("series")["per_day"].idxmax()]
    return best.set_index("series")["month"].astype(int)


def year_over_year(incidents: pd.DataFrame, freq: str = "M", by=None) -> pd.DataFrame:
    """Counts per calendar year and month (``freq="M"``) or ISO week (``"W"``):
    ``series, year, period, count``, for a line per year on a shared Jan-Dec axis."""
    if check_freq(freq, "year_over_year", allowed=FREQS) == "D":
        raise ParameterError.invalid("freq", "year_over_year", "'W' or 'M'", freq)
    by = check_by(by, "year_over_year", incidents)
    inc = incidents[incidents["occurred_at"].notna()]
    when = inc["occurred_at"]
    if freq == "M":
        year, period = when.dt.year, when.dt.month
    else:
        iso = when.dt.isocalendar()
        year, period = iso["year"].astype(int), iso["week"].astype(int)
    if freq == "W":
        require_precision(inc, "day", "weekly year-over-year counts")
    out = crime_count(inc, [_series(inc, by), year, period]).sort_index()
    return out.rename_axis(["series", "year", "period"]).rename("count").reset_index()


def recent_change(incidents: pd.DataFrame, by=None, *, days: int = 365, end=None) -> pd.DataFrame:
    """The last ``days`` against the ``days`` before them: ``series, recent, previous,
    change, p_value``.

    ``change`` is relative (0.1 = +10 %); ``p_value`` is the exact two-sided test that both
    windows share one rate (given their total, the recent count is Binomial(n, 1/2)).
    ``end`` (exclusive) defaults to the day after the last incident.
    """
    by = check_by(by, "recent_change", incidents)
    if days < 1:
        raise ParameterError.invalid("days", "recent_change", "a whole number >= 1", days)
    inc = incidents[incidents["occurred_at"].notna()]
    stop = (pd.Timestamp(end) if end is not None
            else inc["occurred_at"].max().normalize() + pd.Timedelta(days=1))
    split, first = stop - pd.Timedelta(days=days), stop - pd.Timedelta(days=2 * days)
    comparable = len(inc) and inc["occurred_at"].min().normalize() <= first
    when = inc["occurred_at"]
    window = np.where(when >= split, "recent", "previous")
    keep = (when >= first) & (when < stop)
    part = inc[keep]
    out = crime_count(part, [_series(inc, by)[keep], pd.Series(window[keep.to_numpy()],
                                                                 index=part.index)])
    out = out.rename_axis(["series", "window"]).unstack(fill_value=0)
    out = out.reindex(columns=["recent", "previous"], fill_value=0).reset_index()
    out.columns.name = None
    from crimekit.overview import MIN_PERCENT_BASE, MIN_TEST_TOTAL
    from crimekit.stats import fdr_q_values
    out["change"] = np.where(out["previous"] >= MIN_PERCENT_BASE,
                             out["recent"] / out["previous"].clip(lower=1) - 1, np.nan)
    out["p_value"] = [stats.binomtest(int(r), int(r + p), 0.5).pvalue
                      if r >= 0 and p >= 0 and r + p >= MIN_TEST_TOTAL else np.nan
                      for r, p in zip(out["recent"], out["previous"])]
    if not comparable:  # the earlier window lies (partly) before the data or the filter
        out[["previous", "change", "p_value"]] = np.nan
    out["q_value"] = fdr_q_values(out["p_value"])
    out["verdict"] = np.where(
        ~np.asarray(comparable, bool) | out["previous"].isna(),
        f"not comparable: the {days} days before start before the data",
        np.where(out["p_value"].isna(), "too few crimes to test",
                 np.where(out["q_value"] < 0.05, np.where(out["recent"] > out["previous"],
                                                          "rise", "fall"), "no clear change")))
    return out.sort_values("recent", ascending=False).reset_index(drop=True)


# --- what the Trends page shows -------------------------------------------------------------

def only_series(incidents: pd.DataFrame, by, series) -> pd.DataFrame:
    """The incidents of one series: those whose ``by`` field is ``series`` (every incident
    when ``by`` is None or ``series`` is None or ALL)."""
    if by is None or series in (None, ALL):
        return incidents
    return incidents[incidents[by] == series]


def series_choices(incidents: pd.DataFrame, by) -> list:
    """The series to choose from for ``by``: ALL, then the values of ``by``, most incidents
    first."""
    return [ALL] if by is None else [ALL] + list(incidents[by].value_counts().index)


def over_time(incidents: pd.DataFrame, freq: str = "W", by=None, *,
              top: int | None = None) -> pd.DataFrame:
    """The complete periods of :func:`counts_over_time` (the ``top`` busiest series) with
    their :func:`trend_line`."""
    counts = counts_over_time(incidents, freq, by, top=top)
    return trend_line(counts[counts["complete"]], freq)


def yearly_trend(incidents: pd.DataFrame, by=None) -> pd.DataFrame:
    """:func:`trend_summary` of weekly counts (monthly for month-dated data)."""
    freq = freq_for(incidents, "W")[0]
    return trend_summary(counts_over_time(incidents, freq, by), freq)


@dataclass(frozen=True)
class Patterns:
    """When one series' crimes happen (:func:`patterns`).

    Attributes
    ----------
    hour_weekday : :func:`hour_weekday`, or None when the times are not known to the hour.
    season : :func:`season_profile`.
    year_over_year : :func:`year_over_year` by month.
    precision : how precise the incidents' times are ("hour", "day", "month"...).
    """

    hour_weekday: pd.DataFrame | None
    season: pd.DataFrame
    year_over_year: pd.DataFrame
    precision: str

    @property
    def busiest_month(self) -> str | None:
        """The busiest calendar month's short name (None when no month has a rate)."""
        if not self.season["per_day"].notna().any():
            return None
        return MONTHS[peak_month(self.season).iloc[0] - 1]


def patterns(incidents: pd.DataFrame, precision: str | None = None) -> Patterns:
    """Hour x weekday (when ``precision``, default the incidents' own, is "hour"), the month
    profile and year over year of one series' incidents."""
    precision = precision or data_precision(incidents)
    grid = hour_weekday(incidents) if precision == "hour" else None
    return Patterns(grid, season_profile(incidents), year_over_year(incidents, "M"), precision)
