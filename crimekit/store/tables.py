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


def read_tables(folder: Path, filters=None) -> tuple:
    """({table: DataFrame}, beats GeoDataFrame or None) of a stored version, as written;
    UnreadableFile names the first file that cannot be read. With ``filters``
    (:class:`~crimekit.filters.Filters`), the incidents file is read with the dates, crime
    heads, districts and beats pushed down to the Parquet reader: row groups and rows that
    cannot pass are never converted (the caller still applies the filters exactly)."""
    tables = {}
    for table in TABLES:
        path = folder / f"{table}.parquet"
        try:
            where = pushdown(path, filters) if table == "incidents" and filters else None
            tables[table] = pd.read_parquet(path, filters=where)
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


def pushdown(path: Path, filters) -> list | None:
    """The Parquet reader's filter for :class:`~crimekit.filters.Filters` (the same bounds as
    ``incident_mask``: from the start day, up to the end of the end day), on the columns the
    file has; None when nothing can be pushed down."""
    import pyarrow.parquet as pq
    have = set(pq.read_schema(path).names)
    where = []
    if filters.start is not None and "occurred_at" in have:
        where.append(("occurred_at", ">=", pd.Timestamp(filters.start).normalize()))
    if filters.end is not None and "occurred_at" in have:
        where.append(("occurred_at", "<", pd.Timestamp(filters.end).normalize()
                      + pd.Timedelta(days=1)))
    for column, values in (("category", filters.categories), ("district", filters.districts),
                           ("beat", filters.beats)):
        if values and column in have:
            where.append((column, "in", list(values)))
    return where or None


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
