"""Delimited text: decoding any encoding (UTF-8 with stray bytes, UTF-16, Windows-1252),
finding the delimiter, and parsing rows with pyarrow, every column as a string. Rows that
cannot be split are skipped and reported with their row numbers as in the file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from crimekit.errors import UnusableInputError
from crimekit.ingest.raw import RawTable, unique_names, unusable

#: The delimiters tried, in order of preference when two split a sample equally well.
DELIMITERS = (",", ";", "\t", "|")


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
        raise unusable(path, "is a binary file, not a text table; export the data as CSV, "
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
        raise unusable(path, "has no header line; add a first line naming the columns.")
    names = unique_names(first_line)
    header_end = _header_end(utf8, delim)
    body = utf8[header_end:]
    if not body.strip():
        raise unusable(path, "has a header but no data rows; export the data again with its "
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
