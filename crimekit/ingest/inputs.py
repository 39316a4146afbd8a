"""What the user names -> the files to read: files, folders, globs and zip archives.

A force's police.uk download is a zip of monthly folders; St. Louis publishes one file per
month; an analyst drops a folder. :func:`expand_inputs` turns any mix of these into a list
of files, extracting archives of tables into a working folder (bounded by entry count,
unpacked size and compression ratio before anything is extracted; see ``limits``). Zipped shapefiles and Excel workbooks are
files in their own right and stay whole.
"""

from __future__ import annotations

import glob
import zipfile
from pathlib import Path

from crimekit.errors import UnusableInputError
from crimekit.ingest.limits import check_archive

#: File endings read as tables or polygons (anything else in a folder is left out).
TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet", ".geojson", ".json",
                  ".zip", ".shp")


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


def _extract(path: Path, workdir: Path) -> list[Path]:
    """The archive's table files, extracted under ``workdir`` once the archive has passed the
    bounds of :func:`crimekit.ingest.limits.check_archive` (entries, unpacked size, ratio)."""
    check_archive(path)
    with zipfile.ZipFile(path) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir() and _wanted(i.filename)]
        out = []
        for i, info in enumerate(sorted(infos, key=lambda x: x.filename)):
            target = workdir / f"{path.stem}-{i:05d}" / Path(info.filename).name
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, open(target, "wb") as dst:  # stops at declared size
                    for chunk in iter(lambda: src.read(1 << 20), b""):
                        dst.write(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
                raise UnusableInputError(f"{path.name}: {info.filename} inside the archive is "
                                         "damaged; zip the original files again.") from None
            out.append(target)
    return out


def expand_inputs(items, workdir) -> list[Path]:
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
            files = (_extract(path, Path(workdir))
                     if path.is_file() and _is_table_archive(path) else [path])
            for f in files:
                if f.resolve() not in seen:
                    seen.add(f.resolve())
                    out.append(f)
    return out
