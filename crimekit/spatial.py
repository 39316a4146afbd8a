"""Spatial units: square grid cells in a local metric projection, and beats.

A :class:`Grid` is defined by its projection, origin and cell size, so a cell id is stable for a
given area and cell size: ``cell_id = row * n_cols + col``. Only cells that touch the study area
(the beats' union, or the area the incidents cover) are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from crimekit.errors import ParameterError, UnusableInputError
from crimekit.schema import crime_count

MIN_CELL_M, MAX_CELL_M = 25.0, 5000.0


def local_crs(lat, lon) -> str:
    """The UTM zone (as 'EPSG:326xx' or 'EPSG:327xx') around the median of the points."""
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    ok = np.isfinite(lat) & np.isfinite(lon)
    lat, lon = (np.median(lat[ok]), np.median(lon[ok])) if ok.any() else (np.nan, np.nan)
    if not (np.isfinite(lat) and np.isfinite(lon)):
        raise UnusableInputError("No incident has coordinates, so no map or grid can be made: "
                                 "map the latitude/longitude (or X/Y) columns when importing.")
    zone = int((lon + 180) // 6) + 1
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"


@dataclass(frozen=True)
class Grid:
    """Square cells of ``cell_size`` metres in projection ``crs``, inside the study area.

    Attributes
    ----------
    cells : GeoDataFrame (EPSG:4326) with ``cell_id``, ``col``, ``row``, ``x``, ``y`` (centre in
        ``crs``), ``lat``, ``lon`` (centre) and ``geometry`` (the square).
    crs, cell_size, x0, y0, n_cols, n_rows : the grid's definition.
    """

    cells: gpd.GeoDataFrame
    crs: str
    cell_size: float
    x0: float
    y0: float
    n_cols: int
    n_rows: int

    def cell_of(self, lat, lon) -> np.ndarray:
        """The cell id of each point, or -1 when it falls outside the grid's cells."""
        x, y = Transformer.from_crs("EPSG:4326", self.crs, always_xy=True).transform(
            np.asarray(lon, float), np.asarray(lat, float))
        return self.cell_of_xy(x, y)

    def cell_of_xy(self, x, y) -> np.ndarray:
        """The cell id of each projected point, or -1 outside the grid's cells."""
        col = np.floor((np.asarray(x) - self.x0) / self.cell_size)
        row = np.floor((np.asarray(y) - self.y0) / self.cell_size)
        ok = np.isfinite(col) & np.isfinite(row) & (col >= 0) & (col < self.n_cols) \
            & (row >= 0) & (row < self.n_rows)
        ids = np.where(ok, row * self.n_cols + col, -1).astype(np.int64)
        return np.where(np.isin(ids, self._kept_ids), ids, -1)

    @property
    def _kept_ids(self) -> np.ndarray:
        return self.cells["cell_id"].to_numpy()

    @property
    def area_km2(self) -> float:
        """Area covered by the kept cells."""
        return len(self.cells) * self.cell_size ** 2 / 1e6

    def neighbours(self, radius: int = 1) -> dict:
        """For each kept cell id, the kept cell ids within ``radius`` cells (king moves)."""
        kept = set(self._kept_ids.tolist())
        out = {}
        for cid, col, row in zip(self.cells["cell_id"], self.cells["col"], self.cells["row"]):
            out[cid] = [r * self.n_cols + c
                        for r in range(row - radius, row + radius + 1)
                        for c in range(col - radius, col + radius + 1)
                        if (r, c) != (row, col) and 0 <= c < self.n_cols
                        and r * self.n_cols + c in kept]
        return out


def study_area(lat, lon, beats=None, crs=None) -> shapely.Geometry:
    """The area analyses cover, in ``crs``: the beats' union when given, else a concave hull
    around the incidents (a convex hull would add lakes and empty land)."""
    crs = crs or local_crs(lat, lon)
    if beats is not None and len(beats):
        return beats.to_crs(crs).union_all()
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(
        np.asarray(lon, float), np.asarray(lat, float))
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 3:
        raise UnusableInputError("Fewer than three incidents have coordinates, so the study "
                                 "area cannot be drawn: check the latitude/longitude columns.")
    pts = shapely.MultiPoint(np.column_stack([x[ok], y[ok]]))
    return shapely.concave_hull(pts, ratio=0.1).buffer(150)


