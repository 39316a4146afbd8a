"""The :class:`Store` (see :mod:`crimekit.store`): versions swapped atomically under locks,
recovery from interrupted work, and listing, loading, saving and deleting datasets."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

from crimekit.errors import (DatasetNotFoundError, DuplicateSourceError, ParameterError,
                             StoreCorruptError)
from crimekit.filters import Filters, apply_filters
from crimekit.schema import Dataset, conform_incidents, conform_patrols, conform_persons
from crimekit.store.manifest import check_manifest, manifest_for, manifest_text
from crimekit.store.tables import UnreadableFile, read_tables, write_tables

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "data" / "store"
LIST_COLUMNS = ("name", "incidents", "persons", "first", "last", "sources", "created", "status")
_NAME = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,99}$")
#: A version folder: ``.v-NAME-TOKEN`` (TOKEN sorts by creation time; 20 zeros for a folder
#: moved over from the older layout).
_VERSION = re.compile(r"^\.v-(?P<name>.+)-(?P<token>[0-9]{20}[0-9a-f]{4})$")
#: Leftovers of interrupted work, removed at recovery (``.old-`` is handled on its own).
_SCRATCH = (".tmp-", ".lnk-", ".del-")


def _token(legacy: bool = False) -> str:
    """A version token: creation time in ns (fixed width, so tokens sort by age) + 4 hex."""
    return f"{0 if legacy else time.time_ns():020d}{secrets.token_hex(2)}"



class Store:
    """Datasets kept as files under ``root``; see the module docstring."""

    def __init__(self, root=None):
        self.root = Path(root or os.environ.get("CRIMEKIT_STORE") or DEFAULT_ROOT)
        self._recovered = False

    # --- locking -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self):
        """Hold the store's exclusive write lock (blocks until another writer finishes)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def _readers(self, mode, *, wait=True):
        """Hold ``ROOT/.readers`` (``fcntl.LOCK_SH`` to read a whole version, ``LOCK_EX`` to
        remove one). Yields whether the lock is held: False when ``wait`` is False and it is
        busy; True (unlocked) when the store cannot hold a lock file (a read-only store)."""
        try:
            fh = open(self.root / ".readers", "a+")
        except OSError:
            yield True
            return
        with fh:
            try:
                fcntl.flock(fh, mode | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # --- recovery ------------------------------------------------------------------------------
    def _start(self) -> None:
        """Recover from interrupted work once per Store object ("at store start"), when no
        writer is busy (if one is, it recovers itself when it saves)."""
        if self._recovered or not self.root.is_dir():
            return
        self._recovered = True
        try:
            fh = open(self.root / ".lock", "a+")
        except OSError:  # a read-only store: nothing can be left over by this process
            return
        with fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return
            try:
                self.recover()
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def recover(self) -> list[str]:
        """Clean up after interrupted imports, replacements and deletions; return what was done.

        Call with the write lock held (``save`` does; ``Store`` does it once when first used).
        Every dataset ends in exactly one complete version: a dataset whose link is missing is
        linked to its newest complete version (the replacement was complete) or its ``.old-``
        folder; versions nobody links to are removed; half-written folders are removed.
        """
        done = []
        entries = list(self.root.iterdir())
        for p in entries:
            if p.name.startswith(_SCRATCH):
                _remove(p)
                done.append(f"removed {p.name}")
        for p in entries:
            if p.name.startswith(".old-") and p.is_dir():
                name = p.name[len(".old-"):].rpartition("-")[0]
                home = self.root / name
                if name and not os.path.lexists(home) and (p / "manifest.json").exists():
                    os.replace(p, home)
                    done.append(f"restored {name} from {p.name}")
                else:
                    _remove(p)
                    done.append(f"removed {p.name}")
        for p in self.root.iterdir():  # a deletion interrupted after hiding the version
            if p.is_symlink() and not p.exists() and _VERSION.match(os.readlink(p)):
                p.unlink()
                done.append(f"removed the link of deleted dataset {p.name}")
        versions = {}
        for p in self.root.iterdir():
            match = _VERSION.match(p.name)
            if match and p.is_dir() and not p.is_symlink():
                versions.setdefault(match["name"], []).append(p)
        for name, found in versions.items():
            home = self.root / name
            found.sort(key=lambda p: p.name[-24:])
            if home.is_symlink():
                target = self.root / os.readlink(home)
                if not target.is_dir():  # a deletion was interrupted after hiding the version
                    home.unlink()
                    keep = None
                    done.append(f"removed the link of deleted dataset {name}")
                else:
                    keep = target.name
            elif home.is_dir():  # an older store's folder: a version never linked is dropped
                keep = None
            else:
                complete = [p for p in found if (p / "manifest.json").is_file()]
                keep = complete[-1].name if complete else None
                if keep:
                    self._link(name, self.root / keep)
                    done.append(f"linked {name} to {keep}")
            stale = [p for p in found if p.name != keep]
            if stale:
                with self._readers(fcntl.LOCK_EX, wait=False) as held:
                    if held:
                        for p in stale:
                            _remove(p)
                            done.append(f"removed {p.name}")
        return done

    # --- reading -------------------------------------------------------------------------------
    def names(self) -> list[str]:
        """Names of the stored datasets (links or folders with a manifest), sorted."""
        if not self.root.is_dir():
            return []
        self._start()
        return sorted(p.name for p in self.root.iterdir()
                      if not p.name.startswith(".") and p.is_dir()
                      and (p / "manifest.json").exists())

    def manifest(self, name) -> dict:
        """The dataset's manifest.json as a dict, checked against :func:`check_manifest`
        (StoreCorruptError when it cannot be read or has the wrong shape)."""
        return self._read_manifest(name, self._dir(name))

    def _read_manifest(self, name, folder: Path) -> dict:
        path = folder / "manifest.json"
        try:
            m = json.loads(path.read_text(encoding="utf-8"))
            check_manifest(m)
        except (OSError, ValueError, RecursionError) as exc:
            raise self._corrupt(name, path, exc) from None
        return m

    def list(self) -> pd.DataFrame:
        """One row per dataset: name, incidents, persons, first, last, sources, created,
        status ("ok", or "damaged: ..." for a dataset that cannot be read: delete or
        re-import it)."""
        rows = []
        for name in self.names():
            try:
                m = self.manifest(name)
            except (StoreCorruptError, DatasetNotFoundError) as exc:
                rows.append({"name": name, "sources": "(damaged: delete or re-import)",
                             "status": f"damaged: {_reason(exc)}"})
                continue
            rows.append({"name": name, "incidents": m["rows"].get("incidents", 0),
                         "persons": m["rows"].get("persons", 0), "first": m.get("first"),
                         "last": m.get("last"),
                         "sources": ", ".join(s["file"] for s in m["sources"]),
                         "created": m.get("created"), "status": "ok"})
        return pd.DataFrame(rows, columns=list(LIST_COLUMNS))

    def load(self, name, filters: Filters | None = None) -> Dataset:
        """The stored dataset ``name``; DatasetNotFoundError / StoreCorruptError otherwise.

        With ``filters``, only the incidents that pass are read from the file (the dates and
        crime heads are pushed down to the Parquet reader, so a year of a million-incident
        dataset reads in a quarter of the time and memory), and the persons of those: the same
        dataset as ``apply_filters(load(name), filters)``.
        """
        home = self._dir(name)
        with self._readers(fcntl.LOCK_SH):
            folder = home.resolve()  # one version for every file, even if a writer swaps now
            return self._load_version(name, folder, filters)

    def _load_version(self, name, folder: Path, filters=None) -> Dataset:
        m = self._read_manifest(name, folder)
        try:
            tables, beats = read_tables(folder, filters)
        except UnreadableFile as bad:
            raise self._corrupt(name, bad.path, bad.cause) from None
        ds = Dataset(name=m["name"], incidents=conform_incidents(tables["incidents"]),
                     persons=conform_persons(tables["persons"]),
                     patrols=conform_patrols(tables["patrols"]), pois=tables["pois"],
                     holidays=tables["holidays"], beats=beats,
                     meta={**m.get("meta", {}), "reports": m.get("reports", [])})
        return ds if filters is None else apply_filters(ds, filters)

    def find_source(self, sha256) -> str | None:
        """Name of the dataset that already holds a file with this hash, or None."""
        for name in self.names():
            try:
                sources = self.manifest(name)["sources"]
            except (StoreCorruptError, DatasetNotFoundError):
                continue
            if any(s["sha256"] == sha256 for s in sources):
                return name
        return None

    # --- writing -------------------------------------------------------------------------------
    def save(self, dataset: Dataset, *, sources=(), reports=(), replace=False) -> str:
        """Store ``dataset`` under its name atomically; return the name.

        ``sources`` is [(file name, sha256)]; a file already stored in another dataset raises
        DuplicateSourceError ("already imported as dataset X"). An existing name is refused
        unless ``replace=True``; a replaced dataset keeps its old version, visible to every
        reader, until the new one is complete.
        """
        name = dataset.name
        if not _NAME.match(name or ""):
            raise ParameterError.invalid("name", "Store.save", "letters, digits, '_', '-' or '.' "
                                         "(starting with a letter or digit)", name)
        with self._locked():
            self.recover()
            self._recovered = True
            for file, digest in sources:
                owner = self.find_source(digest)
                if owner is not None and not (replace and owner == name):
                    raise DuplicateSourceError(f"{file} is already imported as dataset "
                                               f"{owner!r}; use that dataset, or delete it first "
                                               f"with `python -m crimekit datasets --delete {owner}`.")
            home = self.root / name
            if os.path.lexists(home) and not replace:
                raise ParameterError(f"A dataset named {name!r} already exists; choose another "
                                     "name with --name, or delete it first.")
            tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=self.root))
            version = self.root / f".v-{name}-{_token()}"
            try:
                self._write(tmp, dataset, sources, reports)
                _fsync_tree(tmp)
                os.replace(tmp, version)           # 1. a complete version, not yet linked
                old = self._link(name, version)    # 2. the atomic swap: readers see the new one
            except BaseException:
                _remove(tmp)
                if version.exists() and not (home.is_symlink()
                                             and os.readlink(home) == version.name):
                    _remove(version)
                with contextlib.suppress(Exception):
                    self.recover()  # e.g. a folder of the older layout moved but not linked
                raise
            if old is not None:                    # 3. the old version, once nobody reads it
                with self._readers(fcntl.LOCK_EX):
                    _remove(old)
        return name

    def _link(self, name, version: Path) -> Path | None:
        """Point ``ROOT/name`` at ``version`` atomically; return the folder it pointed at before
        (now unused), or None."""
        home = self.root / name
        old = None
        if home.is_symlink():
            old = self._own_version(home)
        elif home.is_dir():  # an older store's folder becomes a version first
            old = self.root / f".v-{name}-{_token(legacy=True)}"
            os.replace(home, old)
        link = self.root / f".lnk-{name}-{_token()}"
        os.symlink(version.name, link)
        os.replace(link, home)
        return old if old is not None and old.exists() else None

    def _write(self, folder: Path, ds: Dataset, sources, reports):
        """Write every table, then the manifest last (its presence marks a complete dataset)."""
        counts = write_tables(folder, ds)
        text = manifest_text(manifest_for(ds, counts, sources, reports))
        (folder / "manifest.json").write_text(text, encoding="utf-8")

    def delete(self, name) -> None:
        """Remove a stored dataset (every version of it), even a damaged one."""
        with self._locked():
            home = self._dir(name)
            trash = self.root / f".del-{name}-{_token()}"
            with self._readers(fcntl.LOCK_EX):
                if home.is_symlink():
                    target = self._own_version(home)
                    if target is not None:
                        os.replace(target, trash)  # the dataset vanishes at once
                    home.unlink()
                else:
                    os.replace(home, trash)
            _remove(trash)

    # --- helpers -------------------------------------------------------------------------------
    def _own_version(self, link: Path) -> Path | None:
        """The version folder of this store that ``link`` points at, or None (a link made by
        hand to a folder elsewhere is never moved or removed, only the link)."""
        target = self.root / os.readlink(link)
        if target.parent == self.root and _VERSION.match(target.name) and target.is_dir():
            return target
        return None

    def _dir(self, name) -> Path:
        folder = self.root / str(name)
        if not _NAME.match(str(name)) or not folder.is_dir():
            names = self.names()
            have = f"stored datasets: {', '.join(names)}" if names else "the store is empty"
            raise DatasetNotFoundError(f"No dataset named {name!r} in the store ({have}); "
                                       "import files with `python -m crimekit ingest FILE`.")
        return folder

    def _corrupt(self, name, path, exc) -> StoreCorruptError:
        return StoreCorruptError(
            f"Dataset {name!r} cannot be read (file {Path(path).name} is damaged: "
            f"{_first_line(exc)}). Delete it with `python -m crimekit datasets --delete {name}` "
            "or re-import its files.")


def _first_line(exc) -> str:
    """The first line of an exception's message, without file paths, at most 100 characters."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    return re.sub(r"(?:[A-Za-z]:)?/[^\s'\"]+", "...", text)[:100]


def _reason(exc) -> str:
    """What a StoreCorruptError says is damaged (the part in parentheses)."""
    match = re.search(r"\((file .*?)\)\. Delete", str(exc))
    return match.group(1) if match else str(exc)


def _remove(path: Path) -> None:
    """Remove a file, link or folder (a link itself, never what it points to)."""
    try:
        if path.is_symlink() or not path.is_dir():
            path.unlink(missing_ok=True)
        else:
            shutil.rmtree(path, ignore_errors=True)
    except OSError:
        pass


def _fsync_tree(folder: Path) -> None:
    """Flush a version's files and folder to disk, so a power cut cannot leave a linked
    version with empty files."""
    for path in folder.iterdir():
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
