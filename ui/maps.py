"""Map layers, aggregated on the server so a browser never receives raw incidents.

Every layer is built from counts per grid cell or per beat (at most one shape per cell or beat),
so a million incidents send the same few thousand shapes as a thousand do. The city outline and
beat borders are always drawn, so the map still reads when basemap tiles cannot load (offline).
User text shown in tooltips is HTML-escaped here.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pydeck as pdk

#: A colour-blind-safe sequential palette (ColorBrewer YlOrRd, 6 classes), light to dark.
PALETTE = ((255, 255, 178), (254, 217, 118), (254, 178, 76), (253, 141, 60), (240, 59, 32),
           (189, 0, 38))
#: A qualitative palette (ColorBrewer Set2 + Dark2) for groups that have no order.
CATEGORY_PALETTE = ((102, 194, 165), (252, 141, 98), (141, 160, 203), (231, 138, 195),
                    (166, 216, 84), (255, 217, 47), (229, 196, 148), (27, 158, 119),
                    (217, 95, 2), (117, 112, 179), (231, 41, 138), (102, 166, 30))
#: Basemaps that need no API token. "none" draws no tiles at all (offline).
BASEMAPS = {"light": "light", "dark": "dark", "road": "road", "none": None}


@dataclass(frozen=True)
class Legend:
    """What the colours mean: one (rgb, label) pair per class, and a title."""

    title: str
    entries: tuple

    def to_html(self) -> str:
        """A compact HTML legend (colour swatches and labels)."""
        items = "".join(
            f'<span style="display:inline-block;margin-right:10px">'
            f'<span style="display:inline-block;width:14px;height:14px;vertical-align:middle;'
            f'background:rgb{rgb};border:1px solid #888"></span> {html.escape(label)}</span>'
            for rgb, label in self.entries)
        return f'<div style="font-size:0.85em"><b>{html.escape(self.title)}</b>: {items}</div>'


def class_breaks(values, n_classes: int = len(PALETTE)) -> np.ndarray:
    """Upper bounds of colour classes from quantiles of the non-zero values (robust to skew)."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v) & (v > 0)]
    if not len(v):
        return np.array([1.0])
    breaks = np.unique(np.quantile(v, np.linspace(0, 1, n_classes + 1)[1:]))
    return breaks


def colour_for(values, breaks, alpha: int = 170) -> list:
    """An [r, g, b, a] colour per value by its class; zero values are transparent."""
    v = np.asarray(values, float)
    cls = np.clip(np.searchsorted(breaks, v, side="left"), 0, len(PALETTE) - 1)
    palette = _spread_palette(len(breaks))
    return [[*palette[c], alpha if val > 0 else 0] for c, val in zip(cls, v)]


def _spread_palette(n):
    idx = np.round(np.linspace(0, len(PALETTE) - 1, max(n, 1))).astype(int)
    return [PALETTE[i] for i in idx]


def legend_for(breaks, title: str, fmt="{:,.0f}") -> Legend:
    """Legend entries matching :func:`colour_for`'s classes."""
    palette = _spread_palette(len(breaks))
    lows = [0.0] + list(breaks[:-1])
    entries = tuple((palette[i], f"{fmt.format(lo)}-{fmt.format(hi)}")
                    for i, (lo, hi) in enumerate(zip(lows, breaks)))
    return Legend(title, entries)


def _polygon_records(gdf, value_col, label_cols, breaks):
    """Plain records (coordinates, colour, escaped labels) for a PolygonLayer."""
    records = []
    colours = colour_for(gdf[value_col].to_numpy(), breaks)
    for geom, colour, (_, row) in zip(gdf.geometry, colours, gdf.iterrows()):
        for part in getattr(geom, "geoms", [geom]):
            rec = {"polygon": [list(map(list, part.exterior.coords))], "fill": colour,
                   value_col: float(row[value_col])}
            rec.update({c: html.escape(str(row[c])) for c in label_cols})
            records.append(rec)
    return records


