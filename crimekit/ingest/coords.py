"""Coordinates: projected x/y -> WGS84 lat/lon, CRS guessing, and distance checks.

Police exports often give State Plane or UTM coordinates (Chicago: EPSG:3435 feet, New York:
EPSG:2263 feet, Vancouver: UTM 10N EPSG:32610 metres) instead of, or as well as, lat/lon.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimekit.stats import haversine_km

#: Known projected systems and the x/y box a city's data falls in (used only to guess a CRS
#: when neither the analyst nor a preset gives one and no row has lat/lon to compare with).
KNOWN_BOXES = (
    ("EPSG:3435", "Chicago (Illinois East State Plane, feet)", (1.05e6, 1.25e6), (1.78e6, 1.98e6)),
    ("EPSG:2263", "New York (Long Island State Plane, feet)", (0.9e6, 1.08e6), (0.1e6, 0.3e6)),
    ("EPSG:32610", "Vancouver (UTM zone 10N, metres)", (4.6e5, 5.1e5), (5.43e6, 5.48e6)),
    ("EPSG:2229", "Los Angeles (California V State Plane, feet)", (6.2e6, 6.7e6), (1.7e6, 2.0e6)),
)
#: Latitudes beyond this (either pole) hold no city that files crime data; a file whose
#: median latitude is there has its latitude and longitude swapped.
POLAR_LAT = 70.0


def looks_like_degrees(x: pd.Series, y: pd.Series) -> bool:
    """True when (x, y) are plausibly (lon, lat) in degrees rather than projected units."""
    m = x.notna() & y.notna() & ~((x == 0) & (y == 0))
    if not m.any():
        return True
    x, y = x[m], y[m]
    return bool(x.abs().median() <= 180 and y.abs().median() <= 90)


def to_wgs84(x, y, crs: str):
    """Transform projected x/y arrays in ``crs`` to (lat, lon) numpy arrays (NaN stays NaN)."""
    from pyproj import Transformer

    tr = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    lon, lat = tr.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    bad = ~np.isfinite(lat) | ~np.isfinite(lon) | (np.abs(lat) > 90) | (np.abs(lon) > 180)
    lat[bad], lon[bad] = np.nan, np.nan
    return lat, lon


def crs_name(crs: str) -> str:
    """The coordinate system's name ("WGS 84 / UTM zone 10N"), or the code when unknown."""
    from pyproj import CRS
    try:
        return CRS.from_user_input(crs).name
    except Exception:  # noqa: BLE001 - pyproj raises CRSError and others
        return str(crs)


def describe_units(x: pd.Series, y: pd.Series) -> str:
    """What the size of projected numbers suggests, in words (for a report line)."""
    mx, my = float(np.nanmedian(np.abs(x))), float(np.nanmedian(np.abs(y)))
    if 1e5 <= mx <= 9e5 and 1e6 <= my <= 1e7:
        return "the numbers look like metres of a UTM zone"
    if mx > 3e5 and my > 1e5:
        return "the numbers look like feet or metres of a State Plane or national grid"
    return f"x around {mx:,.0f}, y around {my:,.0f}"


def crs_candidates(bounds, limit: int = 400) -> list[str]:
    """Projected coordinate systems (EPSG and ESRI) whose area of use covers ``bounds``
    (min lon, min lat, max lon, max lat), from pyproj's database: the systems a file from
    that place may use."""
    from pyproj import database
    from pyproj.aoi import AreaOfInterest
    from pyproj.enums import PJType
    aoi = AreaOfInterest(*bounds)
    infos = []
    for auth in ("EPSG", "ESRI"):
        infos += [i for i in database.query_crs_info(
            auth_name=auth, pj_types=[PJType.PROJECTED_CRS], area_of_interest=aoi,
            contains=True) if not i.deprecated and "Equi7" not in i.name
            and "EASE" not in i.name]
    infos.sort(key=_commonness)
    return [f"{i.auth_name}:{i.code}" for i in infos][:limit]


def _commonness(info) -> int:
    """Sort key: the systems police data is most often in first (WGS 84 UTM, then the
    national datums' plain versions), so among equal fits the common one wins."""
    name = info.name
    for rank, prefix in enumerate(("WGS 84 / UTM", "NAD83 / ", "ETRS89 / ", "GDA2020 / ",
                                   "SIRGAS 2000 / ", "MAGNA-SIRGAS / ", "OSGB36 / ",
                                   "NAD_1983_StatePlane", "WGS 84 / ")):
        if name.startswith(prefix):
            return rank
    return 20 + ("(" in name)


def crs_that_fits(x, y, inside, bounds, min_share: float = 0.8):
    """(crs, share) of the candidate system (see :func:`crs_candidates`) that puts the most
    sample points (x, y) where ``inside(lat, lon)`` (a boolean array function) says they
    belong, or (None, best share) when none puts ``min_share`` of them there."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y) & (x != 0) & (y != 0)
    if ok.sum() == 0:
        return None, 0.0
    idx = np.flatnonzero(ok)
    idx = idx[np.linspace(0, len(idx) - 1, min(len(idx), 200)).astype(int)]
    best, best_share = None, 0.0
    for crs in crs_candidates(bounds):
        try:
            lat, lon = to_wgs84(x[idx], y[idx], crs)
        except Exception:  # noqa: BLE001 - a system pyproj cannot transform from
            continue
        if not np.isfinite(lat).any():
            continue
        share = float(np.mean(inside(lat, lon)))
        if share > best_share + 1e-9:
            best, best_share = crs, share
        if share >= 0.999:
            break
    return (best, best_share) if best_share >= min_share else (None, best_share)


def utm_for(lat: float, lon: float) -> str:
    """The UTM zone CRS (WGS84) containing a point."""
    zone = int((lon + 180) // 6) + 1
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"


def guess_crs(x: pd.Series, y: pd.Series, lat=None, lon=None, preset_crs=None):
    """Guess the CRS of projected x/y; return (crs or None, how it was chosen).

    Order: rows that also have lat/lon decide between the preset's CRS, the local UTM zone
    and the known State Plane systems (the one whose transform lands closest wins); else the
    preset's CRS; else a known city's x/y box; else None (the caller reports it).
    """
    ok = x.notna() & y.notna() & (x != 0) & (y != 0)
    if lat is not None and lon is not None:
        both = ok & lat.notna() & lon.notna() & (lat != 0) & (lon != 0)
        if both.sum() >= 3:
            idx = both[both].index[:200]
            cands = [preset_crs] if preset_crs else []
            cands += [utm_for(float(lat[idx].median()), float(lon[idx].median()))]
            cands += [c for c, *_ in KNOWN_BOXES if c not in cands]
            best, best_err = None, np.inf
            for crs in cands:
                la, lo = to_wgs84(x[idx], y[idx], crs)
                err = np.nanmedian(haversine_km(la, lo, lat[idx].to_numpy(), lon[idx].to_numpy()))
                if err < best_err:
                    best, best_err = crs, err
            if best_err < 5:
                return best, f"matched against the rows that have both (median error {best_err:.2f} km)"
    if preset_crs:
        return preset_crs, "the file's known format"
    if ok.any():
        mx, my = float(x[ok].median()), float(y[ok].median())
        for crs, what, (x0, x1), (y0, y1) in KNOWN_BOXES:
            if x0 <= mx <= x1 and y0 <= my <= y1:
                return crs, f"the size of the numbers, which fits {what}"
    return None, "unknown"

