"""A stored version's tables: one Parquet file per table (and ``beats.geojson`` when there are
beats), written by :func:`write_tables` and read back by :func:`read_tables`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

TABLES = ("incidents", "persons", "patrols", "pois", "holidays")


class UnreadableFile(Exception):
    """A file of a stored version that cannot be read back (``path``, and the ``cause``)."""

    def __init__(self, path: Path, cause: BaseException):
        super().__init__(f"{path}: {cause}")
        self.path, self.cause = path, cause


def write_tables(folder: Path, ds) -> dict:
    """Write every table of ``ds`` into ``folder``; return the rows written per table."""
    counts = {}
    for table in TABLES:
        df = getattr(ds, table)
        _parquet_safe(df).to_parquet(folder / f"{table}.parquet", index=False)
        counts[table] = int(len(df))
    if ds.beats is not None and len(ds.beats):
        ds.beats.to_file(folder / "beats.geojson", driver="GeoJSON")
        counts["beats"] = int(len(ds.beats))
    return counts


def read_tables(folder: Path) -> tuple:
    """({table: DataFrame}, beats GeoDataFrame or None) of a stored version, as written;
    UnreadableFile names the first file that cannot be read."""
    tables = {}
    for table in TABLES:
        path = folder / f"{table}.parquet"
        try:
            tables[table] = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for damaged files
            raise UnreadableFile(path, exc) from None
    beats = None
    if (folder / "beats.geojson").exists():
        try:
            import geopandas as gpd
            beats = gpd.read_file(folder / "beats.geojson")
            beats["beat"] = beats["beat"].astype(str)
            beats["district"] = beats["district"].fillna("").astype(str)
        except Exception as exc:
            raise UnreadableFile(folder / "beats.geojson", exc) from None
    return tables, beats


def _parquet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Object columns holding mixed values become strings so Parquet can store them."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            inferred = pd.api.types.infer_dtype(out[col], skipna=True)
            if inferred not in ("string", "empty", "boolean", "datetime", "date"):
                out[col] = out[col].map(lambda v: v if v is None or isinstance(v, str) else str(v))
    out.columns = [str(c) for c in out.columns]
    return out
