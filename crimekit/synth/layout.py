"""The city's layout: its limit, the 50 m cells inside it, land use, points of interest and
beat polygons, all in a local metric projection (CITY_CRS)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from crimekit.spatial import assign_beats
from crimekit.synth.heads import CRIME_HEADS

#: Local metric projection (UTM 43N) and where the city's south-west corner lies in it.
CITY_CRS = "EPSG:32643"
ORIGIN = (780_000.0, 1_390_000.0)  # about 12.57 N, 77.60 E
WIDTH_M, HEIGHT_M = 14_000.0, 11_000.0
FINE_CELL_M = 50.0

DISTRICT_NAMES = ("Central", "North", "South", "East", "West", "Harbour")


def city_boundary(rng) -> shapely.Polygon:
    """An irregular, roughly elliptical city limit in metres."""
    angles = np.linspace(0, 2 * np.pi, 73)[:-1]
    wobble = 1 + 0.06 * np.sin(3 * angles + rng.uniform(0, 6)) + 0.04 * np.sin(5 * angles)
    x = WIDTH_M / 2 + 0.48 * WIDTH_M * np.cos(angles) * wobble
    y = HEIGHT_M / 2 + 0.48 * HEIGHT_M * np.sin(angles) * wobble
    return shapely.Polygon(np.column_stack([x + ORIGIN[0], y + ORIGIN[1]]))


def fine_cells(boundary) -> pd.DataFrame:
    """Centres of the 50 m cells that lie inside the city."""
    xs = np.arange(FINE_CELL_M / 2, WIDTH_M, FINE_CELL_M) + ORIGIN[0]
    ys = np.arange(FINE_CELL_M / 2, HEIGHT_M, FINE_CELL_M) + ORIGIN[1]
    gx, gy = np.meshgrid(xs, ys)
    inside = shapely.contains_xy(boundary, gx.ravel(), gy.ravel())
    return pd.DataFrame({"x": gx.ravel()[inside], "y": gy.ravel()[inside]})


def local_xy(frac_x, frac_y):
    return ORIGIN[0] + frac_x * WIDTH_M, ORIGIN[1] + frac_y * HEIGHT_M


_CENTRE = local_xy(0.5, 0.5)
_NIGHTLIFE = local_xy(0.6, 0.58)
_LOWINCOME = (local_xy(0.3, 0.35), local_xy(0.7, 0.25), local_xy(0.22, 0.7))
_INDUSTRY = local_xy(0.85, 0.75)


def points_of_interest(rng, boundary) -> pd.DataFrame:
    """Bars, transit stations, schools and markets placed by land use."""
    rows = []
    def add(kind, xy, name):
        if shapely.contains_xy(boundary, *xy):
            rows.append((kind, name, *xy))
    for i, t in enumerate(np.linspace(0.08, 0.92, 13)):  # an east-west and a north-south line
        add("transit", local_xy(t, 0.5 + 0.08 * np.sin(4 * t)), f"Station EW{i + 1}")
        add("transit", local_xy(0.5 + 0.06 * np.cos(5 * t), t), f"Station NS{i + 1}")
    for i in range(35):
        r = rng.exponential(350)
        a = rng.uniform(0, 2 * np.pi)
        add("bar", (_NIGHTLIFE[0] + r * np.cos(a), _NIGHTLIFE[1] + r * np.sin(a)), f"Bar {i + 1}")
    for i in range(10):
        add("bar", local_xy(*rng.uniform(0.15, 0.85, 2)), f"Bar {36 + i}")
    for i, xy in enumerate([_CENTRE, local_xy(0.35, 0.3), local_xy(0.72, 0.3), local_xy(0.25, 0.65),
                            local_xy(0.65, 0.75), local_xy(0.45, 0.85), local_xy(0.8, 0.5)]):
        add("market", xy, f"Market {i + 1}")
    for i in range(30):
        add("school", local_xy(*rng.uniform(0.1, 0.9, 2)), f"School {i + 1}")
    return pd.DataFrame(rows, columns=["kind", "name", "x", "y"])


def bump(cells, centre, sigma):
    d2 = (cells["x"].to_numpy() - centre[0]) ** 2 + (cells["y"].to_numpy() - centre[1]) ** 2
    return np.exp(-d2 / (2 * sigma ** 2))


def land_use_layers(cells, pois) -> dict:
    """Each land-use layer as a non-negative weight per fine cell, normalised to sum 1."""
    layers = {
        "commercial": bump(cells, _CENTRE, 1300),
        "nightlife": bump(cells, _NIGHTLIFE, 450),
        "lowincome": sum(bump(cells, c, 600) for c in _LOWINCOME),
        "residential": 0.3 + bump(cells, _CENTRE, 3500) - 0.5 * bump(cells, _CENTRE, 800)
        - 0.5 * bump(cells, _INDUSTRY, 1000),
        "suburb": np.clip(np.hypot((cells["x"] - _CENTRE[0]) / WIDTH_M,
                                   (cells["y"] - _CENTRE[1]) / HEIGHT_M).to_numpy() - 0.2, 0, None),
    }
    for kind, sigma in (("transit", 120), ("bar", 80), ("market", 150), ("school", 120)):
        pts = pois[pois["kind"] == kind]
        layers[kind] = sum(bump(cells, (px, py), sigma) for px, py in zip(pts["x"], pts["y"]))
    layers["nightlife"] = layers["nightlife"] + 0.5 * layers.pop("bar") / layers["nightlife"].max()
    return {k: np.clip(v, 0, None) / np.clip(v, 0, None).sum() for k, v in layers.items()}


def head_cell_probs(layers) -> np.ndarray:
    """Where each head falls: its weighted mix of land-use layers plus a little everywhere."""
    n = len(next(iter(layers.values())))
    probs = np.empty((len(CRIME_HEADS), n))
    for i, head in enumerate(CRIME_HEADS):
        mix = sum(w * layers[k] for k, w in head.layers.items()) / sum(head.layers.values())
        p = 0.9 * mix + 0.1 / n
        probs[i] = p / p.sum()
    return probs


def beat_polygons(rng, boundary, layers, n_beats) -> gpd.GeoDataFrame:
    """Beat polygons: a Voronoi tessellation, smaller where people and business are dense."""
    weight = layers["residential"] + 2 * layers["commercial"] + layers["lowincome"]
    xs = np.arange(FINE_CELL_M / 2, WIDTH_M, FINE_CELL_M) + ORIGIN[0]
    ys = np.arange(FINE_CELL_M / 2, HEIGHT_M, FINE_CELL_M) + ORIGIN[1]
    gx, gy = np.meshgrid(xs, ys)
    inside = shapely.contains_xy(boundary, gx.ravel(), gy.ravel())
    cx, cy = gx.ravel()[inside], gy.ravel()[inside]
    seeds = _spread_seeds(rng, cx, cy, weight, n_beats)
    cellsets = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=boundary)
    polys = [shapely.intersection(p, boundary) for p in shapely.get_parts(cellsets)]
    gdf = gpd.GeoDataFrame(geometry=polys, crs=CITY_CRS)
    gdf = gdf[~gdf.geometry.is_empty].reset_index(drop=True)
    return _name_beats(gdf)


def _spread_seeds(rng, cx, cy, weight, n):
    """Sample seed points by weight, then push them apart with a few Lloyd-like steps."""
    p = np.sqrt(weight) / np.sqrt(weight).sum()
    pick = rng.choice(len(cx), size=n, replace=False, p=p)
    seeds = np.column_stack([cx[pick], cy[pick]])
    sample = rng.choice(len(cx), size=min(len(cx), 20000), replace=False, p=p)
    pts = np.column_stack([cx[sample], cy[sample]])
    for _ in range(6):
        nearest = np.argmin(((pts[:, None, :] - seeds[None]) ** 2).sum(-1), axis=1)
        for k in range(n):
            mine = pts[nearest == k]
            if len(mine):
                seeds[k] = mine.mean(axis=0)
    return seeds


def _name_beats(gdf) -> gpd.GeoDataFrame:
    """Group beats into districts by position and name them like 'C-04' (district letter)."""
    cent = np.column_stack([gdf.centroid.x, gdf.centroid.y])
    rel = (cent - np.array(_CENTRE)) / np.array([WIDTH_M, HEIGHT_M])
    angle = np.degrees(np.arctan2(rel[:, 1], rel[:, 0])) % 360
    district = np.where(np.hypot(*rel.T) < 0.14, "Central",
               np.where(angle < 60, "East", np.where(angle < 140, "North",
               np.where(angle < 200, "West", np.where(angle < 290, "South", "Harbour")))))
    gdf["district"] = district
    order = np.lexsort((-cent[:, 1], cent[:, 0], district))
    gdf = gdf.iloc[order].reset_index(drop=True)
    gdf["beat"] = gdf.groupby("district").cumcount().add(1).map("{:02d}".format)
    gdf["beat"] = gdf["district"].str[0] + "-" + gdf["beat"]
    return gdf[["beat", "district", "geometry"]]


def locate_incidents(incidents, beats_wgs) -> pd.DataFrame:
    """Beat and district of each incident by point in polygon."""
    out = incidents.copy()
    where = assign_beats(out["lat"], out["lon"], beats_wgs)
    out["beat"], out["district"] = where["beat"].to_numpy(), where["district"].to_numpy()
    return out
