"""Bounds checked before an archive is parsed: decompression bombs are refused, not expanded.

A zipped shapefile or GeoJSON and every Excel workbook (an .xlsx is a zip of XML files) can
expand to far more than its size: a 4 MB zip can hold 1 GB of GeoJSON, a 2 KB workbook can name
a cell 17 billion cells away from the first, a 1 MB Parquet file can declare 200 million rows,
and parsing any of them takes minutes and gigabytes.
:func:`check_archive` reads only the zip's central directory (its table of contents) and
refuses, in one sentence, an archive with too many entries, too much data once unpacked, or an
entry compressed far beyond what real data allows. :func:`check_workbook` also scans each sheet's
cell references (streamed, within those bounds) and refuses a sheet whose used range would hold
too many cells, or holds a document type definition (entity expansion); :func:`check_parquet`
reads a Parquet file's footer and refuses one that declares too many cells.

Sizes are in MB of 1,000,000 bytes, as every crimekit message says. The defaults let a real
city's files through (an unpacked archive as large as the largest plain file crimekit accepts,
500 MB; real data compresses 3 to 30 times); a deployment can change them with environment
variables (see :meth:`ArchiveLimits.from_env`).
"""

from __future__ import annotations

import contextlib
import os
import re
import struct
import tempfile
import zipfile
from dataclasses import dataclass, fields
from pathlib import Path

from crimekit.errors import ParameterError, UnusableInputError

MB = 1_000_000
#: Environment variables that override the defaults, by field of ArchiveLimits.
ENV = {"max_unpacked_mb": "CRIMEKIT_MAX_UNPACKED_MB", "max_entries": "CRIMEKIT_MAX_ARCHIVE_ENTRIES",
       "max_ratio": "CRIMEKIT_MAX_COMPRESSION_RATIO", "max_cells": "CRIMEKIT_MAX_TABLE_CELLS"}


@dataclass(frozen=True)
class ArchiveLimits:
    """How far an archive may expand before crimekit refuses to parse it.

    Attributes
    ----------
    max_unpacked_mb : total size of every entry once unpacked, in MB (10**6 bytes).
    max_entries : files (and folders) in the archive.
    max_ratio : unpacked size / packed size of one entry larger than ``ratio_floor_mb``
        (real tables and polygons compress 3 to 30 times; bombs 200 to 1,000 times).
    ratio_floor_mb : entries smaller than this unpack quickly whatever their ratio.
    max_cells : rows x columns a workbook sheet's cell references may span, or a Parquet file
        may hold (its rows are run-length encoded: a few kB can declare a billion rows). 50
        million is about what a 500 MB CSV holds.
    """

    max_unpacked_mb: float = 500.0
    max_entries: int = 10_000
    max_ratio: float = 100.0
    ratio_floor_mb: float = 10.0
    max_cells: int = 50_000_000

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, (int, float)) or not value > 0:
                raise ParameterError.invalid(f.name, "ArchiveLimits", "a number > 0", value)

    @classmethod
    def from_env(cls, environ=None) -> "ArchiveLimits":
        """The defaults, overridden by CRIMEKIT_MAX_UNPACKED_MB, CRIMEKIT_MAX_ARCHIVE_ENTRIES,
        CRIMEKIT_MAX_COMPRESSION_RATIO and CRIMEKIT_MAX_TABLE_CELLS where set."""
        environ = os.environ if environ is None else environ
        values = {}
        for name, var in ENV.items():
            raw = environ.get(var, "").strip()
            if raw:
                try:
                    values[name] = float(raw) if name in ("max_unpacked_mb", "max_ratio") \
                        else int(raw)
                except ValueError:
                    raise ParameterError(f"The environment variable {var} must be a number; "
                                         f"got {raw!r}.") from None
        return cls(**values)


def _refuse(path, what) -> UnusableInputError:
    return UnusableInputError(f"{Path(path).name}: {what}")


def megabytes(n_bytes) -> str:
    """``n_bytes`` as MB of 1,000,000 bytes, for messages ("1,073.7 MB")."""
    return f"{n_bytes / MB:,.1f} MB"


def too_large(path, size: int, max_bytes: int) -> UnusableInputError:
    """The refusal of a file larger than ``max_bytes``, in MB of 10**6 bytes (exact bytes when
    the rounded sizes would read the same)."""
    shown, limit = megabytes(size), f"{max_bytes / MB:,.4g} MB (MB = 1,000,000 bytes)"
    if round(size / MB, 1) <= max_bytes / MB:
        shown, limit = f"{size:,} bytes", f"{max_bytes:,} bytes"
    return _refuse(path, f"the file is {shown}, larger than the limit of {limit}; split it "
                         "into smaller files (for example one per year) and import them "
                         "together.")


