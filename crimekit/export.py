"""Tables written for people: CSVs that are safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) is read by Excel
and LibreOffice as a formula, so text from uploaded files could run in an analyst's spreadsheet
("CSV injection"). Such text cells (and column names) get a leading apostrophe; numbers are left
as numbers.

Every CSV crimekit writes goes through :func:`write_csv` (files) or :func:`to_csv_bytes` (the
app's downloads); a test checks that nothing else in crimekit, the app or its pages calls
``DataFrame.to_csv``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """Neutralise a text value a spreadsheet would treat as a formula; other values unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells and column names cannot start a spreadsheet formula."""
    out = df.copy()
    for col in out.columns:
        dtype = out[col].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(object)
            dtype = out[col].dtype
        if dtype == object or pd.api.types.is_string_dtype(dtype):
            out[col] = out[col].map(escape_cell)
    if not isinstance(out.columns, pd.MultiIndex):
        out.columns = [escape_cell(c) for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame, *, float_format: str | None = None) -> bytes:
    """UTF-8 CSV bytes of ``df``, spreadsheet-safe, without the index."""
    return spreadsheet_safe(df).to_csv(index=False, float_format=float_format).encode("utf-8")


def write_csv(df: pd.DataFrame, path, *, float_format: str | None = None) -> Path:
    """Write ``df`` to ``path`` as a spreadsheet-safe UTF-8 CSV without the index (creating
    the folder if needed); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(to_csv_bytes(df, float_format=float_format))
    return path
