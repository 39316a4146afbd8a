"""File -> raw table: detect the format from the content, decode the text, split the columns.

Everything here is about *reading*; nothing is mapped or validated yet. Every column of a text
file is read as a string so that nothing is silently converted (a beat "0725" stays "0725", a
decimal comma stays readable); the mapping step parses values and reports what it cannot parse.

Row numbers: ``RawTable.rows`` holds, for each row of ``df``, its row number *as in the file*,
counting the header as row 1 (so the first data row is row 2, as a spreadsheet shows it).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crimekit.errors import UnusableInputError
from crimekit.ingest import limits

#: Files larger than this (500 MB of 10**6 bytes) are refused unless the caller passes a larger
#: ``max_bytes``.
DEFAULT_MAX_BYTES = 500 * limits.MB
DELIMITERS = (",", ";", "\t", "|")

_MAGIC = {  # leading bytes -> what the file really is (for the refusal message)
    b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image",
    b"%PDF": "a PDF document", b"\x1f\x8b": "a gzip archive", b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive", b"\xd0\xcf\x11\xe0": "an old Excel/Office (.xls/.doc) file",
    b"MZ": "a Windows program", b"\x7fELF": "a program", b"SQLite format": "an SQLite database",
}


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
    """

    path: Path
    fmt: str
    df: pd.DataFrame
    rows: np.ndarray
    encoding: str | None = None
    delimiter: str | None = None
    read_problems: list = field(default_factory=list)
    sha256: str = ""

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


def _unusable(path, what) -> UnusableInputError:
    return UnusableInputError(f"{Path(path).name}: {what}")


def check_size(path, max_bytes) -> int:
    """Refuse a missing, empty or too large file with a sentence saying what to do."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist; check the path and try again.")
    if path.is_dir():
        raise _unusable(path, "is a folder, not a file; give the path of a CSV, Excel, "
                              "Parquet, GeoJSON or zipped shapefile inside it.")
    size = path.stat().st_size
    if size == 0:
        raise _unusable(path, "the file is empty (0 bytes); export the data again and "
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
        raise _unusable(path, "is a zip archive without a table or shapefile inside; unzip it "
                              "and import the CSV, Excel or shapefile it contains.")
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            hint = ("; open it in Excel and save it as .xlsx or CSV" if "xls" in what
                    else "; export the data as CSV, Excel or Parquet and import that file")
            raise _unusable(path, f"is {what}, not a data table{hint}.")
    if ext == ".shp":
        return "shapefile"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{") or ext in (".geojson", ".json"):
        return "geojson"
    return "csv"


def read_raw(path, *, max_bytes=DEFAULT_MAX_BYTES) -> RawTable:
    """Read any supported file into a RawTable (see the module docstring), or refuse it."""
    path = Path(path)
    check_size(path, max_bytes)
    with open(path, "rb") as fh:
        head = fh.read(8192)
    fmt = sniff_format(path, head)
    digest = file_sha256(path)
    if fmt == "csv":
        table = read_csv_bytes(path, path.read_bytes())
    elif fmt == "excel":
        table = _read_excel(path)
    elif fmt == "parquet":
        table = _read_parquet(path)
    else:
        table = _read_geo(path, fmt)
    if len(table.df) == 0:
        raise _unusable(path, "has a header but no data rows; export the data again with its "
                              "rows and import the new file.")
    return RawTable(**{**table.__dict__, "sha256": digest})


# --- text files --------------------------------------------------------------------------------
def decode(path, data: bytes) -> tuple[bytes, str]:
    """Return (UTF-8 bytes, name of the encoding the file was in); refuse binary files."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:], "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16").encode("utf-8"), "utf-16"
    sample = data[:4096]
    if sample.count(b"\x00") > len(sample) // 4:  # UTF-16 without a byte-order mark
        enc = "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
        try:
            return data.decode(enc).encode("utf-8"), enc
        except UnicodeDecodeError:
            pass
    if b"\x00" in sample:
        raise _unusable(path, "is a binary file, not a text table; export the data as CSV, "
                              "Excel or Parquet and import that file.")
    try:
        data.decode("utf-8")
        return data, "utf-8"
    except UnicodeDecodeError:
        pass
    for enc in ("cp1252", "latin-1"):
        try:
            return data.decode(enc).encode("utf-8"), enc
        except UnicodeDecodeError:
            continue
    raise _unusable(path, "is not readable text; save it as UTF-8 CSV and import it again.")


def sniff_delimiter(text_head: str) -> str:
    """The delimiter that splits the first lines into the same number (> 1) of fields."""
    lines = [ln for ln in text_head.splitlines()[:30] if ln.strip()]
    if len(lines) > 1:
        lines = lines[:-1]  # the last line of a sample may be cut short
    best, best_score = ",", -1.0
    for delim in DELIMITERS:
        counts = [len(r) for r in csv.reader(lines, delimiter=delim)]
        if not counts or max(counts) < 2:
            continue
        header_n = counts[0]
        agree = sum(c == header_n for c in counts) / len(counts)
        score = agree * 100 + min(header_n, 99) / 100
        if score > best_score:
            best, best_score = delim, score
    return best


def _unique_names(names) -> list[str]:
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


