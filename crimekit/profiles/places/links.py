"""How crime heads go together, and the character of crime in each place.

- :func:`head_correlation`: do places with many murders also have many hurt cases? Correlation
  of crime heads' counts across beats or grid cells, in a clustered order for a heat map.
- :func:`co_occurrence`: heads that happen in the same place and the same week more often than
  chance (lift over independence, hypergeometric test).
- :func:`heinous_share`: heinous vs non-heinous crime per beat, with a Wilson interval.
- :func:`major_head_breakdown`: major heads per district (or beat).
- :func:`property_values`: property stolen (and recovered, when the data has it) by head and place.

All take a canonical incidents table (usually the filtered view) and return tidy DataFrames.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.spatial.distance import squareform

from crimekit.errors import ParameterError
from crimekit.periods import period_start
from crimekit.profiles.base import is_known
from crimekit.profiles.settings import UNITS, ProfileSettings
from crimekit.stats import fdr_q_values, wilson_interval

_DEFAULT = ProfileSettings()

#: Extra source columns read as the value of property recovered (first one present wins).
RECOVERED_COLUMNS = ("property_recovered", "recovered_value", "value_recovered")


def unit_of(incidents: pd.DataFrame, *, unit: str = "beat", grid=None) -> pd.Series:
    """The spatial unit of each incident: its beat, or its grid cell id (``unit="cell"``, needs
    ``grid``). Incidents with no beat / outside the grid get NaN."""
    if unit not in UNITS:
        raise ParameterError.invalid("unit", "unit_of", "'beat' or 'cell'", unit)
    if unit == "beat":
        return incidents["beat"].where(is_known(incidents["beat"]))
    if grid is None:
        raise ParameterError.invalid("grid", "unit_of", "a Grid when unit='cell'", None)
    ids = pd.Series(grid.cell_of(incidents["lat"], incidents["lon"]), index=incidents.index)
    return ids.where(ids >= 0)


def head_matrix(incidents: pd.DataFrame, *, unit: str = "beat", grid=None,
                by: str = "category") -> pd.DataFrame:
    """Incidents per (unit, head): units as rows, heads as columns (zeros included)."""
    units = unit_of(incidents, unit=unit, grid=grid)
    ok = units.notna()
    return pd.crosstab(units[ok], incidents.loc[ok, by]).rename_axis(index="unit", columns=None)


def clustered_order(corr: pd.DataFrame) -> list:
    """Heads ordered so that similar ones sit together (average linkage on 1 - correlation,
    optimal leaf order), for a heat map that shows blocks."""
    if len(corr) < 3:
        return list(corr.index)
    dist = np.clip(1 - corr.to_numpy(), 0, 2)
    np.fill_diagonal(dist, 0)
    tree = linkage(squareform((dist + dist.T) / 2, checks=False), "average",
                   optimal_ordering=True)
    return list(corr.index[leaves_list(tree)])


def head_correlation(incidents: pd.DataFrame, *, unit: str = "beat", grid=None,
                     by: str = "category", method: str = "spearman",
                     min_count: int = 10) -> pd.DataFrame:
    """Correlation of heads' counts across places (beats or grid cells).

    Heads with fewer than ``min_count`` incidents are left out (too few to correlate). Spearman
    (the default) is robust to a few very busy places; "pearson" is also accepted.

    Returns the full matrix in tidy form: ``head_a, head_b, correlation, order_a, order_b,
    n_units`` where ``order_*`` is each head's position in :func:`clustered_order`.
    """
    if method not in ("spearman", "pearson"):
        raise ParameterError.invalid("method", "head_correlation", "'spearman' or 'pearson'",
                                     method)
    columns = ["head_a", "head_b", "correlation", "order_a", "order_b", "n_units"]
    counts = head_matrix(incidents, unit=unit, grid=grid, by=by)
    if grid is not None and unit == "cell":  # every cell of the area counts, busy or not
        counts = counts.reindex(grid.cells["cell_id"], fill_value=0)
    counts = counts.loc[:, (counts.sum() >= min_count) & (counts.std() > 0)]
    if counts.shape[1] < 2 or len(counts) < 3:
        return pd.DataFrame(columns=columns)
    corr = counts.corr(method=method)
    order = {h: i for i, h in enumerate(clustered_order(corr))}
    out = corr.rename_axis(index="head_a", columns="head_b").stack().rename("correlation")
    out = out.reset_index()
    out["order_a"], out["order_b"] = out["head_a"].map(order), out["head_b"].map(order)
    out["n_units"] = len(counts)
    return out.sort_values(["order_a", "order_b"], ignore_index=True)


def co_occurrence(incidents: pd.DataFrame, *, unit: str = "beat", grid=None, freq: str = "W",
                  by: str = "category", min_both: int = 5,
                  alpha: float = _DEFAULT.alpha) -> pd.DataFrame:
    """Pairs of heads recorded in the same place and the same period more often than chance.

    Each (unit, period) with any incident is a trial; ``n_a``/``n_b`` count the trials with
    head a / b, ``n_both`` those with both, ``expected = n_a * n_b / trials`` under
    independence and ``lift = n_both / expected``. ``p_value`` is the hypergeometric chance of
    at least ``n_both``; ``q_value`` corrects it for the number of pairs. Places differ in how
    much crime they have, so a lift above 1 partly says "busy places are busy": compare lifts
    between pairs rather than with 1.

    Returns ``head_a, head_b, n_both, n_a, n_b, trials, expected, lift, p_value, q_value,
    significant`` for pairs with at least ``min_both`` joint trials, highest lift first.
    """
    columns = ["head_a", "head_b", "n_both", "n_a", "n_b", "trials", "expected", "lift",
               "p_value", "q_value", "significant"]
    units = unit_of(incidents, unit=unit, grid=grid)
    ok = units.notna() & incidents["occurred_at"].notna()
    if not ok.any():
        return pd.DataFrame(columns=columns)
    key = pd.DataFrame({"unit": units[ok].astype(str).to_numpy(),
                        "period": period_start(incidents.loc[ok, "occurred_at"], freq)})
    present = pd.crosstab([key["unit"], key["period"]], incidents.loc[ok, by].to_numpy()) > 0
    B = present.to_numpy(dtype=float)
    both = B.T @ B
    n = B.sum(axis=0)
    trials = len(B)
    heads = list(present.columns)
    a, b = np.triu_indices(len(heads), k=1)
    out = pd.DataFrame({"head_a": [heads[i] for i in a], "head_b": [heads[j] for j in b],
                        "n_both": both[a, b].astype(int), "n_a": n[a].astype(int),
                        "n_b": n[b].astype(int), "trials": trials})
    out["expected"] = out["n_a"] * out["n_b"] / trials
    out["lift"] = out["n_both"] / out["expected"]
    out["p_value"] = stats.hypergeom.sf(out["n_both"] - 1, trials, out["n_a"], out["n_b"])
    out = out[out["n_both"] >= min_both].reset_index(drop=True)
    out["q_value"] = fdr_q_values(out["p_value"])
    out["significant"] = out["q_value"] < alpha
    return out[columns].sort_values("lift", ascending=False, ignore_index=True)


def heinous_share(incidents: pd.DataFrame, *, by: str = "beat") -> pd.DataFrame:
    """Heinous vs non-heinous crime per place: ``<by>, incidents, heinous, non_heinous, share,
    lower, upper, ratio_to_area`` (``lower``/``upper``: 95 % Wilson interval of the share;
    ``ratio_to_area``: the share over the whole area's share). Highest share first."""
    inc = incidents[is_known(incidents[by])]
    g = inc.groupby(by)["heinous"]
    out = pd.DataFrame({"incidents": g.size(), "heinous": g.sum().astype(int)})
    out["non_heinous"] = out["incidents"] - out["heinous"]
    out["share"] = out["heinous"] / out["incidents"]
    out["lower"], out["upper"] = wilson_interval(out["heinous"], out["incidents"])
    area = inc["heinous"].mean() if len(inc) else np.nan
    out["ratio_to_area"] = out["share"] / area if area else np.nan
    return out.reset_index().sort_values("share", ascending=False, ignore_index=True)


def major_head_breakdown(incidents: pd.DataFrame, *, by: str | None = "district") -> pd.DataFrame:
    """Incidents per major head (``category_group``; the crime head when it is empty) in each
    ``by`` (None: the whole area as "All"): ``<by>, category_group, count, share``."""
    group = incidents["category_group"].where(is_known(incidents["category_group"]),
                                              incidents["category"])
    place = (pd.Series("All", index=incidents.index) if by is None
             else incidents[by].where(is_known(incidents[by]), "unknown"))
    name = by or "area"
    out = pd.DataFrame({name: place, "category_group": group}).value_counts().rename("count")
    out = out.reset_index()
    out["share"] = out["count"] / out.groupby(name)["count"].transform("sum")
    return out.sort_values([name, "count"], ascending=[True, False], ignore_index=True)


def property_values(incidents: pd.DataFrame, *, by=("category",)) -> pd.DataFrame:
    """Property stolen (``property_value``) and recovered (first of RECOVERED_COLUMNS present)
    per group of ``by`` columns.

    Returns ``<by...>, incidents, with_value, stolen_total, stolen_median, recovered_total,
    recovery_rate`` (recovered columns NaN when the data has no recovered values), largest
    total first.
    """
    by = [by] if isinstance(by, str) else list(by)
    recovered = next((c for c in RECOVERED_COLUMNS if c in incidents), None)
    df = incidents[by].copy()
    df["stolen"] = incidents["property_value"]
    df["recovered"] = (pd.to_numeric(incidents[recovered], errors="coerce") if recovered
                       else np.nan)
    g = df.groupby(by)
    out = pd.DataFrame({"incidents": g.size(), "with_value": g["stolen"].count(),
                        "stolen_total": g["stolen"].sum(min_count=1),
                        "stolen_median": g["stolen"].median(),
                        "recovered_total": g["recovered"].sum(min_count=1)})
    out["recovery_rate"] = out["recovered_total"] / out["stolen_total"]
    out = out.reset_index()
    return out.sort_values("stolen_total", ascending=False, na_position="last",
                           ignore_index=True)
