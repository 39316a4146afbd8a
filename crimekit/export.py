"""Tables written for people: CSVs that are safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) is read by Excel
and LibreOffice as a formula, so text from uploaded files could run in an analyst's spreadsheet
("CSV injection"). Such text cells get a leading apostrophe; numbers are left as numbers.
"""

from __future__ import annotations

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """Neutralise a text value a spreadsheet would treat as a formula; other values unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells cannot start a spreadsheet formula."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(escape_cell)
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV bytes of ``df``, spreadsheet-safe, without the index."""
    return spreadsheet_safe(df).to_csv(index=False).encode("utf-8")