def read_csv_bytes(path, data: bytes) -> RawTable:
    """Parse delimited text (any encoding/delimiter) with pyarrow, every column as a string.

    Rows with the wrong number of fields are skipped and reported; a stray unbalanced quote,
    which would otherwise swallow the rest of the file, costs only its own line.
    """
    utf8, encoding = decode(path, data)
    head_text = utf8[:65536].decode("utf-8", errors="ignore")
    delim = sniff_delimiter(head_text)
    first_line = next(csv.reader(io.StringIO(head_text), delimiter=delim), None)
    if not first_line or not any(c.strip() for c in first_line):
        raise _unusable(path, "has no header line; add a first line naming the columns.")
    names = _unique_names(first_line)
    header_end = _header_end(utf8, delim)
    body = utf8[header_end:]
    if not body.strip():
        raise _unusable(path, "has a header but no data rows; export the data again with its "
                              "rows and import the new file.")
    df, rows, problems = _parse_body(body, names, delim, first_row=2)
    return RawTable(Path(path), "csv", df, rows, encoding, delim, problems)


def _header_end(utf8: bytes, delim: str) -> int:
    """Byte offset just after the header record (which may contain quoted newlines)."""
    reader_text = utf8[:65536].decode("utf-8", errors="ignore")
    sio = io.StringIO(reader_text, newline="")
    next(csv.reader(sio, delimiter=delim))
    return len(reader_text[:sio.tell()].encode("utf-8"))


def _parse_body(body: bytes, names, delim, first_row: int):
    """Parse data lines into strings; return (df, file row numbers, read problems)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    bad = []

    def on_bad(row):
        bad.append((row.number, row.text))
        return "skip"

    def parse(threads):
        bad.clear()
        return pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=threads,
                                           block_size=8 << 20),
            parse_options=pacsv.ParseOptions(delimiter=delim, invalid_row_handler=on_bad,
                                             newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=True,
                null_values=[""], quoted_strings_can_be_null=True))

    table = parse(True)
    if bad and any(num is None for num, _ in bad):
        table = parse(False)  # single-threaded parsing knows the row numbers
    df = table.to_pandas()
    n_ok = len(df)
    if not bad:
        return df, np.arange(first_row, first_row + n_ok), []
    bad_rows = sorted((num or 0) + first_row - 1 for num, _ in bad)
    total = n_ok + len(bad_rows)
    rows = np.setdiff1d(np.arange(first_row, first_row + total), bad_rows)[:n_ok]
    problems, ragged, extra_frames = [], [], []
    for (num, text), row in zip(bad, bad_rows):
        if "\n" in text and text.count('"') % 2 == 1:  # an unbalanced quote ate what follows
            problems.append(("unbalanced quote (a \" that is never closed)", [row],
                             "row skipped", "close or remove the stray quote in that row"))
            rest = text.split("\n", 1)[1].encode("utf-8")
            sub_df, sub_rows, sub_problems = _parse_body(rest, names, delim, row + 1)
            extra_frames.append((sub_df, sub_rows))
            problems.extend(sub_problems)
        else:
            ragged.append(row)
    if ragged:
        problems.insert(0, (f"wrong number of fields (expected {len(names)})", ragged,
                            "row skipped", "check those rows for a missing or extra "
                            f"delimiter {delim!r} and re-export the file"))
    if extra_frames:
        df = pd.concat([df] + [f for f, _ in extra_frames], ignore_index=True)
        rows = np.concatenate([rows] + [r for _, r in extra_frames])
    return df, rows, problems


# --- binary formats ----------------------------------------------------------------------------
def _read_excel(path) -> RawTable:
    """First sheet with data, all cells as read by openpyxl (dates stay dates)."""
    limits.check_workbook(path)  # unpacked size, entries and each sheet's span, before parsing
    sheets = pd.read_excel(path, sheet_name=None, dtype=object)
    for df in sheets.values():
        df = df.dropna(how="all")
        if len(df.columns) and len(df):
            df.columns = _unique_names(df.columns)
            return RawTable(Path(path), "excel", df.reset_index(drop=True),
                            df.index.to_numpy() + 2)
    raise _unusable(path, "has no sheet with data rows; check the workbook and import it again.")


def _read_parquet(path) -> RawTable:
    """A Parquet file (GeoParquet becomes a GeoDataFrame)."""
    import pyarrow.parquet as pq

    limits.check_parquet(path)  # rows x columns from the footer, before any column is decoded

    if b"geo" in (pq.read_schema(path).metadata or {}):
        import geopandas as gpd
        gdf = gpd.read_parquet(path)
        return RawTable(Path(path), "geoparquet", gdf, np.arange(2, len(gdf) + 2))
    df = pd.read_parquet(path)
    return RawTable(Path(path), "parquet", df.reset_index(drop=True), np.arange(2, len(df) + 2))


def _read_geo(path, fmt) -> RawTable:
    """GeoJSON or (zipped) shapefile polygons via geopandas/pyogrio."""
    import geopandas as gpd

    with limits.unpacked(path) as target:  # a zip: bounded, then unpacked by Python, not GDAL
        try:
            gdf = gpd.read_file(target)
        except Exception as exc:  # pyogrio raises several types for unreadable files
            why = str(exc).replace(target, Path(path).name).splitlines()[0][:120]
            raise _unusable(path, f"could not be read as {fmt} ({why}); check that it is a "
                                  "complete GeoJSON or zipped shapefile.") from None
    return RawTable(Path(path), fmt, gdf, np.arange(2, len(gdf) + 2))
