"""What an operation check is asked, declared once: :class:`OperationSettings`.

The ``operation`` command builds it from its flags, the "Did it work?" page from its widgets;
both hand it to :func:`crimekit.operations.check_operation`.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pandas as pd

from crimekit.errors import ParameterError
from crimekit.settings import Settings, check_value, dataclass, setting

__all__ = ["OperationSettings", "UNITS", "BEFORE", "MIN_BEFORE"]

#: The kinds of place an operation can cover: beats, or grid cells (hot spots).
UNITS = ("beat", "cell")
#: Fewest periods before the operation a comparison needs, and how many it uses by default
#: (a year of weeks; two years of months, as a year gives only 12 points).
MIN_BEFORE = {"W": 8, "M": 6}
BEFORE = {"W": 52, "M": 24}


@dataclass(frozen=True)
class OperationSettings(Settings):
    """An operation (its places and dates) and how to check it.

    ``places`` names the beats (``unit="beat"``) or cell ids (``unit="cell"``); with
    ``unit="cell"``, ``hot_spots=N`` instead takes the N cells with the most crime in the 13
    weeks before ``start`` (in ``district`` when given). ``end`` is the day after the last day.
    ``before`` None: :data:`BEFORE` periods (fewer when the data starts later); ``controls``
    () : ``controls_per_unit`` comparison places matched per operation place.
    """

    start: object = setting(None, label="First day", help="The operation's first day.")
    end: object = setting(None, label="End",
                          help="The day after the operation's last day.")
    unit: str = setting("beat", choices=UNITS, label="The operation's places",
                        help="Beats, or hot spots (grid cells).")
    places: tuple = setting((), label="Beats where the operation ran",
                            help="The operation's beats (or cell ids of the grid).")
    hot_spots: int | None = setting(
        None, low=1, high=50, step=1, label="How many hot spots",
        help="The grid cells with the most crime in the 13 weeks before the first day.")
    district: str = setting("", label="District",
                            help="With hot spots: the busiest cells of this district only.")
    cell_size: float = setting(250.0, low=25, high=5000, step=25, label="Cell size (m)",
                               help="The side of a hot spot's grid cell.")
    before: int | None = setting(None, low=1, high=520, step=1, label="Periods before",
                                 help="Whole periods before the operation compared with.")
    controls_per_unit: int = setting(3, low=1, high=20, step=1,
                                     label="Comparable places per operation place",
                                     help="Untreated places matched to each operation place "
                                          "on its crime before the operation.")
    controls: tuple = setting((), label="Comparison places",
                              help="The comparison places, when chosen by hand.")
    level: float = setting(0.95, low=0.5, high=0.99, label="Confidence",
                           help="The level of every interval.")
    forecast: bool = setting(True, choices=(True, False), label="Against the forecast",
                             help="Also compare with the forecast made from before it.")

    def __post_init__(self):
        meta = {f.name: f.metadata for f in fields(self)}
        check_value("OperationSettings", "unit", self.unit, meta["unit"])
        for name in ("start", "end"):
            value = getattr(self, name)
            try:
                when = pd.Timestamp(value)
            except (TypeError, ValueError):
                when = pd.NaT
            if value is None or pd.isna(when):
                raise ParameterError.invalid(name, "OperationSettings", "a date", value)
            object.__setattr__(self, name, when)
        for name in ("places", "controls"):
            object.__setattr__(self, name, self.as_places(getattr(self, name)))
        for f in fields(self):
            value = getattr(self, f.name)
            if (value is None and f.default is None) or f.name in ("start", "end"):
                continue
            check_value("OperationSettings", f.name, value, f.metadata)
        if not self.end > self.start:
            raise ParameterError.invalid("end", "check_operation", "after the start",
                                         f"{self.end:%Y-%m-%d}")

    def as_places(self, values) -> tuple:
        """``values`` as this unit's place names: text for beats, whole numbers for cells."""
        if isinstance(values, (str, int, np.integer)):
            values = [values]
        return tuple(int(v) for v in values) if self.unit == "cell" else \
            tuple(str(v) for v in values)
