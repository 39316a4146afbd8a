"""File -> raw table: detect the format from the content, decode the text, split the columns.

Everything here is about *reading*; nothing is mapped or validated yet. Every column of a text
file is read as a string so that nothing is silently converted (a beat "0725" stays "0725", a
decimal comma stays readable); the mapping step parses values and reports what it cannot parse.

Row numbers: ``RawTable.rows`` holds, for each row of ``df``, its row number *as in the file*,
counting the header as row 1 (so the first data row is row 2, as a spreadsheet shows it).

This module checks the file and names its format (:func:`read_raw`); the readers themselves
live in :mod:`~crimekit.ingest.text_files` (delimited text) and
:mod:`~crimekit.ingest.binary_files` (Excel, Parquet, GeoJSON, shapefiles), and
:mod:`~crimekit.ingest.raw` holds the :class:`RawTable` they return.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from crimekit.ingest import limits
from crimekit.ingest.binary_files import excel_sheets, read_excel, read_geo, read_parquet
from crimekit.ingest.raw import RawTable, file_sha256, unusable
from crimekit.ingest.text_files import read_csv_bytes

__all__ = ["DEFAULT_MAX_BYTES", "RawTable", "file_sha256", "check_size", "sniff_format",
           "read_raw", "read_csv_bytes", "excel_sheets"]

#: Files larger than this (500 MB of 10**6 bytes) are refused unless the caller passes a larger
#: ``max_bytes``.
DEFAULT_MAX_BYTES = 500 * limits.MB

_MAGIC = {  # leading bytes -> what the file really is (for the refusal message)
    b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image",
    b"%PDF": "a PDF document", b"\x1f\x8b": "a gzip archive", b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive", b"\xd0\xcf\x11\xe0": "an old Excel/Office (.xls/.doc) file",
    b"MZ": "a Windows program", b"\x7fELF": "a program", b"SQLite format": "an SQLite database",
}


def check_size(path, max_bytes) -> int:
    """Refuse a missing, empty or too large file with a sentence saying what to do."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist; check the path and try again.")
    if path.is_dir():
        raise unusable(path, "is a folder, not a file; give the path of a CSV, Excel, "
                              "Parquet, GeoJSON or zipped shapefile inside it.")
    size = path.stat().st_size
    if size == 0:
        raise unusable(path, "the file is empty (0 bytes); export the data again and "
                              "import the new file.")
    if max_bytes is not None and size > max_bytes:
        raise limits.too_large(path, size, max_bytes)
    return size


def sniff_format(path, head: bytes) -> str:
    """Name the file's format from its first bytes (and its extension), or refuse it."""
    ext = Path(path).suffix.lower()
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        limits.check_archive(path)  # bounded before anything is unpacked
        with zipfile.ZipFile(path) as zf:
            names = [n.lower() for n in zf.namelist()]
        if any(n.startswith("xl/") for n in names):
            return "excel"
        if any(n.endswith(".shp") for n in names):
            return "shapefile"
        if any(n.endswith((".geojson", ".json")) for n in names):
            return "geojson"
        raise unusable(path, "is a zip archive without a table or shapefile inside; unzip it "
                              "and import the CSV, Excel or shapefile it contains.")
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            hint = ("; open it in Excel and save it as .xlsx or CSV" if "xls" in what
                    else "; export the data as CSV, Excel or Parquet and import that file")
            raise unusable(path, f"is {what}, not a data table{hint}.")
    if ext == ".shp":
        return "shapefile"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{") or ext in (".geojson", ".json"):
        return "geojson"
    return "csv"


def read_raw(path, *, max_bytes=DEFAULT_MAX_BYTES, sheet=None) -> RawTable:
    """Read any supported file into a RawTable (see the module docstring), or refuse it.
    ``sheet`` names the sheet of a workbook to read (default: the one that looks like data)."""
    path = Path(path)
    check_size(path, max_bytes)
    with open(path, "rb") as fh:
        head = fh.read(8192)
    fmt = sniff_format(path, head)
    digest = file_sha256(path)
    if fmt == "csv":
        table = read_csv_bytes(path, path.read_bytes())
    elif fmt == "excel":
        table = read_excel(path, sheet)
    elif fmt == "parquet":
        table = read_parquet(path)
    else:
        table = read_geo(path, fmt)
    if len(table.df) == 0:
        raise unusable(path, "has a header but no data rows; export the data again with its "
                              "rows and import the new file.")
    return RawTable(**{**table.__dict__, "sha256": digest})
