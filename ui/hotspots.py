"""The Hotspots page's cached calls (shared with the Overview and Methods pages, so a result
computed on one page is instant on the others). Each takes the small view key, never a frame."""

from __future__ import annotations


import pandas as pd
import streamlit as st


from crimekit.area_ranking import rank_areas
from crimekit.evaluate import backtest, versus_best_baseline
from crimekit.features import count_cube
from crimekit.periods import weeks_to_periods
from crimekit.hotspots import LEARNED, MODELS, cell_beats, crime_type_backtest, make_model
from crimekit.stats import poisson_band
from ui.data import DEMO, all_heads_key, demo_city, grid, view_of

#: The Hotspots page's default settings (cell size in metres, period, crime heads, backtest
#: weeks); the Overview and Methods pages use them so their calls are the page's first calls.
HOTSPOT_DEFAULTS = {"cell_size": 250, "freq": "W", "heads": (), "weeks": 13}
#: Hotspot models that fit in about a second or less: the baselines and the learned count
#: model (everything but XGBoost), so the page can choose among them by backtest at once.
FAST_MODELS = tuple(m for m in MODELS if m != "xgboost")


@st.cache_data(show_spinner="Counting incidents per cell and period...", max_entries=8)
def hotspot_cube(key, cell_size, freq, heads):
    """Incidents per grid cell and period (the hotspot models' input)."""
    view = view_of(key)
    return count_cube(view.incidents, grid(key[:2], float(cell_size)), freq=freq,
                      categories=heads, pois=view.pois)


@st.cache_resource(show_spinner="Fitting the model on all history...", max_entries=8)
def hotspot_model(key, cell_size, freq, heads, model):
    """A hotspot model fitted on every period of the view."""
    return make_model(model).fit(hotspot_cube(key, cell_size, freq, heads))


@st.cache_data(show_spinner=False, max_entries=8)
def hotspot_risk(key, cell_size, freq, heads, model):
    """Risk per cell for the period after the data, with beat and an 80% count range."""
    cube = hotspot_cube(key, cell_size, freq, heads)
    pred = hotspot_model(key, cell_size, freq, heads, model).predict(cube, [cube.n_periods])
    beats = cell_beats(cube.grid, view_of(key))
    pred["beat"] = pred["cell_id"].map(beats).astype(object).fillna("")
    pred["expected_low"], pred["expected_high"] = poisson_band(pred["expected"])
    return pred.sort_values("score", ascending=False, ignore_index=True)


#: A period length in words.
FREQ_WORD = {"D": "day", "S": "shift", "W": "week", "2W": "fortnight", "M": "month"}


@st.cache_data(show_spinner="Ranking the areas...", max_entries=8)
def area_ranking(key):
    """Areas ranked for next period, for data placed by area only (see crimekit.area_ranking)."""
    view = view_of(key)
    return rank_areas(view.incidents, view.beats, freq="W")



def joined_backtests(first, second):
    """One backtest with the models of both (backtests of the same view and periods)."""
    extra = [m for m in second.summary["model"].unique()
             if m not in set(first.summary["model"])]
    if not extra:
        return first

    def pick(df):
        return df[df["model"].isin(extra)] if len(df) else df
    return type(first)(pd.concat([first.summary, pick(second.summary)], ignore_index=True),
                       pd.concat([first.per_period, pick(second.per_period)], ignore_index=True),
                       pd.concat([first.reliability, pick(second.reliability)],
                                 ignore_index=True), first.periods)


def hotspot_verdict(bt, coverage) -> dict | None:
    """The best learned model in ``bt`` against its best baseline at ``coverage`` (hit rates,
    paired over the backtest's periods): the row of crimekit.evaluate.versus_best_baseline
    plus ``beats`` (the learned model captured more on average) and ``clear`` (by more than
    twice the standard error). None when ``bt`` lacks a learned model or a baseline."""
    vs = versus_best_baseline(bt, (coverage,), measure="hit_rate").dropna(
        subset=["difference"])
    if not len(vs):
        return None
    best = vs.loc[vs["difference"].idxmax()].to_dict()
    se = best["se"] if best["se"] == best["se"] else 0.0  # NaN with a single period
    return {**best, "beats": best["difference"] > 0,
            "clear": best["difference"] > 2 * se and se > 0}


def best_fast_model(key, cell_size, freq, heads, weeks, coverage=0.01):
    """(model name, the fast models' backtest it was chosen on, whether that backtest is of
    every crime head rather than this view). The fast models (the learned count model and the
    baselines) are compared on the view with every crime head (same dates and districts),
    computed once and shared by every crime-head filter; a crime-head filter then only
    backtests the chosen model. The best baseline is chosen unless a learned model captured
    more crimes than it (a tie goes to the simpler method)."""
    base = all_heads_key(key)
    bt = hotspot_backtest(base, cell_size, freq, heads, weeks, FAST_MODELS)
    hits = bt.at(coverage)
    learned = hits.reindex([m for m in LEARNED if m in hits.index]).dropna()
    baselines = hits.drop(index=learned.index)
    choice = baselines.idxmax()
    if len(learned) and learned.max() > baselines.max():
        choice = learned.idxmax()
    return choice, bt, base != key


@st.cache_data(show_spinner=False, max_entries=16)
def hotspot_backtest(key, cell_size, freq, heads, weeks, models=None):
    """Rolling backtest of the hotspot models over the last ``weeks`` (refit every 13 weeks).

    ``models=None`` runs every model plus, on the demo city, the generator's truth as a ceiling
    (what the Hotspots page shows); a tuple of names runs only those (e.g. FAST_MODELS).
    """
    cube = hotspot_cube(key, cell_size, freq, heads)
    n = min(weeks_to_periods(weeks, freq), cube.n_periods // 3)
    extra = _truth_scores(key, cube, n, heads) if models is None else {}
    return backtest(cube, {name: make_model(name) for name in (models or MODELS)}, n_periods=n,
                    retrain_every_weeks=13, extra_scores=extra)


def _truth_scores(key, cube, n, heads) -> dict:
    """On the unfiltered-by-district demo city, the generator's expected counts as a ceiling."""
    if key[0] != DEMO or key[5] or cube.freq == "S":
        return {}
    truth = demo_city().truth
    fine = truth.fine_cells
    exp = truth.expected_counts(cube.grid.cell_of(fine["lat"], fine["lon"]), freq=cube.freq,
                                categories=list(heads) or None)
    exp = exp[exp["unit"] >= 0].pivot(index="period_start", columns="unit", values="expected")
    t = cube.periods[-n:]
    if not set(t) <= set(exp.index):
        return {}
    return {"truth (demo ceiling)": exp.reindex(index=t, columns=cube.cell_ids).fillna(0)
            .to_numpy()}


@st.cache_data(show_spinner="Backtesting the crime-type model...", max_entries=4)
def crime_type_accuracy(key, place, cell_size):
    """The crime-type model against each place's historical mix over the last 26 weeks."""
    view = view_of(key)
    return crime_type_backtest(view.incidents, grid(key[:2], float(cell_size)), place=place)
