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
        table = _read_excel(path, sheet)
    elif fmt == "parquet":
        table = _read_parquet(path)
    else:
        table = _read_geo(path, fmt)
    if len(table.df) == 0:
        raise _unusable(path, "has a header but no data rows; export the data again with its "
                              "rows and import the new file.")
    return RawTable(**{**table.__dict__, "sha256": digest})


# --- text files --------------------------------------------------------------------------------
def decode(path, data: bytes) -> tuple[bytes, str, list]:
    """Return (UTF-8 bytes, the encoding the file was in, read problems); refuse binary files.

    A UTF-8 file with a few stray bytes from another encoding is decoded line by line: only
    the lines that are not valid UTF-8 are read as Windows-1252, and they are reported, so one
    bad byte cannot turn every accented name of the file into mojibake. A file with no valid
    multi-byte UTF-8 at all is read whole as Windows-1252.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strip_nul(data.decode("utf-16").encode("utf-8"), "utf-16")
    sample = data[:4096]
    if sample.count(b"\x00") > len(sample) // 4:  # UTF-16 without a byte-order mark
        enc = "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
        try:
            return _strip_nul(data.decode(enc).encode("utf-8"), enc)
        except UnicodeDecodeError:
            pass
    control = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 13))
    if control > max(len(sample) // 20, 2):
        raise _unusable(path, "is a binary file, not a text table; export the data as CSV, "
                              "Excel or Parquet and import that file.")
    try:
        data.decode("utf-8")
        return _strip_nul(data, "utf-8")
    except UnicodeDecodeError:
        pass
    lines, stray, any_utf8 = data.split(b"\n"), [], False
    for i, line in enumerate(lines):
        try:
            line.decode("utf-8")
            any_utf8 = any_utf8 or not line.isascii()
        except UnicodeDecodeError:
            stray.append(i)
    if not any_utf8:
        return _strip_nul(_cp1252(data), "cp1252")
    for i in stray:
        lines[i] = _cp1252(lines[i])
    utf8, _, problems = _strip_nul(b"\n".join(lines), "utf-8")
    problems.insert(0, ("bytes that are not UTF-8 (a character from another encoding)",
                        [i + 1 for i in stray], "those rows read as Windows-1252, the rest as "
                        "UTF-8", "check the accented letters in those rows; save the file as "
                        "UTF-8 to silence this"))
    return utf8, "utf-8", problems


def _cp1252(data: bytes) -> bytes:
    """Windows-1252 bytes as UTF-8 (the five bytes it leaves undefined read as Latin-1)."""
    try:
        return data.decode("cp1252").encode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1").encode("utf-8")


def _strip_nul(utf8: bytes, encoding: str) -> tuple[bytes, str, list]:
    """Remove NUL characters (never meaningful in a table) and report the lines that had them."""
    if b"\x00" not in utf8:
        return utf8, encoding, []
    lines = utf8.split(b"\n")
    rows = [i + 1 for i, line in enumerate(lines) if b"\x00" in line]
    return utf8.replace(b"\x00", b""), encoding, [(
        "NUL characters inside the text (an export or copy error)", rows, "removed, values kept",
        "nothing; re-export the file to silence this")]


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
    utf8, encoding, decode_problems = decode(path, data)
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
    df, rows, huge = _drop_huge_fields(df, rows)
    return RawTable(Path(path), "csv", df, rows, encoding, delim,
                    decode_problems + problems + huge)


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
    block = 8 << 20

    def on_bad(row):
        bad.append((row.number, row.text))
        return "skip"

    def parse(threads):
        bad.clear()
        return pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=threads,
                                           block_size=block),
            parse_options=pacsv.ParseOptions(delimiter=delim, invalid_row_handler=on_bad,
                                             newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=True,
                null_values=[""], quoted_strings_can_be_null=True))

    try:
        table = parse(True)
    except pa.ArrowInvalid as exc:
        if "straddling" not in str(exc):
            raise UnusableInputError(f"its rows cannot be split into columns ({str(exc)[:80]}); "
                                     "re-export the file as CSV.") from None
        block = len(body) + 1  # a field longer than a block: read the body as one block
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


#: A field longer than this is an export error (a whole file pasted into a cell), not data.
MAX_FIELD_CHARS = 1_000_000


def _drop_huge_fields(df, rows):
    """Drop rows with a field over MAX_FIELD_CHARS characters, reporting them."""
    huge = np.zeros(len(df), bool)
    for col in df.columns:
        lengths = df[col].str.len()
        if lengths.max(skipna=True) > MAX_FIELD_CHARS if lengths.notna().any() else False:
            huge |= (lengths > MAX_FIELD_CHARS).fillna(False).to_numpy()
    if not huge.any():
        return df, rows, []
    return (df[~huge].reset_index(drop=True), rows[~huge],
            [(f"a field of over {MAX_FIELD_CHARS:,} characters (an export error)",
              rows[huge].tolist(), "row skipped", "check those rows in the source")])


# --- binary formats ----------------------------------------------------------------------------
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


def _read_excel(path, sheet=None) -> RawTable:
    """One sheet, all cells as read by openpyxl (dates stay dates): ``sheet`` (a name) when
    given, else the sheet whose header names the most known fields (so a data sheet after a
    notes sheet is found), else the first sheet with data."""
    limits.check_workbook(path)  # unpacked size, entries and each sheet's span, before parsing
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=object)
    except Exception as exc:  # noqa: BLE001 - zip, XML and openpyxl errors of damaged files
        raise _unusable(path, "could not be read as an Excel workbook "
                              f"({type(exc).__name__}); open it in Excel, save it again as "
                              ".xlsx (or as CSV) and import that file.") from None
    if sheet is not None:
        if sheet not in sheets:
            raise _unusable(path, f"has no sheet named {sheet!r}; its sheets are "
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
        raise _unusable(path, f"{what}; check the workbook and import it again.")
    name, df = best
    df.columns = _unique_names(df.columns)
    notes = () if len(sheets) == 1 else (f"read sheet {name!r} of {len(sheets)} "
                                         f"({', '.join(map(repr, sheets))})",)
    return RawTable(Path(path), "excel", df.reset_index(drop=True), df.index.to_numpy() + 2,
                    notes=notes)


def _read_parquet(path) -> RawTable:
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
        raise _unusable(path, "could not be read as Parquet (the file is damaged or "
                              f"incomplete: {type(exc).__name__}); export it again.") from None
    for col in df.columns:
        if df[col].dtype == object and df[col].map(
                lambda v: isinstance(v, (list, dict, np.ndarray))).any():
            import json
            df[col] = df[col].map(lambda v: json.dumps(
                v.tolist() if isinstance(v, np.ndarray) else v, default=str)
                if isinstance(v, (list, dict, np.ndarray)) else v)
    return RawTable(Path(path), "parquet", df.reset_index(drop=True), np.arange(2, len(df) + 2))


def _read_geo(path, fmt) -> RawTable:
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
            raise _unusable(path, f"could not be read as {fmt} ({why}); check that it is a "
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
        raise _unusable(path, f"is not valid GeoJSON ({str(exc)[:80]}); export the "
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
