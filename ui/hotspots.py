"""The Hotspots page's cached calls (shared with the Overview and Methods pages, so a result
computed on one page is instant on the others). Each takes the small view key and a
:class:`~crimekit.hotspots.HotspotSettings`, never a frame, and calls crimekit.hotspots.

:class:`CachedSteps` hands crimekit's entry points their costly steps (count, fit, predict,
backtest) as the cached calls below, so a change of the area flagged reuses every fit and
backtest, and the fast models' backtest is shared by every choice of crime heads.
"""

from __future__ import annotations

import streamlit as st

from crimekit.hotspots import (CrimeTypeModel, HotspotSettings, HotspotSteps, backtest_hotspots,
                               classify_hotspots, crime_type_backtest, make_model,
                               predict_hotspots, rank_areas)
from crimekit.hotspots.models import FAST_MODELS  # noqa: F401 (handed on to the pages)
from crimekit.hotspots.predict import backtest_cells, count_cells, next_period_risk
from crimekit.hotspots.verdict import percent  # noqa: F401 (handed on to the pages)
from crimekit.schema import SHIFTS  # noqa: F401 (handed on to the pages)
from ui.data import DEMO, all_heads_key, demo_city, grid, view_of


class CachedSteps(HotspotSteps):
    """crimekit's hotspot steps on the view ``key``, each one a cached call."""

    def __init__(self, key):
        self.key = key

    @property
    def dataset(self):
        return view_of(self.key)

    @property
    def wider(self):
        """The same dates and districts with every crime head (None when that is this view)."""
        base = all_heads_key(self.key)
        return None if base == self.key else CachedSteps(base)

    @property
    def truth(self):
        """The demo city's truth, when the view is that city unfiltered by district."""
        return demo_city().truth if self.key.dataset == DEMO and not self.key.districts else None

    def grid(self, settings):
        return cell_grid(self.key, settings)

    def cube(self, settings):
        return hotspot_cube(self.key, settings)

    def fitted(self, settings, model):
        return hotspot_model(self.key, settings, model)

    def risk(self, settings, model):
        return hotspot_risk(self.key, settings, model)

    def backtest(self, settings, models=None):
        return _backtest(self.key, settings, models)


def cell_grid(key, settings):
    """The cells of ``settings.cell_size`` over the whole dataset's area (not the filtered
    view's, so cells stay put when the filters change)."""
    return grid(key.source, float(settings.cell_size))


@st.cache_data(show_spinner="Counting incidents per cell and period...", max_entries=8)
def hotspot_cube(key, settings):
    """Incidents per grid cell and period (the hotspot models' input)."""
    settings = settings.counted()
    return count_cells(view_of(key), cell_grid(key, settings), settings)


@st.cache_resource(show_spinner="Fitting the model on all history...", max_entries=8)
def hotspot_model(key, settings, model):
    """A hotspot model fitted on every period of the view."""
    return make_model(model).fit(hotspot_cube(key, settings))


@st.cache_data(show_spinner=False, max_entries=8)
def hotspot_risk(key, settings, model):
    """Risk per cell for the period after the data, with its beat and 80% range."""
    return next_period_risk(view_of(key), hotspot_cube(key, settings),
                            hotspot_model(key, settings.counted(), model))


@st.cache_data(show_spinner=False, max_entries=16)
def _backtest(key, settings, models):
    settings = settings.tested()
    return backtest_cells(hotspot_cube(key, settings), settings, models, CachedSteps(key).truth)


def hotspot_backtest(key, settings=HotspotSettings(), models=None):
    """Rolling backtest of ``models`` (default: every model, and the demo city's truth as the
    ceiling) over the view (cached)."""
    return backtest_hotspots(view_of(key), settings, models=models, steps=CachedSteps(key))


@st.cache_data(show_spinner=False, max_entries=16)
def hotspot_result(key, settings=HotspotSettings()):
    """Risk per cell for the next period, the model used and why, its backtest and the
    verdict against the best baseline (crimekit.hotspots.predict_hotspots)."""
    return predict_hotspots(view_of(key), settings, steps=CachedSteps(key))


@st.cache_data(show_spinner="Classing cells over history...", max_entries=8)
def hotspot_classes(key, settings):
    """Each cell's class over history and its Gi* result."""
    return classify_hotspots(view_of(key), settings, steps=CachedSteps(key))


@st.cache_data(show_spinner="Ranking the areas...", max_entries=8)
def area_ranking(key):
    """Areas ranked for next period, for data placed by area only (crimekit.hotspots.areas)."""
    view = view_of(key)
    return rank_areas(view.incidents, view.beats, freq="W")


@st.cache_resource(show_spinner="Fitting the crime-type model...", max_entries=4)
def _crime_type_model(key, place, settings):
    return CrimeTypeModel(place=place).fit(view_of(key).incidents, cell_grid(key, settings))


@st.cache_data(show_spinner=False, max_entries=16)
def _crime_type_mix(key, place, settings, at, when, shift):
    return _crime_type_model(key, place, settings).predict(at, when, shift)


def crime_type_mix(key, place, settings, at, when, shift):
    """Each crime head's probability for an incident at place ``at`` (a cell id or beat) in
    the period from ``when`` and ``shift``, beside the place's historical mix."""
    return _crime_type_mix(key, place, settings.only("cell_size"), at, when, shift)


@st.cache_data(show_spinner="Backtesting the crime-type model...", max_entries=4)
def _crime_type_accuracy(key, place, settings):
    return crime_type_backtest(view_of(key).incidents, cell_grid(key, settings), place=place)


def crime_type_accuracy(key, place, settings=HotspotSettings()):
    """The crime-type model against each place's historical mix over the last 26 weeks."""
    return _crime_type_accuracy(key, place, settings.only("cell_size"))
