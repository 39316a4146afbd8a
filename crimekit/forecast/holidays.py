"""Holidays for the forecasts: a country's public holidays (offline, from the ``holidays``
package), and how many holiday days fall in each period."""

from __future__ import annotations

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
