"""Binary formats: Excel workbooks (the sheet that looks like data), Parquet (GeoParquet as
polygons) and GeoJSON or zipped shapefiles, each bounded by ``limits`` before it is unpacked."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from crimekit.ingest import limits
from crimekit.ingest.raw import RawTable, unique_names, unusable

def excel_sheets(path) -> list[str]:
    """Names of a workbook's sheets (for a sheet choice), or [] when it cannot be opened."""
    try:
        import openpyxl
        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            return list(wb.sheetnames)
        finally:
            wb.close()
    except Exception:  # noqa: BLE001 - a damaged workbook: the reader will say so
        return []


def read_excel(path, sheet=None) -> RawTable:
    """One sheet, all cells as read by openpyxl (dates stay dates): ``sheet`` (a name) when
    given, else the sheet whose header names the most known fields (so a data sheet after a
    notes sheet is found), else the first sheet with data."""
    limits.check_workbook(path)  # unpacked size, entries and each sheet's span, before parsing
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=object)
    except Exception as exc:  # noqa: BLE001 - zip, XML and openpyxl errors of damaged files
        raise unusable(path, "could not be read as an Excel workbook "
                              f"({type(exc).__name__}); open it in Excel, save it again as "
                              ".xlsx (or as CSV) and import that file.") from None
    if sheet is not None:
        if sheet not in sheets:
            raise unusable(path, f"has no sheet named {sheet!r}; its sheets are "
                                  f"{', '.join(map(repr, sheets))}.")
        sheets = {sheet: sheets[sheet]}
    best, best_score = None, -1
    for name, df in sheets.items():
        df = df.dropna(how="all").dropna(axis=1, how="all")
        if not (len(df.columns) and len(df)):
            continue
        from crimekit.ingest.mapping import known_columns
        score = known_columns(df.columns)
        if score > best_score:
            best, best_score = (name, df), score
    if best is None:
        what = f"sheet {sheet!r} has no data rows" if sheet else "has no sheet with data rows"
        raise unusable(path, f"{what}; check the workbook and import it again.")
    name, df = best
    df.columns = unique_names(df.columns)
    notes = () if len(sheets) == 1 else (f"read sheet {name!r} of {len(sheets)} "
                                         f"({', '.join(map(repr, sheets))})",)
    return RawTable(Path(path), "excel", df.reset_index(drop=True), df.index.to_numpy() + 2,
                    notes=notes)


def read_parquet(path) -> RawTable:
    """A Parquet file (GeoParquet becomes a GeoDataFrame); nested values become JSON text."""
    import pyarrow.parquet as pq

    limits.check_parquet(path)  # rows x columns from the footer, before any column is decoded
    try:
        if b"geo" in (pq.read_schema(path).metadata or {}):
            import geopandas as gpd
            gdf = gpd.read_parquet(path)
            return RawTable(Path(path), "geoparquet", gdf, np.arange(2, len(gdf) + 2))
        df = pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for damaged files
        raise unusable(path, "could not be read as Parquet (the file is damaged or "
                              f"incomplete: {type(exc).__name__}); export it again.") from None
    for col in df.columns:
        if df[col].dtype == object and df[col].map(
                lambda v: isinstance(v, (list, dict, np.ndarray))).any():
            import json
            df[col] = df[col].map(lambda v: json.dumps(
                v.tolist() if isinstance(v, np.ndarray) else v, default=str)
                if isinstance(v, (list, dict, np.ndarray)) else v)
    return RawTable(Path(path), "parquet", df.reset_index(drop=True), np.arange(2, len(df) + 2))


def read_geo(path, fmt) -> RawTable:
    """GeoJSON or (zipped) shapefile polygons via geopandas/pyogrio; a GeoJSON that GDAL
    refuses as a whole (one unclosed ring) is read feature by feature instead."""
    import geopandas as gpd

    with limits.unpacked(path) as target:  # a zip: bounded, then unpacked by Python, not GDAL
        try:
            gdf = gpd.read_file(target)
        except Exception as exc:  # pyogrio raises several types for unreadable files
            if fmt == "geojson" and not zipfile.is_zipfile(path):
                return _read_geojson_features(path)
            why = str(exc).replace(target, Path(path).name).splitlines()[0][:120]
            raise unusable(path, f"could not be read as {fmt} ({why}); check that it is a "
                                  "complete GeoJSON or zipped shapefile.") from None
    return RawTable(Path(path), fmt, gdf, np.arange(2, len(gdf) + 2))


def _read_geojson_features(path) -> RawTable:
    """A GeoJSON FeatureCollection read feature by feature: unclosed rings are closed, and a
    feature whose geometry cannot be read is dropped with a report line (not the file)."""
    import json

    import geopandas as gpd
    import shapely.geometry

    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        features = doc["features"] if isinstance(doc, dict) else None
        if not isinstance(features, list):
            raise ValueError("no features list")
    except (ValueError, KeyError, UnicodeDecodeError) as exc:
        raise unusable(path, f"is not valid GeoJSON ({str(exc)[:80]}); export the "
                              "boundaries again as GeoJSON.") from None
    rows, geoms, props, closed, bad = [], [], [], [], []
    for i, feature in enumerate(features):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        fixed = _close_rings(geometry)
        try:
            geom = shapely.geometry.shape(fixed) if fixed else None
        except Exception:  # noqa: BLE001 - shapely raises several types for bad coordinates
            bad.append(i + 2)
            continue
        if fixed is not geometry:
            closed.append(i + 2)
        rows.append(i + 2)
        geoms.append(geom)
        props.append(feature.get("properties") or {})
    problems = []
    if closed:
        problems.append(("polygon ring not closed (last point differs from the first)", closed,
                         "ring closed", "nothing; fix the boundary file to silence this"))
    if bad:
        problems.append(("geometry cannot be read", bad, "area dropped",
                         "redraw those areas in the boundary file"))
    gdf = gpd.GeoDataFrame(pd.DataFrame(props), geometry=geoms, crs="EPSG:4326")
    return RawTable(Path(path), "geojson", gdf, np.asarray(rows), read_problems=problems)


def _close_rings(geometry):
    """The geometry with every polygon ring closed (a copy), or the same object if all were."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return geometry
    polys = geometry.get("coordinates") or []
    polys = [polys] if geometry["type"] == "Polygon" else polys
    changed, out = False, []
    for poly in polys:
        rings = []
        for ring in poly or []:
            if isinstance(ring, list) and len(ring) >= 3 and ring[0] != ring[-1]:
                ring, changed = ring + [ring[0]], True
            rings.append(ring)
        out.append(rings)
    if not changed:
        return geometry
    return {"type": geometry["type"],
            "coordinates": out[0] if geometry["type"] == "Polygon" else out}
