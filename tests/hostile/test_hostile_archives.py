"""Decompression bombs (issue 11, item 2): every archive, workbook and Parquet file is bounded
before it is parsed. Each bomb is read in a subprocess (address space capped, so a regression
cannot take the machine) that reports the seconds and the memory the refusal cost."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT, SHARED_DATA, run_page, unescaped
from crimekit.cli import main
from crimekit.errors import ParameterError
from crimekit.ingest.limits import ArchiveLimits

#: What a refusal may cost: well under a few seconds, and little memory beyond the imports.
MAX_SECONDS = 2.0
MAX_EXTRA_MB = 150

CHILD = r"""
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
from crimekit.ingest import read_raw
import geopandas, openpyxl, pyarrow.parquet  # imported before measuring, as in the app
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    raw = read_raw(sys.argv[1])
    outcome, message = "read", f"{len(raw.df)} rows"
except Exception as exc:
    outcome, message = type(exc).__name__, str(exc)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"outcome": outcome, "message": message, "seconds": seconds,
                  "extra_mb": (peak - base) / 1024, "peak_mb": peak / 1024}))
"""


def measure(path, **env) -> dict:
    """Read ``path`` with read_raw in a fresh process; its outcome, message, time and memory."""
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300, env={**os.environ, **env})
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"{path.name}: {result}")  # shown with -s: what each bomb now costs
    return result


def assert_refused(result, *words):
    assert result["outcome"] == "UnusableInputError", result
    message = result["message"]
    assert "\n" not in message and message.count(". ") <= 1, message
    assert "/" + "tmp" not in message and all(w in message for w in words), message
    assert result["seconds"] < MAX_SECONDS, result
    assert result["extra_mb"] < MAX_EXTRA_MB, result


# --- bomb makers --------------------------------------------------------------------------------

FEATURE = (b'{"type":"Feature","properties":{"beat":"B1","district":"D1"},"geometry":'
           b'{"type":"Polygon","coordinates":[[[77.5,12.5],[77.6,12.5],[77.6,12.6],'
           b'[77.5,12.6],[77.5,12.5]]]}},')


def geojson_bomb(path, unpacked_bytes: int):
    """A zip holding one GeoJSON of ``unpacked_bytes`` (honest sizes, compressed ~250x)."""
    block = FEATURE * 10_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("beats.geojson", "w", force_zip64=unpacked_bytes > 2**31) as fh:
            fh.write(b'{"type":"FeatureCollection","features":[')
            for _ in range(unpacked_bytes // len(block)):
                fh.write(block)
            fh.write(FEATURE[:-1] + b"]}")
    return path


XLSX_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
    'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="'
    'application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
    'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="'
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.'
    'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
    '</sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns='
    '"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>',
}
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
              'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
              '<row r="1"><c r="A1" t="inlineStr"><is><t>date</t></is></c>'
              '<c r="B1" t="inlineStr"><is><t>offence</t></is></c></row>')
SHEET_TAIL = "</sheetData></worksheet>"


def workbook(path, rows="", *, prolog="", sheet_bytes=0):
    """A minimal .xlsx whose sheet holds ``rows`` (XML), or ``sheet_bytes`` of repeated rows."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, text in XLSX_PARTS.items():
            zf.writestr(name, text)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write((prolog + SHEET_HEAD + rows).encode())
            block = ('<row><c t="inlineStr"><is><t>2024-01-01</t></is></c>'
                     '<c t="inlineStr"><is><t>Theft</t></is></c></row>' * 10_000).encode()
            for _ in range(sheet_bytes // len(block)):
                fh.write(block)
            fh.write(SHEET_TAIL.encode())
    return path


# --- zipped GeoJSON and shapefiles --------------------------------------------------------------

def test_small_zip_holding_a_huge_geojson_is_refused(tmp_path):
    """4 MB holding 1 GB imported 6 million beats in 253 s and 3.7 GB before; the same shape,
    smaller, is refused from the archive's table of contents alone (the full size: slow test)."""
    assert_refused(measure(geojson_bomb(tmp_path / "beats.zip", 60_000_000)),
                   "beats.zip", "compressed", "times")


@pytest.mark.slow
def test_four_mb_zip_holding_a_gigabyte_of_geojson_is_refused(tmp_path):
    bomb = geojson_bomb(tmp_path / "beats.zip", 1_000_000_000)
    assert bomb.stat().st_size < 5_000_000
    assert_refused(measure(bomb), "beats.zip")


def test_unpacked_size_is_capped_even_at_a_plausible_ratio(tmp_path):
    bomb = geojson_bomb(tmp_path / "beats.zip", 30_000_000)
    assert_refused(measure(bomb, CRIMEKIT_MAX_UNPACKED_MB="20",
                           CRIMEKIT_MAX_COMPRESSION_RATIO="1000"),
                   "unpacks to more than 20 MB", "1,000,000 bytes")


def test_zip_whose_headers_lie_about_the_unpacked_size_is_refused(tmp_path):
    """GDAL inflates an entry to the end of its stream whatever its header says (a 100 MB
    stream declared as 0.8 MB read 588,235 features); Python unpacks it instead, stopping at
    the declared size and checking the CRC."""
    honest = geojson_bomb(tmp_path / "honest.zip", 50_000_000)
    data = bytearray(honest.read_bytes())
    with zipfile.ZipFile(honest) as zf:
        info = zf.infolist()[0]
    declared = info.compress_size * 2
    data[22:26] = struct.pack("<I", declared)  # the local header's unpacked size
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = struct.pack("<I", declared)  # and the directory's
    liar = tmp_path / "liar.zip"
    liar.write_bytes(bytes(data))
    with zipfile.ZipFile(liar) as zf:
        assert zf.infolist()[0].file_size == declared
    assert_refused(measure(liar), "liar.zip", "damaged")


def test_zip_claiming_too_many_entries_is_refused_before_its_directory_is_read(tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("beats.geojson", FEATURE)
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    data[end + 8:end + 12] = struct.pack("<HH", 60_000, 60_000)
    path.write_bytes(bytes(data))
    assert_refused(measure(path), "60,000 entries", "10,000")


def test_zip_with_too_many_entries_is_refused(tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(60):
            zf.writestr(f"part{i}.geojson", b"{}")
    assert_refused(measure(path, CRIMEKIT_MAX_ARCHIVE_ENTRIES="50"), "60 entries")


def test_zip_entries_cannot_escape_the_unpacking_folder(tmp_path):
    from crimekit.ingest import read_raw
    path = tmp_path / "slip.zip"
    beats = (SHARED_DATA / "chicago_police_beats.geojson").read_bytes()
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../../escaped.geojson", beats)
    raw = read_raw(path)
    assert len(raw.df) > 100
    assert not (tmp_path.parent / "escaped.geojson").exists()
    assert not list(tmp_path.parent.parent.glob("escaped.geojson"))


def test_real_city_beats_pass_the_default_limits(tmp_path):
    """Chicago's police beats (zipped GeoJSON, compressed ~4x) and the demo city's beats as a
    zipped shapefile in a folder read as before."""
    from crimekit.ingest import read_raw
    from crimekit.synth import generate_city
    chicago = tmp_path / "chicago_beats.zip"
    with zipfile.ZipFile(chicago, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(SHARED_DATA / "chicago_police_beats.geojson", "chicago_police_beats.geojson")
    assert read_raw(chicago).fmt == "geojson" and len(read_raw(chicago).df) == 277
    beats = generate_city(7, years=0.2, scale=0.1).dataset.beats
    (tmp_path / "shp").mkdir()
    beats.to_file(tmp_path / "shp" / "beats.shp")
    shp = tmp_path / "beats_shp.zip"
    with zipfile.ZipFile(shp, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in (tmp_path / "shp").iterdir():
            zf.write(f, f"export/{f.name}")
    raw = read_raw(shp)
    assert raw.fmt == "shapefile" and len(raw.df) == len(beats)


# --- Excel workbooks ----------------------------------------------------------------------------

def test_workbook_with_huge_sheet_xml_is_refused(tmp_path):
    """2.6 MB holding 680 MB of sheet XML ran past 7 minutes before; the same shape, smaller,
    is refused from the table of contents (the full size: slow test)."""
    bomb = workbook(tmp_path / "crimes.xlsx", sheet_bytes=60_000_000)
    assert_refused(measure(bomb), "crimes.xlsx", "sheet1.xml", "times")


@pytest.mark.slow
def test_workbook_with_680_mb_of_sheet_xml_is_refused(tmp_path):
    bomb = workbook(tmp_path / "crimes.xlsx", sheet_bytes=680_000_000)
    assert bomb.stat().st_size < 5_000_000
    assert_refused(measure(bomb), "crimes.xlsx")


def test_two_kb_workbook_naming_a_far_cell_is_refused(tmp_path):
    """A cell at XFD1048576 made the Excel reader build 17 billion empty cells (MemoryError
    after 2.7 GB); the sheet's span is checked before it is parsed."""
    bomb = workbook(tmp_path / "far.xlsx", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    assert bomb.stat().st_size < 3000
    assert_refused(measure(bomb), "far.xlsx", "XFD1048576", "cells")


def test_workbook_with_entity_expansion_is_refused(tmp_path):
    lol = "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    prolog = f'<!DOCTYPE w [<!ENTITY l0 "lol">{lol}]>'
    bomb = workbook(tmp_path / "laughs.xlsx", '<row r="2"><c r="A2" t="inlineStr"><is><t>&l9;'
                    '</t></is></c></row>', prolog=prolog)
    assert_refused(measure(bomb), "laughs.xlsx", "DOCTYPE")


def test_real_workbook_passes_the_default_limits(tmp_path):
    from crimekit.ingest import read_raw
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>2024-01-{r % 28 + 1:02d} '
                   f'10:00</t></is></c><c r="B{r}" t="inlineStr"><is><t>Theft {r % 7}</t></is>'
                   f'</c></row>' for r in range(2, 3002))
    raw = read_raw(workbook(tmp_path / "real.xlsx", rows))
    assert raw.fmt == "excel" and len(raw.df) == 3000


# --- Parquet ------------------------------------------------------------------------------------

def test_parquet_declaring_200_million_rows_is_refused(tmp_path):
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    path = tmp_path / "rows.parquet"
    column = pa.table({"category": pa.array(np.zeros(10_000_000, dtype=np.int8))})
    with pq.ParquetWriter(path, column.schema, compression="zstd") as writer:
        for _ in range(20):
            writer.write_table(column)
    assert path.stat().st_size < 2_000_000
    assert_refused(measure(path), "rows.parquet", "200,000,000 rows")


# --- the command line and the app ---------------------------------------------------------------

def test_ingest_refuses_a_bomb_with_exit_2_and_one_sentence(tmp_path, capsys):
    bomb = geojson_bomb(tmp_path / "beats.zip", 30_000_000)
    assert main(["ingest", str(bomb), "--store", str(tmp_path / "store")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: beats.zip:") and len(err.splitlines()) == 1
    from crimekit.store import Store
    assert Store(tmp_path / "store").names() == []


def test_bad_limit_setting_is_one_sentence(monkeypatch):
    monkeypatch.setenv("CRIMEKIT_MAX_UNPACKED_MB", "lots")
    with pytest.raises(ParameterError, match="CRIMEKIT_MAX_UNPACKED_MB must be a number"):
        ArchiveLimits.from_env()
    with pytest.raises(ParameterError, match="max_ratio"):
        ArchiveLimits(max_ratio=0)


def test_app_refuses_an_uploaded_bomb_at_once(isolated_store, tmp_path):
    bomb = geojson_bomb(tmp_path / "beats.zip", 30_000_000).read_bytes()
    at = run_page("views/data.py")
    at.file_uploader(key="uploads").set_value(("beats.zip", bomb, "application/zip")).run()
    assert not at.exception
    errors = unescaped(" ".join(e.value for e in at.error))
    assert "beats.zip" in errors and "decompression bomb" in errors
    assert "crimekit-upload" not in errors and "/" + "tmp" not in errors
