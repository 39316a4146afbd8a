"""This period against the previous one and the same period last year, and what is rising.

"This period" is the last ``days`` days of the data (ending with its last incident's day), or
for month-dated data the last ``months`` calendar months, so the comparison is about the most
recent complete picture a commander has. Every count is of crimes (the sum of ``count``).

A comparison is only as honest as its windows:

- **Not comparable.** A window that reaches outside the span the data covers (before its first
  day, e.g. removed by a date filter, or a one-month file's previous month) has no count: it is
  "not comparable", with no change and no test.
- **Too few to test.** A change is tested (exact binomial test: how likely is a split this
  lopsided if the underlying rate had not changed) only when the two periods hold at least
  :data:`MIN_TEST_TOTAL` crimes between them.
- **Percentages** are given only on an earlier count of at least :data:`MIN_PERCENT_BASE`
  crimes; below it a change is a number of crimes.
- **Many tests at once.** When every crime head (or beat) is tested, Benjamini-Hochberg
  q-values (``q_rise``) account for the number tested; :func:`rising` keeps q < alpha.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from crimekit.errors import ParameterError
from crimekit.stats import fdr_q_values, holm
from crimekit.schema import crime_count, data_precision
from crimekit.wording import chance_words, change_words, p_phrase

#: Crimes in the two periods together before a change is tested.
MIN_TEST_TOTAL = 10
#: Crimes in the earlier period before a change is shown as a percentage.
MIN_PERCENT_BASE = 20
COMPARISON_COLUMNS = ("group", "current", "previous", "last_year", "change_vs_previous",
                      "change_vs_last_year", "p_rise", "q_rise", "previous_comparable",
                      "last_year_comparable")

#: What each precision lets the Overview compare, in one sentence.
PRECISION_SENTENCES = {
    "hour": "Times are known to the hour, so periods of any number of days are compared, and "
            "shifts and hours of the day can be analysed.",
    "day": "Dates are known to the day but not the time, so periods of days are compared; "
           "there are no shifts or hours of the day.",
    "month": "Dates are known only to the month, so whole months are compared (this month "
             "against the previous one and the same month last year); there are no weeks, "
             "days, shifts or hours.",
    "year": "Dates are known only to the year, so no period can be compared.",
}


@dataclass(frozen=True)
class Periods:
    """The three windows compared, as [start, end) timestamps (``months``: calendar months)."""

    current: tuple
    previous: tuple
    last_year: tuple
    months: bool = False

    def label(self) -> str:
        """e.g. '25 Nov - 22 Dec 2025', or 'Mar 2022' / 'Jan - Mar 2022' for months."""
        start, end = self.current
        last = end - pd.Timedelta(days=1)
        if self.months:
            return (f"{start:%b %Y}" if (start.year, start.month) == (last.year, last.month)
                    else f"{start:%b} - {last:%b %Y}")
        return f"{start:%d %b} - {last:%d %b %Y}"


def periods_ending(end, days: int = 28) -> Periods:
    """The last ``days`` days up to and including ``end``'s day, the ``days`` before them, and
    the same dates a year earlier (52 weeks, so weekdays line up)."""
    if not (isinstance(days, (int, np.integer)) and 1 <= days <= 366):
        raise ParameterError.invalid("days", "periods_ending", "a whole number of days in "
                                     "[1, 366]", days)
    stop = pd.Timestamp(end).normalize() + pd.Timedelta(days=1)
    span = pd.Timedelta(days=int(days))
    year = pd.Timedelta(weeks=52)
    return Periods((stop - span, stop), (stop - 2 * span, stop - span),
                   (stop - span - year, stop - year))


def months_ending(end, months: int = 1) -> Periods:
    """The last ``months`` calendar months up to and including ``end``'s month, the ``months``
    before them, and the same months a year earlier."""
    if not (isinstance(months, (int, np.integer)) and 1 <= months <= 12):
        raise ParameterError.invalid("months", "months_ending", "a whole number of months in "
                                     "[1, 12]", months)
    stop = pd.Timestamp(end).normalize().replace(day=1) + pd.offsets.MonthBegin(1)
    span = pd.offsets.DateOffset(months=int(months))
    year = pd.offsets.DateOffset(years=1)
    return Periods((stop - span, stop), (stop - 2 * span, stop - span),
                   (stop - span - year, stop - year), months=True)


def covered_span(incidents: pd.DataFrame) -> tuple:
    """[first day, day after the last) the incidents cover; for month-dated data whole months
    (a month's crimes are all dated its 1st)."""
    when = incidents["occurred_at"].dropna()
    if not len(when):
        return (None, None)
    first, last = when.min().normalize(), when.max().normalize()
    if data_precision(incidents) in ("month", "year"):
        return first.replace(day=1), last.replace(day=1) + pd.offsets.MonthBegin(1)
    return first, last + pd.Timedelta(days=1)


def _inside(window, covered) -> bool:
    return covered[0] is not None and window[0] >= covered[0] and window[1] <= covered[1]


def _count(incidents, window, by):
    when = incidents["occurred_at"]
    inside = incidents[(when >= window[0]) & (when < window[1])]
    if by is None:
        return pd.Series({"all": crime_count(inside)})
    return crime_count(inside, by)


def compare_periods(incidents: pd.DataFrame, *, days: int = 28, by: str | None = None,
                    end=None, months: int | None = None, covered=None,
                    min_test: int = MIN_TEST_TOTAL,
                    min_percent_base: int = MIN_PERCENT_BASE) -> pd.DataFrame:
    """Crimes per group in the current, previous and last year's windows, with changes.

    ``months``: compare calendar months instead of days (month-dated data). ``covered``:
    the [start, end) the data covers (default :func:`covered_span`; pass a date filter's start
    if it began before the first incident). Returns :data:`COMPARISON_COLUMNS`: counts (empty
    when the window is not comparable), relative changes (NaN when not comparable or the
    earlier count is below ``min_percent_base``), ``p_rise`` (one-sided exact test that current
    exceeds previous by more than chance; NaN when not comparable or fewer than ``min_test``
    crimes in both), ``q_rise`` (its Benjamini-Hochberg q-value across the groups tested) and
    whether each earlier window is comparable; sorted by ``current``.
    """
    if by is not None and by not in incidents:
        raise ParameterError(f"Cannot compare by {by!r}: the incidents have no such column.")
    end = end if end is not None else incidents["occurred_at"].max()
    if pd.isna(end):
        return pd.DataFrame(columns=list(COMPARISON_COLUMNS))
    windows = months_ending(end, months) if months else periods_ending(end, days)
    covered = covered_span(incidents) if covered is None else tuple(map(pd.Timestamp, covered))
    table = pd.DataFrame({"current": _count(incidents, windows.current, by),
                          "previous": _count(incidents, windows.previous, by),
                          "last_year": _count(incidents, windows.last_year, by)})
    table = table.fillna(0).astype("Int64")
    table = table[table.index.astype(str) != ""]
    for name in ("previous", "last_year"):
        ok = _inside(getattr(windows, name), covered)
        table[f"{name}_comparable"] = ok
        if not ok:
            table[name] = pd.array([pd.NA] * len(table), dtype="Int64")
    table["change_vs_previous"] = _relative(table["current"], table["previous"],
                                            min_percent_base)
    table["change_vs_last_year"] = _relative(table["current"], table["last_year"],
                                             min_percent_base)
    table["p_rise"] = [rise_p_value(c, p) if testable(c, p, min_test) else np.nan
                       for c, p in zip(table["current"], table["previous"])]
    table["q_rise"] = fdr_q_values(table["p_rise"])
    table = table.rename_axis("group").reset_index()
    table = table.sort_values(["current", "group"], ascending=[False, True], ignore_index=True)
    return table[list(COMPARISON_COLUMNS)]


def testable(now, before, min_test: int = MIN_TEST_TOTAL) -> bool:
    """Whether a change from ``before`` to ``now`` can be tested: both known, and at least
    ``min_test`` crimes between them."""
    return not (pd.isna(now) or pd.isna(before)) and max(now, 0) + max(before, 0) >= min_test


def _relative(now, before, min_base):
    before = before.astype("Float64")
    out = (now.astype("Float64") - before) / before.where(before >= max(min_base, 1))
    return out.astype(float)


def rise_p_value(current: int, previous: int) -> float:
    """P(a split at least this lopsided | equal rates): exact one-sided binomial test."""
    current, previous = max(int(current), 0), max(int(previous), 0)  # net counts can be < 0
    total = current + previous
    if total == 0:
        return 1.0
    return float(stats.binomtest(int(current), total, 0.5, alternative="greater").pvalue)


def p_words(p: float) -> str:
    """'p < 0.001' or 'p = 0.012'."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def comparison_words(now, before, *, min_test: int = MIN_TEST_TOTAL, tested: int = 1) -> str:
    """A change between two equal-length periods in plain words: "not comparable", "too few
    crimes to test", or a rise/fall and how likely chance is (exact test; with ``tested`` > 1
    tests at once, the Benjamini-Hochberg q-value is the caller's to give)."""
    if pd.isna(before):
        return "not comparable: that period lies outside the data or the chosen date range"
    if not testable(now, before, min_test):
        return (f"too few crimes to test ({max(int(now), 0) + max(int(before), 0)} in both "
                f"periods; at least {min_test} needed)")
    if now == before:
        return "no change"
    direction, p = ("rise", rise_p_value(now, before)) if now > before else \
        ("fall", rise_p_value(before, now))
    verdict = ("very unlikely to be chance" if p < 0.01 else "unlikely to be chance"
               if p < 0.05 else "that could well be chance")
    return f"a {direction} {verdict} (exact test {p_words(p)})"


def change_label(now, before, min_percent_base: int = MIN_PERCENT_BASE) -> str:
    """The change for a headline figure: "+12.5%", "+4 crimes" (earlier count too small for a
    percentage) or "not comparable"."""
    if pd.isna(before):
        return "not comparable"
    if before < max(min_percent_base, 1):
        return f"{int(now) - int(before):+,} crimes"
    return f"{(now - before) / before:+.1%}"


def rising(incidents: pd.DataFrame, by: str, *, days: int = 28, top: int = 5,
           min_current: int = 5, alpha: float = 0.05, months: int | None = None,
           covered=None) -> pd.DataFrame:
    """The groups (crime heads, beats...) rising most against the previous period.

    Keeps groups with at least ``min_current`` crimes now and a rise unlikely by chance after
    accounting for every group tested (Benjamini-Hochberg ``q_rise < alpha``), ordered by the
    size of the rise.
    """
    table = compare_periods(incidents, days=days, by=by, months=months, covered=covered)
    table = table[(table["current"] >= min_current) & (table["q_rise"] < alpha)
                  & (table["current"] > table["previous"]).fillna(False)]
    table = table.assign(rise=(table["current"] - table["previous"]).astype(int))
    return table.sort_values(["rise", "p_rise"], ascending=[False, True]).head(top)


def n_tested(table: pd.DataFrame) -> int:
    """How many groups of a :func:`compare_periods` table were tested."""
    return int(table["p_rise"].notna().sum())


def rising_heads(incidents: pd.DataFrame, days: int = 28, *, min_now: int = 5,
                 alpha: float = 0.05):
    """(table of the crime heads rising beyond chance, a note, one sentence on all crime).

    Windows: the last ``days`` days of the data against the ``days`` before (monthly data: the
    last month against the one before). "Not comparable" when the data does not cover both.
    Each head's rise is the exact test of :func:`crimekit.overview.rise_p_value`, then
    Holm-corrected for the number of heads tested; heads need ``min_now`` crimes now.
    """
    cols = ["head", "now", "before", "change", "chance"]
    empty = pd.DataFrame(columns=cols)
    when = incidents["occurred_at"]
    last, first = when.max().normalize(), when.min().normalize()
    if data_precision(incidents) in ("month", "year"):
        if data_precision(incidents) == "year":
            return empty, "Not comparable: the data is dated to the year only.", ""
        cur = (last.replace(day=1), last.replace(day=1) + pd.offsets.MonthBegin(1))
        prev = (cur[0] - pd.offsets.MonthBegin(1), cur[0])
        span = f"{cur[0]:%B %Y} against {prev[0]:%B %Y}"
    else:
        stop = last + pd.Timedelta(days=1)
        cur = (stop - pd.Timedelta(days=days), stop)
        prev = (stop - pd.Timedelta(days=2 * days), cur[0])
        span = f"the last {days} days against the {days} before"
    if prev[0] < first:
        return (empty, f"Not comparable: the data starts on {first:%d %b %Y}, so it does not "
                       f"cover both windows ({span}).", "")
    now = crime_count(incidents[(when >= cur[0]) & (when < cur[1])], "category")
    before = crime_count(incidents[(when >= prev[0]) & (when < prev[1])], "category")
    table = pd.DataFrame({"now": now, "before": before}).fillna(0).clip(lower=0)
    total_now, total_before = table["now"].sum(), table["before"].sum()
    overall = (f"All crime, {span}: {total_now:,.0f} against {total_before:,.0f} ("
               + (f"{change_words(total_now / total_before - 1)}, " if total_before >= 20
                  else "too few for a percentage, ")
               + f"{_direction_words(total_now, total_before)}).")
    tested = table[table["now"] >= min_now]
    p = np.array([rise_p_value(n, b) for n, b in zip(tested["now"], tested["before"])])
    adjusted = holm(p)
    rising = tested.assign(p=adjusted)[(adjusted < alpha) & (tested["now"] > tested["before"])]
    rising = rising.assign(rise=rising["now"] - rising["before"]).sort_values(
        ["rise", "p"], ascending=[False, True])
    out = pd.DataFrame({
        "head": rising.index.astype(str), "now": rising["now"].round().astype(int).to_numpy(),
        "before": rising["before"].round().astype(int).to_numpy(),
        "change": [change_words(n / b - 1) if b >= 20 else f"+{n - b:,.0f} crimes"
                   for n, b in zip(rising["now"], rising["before"])],
        "chance": [f"{chance_words(q)} ({p_phrase(q)}, {len(tested)} heads tested)"
                   for q in rising["p"]]})
    note = (f"{span[0].upper() + span[1:]}: no crime head rose beyond chance "
            f"({len(tested)} heads with at least {min_now} crimes tested together)."
            if not len(out) else f"{span[0].upper() + span[1:]}; each head's rise tested "
            f"exactly, corrected for testing {len(tested)} heads at once.")
    return out, note, overall


def _direction_words(now, before) -> str:
    if now == before:
        return "no change"
    p = rise_p_value(now, before) if now > before else rise_p_value(before, now)
    verdict = chance_words(p)
    return (f"a {'rise' if now > before else 'fall'} "
            f"{'that ' + verdict if verdict.startswith('could') else verdict}, {p_phrase(p)}")