def cell_layer(cells, value_col: str = "count", *, layer_id: str = "cells") -> tuple:
    """Grid cells coloured by ``value_col`` (only non-zero cells are sent). Returns
    (layer, legend)."""
    shown = cells[cells[value_col] > 0]
    breaks = class_breaks(shown[value_col])
    data = pd.DataFrame({
        "polygon": [[list(map(list, g.exterior.coords))] for g in shown.geometry],
        "fill": colour_for(shown[value_col].to_numpy(), breaks),
        "value": shown[value_col].astype(float).round(3).to_numpy(),
        "cell_id": shown["cell_id"].astype(str).to_numpy()})
    for col in ("beat", "label"):
        if col in shown:
            data[col] = shown[col].astype(str).map(html.escape).to_numpy()
    layer = pdk.Layer("PolygonLayer", data, id=layer_id, get_polygon="polygon",
                      get_fill_color="fill", get_line_color=[80, 80, 80, 60],
                      line_width_min_pixels=0.5, pickable=True, stroked=True)
    return layer, legend_for(breaks, f"{value_col.replace('_', ' ')} per cell",
                             "{:,.2f}" if value_col != "count" else "{:,.0f}")


def heatmap_layer(cells, value_col: str = "count") -> pdk.Layer:
    """A heat map from cell centroids weighted by their counts (not from raw points)."""
    shown = cells[cells[value_col] > 0]
    data = pd.DataFrame({"position": list(zip(shown["lon"], shown["lat"])),
                         "weight": shown[value_col].astype(float).to_numpy()})
    return pdk.Layer("HeatmapLayer", data, id="heat", get_position="position",
                     get_weight="weight", radius_pixels=40, opacity=0.7,
                     color_range=[list(c) for c in PALETTE])


def beat_layer(beats, value_col: str = "count", *, filled: bool = True) -> tuple:
    """Beat polygons coloured by ``value_col`` with beat/district/value tooltips.
    Returns (layer, legend)."""
    breaks = class_breaks(beats[value_col])
    labels = [c for c in ("beat", "district") if c in beats]
    records = _polygon_records(beats, value_col, labels, breaks)
    for rec in records:
        rec["value"] = round(rec.pop(value_col), 3)
        if not filled:
            rec["fill"] = [0, 0, 0, 0]
    layer = pdk.Layer("PolygonLayer", records, id="beats", get_polygon="polygon",
                      get_fill_color="fill", get_line_color=[60, 60, 60, 200],
                      line_width_min_pixels=1, pickable=True, stroked=True)
    return layer, legend_for(breaks, f"{value_col.replace('_', ' ')} per beat",
                             "{:,.2f}" if value_col != "count" else "{:,.0f}")


def category_layer(gdf, category_col: str, *, layer_id: str = "groups") -> tuple:
    """Polygons (beats or cells) coloured by an unordered group, e.g. a cluster label.
    Returns (layer, legend); group names are escaped in tooltips and the legend."""
    groups = sorted(gdf[category_col].astype(str).unique())
    colour = {g: CATEGORY_PALETTE[i % len(CATEGORY_PALETTE)] for i, g in enumerate(groups)}
    labels = [c for c in ("beat", "district", "cell_id") if c in gdf]
    records = []
    for geom, (_, row) in zip(gdf.geometry, gdf.iterrows()):
        group = str(row[category_col])
        for part in getattr(geom, "geoms", [geom]):
            rec = {"polygon": [list(map(list, part.exterior.coords))],
                   "fill": [*colour[group], 170], "label": html.escape(group)}
            rec.update({c: html.escape(str(row[c])) for c in labels})
            records.append(rec)
    layer = pdk.Layer("PolygonLayer", records, id=layer_id, get_polygon="polygon",
                      get_fill_color="fill", get_line_color=[60, 60, 60, 160],
                      line_width_min_pixels=0.5, pickable=True, stroked=True)
    legend = Legend(category_col.replace("_", " "), tuple((colour[g], g) for g in groups))
    return layer, legend


