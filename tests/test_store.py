"""The dataset store: round trip, list, delete, duplicates, atomic writes, locking, damage."""

import json
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from crimekit.errors import DatasetNotFoundError, StoreCorruptError
from crimekit.ingest import ingest_files
from crimekit.store import DuplicateSourceError, Store

FIX = Path(__file__).parent / "fixtures" / "ingest"
FILES = [FIX / n for n in ("incidents.csv", "persons.csv", "patrols.csv", "beats.geojson")]


@pytest.fixture
def city():
    ds, reports = ingest_files(FILES, name="city", today="2025-01-01")
    return ds, reports


def test_round_trip_and_list(tmp_path, city):
    ds, reports = city
    store = Store(tmp_path)
    assert store.save(ds, sources=ds.meta["sources"], reports=reports) == "city"
    back = Store(tmp_path).load("city")  # a new Store object: survives a restart
    pd.testing.assert_frame_equal(back.incidents, ds.incidents)
    pd.testing.assert_frame_equal(back.persons, ds.persons)
    assert back.patrols["officers"].tolist() == [2, 1] and len(back.beats) == 2
    listing = store.list()
    assert listing.loc[0, ["name", "incidents", "persons"]].tolist() == ["city", 2, 2]
    assert listing.loc[0, "first"].startswith("2024-01-01")
    manifest = json.loads((tmp_path / "city" / "manifest.json").read_text())
    assert manifest["sources"][0]["sha256"] == ds.meta["sources"][0][1]
    assert manifest["reports"][0]["rows_kept"] == 2
    assert back.meta["reports"][0]["rows_kept"] == 2  # the validation report comes back too


def test_env_var_root(tmp_path, monkeypatch):
    monkeypatch.setenv("CRIMEKIT_STORE", str(tmp_path / "s"))
    assert Store().root == tmp_path / "s"


def test_same_file_twice_and_name_clash(tmp_path, city):
    ds, _ = city
    store = Store(tmp_path)
    store.save(ds, sources=ds.meta["sources"])
    assert store.find_source(ds.meta["sources"][0][1]) == "city"
    with pytest.raises(DuplicateSourceError, match="already imported as dataset 'city'"):
        store.save(ds.with_incidents(ds.incidents), sources=ds.meta["sources"])
    with pytest.raises(ValueError, match="already exists"):
        store.save(ds)
    store.save(ds, sources=ds.meta["sources"], replace=True)
    assert store.names() == ["city"]


def test_delete_and_unknown_name(tmp_path, city):
    ds, _ = city
    store = Store(tmp_path)
    store.save(ds)
    store.delete("city")
    assert store.list().empty
    with pytest.raises(DatasetNotFoundError, match="No dataset named 'nope'.*store is empty"):
        store.load("nope")
    store.save(ds)
    with pytest.raises(DatasetNotFoundError, match="stored datasets: city"):
        store.load("nope")


def test_failed_write_leaves_no_half_dataset(tmp_path, city, monkeypatch):
    ds, _ = city
    store = Store(tmp_path)
    calls = {"n": 0}
    real = pd.DataFrame.to_parquet

    def boom(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(self, *a, **k)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", boom)
    with pytest.raises(OSError, match="disk full"):
        store.save(ds)
    monkeypatch.undo()
    assert store.names() == [] and [p.name for p in tmp_path.iterdir()] == [".lock"]
    store.save(ds)  # an old dataset also survives a failed replacement
    monkeypatch.setattr(pd.DataFrame, "to_parquet", boom)
    calls["n"] = 0
    with pytest.raises(OSError):
        store.save(ds, replace=True)
    monkeypatch.undo()
    assert len(store.load("city").incidents) == 2


def test_concurrent_saves_threads(tmp_path, city):
    ds, _ = city
    store = Store(tmp_path)
    errors = []

    def save(i):
        try:
            Store(tmp_path).save(ds.__class__(**{**ds.__dict__, "name": f"c{i}"}))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and store.names() == [f"c{i}" for i in range(6)]
    assert all(len(store.load(f"c{i}").incidents) == 2 for i in range(6))


def test_concurrent_saves_processes_same_source(tmp_path):
    """Two processes importing the same file: exactly one dataset, the other is refused."""
    code = ("import sys; from crimekit.ingest import ingest_files; from crimekit.store import Store\n"
            f"ds, r = ingest_files([{str(FILES[0])!r}], name=sys.argv[1])\n"
            f"try: Store({str(tmp_path)!r}).save(ds, sources=ds.meta['sources']); print('saved')\n"
            "except Exception as e: print(type(e).__name__)\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, f"p{i}"], stdout=subprocess.PIPE,
                              text=True, cwd=Path(__file__).parents[1]) for i in range(2)]
    outs = sorted(p.communicate(timeout=60)[0].strip() for p in procs)
    assert outs == ["DuplicateSourceError", "saved"]
    assert len(Store(tmp_path).names()) == 1


def test_corrupt_file_message(tmp_path, city):
    ds, _ = city
    store = Store(tmp_path)
    store.save(ds)
    (tmp_path / "city" / "incidents.parquet").write_bytes(b"garbage")
    with pytest.raises(StoreCorruptError,
                       match=r"Dataset 'city' cannot be read \(file incidents.parquet is damaged.*"
                             r"datasets --delete city"):
        store.load("city")
    (tmp_path / "city" / "manifest.json").write_text("{not json")
    with pytest.raises(StoreCorruptError, match="manifest.json"):
        store.load("city")
    assert "damaged" in store.list().loc[0, "sources"]
    store.delete("city")
    assert store.names() == []


@pytest.mark.parametrize("filters", [
    dict(start="2024-03-01", end="2024-12-31"), dict(categories=("Burglary", "Hurt")),
    dict(start="2024-06-01", districts=("East",)), dict(beats=("E-02",)), dict(end="2023-12-31"),
    dict(categories=("No such head",)), dict()])
def test_filtered_load_reads_what_load_then_filter_gives(tmp_path, small_city, filters):
    """Store.load(name, filters) pushes the filters down to the Parquet reader; the dataset is
    the one apply_filters gives on the whole load, persons included."""
    from dataclasses import replace

    from crimekit.filters import Filters, apply_filters
    from crimekit.sources import open_dataset
    store = Store(tmp_path)
    store.save(replace(small_city.dataset, name="small"))
    f = Filters(**filters)
    whole = apply_filters(store.load("small"), f)
    part = store.load("small", f)
    pd.testing.assert_frame_equal(part.incidents, whole.incidents)
    pd.testing.assert_frame_equal(part.persons, whole.persons)
    assert len(part.beats) == len(whole.beats) and len(part.patrols) == len(whole.patrols)
    same = open_dataset("small", store_root=tmp_path, filters=f)
    pd.testing.assert_frame_equal(same.incidents, whole.incidents)
