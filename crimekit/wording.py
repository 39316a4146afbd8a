"""Numbers in plain words, the same on every page, command and printout: p-values as "< 0.001",
changes as "30% fewer", intervals as "-40% to -18%", tests as "unlikely to be chance"; crimes as
"23 thefts", addresses as "100 block of W MADISON ST", usual times as "Fri-Sat 20:00-02:00"."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from crimekit.errors import ParameterError
from crimekit.schema import PRECISIONS

#: Fewest crimes at a place before its usual times are described.
MIN_FOR_TIMES = 8
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# crime heads whose last word is a countable noun, pluralised as such ("3 burglaries")
_NOUNS = ("theft", "burglary", "robbery", "murder", "homicide", "assault", "shooting",
          "kidnapping", "snatching", "battery", "stabbing", "rape", "arson", "fraud", "break-in",
          "mugging", "carjacking", "hijacking", "riot")


def p_text(p: float) -> str:
    """A p-value for a table: "< 0.001", "0.012", "0.45" (never sixty zeros)."""
    if p is None or not np.isfinite(p):
        return "n/a"
    return "< 0.001" if p < 0.001 else f"{p:.3f}" if p < 0.1 else f"{p:.2f}"


def p_phrase(p: float) -> str:
    """A p-value in a sentence: "p < 0.001", "p = 0.012"."""
    text = p_text(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def chance_words(p: float) -> str:
    """What a test's p-value says, in words a commander uses."""
    if not np.isfinite(p):
        return "not tested"
    return ("very unlikely to be chance" if p < 0.01 else "unlikely to be chance"
            if p < 0.05 else "could well be chance")


def change_words(x: float) -> str:
    """"30% fewer", "12% more", "no change"."""
    if not np.isfinite(x):
        return "n/a"
    pct = round(abs(x) * 100)
    return "no change" if pct == 0 else f"{pct}% {'fewer' if x < 0 else 'more'}"


def range_words(lo: float, hi: float) -> str:
    """"-40% to -18%" (changes as signed percentages)."""
    def one(v):
        return "no upper limit" if not np.isfinite(v) else f"{v * 100:+.0f}%"
    return f"{one(lo)} to {one(hi)}"


# --- crimes, places and times ---------------------------------------------------------------

def crimes_of(n, category: str) -> str:
    """"23 thefts", "1 burglary", "3 cheating cases", "2 Drugs (NDPS) cases"."""
    n = int(round(n))
    text = str(category).strip() or "crime"
    keep_case = bool(re.search(r"[A-Z]{2,}", text))  # an acronym: keep as written
    low = text if keep_case else text.lower()
    last = re.split(r"\s+", low)[-1].lower()
    if last in _NOUNS and not re.search(r"\b(to|of|by|with|against|under|and|or)\b", low):
        if n == 1:
            return f"1 {low}"
        plural = low[:-1] + "ies" if low.endswith("y") and not low.endswith(("ay", "ey", "oy")) \
            else low + "s"
        return f"{n} {plural}"
    return f"{n} {low} case" + ("" if n == 1 else "s")


def readable_address(text: str) -> str:
    """An address as a commander reads it: redacted house numbers ("001XX W MADISON ST",
    "0000X N STATE ST") become "100 block of W MADISON ST"; spaces are tidied."""
    text = re.sub(r"\s+", " ", str(text)).strip()
    m = re.match(r"^(\d+)(X+)\s+(.+)$", text, flags=re.IGNORECASE)
    if m:
        number = int(m.group(1)) * 10 ** len(m.group(2))
        return f"{number} block of {m.group(3)}"
    return text


def peak_times(when: pd.Series, weights=None, precision: str = "hour") -> str:
    """When most of these crimes happen: "Fri-Sat 20:00-02:00", "Sat", "18:00-23:00", or ""
    when the data has no times (month or year precision), too few crimes, or no clear peak.

    Days are counted from 06:00, so a crime at 01:00 on Saturday belongs to Friday night (the
    night shift that began on Friday). A run of days (at most three) or of hours (at most ten)
    is named when it holds at least half the crimes and clearly more than its share of the week
    or the day.
    """
    if precision not in PRECISIONS:
        raise ParameterError.invalid("precision", "peak_times", f"one of {PRECISIONS}",
                                     precision)
    when = pd.to_datetime(pd.Series(when)).reset_index(drop=True)
    w = np.ones(len(when)) if weights is None else np.clip(np.asarray(weights, float), 0, None)
    ok = when.notna().to_numpy() & (w > 0)
    when, w = when[ok], w[ok]
    if precision not in ("hour", "day") or w.sum() < MIN_FOR_TIMES:
        return ""
    if precision == "hour":
        day = (when - pd.Timedelta(hours=6)).dt.day_of_week.to_numpy()
        hours = _run(np.bincount(when.dt.hour.to_numpy(), weights=w, minlength=24), 10, 1.3)
    else:
        day, hours = when.dt.day_of_week.to_numpy(), None
    days = _run(np.bincount(day, weights=w, minlength=7), 3, 1.4)
    parts = []
    if days is not None:
        first, length = days
        parts.append(_DAYS[first] if length == 1 else
                     f"{_DAYS[first]}-{_DAYS[(first + length - 1) % 7]}")
    if hours is not None:
        first, length = hours
        parts.append(f"{first:02d}:00-{(first + length) % 24:02d}:00")
    return " ".join(parts)


def _run(counts, longest: int, lift: float):
    """(first, length) of the shortest circular run holding at least half of ``counts`` and
    ``lift`` times its even share, if one of at most ``longest`` slots does."""
    counts = np.asarray(counts, float)
    total, n = counts.sum(), len(counts)
    if total <= 0:
        return None
    doubled = np.concatenate([counts, counts])
    for length in range(1, longest + 1):
        sums = np.array([doubled[i:i + length].sum() for i in range(n)])
        best = int(np.argmax(sums))
        share = sums[best] / total
        if share >= 0.5:
            return (best, length) if share >= lift * length / n else None
    return None


def plural(unit: str, n: int = 2) -> str:
    """'beat' -> 'beats', 'community' -> 'communities', 'LSOA' -> 'LSOAs' (n == 1: as is)."""
    if n == 1:
        return unit
    if unit.endswith("y") and unit[-2:-1].lower() not in "aeiou":
        return unit[:-1] + "ies"
    return unit + "s"