def outline_layer(area_geom) -> pdk.Layer:
    """The study area's outline: always drawn, so the map reads without basemap tiles."""
    parts = getattr(area_geom, "geoms", [area_geom])
    paths = [{"path": list(map(list, p.exterior.coords))} for p in parts if not p.is_empty]
    return pdk.Layer("PathLayer", paths, id="outline", get_path="path",
                     get_color=[40, 40, 40, 220], width_min_pixels=2)


def points_layer(points: pd.DataFrame, colour=(30, 90, 200), *, layer_id="points",
                 label_col="name") -> pdk.Layer:
    """Small points (points of interest, top cells' centres) with an escaped label."""
    data = pd.DataFrame({"position": list(zip(points["lon"], points["lat"])),
                         "label": points[label_col].astype(str).map(html.escape).to_numpy()
                         if label_col in points else ""})
    return pdk.Layer("ScatterplotLayer", data, id=layer_id, get_position="position",
                     get_fill_color=[*colour, 220], radius_min_pixels=3, radius_max_pixels=6,
                     pickable=True)


def area_points_layer(areas: pd.DataFrame, value_col: str, *, layer_id: str = "areas") -> tuple:
    """Areas without outlines (named areas, districts) as circles at ``lat``/``lon`` coloured by
    ``value_col``, with ``beat``/``district`` tooltips. Returns (layer, legend)."""
    shown = areas[areas["lat"].notna() & areas["lon"].notna()]
    breaks = class_breaks(shown[value_col])
    colours = colour_for(shown[value_col].to_numpy(), breaks, alpha=200)
    data = pd.DataFrame({"position": list(zip(shown["lon"], shown["lat"])),
                         "fill": [c[:3] + [200] for c in colours],
                         "value": shown[value_col].astype(float).round(3).to_numpy()})
    for col in ("beat", "district"):
        if col in shown:
            data[col] = shown[col].astype(str).map(html.escape).to_numpy()
    layer = pdk.Layer("ScatterplotLayer", data, id=layer_id, get_position="position",
                      get_fill_color="fill", get_line_color=[60, 60, 60, 200], stroked=True,
                      line_width_min_pixels=1, radius_min_pixels=5, radius_max_pixels=14,
                      get_radius=150, pickable=True)
    return layer, legend_for(breaks, f"{value_col.replace('_', ' ')} per area",
                             "{:,.2f}" if value_col != "count" else "{:,.0f}")


def view_for(lat, lon, zoom=None) -> pdk.ViewState:
    """A view centred on the points, zoomed to fit their middle 96 %."""
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        return pdk.ViewState(latitude=0, longitude=0, zoom=1)
    lat_lo, lat_hi = np.quantile(lat[ok], [0.02, 0.98])
    lon_lo, lon_hi = np.quantile(lon[ok], [0.02, 0.98])
    span = max(lat_hi - lat_lo, (lon_hi - lon_lo) * np.cos(np.radians(np.mean(lat[ok]))), 1e-3)
    zoom = zoom if zoom is not None else float(np.clip(np.log2(360 / span) - 0.4, 3, 16))
    return pdk.ViewState(latitude=float((lat_lo + lat_hi) / 2),
                         longitude=float((lon_lo + lon_hi) / 2), zoom=zoom, pitch=0)


TOOLTIP = {"html": "<b>{beat}</b> {district} {cell_id}<br/>value: {value} {label}",
           "style": {"fontSize": "12px"}}


def deck(layers, view, basemap: str = "light", tooltip=None) -> pdk.Deck:
    """A Deck on a token-free Carto basemap (or none)."""
    style = BASEMAPS.get(basemap, "light")
    return pdk.Deck(layers=layers, initial_view_state=view, map_provider="carto" if style else None,
                    map_style=style, tooltip=tooltip or TOOLTIP)
