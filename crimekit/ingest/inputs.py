"""What the user names -> the files to read: files, folders, globs and zip archives.

A force's police.uk download is a zip of monthly folders; St. Louis publishes one file per
month; an analyst drops a folder. :func:`expand_inputs` turns any mix of these into a list
of files, extracting archives of tables into a working folder (bounded by entry count and
uncompressed size before anything is extracted). Zipped shapefiles and Excel workbooks are
files in their own right and stay whole.
"""

from __future__ import annotations

import glob
import zipfile
from pathlib import Path

from crimekit.errors import UnusableInputError

#: File endings read as tables or polygons (anything else in a folder is left out).
TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet", ".geojson", ".json",
                  ".zip", ".shp")
MAX_ARCHIVE_ENTRIES = 10_000
#: Uncompressed bytes an archive of tables may expand to, by default (a force's 5 years of
#: police.uk files are ~1 GB).
MAX_ARCHIVE_BYTES = 4_000_000_000


def _is_table_archive(path: Path) -> bool:
    """A zip of tables (not a shapefile, not an Excel workbook)."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as zf:
        names = [n.lower() for n in zf.namelist()]
    if any(n.startswith("xl/") for n in names) or any(n.endswith(".shp") for n in names):
        return False
    return any(n.endswith(TABLE_SUFFIXES) for n in names)


def _wanted(name: str) -> bool:
    parts = Path(name).parts
    return (name.lower().endswith(TABLE_SUFFIXES) and not any(
        p.startswith((".", "__MACOSX")) for p in parts) and not Path(name).name.startswith(
        ("truth", ".")))


def _extract(path: Path, workdir: Path, max_bytes: int) -> list[Path]:
    """The archive's table files, extracted under ``workdir`` after checking the bounds."""
    with zipfile.ZipFile(path) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir() and _wanted(i.filename)]
        if len(zf.infolist()) > MAX_ARCHIVE_ENTRIES:
            raise UnusableInputError(f"{path.name}: the archive holds {len(zf.infolist()):,} "
                                     f"entries, more than {MAX_ARCHIVE_ENTRIES:,}; unzip it and "
                                     "import the files you need.")
        total = sum(i.file_size for i in infos)
        if total > max_bytes:
            raise UnusableInputError(f"{path.name}: the archive expands to {total / 1e6:,.0f} MB"
                                     f", more than the {max_bytes / 1e6:,.0f} MB allowed; unzip "
                                     "it and import a part (for example one year) at a time.")
        out = []
        for i, info in enumerate(sorted(infos, key=lambda x: x.filename)):
            target = workdir / f"{path.stem}-{i:05d}" / Path(info.filename).name
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as dst:
                left = info.file_size + 1
                for chunk in iter(lambda: src.read(1 << 20), b""):
                    left -= len(chunk)
                    if left < 0:  # the entry lies about its size
                        raise UnusableInputError(f"{path.name}: {info.filename} expands beyond "
                                                 "the size its archive declares; the archive "
                                                 "is damaged or unsafe.")
                    dst.write(chunk)
            out.append(target)
    return out


def expand_inputs(items, workdir, *, max_archive_bytes: int = MAX_ARCHIVE_BYTES) -> list[Path]:
    """Files to read from ``items`` (files, folders searched recursively, glob patterns, zip
    archives of tables extracted into ``workdir``), in a stable order, without repeats."""
    out, seen = [], set()
    for item in ([items] if isinstance(items, (str, Path)) else items):
        text = str(item)
        if any(ch in text for ch in "*?[") and not Path(text).exists():
            found = sorted(Path(p) for p in glob.glob(text, recursive=True))
            if not found:
                raise UnusableInputError(f"No file matches {Path(text).name!r}; check the "
                                         "pattern and the folder.")
        elif Path(text).is_dir():
            found = sorted(p for p in Path(text).rglob("*") if p.is_file()
                           and _wanted(str(p.relative_to(text))))
            if not found:
                raise UnusableInputError(f"The folder {Path(text).name!r} holds no CSV, Excel, "
                                         "Parquet, GeoJSON or zip file.")
        else:
            found = [Path(text)]
        for path in found:
            files = (_extract(path, Path(workdir), max_archive_bytes)
                     if path.is_file() and _is_table_archive(path) else [path])
            for f in files:
                if f.resolve() not in seen:
                    seen.add(f.resolve())
                    out.append(f)
    return out
