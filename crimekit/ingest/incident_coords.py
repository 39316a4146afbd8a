"""Where each incident occurred: lat/lon columns (swapped or projected ones detected and put
right), or x/y in degrees, or projected x/y converted to WGS84 (a CRS given, a preset's, or a
guess); rows that cannot be placed are kept without a location and reported."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimekit.ingest import coords, parse


def coordinates(raw, src, out, log, crs, preset, notes):
    """lat/lon from the lat/lon columns (swapped columns put back), else from x/y in degrees,
    else from projected x/y converted to WGS84 (``crs``, the preset's, or a guess)."""
    df = raw.df
    for fld in ("lat", "lon", "x", "y"):
        if fld in src:
            vals = parse.parse_number(df[src[fld]])
            log.add(src[fld], parse.unparsed(df[src[fld]], vals), "not a number",
                    "kept without a location", "write coordinates as plain numbers", df[src[fld]])
            out[fld] = vals.to_numpy()
    if ("lat" in out) != ("lon" in out):
        have, missing = ("lat", "lon") if "lat" in out else ("lon", "lat")
        log.add(src[have], np.ones(len(out), bool), f"a {have} column but no {missing} column",
                "kept without a location", f"map the {missing} column too if the file has it")
        out = out.drop(columns=have)
    if "lat" in out:
        out = _projected_latlon(src, out, log, crs, notes)
        out = _swapped_columns(src, out, notes, preset)
    if "x" not in out or "y" not in out:
        return out.drop(columns=[c for c in ("x", "y") if c in out])
    x, y = out.pop("x"), out.pop("y")
    if "lat" not in out and coords.looks_like_degrees(x, y) and not crs:
        out["lat"], out["lon"] = y.to_numpy(), x.to_numpy()
        notes.append(f"columns {src['x']!r}/{src['y']!r} read as longitude/latitude in degrees")
        return out
    return _from_projected(src, out, log, crs, preset, notes, x, y)


def _projected_latlon(src, out, log, crs, notes):
    """Columns called latitude/longitude that hold projected numbers become x/y."""
    lat, lon = out["lat"], out["lon"]
    ok = lat.notna() & lon.notna() & ~((lat == 0) & (lon == 0))
    if ok.sum() and ((lat[ok].abs() > 180) | (lon[ok].abs() > 180)).mean() > 0.5 \
            and "x" not in out:
        notes.append(f"columns {src['lat']!r}/{src['lon']!r} hold projected coordinates, not "
                     "degrees: read as y/x")
        out["x"], out["y"] = lon.to_numpy(), lat.to_numpy()
        src.setdefault("x", src["lon"])
        src.setdefault("y", src["lat"])
        out = out.drop(columns=["lat", "lon"])
    return out


def _swapped_columns(src, out, notes, preset):
    """Latitude and longitude columns given the wrong way round, put back with a note."""
    lat, lon = out["lat"], out["lon"]
    ok = lat.notna() & lon.notna() & ~((lat == 0) & (lon == 0))
    if ok.sum() < 3:
        return out
    mlat, mlon = lat[ok].abs().median(), lon[ok].abs().median()
    region = preset.region if preset else None
    inside = (lambda la, lo: region[1] <= la <= region[3] and region[0] <= lo <= region[2]) \
        if region else None
    a, b = float(lat[ok].median()), float(lon[ok].median())
    swap = ((mlat > 90 and mlon <= 90)
            or (mlat > coords.POLAR_LAT and mlon <= coords.POLAR_LAT)
            or (inside is not None and not inside(a, b) and inside(b, a)))
    if swap:
        out["lat"], out["lon"] = lon.to_numpy(), lat.to_numpy()
        notes.append(f"columns {src['lat']!r} and {src['lon']!r} hold longitude and latitude "
                     f"the other way round (median {a:.4f}, {b:.4f} is "
                     f"{'not a place' if mlat > 90 else 'in a polar region'}): swapped back")
    return out


def _from_projected(src, out, log, crs, preset, notes, x, y):
    lat = out.get("lat", pd.Series(np.nan, index=out.index))
    lon = out.get("lon", pd.Series(np.nan, index=out.index))
    need = (lat.isna() | lon.isna() | ((lat == 0) & (lon == 0))) & x.notna() & y.notna() \
        & ~((x == 0) & (y == 0))
    if not need.any():
        out["lat"], out["lon"] = lat.to_numpy(), lon.to_numpy()
        return out
    how = "given"
    if not crs:
        crs, how = coords.guess_crs(x, y, lat, lon, preset.crs if preset else None)
    if crs is None:
        log.add(src["x"], need.to_numpy(), "projected x/y coordinates in an unknown system "
                f"({coords.describe_units(x[need], y[need])})", "kept without a location",
                "choose the coordinate system (for example EPSG:32610 for UTM zone 10N); "
                "giving area polygons with the file lets crimekit find it")
        out["unlocated_x"], out["unlocated_y"] = x.where(need).to_numpy(), y.where(need).to_numpy()
    else:
        la, lo = coords.to_wgs84(x[need], y[need], crs)
        lat, lon = lat.copy(), lon.copy()
        lat[need], lon[need] = la, lo
        notes.append(f"{int(need.sum()):,} rows located from {src['x']!r}/{src['y']!r} in "
                     f"{crs} ({coords.crs_name(crs)}; chosen from {how})")
    out["lat"], out["lon"] = lat.to_numpy(), lon.to_numpy()
    return out
