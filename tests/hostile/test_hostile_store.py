"""Hostile and unlucky states of the dataset store (issue 11, items 4 and 7): manifests of the
wrong shape, and imports, replacements and deletions killed between their steps."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading

import pandas as pd
import pytest

from conftest import ROOT, run_page, shown_text
from crimekit.cli import main
from crimekit.errors import StoreCorruptError
from crimekit.schema import Dataset, conform_incidents
from crimekit.store import Store


def _dataset(n: int, name: str = "city") -> Dataset:
    inc = pd.DataFrame({"incident_id": [f"{name}-{i}" for i in range(n)],
                        "occurred_at": pd.date_range("2024-01-01", periods=n, freq="D"),
                        "category": "Theft", "lat": 12.6, "lon": 77.6})
    return Dataset(name=name, incidents=conform_incidents(inc))


def _leftovers(root) -> list:
    """Hidden entries other than the lock files and the one version each dataset links to."""
    linked = {os.readlink(p) for p in root.iterdir() if p.is_symlink()}
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".")
                  and p.name not in (".lock", ".readers") and p.name not in linked)


# --- item 4: manifests of the wrong shape -------------------------------------------------------

MALFORMED = {
    "sources is text": lambda m: {**m, "sources": "x"},
    "a list": lambda m: [m],
    "no rows": lambda m: {k: v for k, v in m.items() if k != "rows"},
    "rows is a list": lambda m: {**m, "rows": [1, 2]},
    "negative rows": lambda m: {**m, "rows": {"incidents": -5}},
    "source without hash": lambda m: {**m, "sources": [{"file": "a.csv"}]},
    "reports of text": lambda m: {**m, "reports": ["x"]},
    "null": lambda m: None,
}


def _store_with_a_damaged_dataset(root, damage) -> Store:
    store = Store(root)
    store.save(_dataset(3, "good"), sources=[("good.csv", "a" * 64)])
    store.save(_dataset(2, "bad"), sources=[("bad.csv", "b" * 64)])
    path = root / "bad" / "manifest.json"
    if callable(damage):
        path.write_text(json.dumps(damage(json.loads(path.read_text()))))
    else:
        path.write_bytes(damage)
    return Store(root)


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_manifest_is_isolated_to_its_dataset(case, tmp_path):
    store = _store_with_a_damaged_dataset(tmp_path, MALFORMED[case])
    listing = store.list().set_index("name")
    assert listing.loc["good", "status"] == "ok" and listing.loc["good", "incidents"] == 3
    assert listing.loc["bad", "status"].startswith("damaged: file manifest.json")
    assert len(store.load("good").incidents) == 3
    with pytest.raises(StoreCorruptError, match=r"Dataset 'bad' cannot be read .*manifest\.json"):
        store.load("bad")
    assert store.find_source("a" * 64) == "good" and store.find_source("b" * 64) is None
    store.save(_dataset(4, "later"), sources=[("later.csv", "c" * 64)])  # imports keep working
    store.delete("bad")
    assert store.names() == ["good", "later"]


@pytest.mark.parametrize("damage", [b"[" * 100_000 + b"]" * 100_000, b"\xff\xfe\x00garbage",
                                    b""], ids=["deeply nested", "not UTF-8", "empty"])
def test_unreadable_manifest_is_isolated_to_its_dataset(damage, tmp_path):
    store = _store_with_a_damaged_dataset(tmp_path, damage)
    assert store.list().set_index("name").loc["bad", "status"].startswith("damaged")
    assert len(store.load("good").incidents) == 3


def test_datasets_command_lists_a_damaged_dataset_and_deletes_it(tmp_path, capsys):
    _store_with_a_damaged_dataset(tmp_path, MALFORMED["sources is text"])
    assert main(["datasets", "--store", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "good" in out and "damaged" in out
    assert main(["datasets", "--store", str(tmp_path), "--delete", "bad"]) == 0
    assert Store(tmp_path).names() == ["good"]


def test_later_import_works_beside_a_damaged_manifest(tmp_path, capsys):
    _store_with_a_damaged_dataset(tmp_path, MALFORMED["a list"])
    fixture = ROOT / "tests" / "fixtures" / "ingest" / "generic.csv"
    assert main(["ingest", str(fixture), "--name", "fresh", "--store", str(tmp_path)]) == 0
    assert "fresh" in Store(tmp_path).names()


def test_app_lists_datasets_beside_a_damaged_manifest(isolated_store):
    _store_with_a_damaged_dataset(isolated_store, MALFORMED["no rows"])
    at = run_page()  # the sidebar's list (AppTest keeps it on a plain first run only)
    assert set(at.sidebar.selectbox(key="dataset").options) >= {"good", "bad"}
    at = run_page("views/data.py", state={"dataset": "good"})
    assert not at.exception
    assert "Current dataset: good" in shown_text(at)
    listing = at.dataframe[-1].value
    assert listing.set_index("name").loc["bad", "status"].startswith("damaged")
    at = run_page("views/data.py", state={"dataset": "bad"})
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert "Dataset 'bad' cannot be read" in message and str(isolated_store) not in message


# --- item 7: a replacement killed between its steps ---------------------------------------------

KILLER = textwrap.dedent("""
    import os, shutil, sys
    import pandas as pd
    sys.path.insert(0, {tests!r})
    from hostile.test_hostile_store import _dataset
    from crimekit.store import Store

    root, kill_at, what = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    calls = [0]

    def killer(func, only_store=True):
        def wrapped(*args, **kwargs):
            if not only_store or sys._getframe(1).f_code.co_filename.endswith("store.py"):
                calls[0] += 1
                if calls[0] == kill_at:
                    os._exit(137)  # a kill: no cleanup, no finally
            return func(*args, **kwargs)
        return wrapped

    if what == "steps":
        os.replace, os.symlink = killer(os.replace), killer(os.symlink)
        shutil.rmtree = killer(shutil.rmtree)
    else:  # while the tables are being written
        pd.DataFrame.to_parquet = killer(pd.DataFrame.to_parquet, only_store=False)
    Store(root).save(_dataset(5), replace=True)
    print("finished")