def make_grid(lat, lon, *, cell_size: float = 250.0, beats=None, crs=None) -> Grid:
    """Square grid cells over the study area of the given incidents (or beats).

    ``cell_size`` is in metres (25 to 5000). Cells that do not touch the study area are left
    out, so rates and area shares count only land the data covers.
    """
    if not (isinstance(cell_size, (int, float)) and MIN_CELL_M <= cell_size <= MAX_CELL_M):
        raise ParameterError.invalid("cell_size", "make_grid",
                                     f"a number of metres in [{MIN_CELL_M:g}, {MAX_CELL_M:g}]",
                                     cell_size)
    crs = crs or local_crs(lat, lon)
    area = study_area(lat, lon, beats, crs)
    minx, miny, maxx, maxy = area.bounds
    x0 = np.floor(minx / cell_size) * cell_size
    y0 = np.floor(miny / cell_size) * cell_size
    n_cols = int(np.ceil((maxx - x0) / cell_size))
    n_rows = int(np.ceil((maxy - y0) / cell_size))
    cols, rows = np.meshgrid(np.arange(n_cols), np.arange(n_rows))
    cols, rows = cols.ravel(), rows.ravel()
    boxes = shapely.box(x0 + cols * cell_size, y0 + rows * cell_size,
                        x0 + (cols + 1) * cell_size, y0 + (rows + 1) * cell_size)
    keep = shapely.intersects(boxes, area)
    cells = gpd.GeoDataFrame({"cell_id": (rows * n_cols + cols)[keep].astype(np.int64),
                              "col": cols[keep], "row": rows[keep],
                              "x": x0 + (cols[keep] + 0.5) * cell_size,
                              "y": y0 + (rows[keep] + 0.5) * cell_size},
                             geometry=boxes[keep], crs=crs)
    cells = cells.to_crs("EPSG:4326")
    lon_c, lat_c = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(
        cells["x"].to_numpy(), cells["y"].to_numpy())
    cells["lat"], cells["lon"] = lat_c, lon_c
    return Grid(cells.reset_index(drop=True), crs, float(cell_size), float(x0), float(y0),
                n_cols, n_rows)


def grid_for(incidents: pd.DataFrame, *, cell_size: float = 250.0, beats=None) -> Grid:
    """A grid over a canonical incidents table (and its beats when known)."""
    return make_grid(incidents["lat"], incidents["lon"], cell_size=cell_size, beats=beats)


def assign_beats(lat, lon, beats: gpd.GeoDataFrame) -> pd.DataFrame:
    """Beat and district of each point by point-in-polygon (empty strings outside all beats).

    Returns a DataFrame aligned with the input points, columns ``beat`` and ``district``.
    """
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(np.asarray(lon, float),
                                                       np.asarray(lat, float)), crs="EPSG:4326")
    cols = ["beat"] + (["district"] if "district" in beats else [])
    joined = gpd.sjoin(pts, beats[cols + ["geometry"]].to_crs("EPSG:4326"), how="left",
                       predicate="within")
    joined = joined[~joined.index.duplicated()].sort_index()
    out = pd.DataFrame({"beat": joined["beat"].fillna("").astype(str).to_numpy()})
    out["district"] = (joined["district"].fillna("").astype(str).to_numpy()
                       if "district" in joined else "")
    return out


def count_by_cell(incidents: pd.DataFrame, grid: Grid) -> pd.DataFrame:
    """Incidents per grid cell, with every kept cell present (zero where none).

    Returns the grid's cells (GeoDataFrame) with a ``count`` column.
    """
    ids = pd.Series(grid.cell_of(incidents["lat"], incidents["lon"]), index=incidents.index)
    counts = crime_count(incidents[ids >= 0], ids[ids >= 0])
    cells = grid.cells.copy()
    cells["count"] = cells["cell_id"].map(counts).fillna(0).astype(int)
    return cells


def count_by_beat(incidents: pd.DataFrame, beats: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Incidents per beat, with every beat present (zero where none), as a copy of ``beats``."""
    counts = crime_count(incidents, "beat")
    out = beats.copy()
    out["count"] = out["beat"].map(counts).fillna(0).astype(int)
    return out