# --- zip archives (zipped shapefiles and GeoJSON, Excel workbooks) ------------------------------

def is_zip(path) -> bool:
    """Whether the file starts like a zip archive (an .xlsx is one)."""
    with open(path, "rb") as fh:
        return fh.read(4) == b"PK\x03\x04"


def _directory_size(path) -> tuple[int, int]:
    """(entries, bytes) of the zip's central directory, read from its end record only, so an
    archive claiming millions of entries is refused before Python reads its directory."""
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        fh.seek(max(0, size - 65_557))  # the end record (22 bytes) + the longest comment
        tail = fh.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            raise ValueError("no end of central directory")
        _sig, _disk, _cd_disk, _here, entries, cd_bytes, _offset, _comment = struct.unpack(
            "<4sHHHHIIH", tail[at:at + 22])
        if entries == 0xFFFF or cd_bytes == 0xFFFFFFFF:  # ZIP64: the real counts are elsewhere
            loc = tail[at - 20:at] if at >= 20 else b""
            if not loc.startswith(b"PK\x06\x07"):
                raise ValueError("no ZIP64 locator")
            _sig, _disk, offset, _disks = struct.unpack("<4sIQI", loc)
            fh.seek(offset)
            record = fh.read(56)
            if len(record) < 56 or not record.startswith(b"PK\x06\x06"):
                raise ValueError("no ZIP64 end record")
            entries, cd_bytes = struct.unpack("<QQ", record[32:48])
    return entries, cd_bytes


def check_archive(path, limits: ArchiveLimits | None = None) -> list:
    """Refuse a zip archive that would expand beyond ``limits`` (default: from the
    environment), reading only its central directory; return its entries (ZipInfo) when it
    passes. A file that is not a zip archive passes unchecked (returns [])."""
    limits = limits or ArchiveLimits.from_env()
    if not is_zip(path):
        return []
    try:
        entries, cd_bytes = _directory_size(path)
    except (OSError, ValueError, struct.error):
        raise _refuse(path, "is a damaged zip archive (its table of contents cannot be read); "
                            "export or zip the file again and import the new one.") from None
    if entries > limits.max_entries or cd_bytes > limits.max_entries * 4096 + 65_536:
        raise _refuse(path, f"the archive holds {entries:,} entries, more than the limit of "
                            f"{limits.max_entries:,}; unzip it and import the files inside.")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _refuse(path, "is a damaged zip archive; export or zip the file again and import "
                            "the new one.") from None
    if len(infos) > limits.max_entries:
        raise _refuse(path, f"the archive holds {len(infos):,} entries, more than the limit of "
                            f"{limits.max_entries:,}; unzip it and import the files inside.")
    total = 0
    for info in infos:
        unpacked, packed = info.file_size, info.compress_size
        if packed > unpacked * 1.01 + 1024:  # deflate never shrinks data this way round
            raise _refuse(path, f"{info.filename} inside the archive declares {unpacked:,} "
                                f"bytes but holds {packed:,} compressed bytes, so the archive is "
                                "damaged or crafted; zip the original files again.")
        if unpacked > limits.ratio_floor_mb * MB and unpacked > limits.max_ratio * max(packed, 1):
            raise _refuse(path, f"{info.filename} inside the archive is compressed "
                                f"{unpacked / max(packed, 1):,.0f} times ({megabytes(packed)} "
                                f"unpacking to {megabytes(unpacked)}), more than real data ever "
                                f"is (the limit is {limits.max_ratio:g} times), so it is refused "
                                "as a decompression bomb; if it is genuine, unzip it and import "
                                "the file inside.")
        total += unpacked
        if total > limits.max_unpacked_mb * MB:
            raise _refuse(path, f"the archive unpacks to more than {limits.max_unpacked_mb:,g} "
                                "MB (MB = 1,000,000 bytes), the limit for unpacked data; split "
                                "the data into smaller files and import them together.")
    return infos


