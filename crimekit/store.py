"""A local store of datasets: one folder of Parquet files and a manifest.json per dataset.

Layout: ``ROOT/NAME/{incidents,persons,patrols,pois,holidays}.parquet``, ``beats.geojson`` (when
there are beats) and ``manifest.json`` (name, created time, row counts, date range, source
files with sha256, validation summaries). ROOT is ``root=``, else ``$CRIMEKIT_STORE``, else
``data/store`` under the repository.

Writes are atomic: a dataset is written into a hidden temporary folder next to its final place
and renamed into place, so an interrupted import leaves nothing half written. A file lock
(``ROOT/.lock``, fcntl) serialises writers, so two imports at once cannot corrupt the store.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

# DuplicateSourceError lives in crimekit.errors; importing it here keeps
# ``from crimekit.store import DuplicateSourceError`` working for callers.
from crimekit.errors import (DatasetNotFoundError, DuplicateSourceError, ParameterError,
                             StoreCorruptError)
from crimekit.schema import Dataset, conform_incidents, conform_patrols, conform_persons

DEFAULT_ROOT = Path(__file__).resolve().parents[1] / "data" / "store"
TABLES = ("incidents", "persons", "patrols", "pois", "holidays")
LIST_COLUMNS = ("name", "incidents", "persons", "first", "last", "sources", "created")
_NAME = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,99}$")


def _json_default(value):
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


class Store:
    """Datasets kept as files under ``root``; see the module docstring."""

    def __init__(self, root=None):
        self.root = Path(root or os.environ.get("CRIMEKIT_STORE") or DEFAULT_ROOT)

    # --- locking -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self):
        """Hold the store's exclusive write lock (blocks until another writer finishes)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # --- reading -------------------------------------------------------------------------------
    def names(self) -> list[str]:
        """Names of the stored datasets (folders with a manifest), sorted."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir()
                      if p.is_dir() and not p.name.startswith(".") and (p / "manifest.json").exists())

    def manifest(self, name) -> dict:
        """The dataset's manifest.json as a dict."""
        path = self._dir(name) / "manifest.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise self._corrupt(name, path, exc) from None

    def list(self) -> pd.DataFrame:
        """One row per dataset: name, incidents, persons, first, last, sources, created."""
        rows = []
        for name in self.names():
            try:
                m = self.manifest(name)
            except StoreCorruptError:
                rows.append({"name": name, "sources": "(damaged: delete or re-import)"})
                continue
            rows.append({"name": name, "incidents": m["rows"].get("incidents", 0),
                         "persons": m["rows"].get("persons", 0), "first": m.get("first"),
                         "last": m.get("last"),
                         "sources": ", ".join(s["file"] for s in m.get("sources", [])),
                         "created": m.get("created")})
        return pd.DataFrame(rows, columns=list(LIST_COLUMNS))

    def load(self, name) -> Dataset:
        """The stored dataset ``name``; DatasetNotFoundError / StoreCorruptError otherwise."""
        folder = self._dir(name)
        m = self.manifest(name)
        tables = {}
        for table in TABLES:
            path = folder / f"{table}.parquet"
            try:
                tables[table] = pd.read_parquet(path)
            except Exception as exc:  # pyarrow raises several types for damaged files
                raise self._corrupt(name, path, exc) from None
        beats = None
        if (folder / "beats.geojson").exists():
            try:
                import geopandas as gpd
                beats = gpd.read_file(folder / "beats.geojson")
                beats["beat"] = beats["beat"].astype(str)
                beats["district"] = beats["district"].fillna("").astype(str)
            except Exception as exc:
                raise self._corrupt(name, folder / "beats.geojson", exc) from None
        return Dataset(name=m["name"], incidents=conform_incidents(tables["incidents"]),
                       persons=conform_persons(tables["persons"]),
                       patrols=conform_patrols(tables["patrols"]), pois=tables["pois"],
                       holidays=tables["holidays"], beats=beats,
                       meta={**m.get("meta", {}), "reports": m.get("reports", [])})

    def find_source(self, sha256) -> str | None:
        """Name of the dataset that already holds a file with this hash, or None."""
        for name in self.names():
            try:
                sources = self.manifest(name).get("sources", [])
            except StoreCorruptError:
                continue
            if any(s.get("sha256") == sha256 for s in sources):
                return name
        return None

    # --- writing -------------------------------------------------------------------------------
    def save(self, dataset: Dataset, *, sources=(), reports=(), replace=False) -> str:
        """Store ``dataset`` under its name atomically; return the name.

        ``sources`` is [(file name, sha256)]; a file already stored in another dataset raises
        DuplicateSourceError ("already imported as dataset X"). An existing name is refused
        unless ``replace=True``.
        """
        name = dataset.name
        if not _NAME.match(name or ""):
            raise ParameterError.invalid("name", "Store.save", "letters, digits, '_', '-' or '.' "
                                         "(starting with a letter or digit)", name)
        with self._locked():
            for file, digest in sources:
                owner = self.find_source(digest)
                if owner is not None and not (replace and owner == name):
                    raise DuplicateSourceError(f"{file} is already imported as dataset "
                                               f"{owner!r}; use that dataset, or delete it first "
                                               f"with `python -m crimekit datasets --delete {owner}`.")
            final = self.root / name
            if final.exists() and not replace:
                raise ParameterError(f"A dataset named {name!r} already exists; choose another "
                                     "name with --name, or delete it first.")
            tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=self.root))
            try:
                self._write(tmp, dataset, sources, reports)
                if final.exists():
                    old = self.root / f".old-{name}-{os.getpid()}"
                    os.replace(final, old)
                    os.replace(tmp, final)
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    os.replace(tmp, final)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        return name

    def _write(self, folder: Path, ds: Dataset, sources, reports):
        """Write every table, then the manifest last (its presence marks a complete dataset)."""
        counts = {}
        for table in TABLES:
            df = getattr(ds, table)
            _parquet_safe(df).to_parquet(folder / f"{table}.parquet", index=False)
            counts[table] = int(len(df))
        if ds.beats is not None and len(ds.beats):
            ds.beats.to_file(folder / "beats.geojson", driver="GeoJSON")
            counts["beats"] = int(len(ds.beats))
        first, last = ds.date_range
        manifest = {
            "name": ds.name, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "rows": counts, "first": first.isoformat() if first is not None else None,
            "last": last.isoformat() if last is not None else None,
            "sources": [{"file": f, "sha256": h} for f, h in sources],
            "reports": [r.summary() if hasattr(r, "summary") else r for r in reports],
            "meta": {k: v for k, v in ds.meta.items() if k != "reports"},
        }
        text = json.dumps(manifest, indent=2, default=_json_default)
        (folder / "manifest.json").write_text(text, encoding="utf-8")

    def delete(self, name) -> None:
        """Remove a stored dataset (its folder)."""
        with self._locked():
            folder = self._dir(name)
            trash = self.root / f".del-{name}-{os.getpid()}"
            os.replace(folder, trash)
            shutil.rmtree(trash, ignore_errors=True)

    # --- helpers -------------------------------------------------------------------------------
    def _dir(self, name) -> Path:
        folder = self.root / str(name)
        if not _NAME.match(str(name)) or not (folder / "manifest.json").exists() and not folder.is_dir():
            names = self.names()
            have = f"stored datasets: {', '.join(names)}" if names else "the store is empty"
            raise DatasetNotFoundError(f"No dataset named {name!r} in {self.root} ({have}); "
                                       "import files with `python -m crimekit ingest FILE`.")
        return folder

    def _corrupt(self, name, path, exc) -> StoreCorruptError:
        return StoreCorruptError(
            f"Dataset {name!r} cannot be read (file {Path(path).name} is damaged: "
            f"{str(exc).splitlines()[0][:100] if str(exc) else type(exc).__name__}). Delete it "
            f"with `python -m crimekit datasets --delete {name}` or re-import its files.")


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