""").format(tests=str(ROOT / "tests"))


def _make_legacy(root, name="city"):
    """Turn a stored dataset into the older layout (a real folder, no versions)."""
    target = root / os.readlink(root / name)
    (root / name).unlink()
    shutil.move(target, root / name)


def _kill_replace_at(root, step, what="steps"):
    proc = subprocess.run([sys.executable, "-c", KILLER, str(root), str(step), what],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode in (0, 137), proc.stderr
    return proc.returncode == 137


@pytest.mark.parametrize("layout,step", [("versions", k) for k in range(1, 5)]
                         + [("legacy", k) for k in range(1, 6)] + [("versions", 0)])
def test_replace_killed_between_steps_keeps_one_complete_version(tmp_path, layout, step):
    Store(tmp_path).save(_dataset(2))
    if layout == "legacy":
        _make_legacy(tmp_path)
    killed = _kill_replace_at(tmp_path, step or 3, "steps" if step else "tables")
    assert killed or step == 5  # step 5 of the versions layout does not exist
    store = Store(tmp_path)  # a restart: recovery runs at the store's first use
    assert store.names() == ["city"]
    rows = len(store.load("city").incidents)
    assert rows in (2, 5)
    assert _leftovers(tmp_path) == []
    versions = [p for p in tmp_path.iterdir() if p.name.startswith(".v-city-")]
    assert len(versions) == (1 if (tmp_path / "city").is_symlink() else 0)
    store.save(_dataset(7), replace=True)  # and the next replace works
    assert len(Store(tmp_path).load("city").incidents) == 7 and _leftovers(tmp_path) == []


def test_replace_completes_when_killed_after_the_swap(tmp_path):
    Store(tmp_path).save(_dataset(2))
    assert _kill_replace_at(tmp_path, 4)  # kill before the old version is removed
    assert len(Store(tmp_path).load("city").incidents) == 5  # the new one, complete


def test_replace_rolls_back_when_killed_before_the_swap(tmp_path):
    Store(tmp_path).save(_dataset(2))
    assert _kill_replace_at(tmp_path, 2)  # kill before the new link is made
    raw = json.loads((tmp_path / "city" / "manifest.json").read_text())  # even before recovery
    assert raw["rows"]["incidents"] == 2
    assert len(Store(tmp_path).load("city").incidents) == 2


def test_readers_always_see_one_complete_version_during_replacements(tmp_path):
    Store(tmp_path).save(_dataset(2))
    code = ("import sys; sys.path.insert(0, sys.argv[2]);"
            "from hostile.test_hostile_store import _dataset; from crimekit.store import Store\n"
            "for i in range(15): Store(sys.argv[1]).save(_dataset(3 + i % 2), replace=True)\n")
    writer = subprocess.Popen([sys.executable, "-c", code, str(tmp_path), str(ROOT / "tests")],
                              cwd=ROOT)
    seen, errors = set(), []
    while writer.poll() is None:
        try:
            seen.add(len(Store(tmp_path).load("city").incidents))
        except Exception as exc:  # noqa: BLE001 - any failure is the bug
            errors.append(repr(exc))
    assert writer.returncode == 0 and errors == []
    assert seen <= {2, 3, 4}
    assert _leftovers(tmp_path) == []


def test_leftovers_of_interrupted_imports_are_cleaned_at_start(tmp_path):
    Store(tmp_path).save(_dataset(2))
    (tmp_path / ".tmp-city-abc123").mkdir()
    (tmp_path / ".tmp-city-abc123" / "incidents.parquet").write_bytes(b"half")
    (tmp_path / ".del-other-1").mkdir()
    os.symlink(".nowhere", tmp_path / ".lnk-city-1")
    never_linked = tmp_path / ".v-city-000000000000000000009999"
    shutil.copytree(tmp_path / os.readlink(tmp_path / "city"), never_linked)
    assert Store(tmp_path).names() == ["city"]
    assert _leftovers(tmp_path) == []


def test_old_folder_of_an_interrupted_replace_is_restored(tmp_path):
    """The older store's replace renamed NAME to .old-NAME-PID first: killed there, NAME was
    missing. Recovery brings it back; an .old- folder beside a live NAME is removed."""
    Store(tmp_path).save(_dataset(2))
    _make_legacy(tmp_path)
    os.replace(tmp_path / "city", tmp_path / ".old-city-4242")
    Store(tmp_path).save(_dataset(3, "other"))
    shutil.copytree(tmp_path / os.readlink(tmp_path / "other"), tmp_path / ".old-other-7")
    store = Store(tmp_path)
    assert store.names() == ["city", "other"]
    assert len(store.load("city").incidents) == 2 and len(store.load("other").incidents) == 3
    assert _leftovers(tmp_path) == []


def test_interrupted_delete_does_not_bring_the_dataset_back(tmp_path):
    Store(tmp_path).save(_dataset(2))
    version = tmp_path / os.readlink(tmp_path / "city")
    os.replace(version, tmp_path / ".del-city-1")  # killed after hiding, before removing
    store = Store(tmp_path)
    assert store.names() == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock"]


def test_a_hand_made_link_to_a_folder_elsewhere_is_never_removed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    Store(elsewhere).save(_dataset(2))
    _make_legacy(elsewhere)
    root = tmp_path / "store"
    root.mkdir()
    os.symlink(elsewhere / "city", root / "city")
    Store(root).save(_dataset(3), replace=True)
    assert len(Store(root).load("city").incidents) == 3
    assert (elsewhere / "city" / "manifest.json").exists()
    Store(root).delete("city")
    assert (elsewhere / "city" / "manifest.json").exists()


def test_concurrent_loads_and_listing_in_threads(tmp_path):
    store = Store(tmp_path)
    store.save(_dataset(2))
    errors = []

    def read():
        try:
            for _ in range(20):
                assert len(store.load("city").incidents) in (2, 6)
                store.list()
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))

    threads = [threading.Thread(target=read) for _ in range(3)]
    for t in threads:
        t.start()
    for _ in range(5):
        store.save(_dataset(6), replace=True)
        store.save(_dataset(2), replace=True)
    for t in threads:
        t.join()
    assert errors == []
