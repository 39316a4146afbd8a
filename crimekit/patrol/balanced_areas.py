"""Compact, contiguous areas of similar workload from grid cells: recursive coordinate
bisection, then every detached piece joined to the neighbouring area it touches most.

Used by :mod:`crimekit.patrol.areas` to draw patrol areas when the data has no beats.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage


def balanced_areas(col, row, weight, k: int) -> np.ndarray:
    """Label (0..k-1) of each grid cell: ``k`` contiguous areas of similar total ``weight``.

    Recursive coordinate bisection: split the cells across their longer side (ties by the other
    axis, so a cut may step by one cell) where the weight divides in proportion to the areas on
    each side, and recurse. Cells of one area left in separate pieces (the city's outline can be
    concave) are then joined to the neighbouring area they share most edges with. Deterministic.
    """
    col, row = np.asarray(col, int), np.asarray(row, int)
    weight = np.asarray(weight, float)
    n = len(col)
    # empty cells carry a little weight, so empty land is shared out evenly too
    w = weight + max(weight.sum(), 1.0) * 1e-3 / max(n, 1)
    labels = np.zeros(n, dtype=int)
    stack = [(np.arange(n), int(k), 0)]
    while stack:
        idx, parts, first = stack.pop()
        if parts <= 1 or len(idx) <= 1:
            labels[idx] = first
            continue
        left_parts = parts // 2
        c, r = col[idx], row[idx]
        order = np.lexsort((r, c)) if np.ptp(c) >= np.ptp(r) else np.lexsort((c, r))
        cum = np.cumsum(w[idx][order])
        target = cum[-1] * left_parts / parts
        lo, hi = left_parts, len(idx) - (parts - left_parts)  # cells enough for each side
        cut = int(np.clip(np.searchsorted(cum, target) + 1, lo, max(lo, hi)))
        if cut - 1 >= lo and abs(cum[cut - 2] - target) < abs(cum[cut - 1] - target):
            cut -= 1
        stack.append((idx[order[cut:]], parts - left_parts, first + left_parts))
        stack.append((idx[order[:cut]], left_parts, first))
    return _contiguous(col, row, labels, w)


def _contiguous(col, row, labels, w, max_rounds: int = 50) -> np.ndarray:
    """Join every detached piece of an area to the neighbouring area it touches most."""
    labels = labels.copy()
    raster = np.full((row.max() + 1, col.max() + 1), -1, dtype=int)
    weight = np.zeros(raster.shape)
    weight[row, col] = w
    for _ in range(max_rounds):
        raster[row, col] = labels
        moved = False
        for lab in np.unique(labels):
            pieces, n_pieces = ndimage.label(raster == lab)
            if n_pieces <= 1:
                continue
            sizes = ndimage.sum(weight + 1e-9, pieces, index=np.arange(1, n_pieces + 1))
            keep = int(np.argmax(sizes)) + 1
            for piece in range(1, n_pieces + 1):
                if piece == keep:
                    continue
                mask = pieces == piece
                ring = ndimage.binary_dilation(mask) & ~mask & (raster >= 0) & (raster != lab)
                if not ring.any():
                    continue  # an island with no neighbour: it stays with its area
                counts = np.bincount(raster[ring])
                raster[mask] = int(np.argmax(counts))
                moved = True
        labels = raster[row, col]
        if not moved:
            break
    # labels must stay 0..k-1 with none empty
    _, labels = np.unique(labels, return_inverse=True)
    return labels
