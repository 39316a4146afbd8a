"""Hostile inputs against sign-in (issue 11, items 0, 1 and 8): deep links, broken secrets
files, user names, simultaneous guesses, probing names by timing, roles changed in secrets."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
import time
import tomllib

import pytest

from conftest import ROOT, run_page, shown_text
from crimekit import access
from crimekit.access import SignInLimiter, User, hash_password, sign_in, users_from_config
from crimekit.cli import main
from crimekit.errors import ParameterError

FAST = dict(iterations=1000)
PAGES = ["data", "profiles", "overview", "map", "trends", "hotspots", "patrol", "methods"]


def _users():
    return {"users": {"asha": {"password_hash": hash_password("pw", **FAST), "role": "analyst"},
                      "ravi": {"password_hash": hash_password("pw2", **FAST),
                               "role": "commander"}}}


def _open_page(page: str, *, secrets=None, state=None):
    """Run a page file on its own, as a freshly started server does for a deep link."""
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "views" / f"{page}.py"), default_timeout=120)
    at.secrets.update(secrets or {})
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    return at


@pytest.fixture
def secrets_file(tmp_path):
    """Point Streamlit at a secrets file in a temp folder (its content is up to the test)."""
    import streamlit as st
    from streamlit import config
    path = tmp_path / "secrets.toml"
    saved = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(path)])
    st.secrets._reset()
    yield path
    config.set_option("secrets.files", saved)
    st.secrets._reset()


# --- item 0: every page checks access itself ---------------------------------------------------

@pytest.mark.parametrize("page", PAGES)
def test_deep_link_to_a_page_asks_to_sign_in(page, isolated_store):
    at = _open_page(page, secrets=_users())
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in"]
    assert not at.get("file_uploader") and not at.dataframe and not at.metric


def test_deep_link_when_signed_in_shows_the_page(isolated_store):
    at = _open_page("data", secrets=_users(), state={"user": User("asha", "analyst")})
    assert not at.exception
    assert "Data" in [t.value for t in at.title] and at.get("file_uploader")


# --- item 1: sign-in fails closed ---------------------------------------------------------------

def _assert_refuses_to_start(at):
    assert not at.exception
    assert "crimekit cannot start" in [t.value for t in at.title]
    assert "Sign in" not in [t.value for t in at.title]
    assert not at.get("file_uploader") and not at.dataframe and not at.metric
    message = " ".join(e.value for e in at.error)
    assert "secrets file" in message and "/" + "tmp" not in message and "nobody" in message
    return message


@pytest.mark.parametrize("page", [None, "data"])
def test_unparsable_secrets_file_stops_the_app(secrets_file, isolated_store, page):
    secrets_file.write_text('[users.asha]\npassword_hash = "unterminated\n')
    at = run_page() if page is None else _open_page(page)
    assert "not valid TOML" in _assert_refuses_to_start(at)


def test_secrets_path_that_cannot_be_opened_stops_the_app(secrets_file, isolated_store):
    secrets_file.mkdir()  # exists, but is not a readable file
    (secrets_file / "x").mkdir()
    _assert_refuses_to_start(run_page())


def test_secrets_file_that_is_not_utf8_stops_the_app(secrets_file, isolated_store):
    secrets_file.write_bytes(b'[users.asha]\nrole = "\xff\xfe"\n')
    _assert_refuses_to_start(run_page())


BAD_USERS = {
    "unknown role": {"asha": {"password_hash": hash_password("pw", **FAST), "role": "chief"}},
    "no hash": {"asha": {"role": "analyst"}},
    "not a crimekit hash": {"asha": {"password_hash": "hunter2", "role": "analyst"}},
    "absurd work factor": {"asha": {"password_hash": "pbkdf2_sha256$999999999999$" + "ab" * 16
                                    + "$" + "cd" * 32, "role": "analyst"}},
    "user is not a table": {"asha": "pw"},
    "empty users table": {},
    "name with a newline": {"as\nha": {"password_hash": hash_password("pw", **FAST)}},
}


@pytest.mark.parametrize("case", list(BAD_USERS))
def test_invalid_user_in_secrets_stops_the_app(case, isolated_store):
    at = run_page(secrets={"users": BAD_USERS[case], "other": 1})
    _assert_refuses_to_start(at)


def test_users_that_is_not_a_table_is_refused():
    with pytest.raises(ParameterError, match="must be a table"):
        users_from_config("asha")


def test_no_secrets_file_is_the_open_demo(secrets_file, isolated_store):
    at = run_page()
    assert not at.exception and "Overview" in [t.value for t in at.title]


# --- item 1: hash-password ---------------------------------------------------------------------

@pytest.mark.parametrize("name", ["kiran rao", "k.rao", "asha", "o'neil@ksp", "कमला"])
def test_hash_password_writes_valid_toml_for_any_accepted_name(name, monkeypatch, capsys):
    import io
    monkeypatch.setattr(sys, "stdin", io.StringIO("s3cret\n"))
    assert main(["hash-password", "--user", name, "--role", "analyst", "--stdin"]) == 0
    config = tomllib.loads(capsys.readouterr().out)
    assert list(config["users"]) == [name]
    users = users_from_config(config["users"])
    assert users[name][1] == "analyst" and access.verify_password("s3cret", users[name][0])


@pytest.mark.parametrize("name", ["", " asha", 'a"b', "a\\b", "a\nb", "x" * 65, "a[b]"])
def test_hash_password_refuses_bad_names_in_one_sentence(name, capsys):
    assert main(["hash-password", "--user", name, "--stdin"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err


def test_hash_password_without_a_terminal_gives_one_sentence():
    proc = subprocess.run([sys.executable, "-m", "crimekit", "hash-password", "--user", "asha"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    err = proc.stderr.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1 and "--stdin" in err


def test_hash_password_with_empty_stdin_gives_one_sentence(monkeypatch, capsys):
    import io
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["hash-password", "--user", "asha", "--stdin"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


# --- item 8: sign-in hardening ------------------------------------------------------------------

def test_forty_simultaneous_wrong_guesses_check_at_most_the_free_attempts(monkeypatch):
    users = {"asha": (hash_password("right", **FAST), "analyst")}
    limiter = SignInLimiter(free_attempts=5)
    checked = []
    real = hashlib.pbkdf2_hmac

    def slow_pbkdf2(*args):
        checked.append(1)
        time.sleep(0.05)  # every check overlaps the others
        return real(*args)

    monkeypatch.setattr(access.hashlib, "pbkdf2_hmac", slow_pbkdf2)
    barrier = threading.Barrier(40)
    answers = []

    def guess(i):
        barrier.wait()
        answers.append(sign_in("asha", f"wrong{i}", users, limiter)[1])

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(checked) == 5
    assert answers.count("Wrong user name or password.") == 5
    assert sum("Too many failed sign-ins" in a for a in answers) == 35
    assert sign_in("asha", "right", users, limiter)[0] is None  # still locked


def test_unknown_user_costs_the_same_pbkdf2_work_as_a_known_one(monkeypatch):
    users = {"asha": (hash_password("right"), "analyst")}  # the default work factor
    calls = []
    real = hashlib.pbkdf2_hmac

    def counting(name, password, salt, iterations):
        calls.append(iterations)
        return real(name, password, salt, 1)  # same call, without the wait

    monkeypatch.setattr(access.hashlib, "pbkdf2_hmac", counting)
    sign_in("asha", "wrong", users, SignInLimiter())
    known = list(calls)
    calls.clear()
    sign_in("nobody", "wrong", users, SignInLimiter())
    assert calls == known == [600_000]


@pytest.mark.slow
def test_unknown_user_takes_as_long_as_a_known_one():
    users = {"asha": (hash_password("right"), "analyst")}

    def timed(name):
        start = time.perf_counter()
        sign_in(name, "wrong", users, SignInLimiter())
        return time.perf_counter() - start

    known, unknown = [], []
    for _ in range(6):  # interleaved, best of each: the machine is shared
        known.append(timed("asha"))
        unknown.append(timed("nobody"))
    assert 0.6 < min(unknown) / min(known) < 1.5  # two PBKDF2 runs (the old cost) would be ~2


def test_guessing_random_names_keeps_the_limiter_small():
    limiter = SignInLimiter(max_names=100)
    for i in range(1000):
        limiter.record(f"name{i}", False)
    assert len(limiter._failures) == 100 and "name999" in limiter._failures


def test_role_changed_in_secrets_applies_at_the_next_run(isolated_store):
    secrets = _users()
    secrets["users"]["asha"]["role"] = "commander"  # was an analyst when she signed in
    at = run_page("views/data.py", secrets=secrets, state={"user": User("asha", "analyst")})
    assert not at.exception
    assert "Only analysts can import data" in shown_text(at) and not at.get("file_uploader")
    assert at.session_state["user"] == User("asha", "commander")


def test_user_removed_from_secrets_is_signed_out(isolated_store):
    at = run_page(secrets=_users(), state={"user": User("gone", "analyst")})
    titles = [t.value for t in at.title]
    assert "Sign in" in titles and "Overview" not in titles
