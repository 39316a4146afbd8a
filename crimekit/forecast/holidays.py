"""Holidays for the forecasts: a country's public holidays (offline, from the ``holidays``
package), and how many holiday days fall in each period."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from crimekit.errors import ParameterError
from crimekit.periods import period_start


def country_holidays(country: str, years) -> pd.DataFrame:
    """A country's public holidays (``date, holiday``) from the offline ``holidays`` package.

    ``country`` is an ISO code such as "IN", "US" or "GB".
    """
    import holidays as hol
    try:
        days = hol.country_holidays(country, years=list(years))
    except NotImplementedError:
        raise ParameterError.invalid("country", "country_holidays",
                                     "an ISO country code the holidays package knows (e.g. IN)",
                                     country) from None
    out = pd.DataFrame({"date": pd.to_datetime(list(days.keys())),
                        "holiday": [str(v) for v in days.values()]})
    return out.sort_values("date").reset_index(drop=True)


def holidays_per_period(holidays: pd.DataFrame | None, starts, freq: str) -> np.ndarray:
    """How many distinct holiday days fall in each period starting at ``starts``."""
    starts = pd.DatetimeIndex(starts)
    if holidays is None or not len(holidays):
        return np.zeros(len(starts))
    days = pd.DatetimeIndex(pd.to_datetime(holidays["date"]).dt.normalize().unique())
    counts = pd.Series(1, index=period_start(days, freq)).groupby(level=0).sum()
    return counts.reindex(starts, fill_value=0).to_numpy(float)


#: Countries a page offers for public holidays (name -> ISO code; "None" for none). The command
#: line takes any code the ``holidays`` package knows.
COUNTRIES = {"None": None, "India": "IN", "United States": "US", "United Kingdom": "GB",
             "Colombia": "CO", "Canada": "CA", "Australia": "AU", "South Africa": "ZA"}


def check_country(country, where: str) -> str:
    """``country`` if the ``holidays`` package knows it, else the one ParameterError."""
    if not isinstance(country, str) or country not in known_countries():
        raise ParameterError.invalid("country", where,
                                     "an ISO country code the holidays package knows (e.g. IN)",
                                     country)
    return country


@functools.lru_cache(maxsize=1)
def known_countries() -> frozenset:
    """The ISO codes the ``holidays`` package has public holidays for."""
    import holidays as hol
    return frozenset(hol.list_supported_countries())


def holidays_for(own: pd.DataFrame | None, city: bool, country: str | None, first,
                 last) -> pd.DataFrame | None:
    """The holidays a forecast uses: the dataset's ``own`` list (when ``city``) plus
    ``country``'s public holidays over the years from ``first`` to ``last`` (the end of the
    forecast), one more year for safety; None when there are none."""
    parts = [own] if city and own is not None and len(own) else []
    if country and first is not None and not pd.isna(first):
        years = range(pd.Timestamp(first).year, pd.Timestamp(last).year + 2)
        parts.append(country_holidays(country, years))
    return pd.concat(parts, ignore_index=True) if parts else None
