"""Open a dataset from what a user names on the command line: ``demo``, a stored dataset's
name, a file (any supported format, detected automatically) or a folder of files."""

from __future__ import annotations

from pathlib import Path

from crimekit.errors import DatasetNotFoundError
from crimekit.filters import apply_filters
from crimekit.schema import Dataset

DEMO_NAMES = ("demo", "demo-city")


def open_dataset(spec: str, *, store_root=None, filters=None) -> Dataset:
    """The dataset ``spec`` names, with only the incidents (and their persons) that pass
    ``filters`` (a :class:`~crimekit.filters.Filters`) when given.

    - ``demo``: the synthetic demo city (seed 7);
    - an existing file or folder: read and validated on the fly (not stored);
    - otherwise the name of a dataset in the local store, read with the filters pushed down
      to its files (only the rows that pass are read).
    """
    if str(spec).lower() in DEMO_NAMES:
        from crimekit.synth import generate_city
        dataset = generate_city(7).dataset
    elif Path(spec).exists():
        from crimekit.ingest import ingest_files
        path = Path(spec)
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(
            ("truth", "."))) if path.is_dir() else [path]
        dataset, _reports = ingest_files(files, name=path.stem)
    else:
        return _stored(spec, store_root, filters)
    return dataset if filters is None else apply_filters(dataset, filters)


def _stored(spec, store_root, filters) -> Dataset:
    from crimekit.store import Store
    try:
        return Store(store_root).load(str(spec), filters)
    except DatasetNotFoundError as exc:
        raise DatasetNotFoundError(
            f"No file, folder or stored dataset is called {spec!r}. {exc} "
            "Use 'demo' for the synthetic city.") from None
