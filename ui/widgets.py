"""Small shared pieces of the pages: escaping data text for Markdown, downloads, uploads,
plain tables, verdict lines, the limits note."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd
import streamlit as st


from crimekit import export

LIMITS_NOTE = (
    "**Limits.** These figures learn from *recorded* crime, which reflects where police already "
    "look and what people report, not all crime. Patrolling predicted places records more crime "
    "there, which can feed back into the next prediction. Use them to ask questions about places "
    "and times, never to judge individuals.")

# --- small shared pieces ------------------------------------------------------------------------

#: The characters Markdown (CommonMark, GFM, Streamlit's :color[] and :emoji:, $math$) gives
#: a meaning to; a backslash makes each one plain text.
_MD_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&@^])")


#: An absolute path (a folder of the server: the store, the upload or temporary folder).
_ABS_PATH = re.compile(r"(?<![\w.~/-])(?:[A-Za-z]:)?/(?:[^\s'\"`/]+/)+[^\s'\"`/]*")
_CODE_SPAN = re.compile(r"(`[^`\n]*`)")


def scrub(text) -> str:
    """``text`` without the server's folders: every absolute path keeps only its last part
    (the file name), so no message shows where the store or the uploads live."""
    return _ABS_PATH.sub(lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1], str(text))


def message(text) -> str:
    """A message from crimekit for Markdown (``st.error``, ``st.info``...): it may quote data
    (a file name, a crime head, a value), so paths are removed (:func:`scrub`) and the text is
    escaped (:func:`md`), keeping only its `code` spans (commands to run) as they are."""
    parts = _CODE_SPAN.split(scrub(text))
    return "".join(part if i % 2 else md(part) for i, part in enumerate(parts))


def md(text) -> str:
    """Data text (a crime head, a beat, a file or column name, a value) made safe to put inside
    Markdown: every punctuation character is backslash-escaped and line breaks become spaces, so
    ``![x](http://...)`` shows as those characters instead of loading a remote image, and
    ``**``, ``_``, ``$``, ``:red[...]``, links and HTML stay text. Use it wherever data text
    meets ``st.markdown``, ``st.write``, captions, alerts, titles or widget labels; tables
    (``st.dataframe``) and select options show plain text and need no escaping. Quotes,
    commas, slashes and ``= ? % ;`` mean nothing in Markdown and stay as they are."""
    text = re.sub(r"[\r\n\t\x00-\x1f\x7f]+", " ", str(text))
    return _MD_PUNCTUATION.sub(r"\\\1", text)


def log_run_time(page: str, started: float) -> None:
    """Append how long this script run took to $CRIMEKIT_TIMING_LOG (for bench/bench_app.py)."""
    path = os.environ.get("CRIMEKIT_TIMING_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"{time.time():.3f}\t{page}\t{time.perf_counter() - started:.3f}\n")


def download(df: pd.DataFrame, filename: str, label: str | None = None, key: str | None = None):
    """A CSV download button for a table (spreadsheet-safe)."""
    st.download_button(label or f"Download {filename}", export.to_csv_bytes(df),
                       file_name=filename, mime="text/csv", key=key or f"dl_{filename}")


#: How long an upload folder left by a session that ended may stay (seconds).
STALE_UPLOADS_S = 24 * 3600


def _upload_dir(create: bool) -> Path | None:
    """This session's folder for uploaded files: made once, when the first file arrives (not
    on every rerun); None when there is none and ``create`` is False."""
    folder = st.session_state.get("_upload_dir")
    if folder and Path(folder).is_dir():
        return Path(folder)
    if not create:
        return None
    _remove_stale_uploads()
    folder = tempfile.mkdtemp(prefix="crimekit-upload-")
    st.session_state["_upload_dir"] = folder
    return Path(folder)


def _remove_stale_uploads() -> None:
    """Delete upload folders of sessions that ended more than a day ago (they can hold names)."""
    now = time.time()
    for folder in Path(tempfile.gettempdir()).glob("crimekit-upload-*"):
        with contextlib.suppress(OSError):
            if now - folder.stat().st_mtime > STALE_UPLOADS_S:
                shutil.rmtree(folder, ignore_errors=True)


def save_uploads(uploads) -> list:
    """Write uploaded files to this session's temp folder (once each, keeping their names so
    reports can name them) and return their paths. Files no longer in the uploader are deleted,
    and so is the folder once it is empty; files already imported are not written again."""
    imported = st.session_state.get("_imported_uploads", set())
    fresh = [u for u in uploads or () if _upload_key(u) not in imported]
    folder = _upload_dir(create=bool(fresh))
    if folder is None:
        return []
    paths = []
    for upload in fresh:
        path = folder / _upload_key(upload) / (Path(upload.name).name or "upload")
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(upload.getbuffer())
        paths.append(path)
    keep = {p.parent.name for p in paths}
    for sub in folder.iterdir():
        if sub.name not in keep:
            shutil.rmtree(sub, ignore_errors=True)
    if not paths:
        shutil.rmtree(folder, ignore_errors=True)
        st.session_state.pop("_upload_dir", None)
    return paths


def discard_uploads(paths, *, imported: bool) -> None:
    """Delete uploaded files after an import (they can hold names). Imported ones are not
    written again while the uploader still lists them; after a failed import the next run
    writes them again, so the analyst can change the mapping and retry."""
    if imported:
        st.session_state.setdefault("_imported_uploads", set()).update(
            Path(p).parent.name for p in paths)
    for path in paths:
        shutil.rmtree(Path(path).parent, ignore_errors=True)
    folder = _upload_dir(create=False)
    if folder is not None and not any(folder.iterdir()):
        shutil.rmtree(folder, ignore_errors=True)
        st.session_state.pop("_upload_dir", None)


def _upload_key(upload) -> str:
    """A folder name for one uploaded file (its id in this session)."""
    return re.sub(r"[^0-9A-Za-z_-]", "_", str(upload.file_id))[:80] or "upload"


def p_text(p) -> str:
    """A p- or q-value for a table: "< 0.001", "0.012", or "-" when there is no test."""
    if p is None or pd.isna(p):
        return "-"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def plain(df: pd.DataFrame, labels: dict, *, p=(), percent=(), dates=(), digits=None):
    """A table for people: only the ``labels`` columns ({column: label}, in that order),
    p-values as text, shares as "+12.5%" ("-" when missing) and dates as dates. Downloads keep
    the machine columns; this is what a page shows."""
    out = df[[c for c in labels if c in df]].copy()
    for c in p:
        if c in out:
            out[c] = out[c].map(p_text)
    for c in percent:
        if c in out:
            out[c] = out[c].map(lambda v: "-" if pd.isna(v) else f"{v:+.1%}")
    for c in dates:
        if c in out:
            out[c] = pd.to_datetime(out[c]).dt.strftime("%d %b %Y")
    if digits is not None:
        out = out.round(digits)
    return out.rename(columns=labels)


def limits_note() -> None:
    """The plain note on what predictions from recorded crime can and cannot tell."""
    st.caption(LIMITS_NOTE)


def stop_if_empty(view, what: str = "incidents") -> None:
    """Stop the page with a plain message when the filtered view has nothing to show."""
    if not len(view.incidents):
        st.info(f"No {what} match the current filters. Widen the date range or clear the "
                "crime head and district filters in the sidebar.")
        st.stop()
