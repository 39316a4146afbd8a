"""A local store of datasets: one folder of Parquet files and a manifest.json per dataset.

Layout: ``ROOT/NAME`` holds ``{incidents,persons,patrols,pois,holidays}.parquet``,
``beats.geojson`` (when there are beats) and ``manifest.json`` (name, created time, row counts,
date range, source files with sha256, validation summaries). ROOT is ``root=``, else
``$CRIMEKIT_STORE``, else ``data/store`` under the repository.

Versions and crash safety: ``ROOT/NAME`` is a symbolic link to one complete version folder,
``ROOT/.v-NAME-TOKEN``. A save writes a hidden ``.tmp-NAME-*`` folder, renames it to a new
version once every file and the manifest are written, then swaps the link atomically (a new link
renamed over the old one), and only then removes the old version. So a dataset is always visible
in exactly one complete version, to every reader, whatever moment a writer is killed at; the
first use of a Store ("store start") and every save recover from an interrupted one: ``.tmp-*``
folders are removed, a version that was never linked is removed (or linked when the dataset has
no other), and a version no longer linked is removed. Folders of older stores (a real folder
``ROOT/NAME``, ``.old-NAME-*`` leftovers of their replace) keep working and are recovered too.

Locks (fcntl): ``ROOT/.lock`` serialises writers, so two imports at once cannot corrupt the
store; readers of a whole dataset hold ``ROOT/.readers`` shared, and an old version is removed
only under it exclusively, so a load never sees half a version.

Every manifest is checked against a schema when read (:func:`check_manifest`): a damaged one is
isolated to its dataset, listed as damaged, and can be deleted; the rest of the store works on.

Modules: :mod:`~crimekit.store.store` (the :class:`Store`: versions, locks, recovery, listing,
loading and saving), :mod:`~crimekit.store.manifest` (the manifest and its schema),
:mod:`~crimekit.store.tables` (a version's Parquet and GeoJSON files).
"""

# DuplicateSourceError lives in crimekit.errors; importing it here keeps
# ``from crimekit.store import DuplicateSourceError`` working for callers.
from crimekit.errors import DuplicateSourceError  # noqa: F401
from crimekit.store.manifest import check_manifest
from crimekit.store.store import DEFAULT_ROOT, LIST_COLUMNS, Store
from crimekit.store.tables import TABLES

__all__ = ["Store", "DEFAULT_ROOT", "TABLES", "LIST_COLUMNS", "check_manifest",
           "DuplicateSourceError"]
