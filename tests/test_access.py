"""Sign-in, roles and the failed-attempt limit."""

import pytest

from crimekit.access import (OPEN_ACCESS, SignInLimiter, User, hash_password, sign_in,
                             users_from_config, verify_password)
from crimekit.errors import ParameterError
from conftest import run_page, shown_text

FAST = dict(iterations=1000)


def test_hash_and_verify():
    stored = hash_password("s3cret!", **FAST)
    assert stored.startswith("pbkdf2_sha256$1000$")
    assert verify_password("s3cret!", stored)
    assert not verify_password("s3cret", stored)
    assert not verify_password("s3cret!", "garbage")
    assert hash_password("same", **FAST) != hash_password("same", **FAST)  # salted


def test_roles():
    assert User("a", "analyst").can("upload") and User("a", "analyst").can("unmask")
    commander = User("c", "commander")
    assert not commander.can("upload") and not commander.can("delete")
    assert not commander.can("unmask") and commander.can("view")
    assert OPEN_ACCESS.can("upload")


def test_bad_user_config_is_explained():
    with pytest.raises(ParameterError, match="role 'chief'"):
        users_from_config({"x": {"password_hash": "h", "role": "chief"}})
    with pytest.raises(ParameterError, match="hash-password"):
        users_from_config({"x": {"role": "analyst"}})


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_failed_sign_ins_are_rate_limited():
    clock = FakeClock()
    limiter = SignInLimiter(free_attempts=3, base_wait_s=30, clock=clock)
    users = {"asha": (hash_password("right", **FAST), "analyst")}
    for _ in range(3):
        user, message = sign_in("asha", "wrong", users, limiter)
        assert user is None and message == "Wrong user name or password."
    user, message = sign_in("asha", "right", users, limiter)  # locked now, even if right
    assert user is None and "Try again in" in message
    clock.now += 31
    user, message = sign_in("asha", "wrong", users, limiter)
    clock.now += 31  # the 5th failure doubled the wait to 60 s
    assert sign_in("asha", "right", users, limiter)[0] is None
    clock.now += 30
    user, message = sign_in("asha", "right", users, limiter)
    assert user == User("asha", "analyst")
    assert limiter.wait_seconds("asha") == 0


def test_unknown_user_gets_the_same_message():
    users = {"asha": (hash_password("right", **FAST), "analyst")}
    assert sign_in("nobody", "x", users, SignInLimiter())[1] == "Wrong user name or password."


def _secrets():
    return {"users": {"asha": {"password_hash": hash_password("pw", **FAST), "role": "analyst"},
                      "ravi": {"password_hash": hash_password("pw2", **FAST),
                               "role": "commander"}}}


def _run_with_secrets(state=None):
    return run_page(state=state, secrets=_secrets())


def test_app_asks_to_sign_in_when_users_are_configured():
    at = _run_with_secrets()
    assert not at.exception
    titles = [t.value for t in at.title]
    assert "Sign in" in titles and "Overview" not in titles


def test_signed_in_user_sees_the_app():
    at = _run_with_secrets(state={"user": User("ravi", "commander")})
    assert not at.exception
    assert "Overview" in [t.value for t in at.title]


def test_open_demo_says_it_is_open():
    at = run_page()
    assert "Open demo" in "\n".join(c.value for c in at.sidebar.caption)
