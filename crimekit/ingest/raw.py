"""The raw table every reader returns (:class:`RawTable`: a file's rows before mapping, with
their row numbers as in the file) and what the readers share: the refusal sentence, unique
header names, the file's hash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crimekit.errors import UnusableInputError

@dataclass(frozen=True)
class RawTable:
    """A file's rows before mapping.

    Attributes
    ----------
    path : the file read.
    fmt : "csv", "excel", "parquet", "geojson" or "shapefile".
    df : the rows (strings for text files); for geo formats a GeoDataFrame.
    rows : numpy int array, the file row number of each row of ``df`` (header = row 1).
    encoding, delimiter : how a text file was decoded and split (None otherwise).
    read_problems : list of (problem, rows, action, advice) found while reading.
    sha256 : hex digest of the file's bytes.
    notes : facts about the reading worth a line in the report (e.g. which sheet was read).
    """

    path: Path
    fmt: str
    df: pd.DataFrame
    rows: np.ndarray
    encoding: str | None = None
    delimiter: str | None = None
    read_problems: list = field(default_factory=list)
    sha256: str = ""
    notes: tuple = ()

    @property
    def is_geo(self) -> bool:
        return self.fmt in ("geojson", "shapefile", "geoparquet")


def file_sha256(path) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks (used to spot the same file imported twice)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def unusable(path, what) -> UnusableInputError:
    """The refusal of a file: its name, then what is wrong and what to do."""
    return UnusableInputError(f"{Path(path).name}: {what}")


def unique_names(names) -> list[str]:
    """Header names made unique and non-empty ("col_3" for an empty one, "x_2" for a repeat)."""
    out, seen = [], {}
    for i, name in enumerate(names):
        name = str(name).strip() or f"col_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out
