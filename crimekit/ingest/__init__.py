"""Ingestion: real files -> crimekit's canonical tables, with a validation report.

Public API
----------
- ``read_table(path, *, format="auto", mapping=None, crs=None, ...) -> IngestResult``: one file.
- ``ingest_files(paths, *, name=None, ...) -> (Dataset, [ValidationReport])``: several files,
  folders, globs or zip archives (incidents, persons, beats or areas, patrols, pois; many
  monthly files of one source) combined into one ``crimekit.schema.Dataset``; a file that
  cannot be used is reported and skipped.
- ``propose_mapping(raw_df, format="auto") -> (preset name, {source column: field})`` and
  ``read_raw(path)``: for an app's "review and adjust the mapping" step.
- ``PRESETS``, ``available_formats()``, ``FIELDS``: what can be chosen.

Fatal problems raise ``crimekit.errors.UnusableInputError`` with one sentence naming the file
and what to do; everything else is collected in the report and the good rows are kept.
"""

from crimekit.ingest.dates import ORDERS
from crimekit.ingest.many_files import (import_into_store, import_summary, ingest_files,
                                        skipped_report)
from crimekit.ingest.mapping import FIELDS, available_formats, detect_kind, propose_mapping
from crimekit.ingest.one_file import IngestResult, Preview, incident_facts, preview, read_table
from crimekit.ingest.presets import PRESETS
from crimekit.ingest.readers import DEFAULT_MAX_BYTES, file_sha256, read_raw
from crimekit.ingest.validate import ValidationReport

__all__ = ["preview", "Preview", "read_table", "ingest_files", "import_into_store", "import_summary",
           "propose_mapping", "read_raw", "IngestResult", "ValidationReport", "PRESETS", "FIELDS",
           "available_formats", "detect_kind", "DEFAULT_MAX_BYTES", "file_sha256", "ORDERS"]
