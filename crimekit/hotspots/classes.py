"""Where are the lasting hotspots? Two descriptive views of history, per grid cell.

- :func:`hotspot_classes`: each cell's share of periods with at least one crime, grouped by
  k-means (k = 4, on that share) into stable / relative / occasional / non-hotspot, ordered by
  the clusters' centres; cells that never had crime are always non-hotspots.
- :func:`getis_ord`: the Getis-Ord Gi* statistic (esda) of each cell's count against its
  neighbours (queen moves, the cell included), with a normal-approximation p-value and a
  label (hot/cold spot at 99/95/90% confidence, or not significant).
- :func:`classify_cells`: both for every cell of a count cube (:class:`HotspotClasses`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans

from crimekit.errors import ParameterError

CLASSES = ("stable", "relative", "occasional", "non-hotspot")
#: Each class as a level for a map's colour scale (3 stable ... 0 non-hotspot).
CLASS_LEVELS = {c: len(CLASSES) - 1 - i for i, c in enumerate(CLASSES)}


def hotspot_classes(cube, *, last_weeks: float | None = None, seed: int = 0) -> pd.DataFrame:
    """Class of each cell over the cube's periods (or its last ``last_weeks``).

    Returns ``cell_id, periods_with_crime, frequency, total, hotspot_class``.
    """
    counts = cube.counts
    if last_weeks is not None:
        from crimekit.periods import weeks_to_periods
        counts = counts[-weeks_to_periods(last_weeks, cube.freq):]
    had = (counts > 0).sum(axis=0)
    freq = had / max(len(counts), 1)
    label = np.full(len(freq), CLASSES[-1], dtype=object)
    active = freq > 0
    if active.sum() >= len(CLASSES):
        km = KMeans(n_clusters=len(CLASSES), n_init=10, random_state=seed)
        groups = km.fit_predict(freq[active].reshape(-1, 1))
        rank = np.argsort(np.argsort(-km.cluster_centers_[:, 0]))  # 0 = highest centre
        label[active] = np.array(CLASSES, dtype=object)[rank[groups]]
    return pd.DataFrame({"cell_id": cube.cell_ids, "periods_with_crime": had,
                         "frequency": freq, "total": counts.sum(axis=0),
                         "hotspot_class": label})


def _king_weights(grid):
    from libpysal.weights import W
    ids = grid.cells["cell_id"].to_numpy()
    neigh = grid.neighbours(1)
    neigh = {int(c): [int(n) for n in neigh[c]] for c in ids}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands are fine: they get no Gi* signal
        return W(neigh, id_order=[int(c) for c in ids], silence_warnings=True)


def getis_ord(grid, values, *, permutations: int = 0, seed: int = 0) -> pd.DataFrame:
    """Gi* per cell of ``values`` (one per cell of ``grid``, in order).

    Returns ``cell_id, value, gi_z, p_value, gi_class``. With ``permutations`` > 0 the p-value
    is esda's pseudo p-value from that many conditional permutations (slower); otherwise the
    two-sided normal approximation of the z-score.
    """
    from esda.getisord import G_Local
    from scipy import stats
    y = np.asarray(values, float)
    if len(y) != len(grid.cells):
        raise ParameterError.invalid("values", "getis_ord", "one value per grid cell",
                                     f"{len(y)} values for {len(grid.cells)} cells")
    w = _king_weights(grid)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        g = G_Local(y, w, transform="B", star=True, permutations=permutations,
                    keep_simulations=False, n_jobs=1, seed=seed)
    z = np.nan_to_num(np.asarray(g.Zs, float))
    p = np.asarray(g.p_sim, float) * 2 if permutations else 2 * stats.norm.sf(np.abs(z))
    p = np.clip(p, 0, 1)
    return pd.DataFrame({"cell_id": grid.cells["cell_id"].to_numpy(), "value": y,
                         "gi_z": z, "p_value": p, "gi_class": gi_labels(z, p)})


def gi_labels(z, p) -> np.ndarray:
    """'hot spot 99%' ... 'cold spot 90%' or 'not significant' from z-scores and p-values."""
    z, p = np.asarray(z, float), np.asarray(p, float)
    out = np.full(len(z), "not significant", dtype=object)
    for level, alpha in (("90%", 0.10), ("95%", 0.05), ("99%", 0.01)):
        out[(p <= alpha) & (z > 0)] = f"hot spot {level}"
        out[(p <= alpha) & (z < 0)] = f"cold spot {level}"
    return out


@dataclass(frozen=True)
class HotspotClasses:
    """Every cell's class over history and its Gi* result.

    Attributes: ``table`` (one row per cell: ``cell_id, periods_with_crime, frequency, total,
    hotspot_class, gi_z, p_value, gi_class, class_level``), ``by_class`` (cells per class and
    Gi* class) and ``grid``.
    """

    table: pd.DataFrame
    by_class: pd.DataFrame
    grid: object

    def cells(self):
        """The grid's cells (GeoDataFrame) with their classes."""
        return self.grid.cells.merge(self.table, on="cell_id")


def classify_cells(cube, *, seed: int = 0) -> HotspotClasses:
    """:func:`hotspot_classes` over the cube's periods and :func:`getis_ord` of each cell's
    total count, side by side."""
    table = hotspot_classes(cube, seed=seed)
    gi = getis_ord(cube.grid, cube.counts.sum(axis=0), seed=seed)
    table = table.merge(gi.drop(columns="value"), on="cell_id")
    table["class_level"] = table["hotspot_class"].map(CLASS_LEVELS)
    return HotspotClasses(table, pd.crosstab(table["hotspot_class"], table["gi_class"]),
                          cube.grid)