@contextlib.contextmanager
def unpacked(path, limits: ArchiveLimits | None = None):
    """The path GDAL should read for ``path``: a zipped shapefile or GeoJSON is checked by
    :func:`check_archive`, then unpacked by Python into a temporary folder (removed afterwards),
    because Python stops each entry at its declared size and checks its CRC, while GDAL would
    inflate an entry whose header lies about its size to the end; any other file is its own path.
    """
    infos = check_archive(path, limits)
    if not infos:
        yield str(path)
        return
    with tempfile.TemporaryDirectory(prefix="crimekit-unzip-") as tmp:
        try:
            with zipfile.ZipFile(path) as zf:
                for info in infos:
                    if not info.is_dir() and not info.filename.startswith("__MACOSX/"):
                        zf.extract(info, tmp)  # never outside tmp: zipfile drops ".." and "/"
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
            raise _refuse(path, "is a damaged, encrypted or unsupported zip archive (its data "
                                "does not match its table of contents); zip the original files "
                                "again and import the new archive.") from None
        files = sorted(p for p in Path(tmp).rglob("*") if p.is_file())
        shapes = [p for p in files if p.suffix.lower() == ".shp"]
        geojson = [p for p in files if p.suffix.lower() in (".geojson", ".json")]
        yield str(shapes[0] if shapes else geojson[0] if geojson else tmp)


# --- Excel workbooks ----------------------------------------------------------------------------

_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=\"([0-9]{1,10})\"")
_CELL_REF = re.compile(rb"\sr=\"([A-Z]{1,4})([0-9]{1,10})\"")
_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _sheet_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int, str]:
    """(last row, last column, last cell) referenced anywhere in a worksheet's XML, streamed."""
    max_row = max_col = 0
    last = ""
    carry = b""
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            data = carry + chunk
            for m in _ROW_REF.finditer(data):
                max_row = max(max_row, int(m.group(1)))
            for m in _CELL_REF.finditer(data):
                row, col = int(m.group(2)), _column_number(m.group(1))
                if row * col > max_row * max_col or col > max_col:
                    last = f"{m.group(1).decode()}{row}"
                max_row, max_col = max(max_row, row), max(max_col, col)
            carry = data[-64:]  # a reference cut at the chunk's end is found in the next one
    return max_row, max_col, last


def check_workbook(path, limits: ArchiveLimits | None = None) -> None:
    """Refuse an Excel workbook that would expand beyond ``limits`` before it is parsed: the
    archive bounds of :func:`check_archive`; any XML part with a document type definition
    (Excel never writes one; entities can expand a few bytes into gigabytes); then, per sheet,
    the span of its cell references (a stray cell at XFD1048576 makes a reader build 17 billion
    empty cells)."""
    limits = limits or ArchiveLimits.from_env()
    infos = check_archive(path, limits)
    if not infos:
        return
    try:
        with zipfile.ZipFile(path) as zf:
            for info in infos:
                if info.filename.lower().endswith((".xml", ".rels")):
                    with zf.open(info) as fh:
                        if b"<!DOCTYPE" in fh.read(65_536).upper():
                            raise _refuse(path, f"{info.filename} inside the workbook declares "
                                                "XML entities (<!DOCTYPE>), which Excel never "
                                                "writes; open it in Excel, save it again as "
                                                ".xlsx (or CSV) and import the new file.")
                if not _SHEET.match(info.filename):
                    continue
                rows, cols, last = _sheet_extent(zf, info)
                if rows * cols > limits.max_cells:
                    sheet = Path(info.filename).stem
                    raise _refuse(path, f"{sheet} of the workbook reaches cell {last or '?'} "
                                        f"({rows:,} rows x {cols:,} columns), more than the "
                                        f"limit of {limits.max_cells:,} cells; delete what lies "
                                        "far below or to the right of the data (or save the "
                                        "sheet as CSV) and import it again.")
    except UnusableInputError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise _refuse(path, "is a damaged Excel workbook; open it in Excel, save it again as "
                            ".xlsx (or CSV) and import the new file.") from None


# --- Parquet files -------------------------------------------------------------------------------

def check_parquet(path, limits: ArchiveLimits | None = None) -> None:
    """Refuse a Parquet file whose footer declares more than ``limits.max_cells`` cells (rows x
    columns), before any column is decoded."""
    import pyarrow.parquet as pq

    limits = limits or ArchiveLimits.from_env()
    try:
        meta = pq.ParquetFile(path).metadata
    except Exception:  # noqa: BLE001 - pyarrow raises several types for damaged footers
        return  # unreadable: the reader says so in its own words
    cells = meta.num_rows * max(meta.num_columns, 1)
    if cells > limits.max_cells:
        raise _refuse(path, f"the Parquet file declares {meta.num_rows:,} rows x "
                            f"{meta.num_columns:,} columns, more than the limit of "
                            f"{limits.max_cells:,} cells; split it into smaller files (for "
                            "example one per year) and import them together.")
