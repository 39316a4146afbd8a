"""The manifest of a stored dataset (``manifest.json``): what :func:`manifest_for` records
(name, created time, row counts, date range, source files with sha256, validation summaries,
meta) and the schema :func:`check_manifest` checks every manifest against when it is read."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd


def _json_default(value):
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_text_or_none(value) -> bool:
    return value is None or isinstance(value, str)


def check_manifest(m) -> None:
    """Raise ValueError saying what is wrong when ``m`` is not a manifest this store wrote.

    Required: ``name`` (text), ``rows`` ({table: count >= 0}), ``sources`` (a list of
    {"file": text, "sha256": text}). Optional: ``created``, ``first``, ``last`` (text or null),
    ``reports`` (a list of {"file": text, "rows_read": count, "rows_kept": count, ...}),
    ``meta`` (an object).
    """
    if not isinstance(m, dict):
        raise ValueError(f"it holds a JSON {type(m).__name__}, not an object")
    for key in ("name", "rows", "sources"):
        if key not in m:
            raise ValueError(f"it has no {key!r}")
    if not isinstance(m["name"], str):
        raise ValueError("'name' is not text")
    rows = m["rows"]
    if not isinstance(rows, dict) or not all(isinstance(k, str) and _is_count(v)
                                             for k, v in rows.items()):
        raise ValueError("'rows' is not an object of row counts")
    sources = m["sources"]
    if not isinstance(sources, list) or not all(
            isinstance(s, dict) and isinstance(s.get("file"), str)
            and isinstance(s.get("sha256"), str) for s in sources):
        raise ValueError("'sources' is not a list of {file, sha256}")
    for key in ("created", "first", "last"):
        if not _is_text_or_none(m.get(key)):
            raise ValueError(f"{key!r} is not text")
    reports = m.get("reports", [])
    if not isinstance(reports, list) or not all(
            isinstance(r, dict) and isinstance(r.get("file"), str)
            and _is_count(r.get("rows_read")) and _is_count(r.get("rows_kept"))
            and isinstance(r.get("problems", []), list)
            and all(isinstance(p, dict) for p in r.get("problems", [])) for r in reports):
        raise ValueError("'reports' is not a list of validation summaries")
    if not isinstance(m.get("meta", {}), dict):
        raise ValueError("'meta' is not an object")


def manifest_for(ds, counts: dict, sources=(), reports=()) -> dict:
    """The manifest of dataset ``ds`` whose tables were written with ``counts`` rows each;
    ``sources`` is [(file name, sha256)], ``reports`` validation reports or their summaries."""
    first, last = ds.date_range
    return {
        "name": ds.name, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "rows": counts, "first": first.isoformat() if first is not None else None,
        "last": last.isoformat() if last is not None else None,
        "sources": [{"file": f, "sha256": h} for f, h in sources],
        "reports": [r.summary() if hasattr(r, "summary") else r for r in reports],
        "meta": {k: v for k, v in ds.meta.items() if k != "reports"},
    }


def manifest_text(manifest: dict) -> str:
    """The manifest as the JSON text written to ``manifest.json``."""
    return json.dumps(manifest, indent=2, default=_json_default)
