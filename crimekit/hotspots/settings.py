"""What a hotspot analysis is asked for, declared once: each setting's default, allowed values,
label and help, read by the Hotspots page's widgets (and the Map's and Profiles' cell sizes),
the command line's options and the app's cached calls (frozen, so they key caches).

:class:`HotspotSettings` is the page's and the Overview's; :class:`ScoreSettings` the command
line's, which names its model instead of choosing one by backtest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from crimekit.errors import ParameterError
from crimekit.hotspots.evaluate import COVERAGES
from crimekit.settings import Settings, setting
from crimekit.spatial import MAX_CELL_M, MIN_CELL_M

#: The model setting that means "the best fast model by backtest".
AUTO = "auto"
#: Every model name in the order the page offers them (AUTO first).
MODEL_CHOICES = (AUTO, "poisson", "xgboost", "kde", "all-history", "last-52-weeks", "markov",
                 "last-period", "last-year")
#: Each model's name in plain words (pages, notes and verdicts).
MODEL_LABELS = {AUTO: "Best by backtest (fast models)", "poisson": "Count model (learned)",
                "xgboost": "XGBoost on counts (learned)", "kde": "Kernel density (decayed)",
                "all-history": "All history", "last-52-weeks": "Last 52 weeks",
                "markov": "Markov transition", "last-period": "Last period",
                "last-year": "Last year"}
#: How long the learned models take to fit, said beside their labels where a model is chosen.
MODEL_SPEED = {"poisson": "fast", "xgboost": "slower"}
#: Period lengths in the order the page offers them, and their names there.
FREQ_CHOICES = ("W", "2W", "D", "S", "M")
FREQ_LABELS = {"W": "Week", "2W": "Two weeks", "D": "Day", "S": "Shift (8 h)", "M": "Month"}
#: The fields the count cube depends on, and those a backtest depends on besides.
COUNTED = ("cell_size", "freq", "categories")
TESTED = COUNTED + ("backtest_weeks", "retrain_every_weeks")


@dataclass(frozen=True)
class HotspotSettings(Settings):
    """What to predict, with which model, and how to test it.

    ``categories`` are values of the incidents' ``category`` column (the crime heads; none:
    every head), kept sorted so equal choices key the same cache entry. ``coverage`` is the
    share of the area's cells flagged as hot spots (hit rates are read there).
    """

    #: The cell sizes (metres) the pages offer; any size in [25, 5000] is allowed.
    CELL_SIZES: ClassVar[tuple] = (100, 150, 200, 250, 300, 400, 500, 750, 1000)

    cell_size: float = setting(
        250, low=MIN_CELL_M, high=MAX_CELL_M, label="Cell size (m)",
        help="The side of each square grid cell, in metres.")
    freq: str = setting(
        "W", choices=FREQ_CHOICES, label="Period",
        help="The length of the period predicted. Data whose dates are known only to the day "
             "(or month) is scored per day (or month).")
    categories: tuple = setting(
        (), label="Crime heads to predict", help="Only these crime heads are counted and "
                                                "predicted (none chosen: every crime head).")
    model: str = setting(
        AUTO, choices=MODEL_CHOICES, label="Model",
        help="Best by backtest: of the fast models (the learned count model and the "
             "baselines), the one with the best hit rate on a backtest of every crime head "
             "(same dates and districts). XGBoost is slower to fit the first time.")
    backtest_weeks: int = setting(
        13, choices=(8, 13, 26, 52), label="Backtest: last weeks of held-out time",
        help="Each model is refitted every 13 weeks on only the data before, and scored on "
             "what then happened.")
    coverage: float = setting(
        0.01, choices=COVERAGES, label="Area to flag",
        help="The share of the cells flagged as hot spots: the top cells by risk.")
    compare: bool = setting(
        False, choices=(False, True), label="Backtest every model (XGBoost included)",
        help="Off: the chosen model's own backtest. On: every model side by side (and the "
             "truth on the demo city); slow the first time, then cached.")
    retrain_every_weeks: float = setting(
        13, low=1, high=104, label="Refit every (weeks)",
        help="How often a backtest (or the command line's scoring) refits each model, on only "
             "the data before the refit.")

    def __post_init__(self):
        cats = () if self.categories is None else self.categories
        if isinstance(cats, str) or not all(isinstance(c, str) for c in cats):
            raise ParameterError.invalid("categories", type(self).__name__,
                                         "a tuple of crime heads (category values)", cats)
        object.__setattr__(self, "categories", tuple(sorted(set(cats))))
        super().__post_init__()

    def only(self, *names) -> HotspotSettings:
        """These settings with only ``names`` kept and every other at its default, so results
        that depend on those alone are keyed (and cached) once."""
        return HotspotSettings(**{name: getattr(self, name) for name in names})

    def counted(self) -> HotspotSettings:
        """Only what the count cube depends on: cell size, period and crime heads."""
        return self.only(*COUNTED)

    def tested(self) -> HotspotSettings:
        """Only what a backtest depends on: those, the weeks tested and the refits."""
        return self.only(*TESTED)

    @staticmethod
    def model_label(name: str, speed: bool = False) -> str:
        """A model's name in plain words; with ``speed``, how long a learned one takes to fit
        ("Count model (learned, fast)"), as a list to choose from says it."""
        label = MODEL_LABELS.get(name, name)
        return f"{label[:-1]}, {MODEL_SPEED[name]})" if speed and name in MODEL_SPEED else label

    @staticmethod
    def freq_label(freq: str) -> str:
        """A period length as the page names it ("Two weeks")."""
        return FREQ_LABELS.get(freq, freq)


@dataclass(frozen=True)
class ScoreSettings(HotspotSettings):
    """The command line's scoring of every period in a date range: the model is named, not
    chosen by backtest (the count model unless said); ``backtest_weeks``, ``coverage`` and
    ``compare`` are not used."""

    model: str = setting(
        "poisson", choices=MODEL_CHOICES[1:], label="Model",
        help="which model scores the cells")
