"""Incidents and area polygons brought together: rows placed by their area's name, and
coordinates in an unknown system placed by the areas (or the areas by the points).

Many files locate a crime by the area it happened in (a community, an LSOA, a beat, a ward)
instead of by coordinates. Given area polygons, :func:`match_areas` joins each row to its
polygon by name (case, spaces and non-breaking spaces ignored), choosing the polygons'
property that matches the most names, and lists the names no polygon has.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimekit.ingest import coords
from crimekit.schema import crime_weights


def normalise_names(values) -> pd.Series:
    """Names compared loosely: lower case, non-breaking spaces as spaces, one space between
    words, leading zeros of numbers dropped ("Beltline " == "BELTLINE", "07" == "7")."""
    t = pd.Series(values, dtype="string").str.replace("\u00a0", " ", regex=False)
    t = t.str.strip().str.lower().str.replace(r"\s+", " ", regex=True)
    return t.str.replace(r"^0+(?=\d+$)", "", regex=True).fillna("")


def _key_column(names: pd.Series, areas) -> tuple[str, float]:
    """The polygons' property (``beat`` first) whose values match the most area names."""
    wanted = set(names[names != ""])
    best, best_share = "beat", -1.0
    for col in ["beat"] + [c for c in areas.columns if c not in ("beat", "geometry")]:
        have = set(normalise_names(areas[col].astype("string")))
        share = float(np.mean([n in have for n in names[names != ""]])) if wanted else 0.0
        if share > best_share + 1e-9:
            best, best_share = col, share
    return best, best_share


def match_areas(incidents: pd.DataFrame, areas):
    """(incidents, areas, notes, problems): each row's ``beat`` spelled as its polygon's name,
    the polygons keyed by the property that matches the rows' names, and a problem line
    listing the names no polygon has (those rows keep their name, without a polygon)."""
    notes, problems = [], []
    names = normalise_names(incidents["beat"].astype("string"))
    named = (names != "").to_numpy()
    if not named.any() or areas is None or not len(areas):
        return incidents, areas, notes, problems
    key, share = _key_column(names[named], areas)
    if key != "beat" and share > 0:
        areas = areas.assign(beat=areas[key].astype(str))
        notes.append(f"areas named by the polygons' {key!r} property, which matches "
                     f"{share:.0%} of the rows' area names")
    spelling = dict(zip(normalise_names(areas["beat"].astype("string")), areas["beat"]))
    matched = names.map(spelling)
    hit = matched.notna().to_numpy() & named
    respelled = hit & (matched.fillna("").to_numpy() != incidents["beat"].astype(str).to_numpy())
    incidents = incidents.copy()
    incidents.loc[hit, "beat"] = matched[hit].to_numpy()
    if respelled.any():
        notes.append(f"{int(respelled.sum()):,} rows matched to their area ignoring case and "
                     "spaces (e.g. "
                     f"{incidents['beat'][respelled].iloc[0]!r})")
    missing = named & ~hit
    if missing.any():
        w = pd.Series(crime_weights(incidents), index=incidents.index)[missing]
        top = w.groupby(incidents["beat"][missing]).size().sort_values(ascending=False)
        listed = ", ".join(f"{n!r} ({c:,} rows)" for n, c in top.head(8).items())
        more = f" and {len(top) - 8} more" if len(top) > 8 else ""
        problems.append({"problem": f"area name not among the polygons: {listed}{more}",
                         "column": "beat", "rows": int(missing.sum()), "examples": [],
                         "action": "kept, counted in totals, not on the map",
                         "advice": "check the spelling, or give polygons for those areas"})
    if "district" in areas and (incidents["district"].astype(str) == "").all():
        district = dict(zip(areas["beat"], areas["district"].astype(str)))
        incidents["district"] = incidents["beat"].map(district).fillna("").astype(object)
    return incidents, areas, notes, problems


def located_share(incidents: pd.DataFrame, areas) -> float:
    """Share of crimes placed on the map: by coordinates, or by a named area with a polygon."""
    if not len(incidents):
        return 0.0
    w = np.abs(crime_weights(incidents))
    placed = incidents["lat"].notna().to_numpy() & incidents["lon"].notna().to_numpy()
    if areas is not None and len(areas):
        placed |= incidents["beat"].isin(set(areas["beat"])).to_numpy()
    return float(w[placed].sum() / w.sum()) if w.sum() else 0.0


def place_polygons(areas, incidents: pd.DataFrame):
    """Polygons in an unknown projected system placed by the incidents' points: the system
    (from pyproj's database) that puts most points inside the polygons. Returns (areas in
    EPSG:4326 or None, note)."""
    pts = incidents[incidents["lat"].notna() & incidents["lon"].notna()]
    if len(pts) < 5:
        return None, ""
    lat, lon = pts["lat"].to_numpy(), pts["lon"].to_numpy()
    bounds = (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))
    cx = areas.geometry.centroid.x.to_numpy()
    cy = areas.geometry.centroid.y.to_numpy()
    pad = 0.05
    inside = (lambda la, lo: (la > bounds[1] - pad) & (la < bounds[3] + pad)
              & (lo > bounds[0] - pad) & (lo < bounds[2] + pad))
    crs, share = coords.crs_that_fits(cx, cy, inside, bounds)
    if crs is None:
        return None, ""
    placed = areas.set_crs(crs, allow_override=True).to_crs("EPSG:4326")
    return placed, (f"polygons had no coordinate system: read in {crs} "
                    f"({coords.crs_name(crs)}), which puts them around the incidents")


def place_points(incidents: pd.DataFrame, areas):
    """Rows with projected x/y in an unknown system placed by the area polygons: the system
    that puts most points inside them. Returns (incidents, note)."""
    if "unlocated_x" not in incidents or areas is None or not len(areas) or areas.crs is None:
        return incidents, ""
    x, y = incidents["unlocated_x"].to_numpy(float), incidents["unlocated_y"].to_numpy(float)
    union = areas.geometry.union_all()
    import shapely
    bounds = tuple(areas.total_bounds)

    def inside(la, lo):
        return shapely.contains_xy(union, lo, la)

    crs, share = coords.crs_that_fits(x, y, inside, bounds)
    if crs is None:
        return incidents, ""
    need = np.isfinite(x) & np.isfinite(y)
    la, lo = coords.to_wgs84(x[need], y[need], crs)
    out = incidents.copy()
    out.loc[need, "lat"], out.loc[need, "lon"] = la, lo
    return out, (f"{int(need.sum()):,} rows located from projected x/y in {crs} "
                 f"({coords.crs_name(crs)}): the system that puts {share:.0%} of them inside "
                 "the area polygons")
