"""The count model (``poisson``): a hotspot model that learns from counts, not only from "any
crime or none", and the features and likelihood fit it shares with XGBoost on counts
(:mod:`crimekit.hotspots.models.xgb`).

It predicts the expected number of crimes in each cell in a period from counts before it (see
:mod:`crimekit.hotspots.models.base` for the fit/predict contract and the calibration the
models share).

:class:`PoissonMixture`: the expected count is a non-negative weighted sum of the cell's
history at several time scales (each of the last 8 periods; the mean per period over the last
13 and 52 weeks and over all history), the same for its neighbours (the 8 cells around it and
the 16 beyond those), other crime heads in the cell, and the covariates a user supplies (points
of interest in and around the cell). The weights maximise the Poisson likelihood of the
training periods' counts. Because the mean is linear in the weights, that likelihood needs only
the cell-periods that had crime and each feature's total, so a fit on three years of a city's
cells takes about a second. A first fit on every cell ranks them; the weights are then refitted
on the top ``focus`` share (20%) of each period, where flagging decisions are made: the few
hottest cells often follow other dynamics (a lasting project block, a new nightlife strip) than
the many quiet ones, which would otherwise set the weights.

It is fitted on up to ``train_weeks`` of periods before the calibration slice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from crimekit.errors import NotFittedError, ParameterError, UnusableInputError
from crimekit.hotspots.features import History
from crimekit.hotspots.models.base import RiskModel
from crimekit.periods import weeks_to_periods

#: The windows (weeks) whose mean count per period is a feature, besides all history.
WINDOWS_WEEKS = (13, 52)
#: How many single past periods are features.
N_LAGS = 8
#: Plain words for the features (the pages' explanations); covariates read "poi_bar" etc.
FEATURE_WORDS = {"base": "base rate", "rate_13w": "crimes per period, last 13 weeks",
                 "rate_52w": "crimes per period, last 52 weeks",
                 "rate_all": "crimes per period, all history",
                 "near_rate_13w": "8 cells around, last 13 weeks",
                 "near_rate_52w": "8 cells around, last 52 weeks",
                 "near_rate_all": "8 cells around, all history",
                 "ring_rate_52w": "16 cells beyond those, last 52 weeks",
                 "ring_rate_all": "16 cells beyond those, all history",
                 "other_rate_52w": "other crime heads here, last 52 weeks",
                 "other_rate_all": "other crime heads here, all history",
                 "periods_since": "periods since the last crime", "history mixture":
                 "history (the count model)", **{f"lag{k}": f"crimes {k} period(s) ago"
                                                 for k in range(1, N_LAGS + 1)}}
_CHUNK_ROWS = 400_000  # cell-periods per block of features (bounds the memory a fit needs)


def history_features(cube, t, histories=None) -> dict:
    """The mixture's features for every cell at period positions ``t`` (from counts before
    each only): name -> non-negative float array (len(t), cells). ``base`` is all ones.
    ``histories`` is :func:`histories_of` the cube, when already computed."""
    t = np.atleast_1d(np.asarray(t, dtype=np.int64))
    hist = histories or histories_of(cube)
    own, near, ring = hist["own"], hist["near"], hist["ring"]
    n = cube.counts.shape[1]
    span = np.maximum(t, 1)[:, None].astype(np.float64)

    def rates(h, windows):
        out = {f"rate_{weeks}w": h.window(t, weeks) / np.minimum(
            weeks_to_periods(weeks, cube.freq), span) for weeks in windows}
        out["rate_all"] = h.cum[t] / span
        return out

    feats = {"base": np.ones((len(t), n))}
    for k in range(1, N_LAGS + 1):
        feats[f"lag{k}"] = own.lag(t, k)
    mine = rates(own, WINDOWS_WEEKS)
    feats.update(mine)
    # sums over the cells around: linear in the counts, so the same rates times the grid's
    # neighbour matrices (sparse, symmetric)
    feats.update({f"near_{k}": (near @ v.T).T for k, v in mine.items()})
    feats.update({f"ring_{k}": (ring @ v.T).T for k, v in mine.items() if k != "rate_13w"})
    if hist["other"] is not None:
        feats.update({f"other_{k}": v for k, v in rates(hist["other"], (52,)).items()})
    for k, kind in enumerate(cube.poi_kinds):
        here = cube.pois[:, k].astype(np.float64)
        feats[f"poi_{kind}"] = np.broadcast_to(here, (len(t), n))
        feats[f"near_poi_{kind}"] = np.broadcast_to(near @ here, (len(t), n))
    return feats


def histories_of(cube) -> dict:
    """What every block of features reads, computed once per cube: cumulative sums of the
    counts (``own``) and of the other heads' (``other``, None when there are none), and the
    grid's neighbour matrices: the 8 cells around each cell (``near``) and the 16 beyond
    those (``ring``)."""
    return {"own": History(cube.counts, cube.freq),
            "other": History(cube.other, cube.freq) if cube.other.any() else None,
            "near": neighbour_matrix(cube.grid, 1), "ring": neighbour_matrix(cube.grid, 2, 1)}


def neighbour_matrix(grid, radius, inner=0):
    """Sparse (cells x cells) matrix with 1 where two cells are within ``radius`` cells of each
    other (king moves) but more than ``inner`` apart."""
    rows, cols = grid.cells["row"].to_numpy(), grid.cells["col"].to_numpy()
    r0, c0 = rows.min() - radius, cols.min() - radius
    index = np.full((rows.max() - r0 + radius + 1, cols.max() - c0 + radius + 1), -1)
    index[rows - r0, cols - c0] = np.arange(len(rows))
    src, dst = [], []
    for dr in range(-radius, radius + 1):
        for dc in range(-radius, radius + 1):
            if max(abs(dr), abs(dc)) <= inner:
                continue
            other = index[rows - r0 + dr, cols - c0 + dc]
            src.append(np.flatnonzero(other >= 0))
            dst.append(other[other >= 0])
    src, dst = np.concatenate(src), np.concatenate(dst)
    return sparse.csr_matrix((np.ones(len(src)), (src, dst)), shape=(len(rows), len(rows)))


def feature_blocks(cube, t):
    """``t`` in blocks of about _CHUNK_ROWS cell-periods (features are per period, so exact)."""
    per = max(1, _CHUNK_ROWS // max(cube.counts.shape[1], 1))
    return [t[i:i + per] for i in range(0, len(t), per)]


def train_positions(cube, end, train_weeks, max_rows):
    """Training periods before ``end``: the last ``train_weeks`` (after a first half-year of
    history), evenly thinned to at most ``max_rows`` cell-periods."""
    first = max(1, min(weeks_to_periods(26, cube.freq), end // 2))
    t = np.arange(max(first, end - weeks_to_periods(train_weeks, cube.freq)), end)
    most = max(2, max_rows // max(cube.counts.shape[1], 1))
    if len(t) > most:
        t = t[np.unique(np.linspace(0, len(t) - 1, most).round().astype(int))]
    return t


def fit_nonneg_poisson(x_crime, y_crime, totals) -> np.ndarray:
    """Weights w >= 0 maximising the Poisson log-likelihood of counts y with mean x.w.

    sum over rows of (x.w - y log x.w) = w.totals - sum over rows with crime of y log x.w, so
    only the rows with crime (``x_crime``, ``y_crime``) and each column's total over every row
    (``totals``) are needed. Columns with a zero total get weight 0.
    """
    x_crime, y_crime = np.asarray(x_crime, float), np.asarray(y_crime, float)
    totals = np.asarray(totals, float)
    used = totals > 0
    w = np.zeros(len(totals))
    if not used.any() or not len(y_crime):
        return w
    scale = totals[used] / totals[used].sum()  # columns on one footing for the solver
    z, s = x_crime[:, used] / scale, totals[used] / scale

    def loss(v):
        mu = z @ v + 1e-12
        return s @ v - y_crime @ np.log(mu), s - z.T @ (y_crime / mu)

    start = np.full(used.sum(), y_crime.sum() / s.sum())
    with threadpool_limits(1):  # small products: BLAS threads only contend (10-20x slower)
        res = minimize(loss, start, jac=True, method="L-BFGS-B",
                       bounds=[(0, None)] * len(start),
                       options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-10})
    w[used] = res.x / scale
    return w


class PoissonMixture(RiskModel):
    """Expected count = non-negative weights x multi-window history, neighbours and covariates,
    fitted by Poisson likelihood (see the module docstring).

    Attributes (after fit): ``features_`` (names), ``weights_`` (one per feature, expected
    crimes per unit of it).
    """

    def __init__(self, *, focus: float = 0.2, train_weeks: int = 156, calib_weeks: int = 13,
                 max_rows: int = 3_000_000):
        self.focus = focus
        self.train_weeks = train_weeks
        self.calib_weeks = calib_weeks
        self.max_rows = max_rows

    def _learn(self, cube, end):
        if not (self.focus is None or 0 < self.focus <= 1):
            raise ParameterError.invalid("focus", "PoissonMixture", "a share in (0, 1] or None",
                                         self.focus)
        t = train_positions(cube, end, self.train_weeks, self.max_rows)
        self.weights_, self.features_, self.feature_means_ = fit_mixture(cube, t, self.focus)

    def _score(self, cube, t):
        return weighted_sum(history_features(cube, t), self.features_, self.weights_)

    def weights(self) -> pd.DataFrame:
        """``feature, weight, share``: each feature's weight and its share of the expected
        crimes over the training periods, largest share first."""
        if not hasattr(self, "weights_"):
            raise NotFittedError("Fit the PoissonMixture before asking for its weights.")
        share = self.weights_ * self.feature_means_
        return pd.DataFrame({"feature": self.features_, "weight": self.weights_,
                             "share": share / max(share.sum(), 1e-12)}) \
            .sort_values("share", ascending=False, ignore_index=True)

    def explain(self, cube, t: int, cell_ids=None, top: int = 3) -> pd.DataFrame:
        """Each cell's expected crimes in period position ``t`` split by feature (weight x
        value; they add up to the score): the ``top`` largest per cell. Columns ``cell_id,
        feature, value, contribution``."""
        self._check_fitted(cube)
        feats = history_features(cube, [t])
        keep = np.ones(len(cube.cell_ids), bool) if cell_ids is None else \
            np.isin(cube.cell_ids, list(cell_ids))
        values = np.column_stack([feats[name][0, keep] for name in self.features_])
        return top_parts(cube.cell_ids[keep], np.array(self.features_), values,
                          values * self.weights_, top)


def fit_mixture(cube, t, focus=None):
    """(weights, feature names, each feature's mean over the cells fitted on) of the mixture
    fitted on periods ``t``: on every cell, or with ``focus`` (a share) refitted on the cells a
    first fit on every cell ranks in the top ``focus`` of each period."""
    histories = histories_of(cube)
    weights = None
    for rank_by in ((None,) if not focus or focus >= 1 else (None, "pilot")):
        names, totals, rows, ys, n_rows = None, None, [], [], 0
        for block in feature_blocks(cube, t):
            feats = history_features(cube, block, histories)
            names = names or list(feats)
            keep = np.ones((len(block), len(cube.cell_ids)), bool) if rank_by is None else \
                _top_share(weighted_sum(feats, names, weights), focus)
            y = cube.counts[block]
            crime = keep & (y > 0)
            part = np.array([feats[k][keep].sum() for k in names])
            totals = part if totals is None else totals + part
            rows.append(np.column_stack([feats[k][crime] for k in names]))
            ys.append(y[crime])
            n_rows += int(keep.sum())
        x_crime, y_crime = np.vstack(rows), np.concatenate(ys)
        if not len(y_crime):
            raise UnusableInputError("No crime was recorded in the training periods, so no "
                                     "count model can be fitted: widen the date range or the "
                                     "crime heads.")
        weights = fit_nonneg_poisson(x_crime, y_crime, totals)
    return weights, names, totals / max(n_rows, 1)


def weighted_sum(feats, names, weights) -> np.ndarray:
    """The mixture's expected counts: sum of weight x feature."""
    out = np.zeros(feats["base"].shape)
    for name, w in zip(names, weights):
        if w > 0:
            out += w * feats[name]
    return out


def feature_words(name: str) -> str:
    """A feature's name in plain words (for the pages' explanations)."""
    if name.startswith("near_poi_"):
        return f"{name[len('near_poi_'):]}s in the 8 cells around"
    if name.startswith("poi_"):
        return f"{name[len('poi_'):]}s in the cell"
    return FEATURE_WORDS.get(name, name.replace("_", " "))


def drivers_in_words(parts: pd.DataFrame) -> pd.Series:
    """One line per cell (indexed by ``cell_id``) from a model's ``explain`` table: its top
    features in words, their values and push ("+" raises the risk)."""
    def line(g):
        return "; ".join(f"{feature_words(f)} = {v:.3g} ({'+' if c >= 0 else '-'}{abs(c):.2f})"
                         for f, v, c in zip(g["feature"], g["value"], g["contribution"]))
    return parts.groupby("cell_id")[["feature", "value", "contribution"]].apply(line)


def _top_share(scores, share) -> np.ndarray:
    """Per row (period), whether each cell is among the top ``share`` of cells by score (ties
    at the cut included)."""
    k = max(1, int(round(share * scores.shape[1])))
    cut = np.partition(scores, scores.shape[1] - k, axis=1)[:, scores.shape[1] - k]
    return scores >= cut[:, None]


def top_parts(cell_ids, names, values, contrib, top) -> pd.DataFrame:
    order = np.argsort(-np.abs(contrib), axis=1)[:, :top]
    rows = np.repeat(np.arange(len(cell_ids)), order.shape[1])
    cols = order.ravel()
    return pd.DataFrame({"cell_id": cell_ids[rows], "feature": names[cols],
                         "value": values[rows, cols], "contribution": contrib[rows, cols]})
