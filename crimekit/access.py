"""Who may do what: users with hashed passwords and roles, and a limit on failed sign-ins.

A deployment lists its users in Streamlit's secrets file (``.streamlit/secrets.toml``)::

    [users.asha]
    password_hash = "pbkdf2_sha256$600000$<salt hex>$<hash hex>"
    role = "analyst"          # or "commander"

``python -m crimekit hash-password`` prints a hash to paste there. With no users configured (the
demo) the app runs open and says so. Commanders can look at everything; only analysts can
upload, unmask names or delete datasets.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import unicodedata
from dataclasses import dataclass, field

from crimekit.errors import ParameterError

ROLES = ("commander", "analyst")
#: Actions that need more than looking, and the roles allowed to take them.
PERMISSIONS = {"upload": {"analyst"}, "unmask": {"analyst"}, "delete": {"analyst"}}
_ALGORITHM = "pbkdf2_sha256"
_ITERATIONS = 600_000
#: What a stored hash looks like (algorithm, iterations, 16+ byte salt, 32-byte digest in hex).
_HASH = re.compile(r"^pbkdf2_sha256\$[1-9][0-9]{3,7}\$(?:[0-9a-f]{2}){8,64}\$[0-9a-f]{64}$")
#: Checked against when a user name is unknown, so an unknown name costs exactly one PBKDF2 run
#: at the default work factor, like a known one (no password matches it: the digest is random).
_DUMMY_HASH = ("pbkdf2_sha256$600000$0a3abf869d2c5b4ea91ac69ff0abcb68$"
               "5914be76c88da9b2b3681fa65d11b5365ea7c9e6a2f665593a3ab3aa43d92417")
#: Longest user name accepted (characters).
MAX_NAME_LENGTH = 64
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def check_user_name(name) -> str:
    """``name`` if it can be a sign-in name, else ParameterError saying what is wrong.

    Letters and marks (any script), digits, spaces inside, and ``. _ - @ '`` are allowed, up to
    MAX_NAME_LENGTH characters; no leading or trailing space, quotes, backslashes or control
    characters (they would be ambiguous in the secrets file and on the sign-in form).
    """
    if not isinstance(name, str) or not name:
        raise ParameterError("A user name must not be empty; give one with --user NAME.")
    if len(name) > MAX_NAME_LENGTH:
        raise ParameterError(f"The user name is {len(name)} characters long; use at most "
                             f"{MAX_NAME_LENGTH}.")
    if name != name.strip():
        raise ParameterError(f"The user name {name!r} starts or ends with a space; remove it.")
    bad = sorted({c for c in name
                  if not (unicodedata.category(c)[0] in "LMN" or c in " ._-@'")})
    if bad:
        shown = ", ".join(repr(c) for c in bad[:5])
        raise ParameterError(f"The user name {name!r} contains {shown}; use letters, digits, "
                             "spaces and . _ - @ ' only.")
    return name


def toml_key(name: str) -> str:
    """``name`` as a TOML key: bare when it can be, else a quoted string (spaces, dots...)."""
    return name if _BARE_KEY.match(name) else json.dumps(name, ensure_ascii=False)


def secrets_entry(name: str, password_hash: str, role: str) -> str:
    """The secrets.toml lines for one user (a table under ``users``), valid TOML for any name
    :func:`check_user_name` accepts."""
    check_user_name(name)
    if role not in ROLES:
        raise ParameterError.invalid("role", "secrets_entry", f"one of {', '.join(ROLES)}", role)
    return (f"[users.{toml_key(name)}]\npassword_hash = \"{password_hash}\"\n"
            f"role = \"{role}\"")


def hash_password(password: str, *, salt: bytes | None = None,
                  iterations: int = _ITERATIONS) -> str:
    """A salted PBKDF2-SHA256 hash in the form ``pbkdf2_sha256$iterations$salt$hash``."""
    if not password:
        raise ParameterError.invalid("password", "hash_password", "a non-empty string", "")
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"{_ALGORITHM}${iterations}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash from :func:`hash_password` (constant-time compare)."""
    try:
        algorithm, iterations, salt_hex, digest_hex = stored.split("$")
        if algorithm != _ALGORITHM:
            return False
        digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt_hex),
                                     int(iterations))
    except (ValueError, AttributeError):
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


@dataclass(frozen=True)
class User:
    """A signed-in person and what they may do."""

    name: str
    role: str

    def can(self, action: str) -> bool:
        """Whether this user's role allows ``action`` ("upload", "unmask", "delete")."""
        return self.role in PERMISSIONS.get(action, set(ROLES))


#: The user of an open deployment (no users configured): the demo lets everyone do everything.
OPEN_ACCESS = User("everyone", "analyst")


def users_from_config(config) -> dict:
    """{name: (password_hash, role)} from the secrets' ``users`` table.

    Anything that is not a valid user raises ParameterError naming the user and the fix, so an
    app can refuse to start rather than run open or lock everyone out: the table itself not a
    table, or empty; a user that is not a table, has a bad name, an unknown role, or no
    password hash made by ``python -m crimekit hash-password``.
    """
    if not hasattr(config, "items"):
        raise ParameterError("The secrets file's 'users' entry must be a table of users "
                             "([users.NAME] sections); see the README's Access section.")
    if not len(config):
        raise ParameterError("The secrets file has a 'users' table with no users; add one "
                             "with `python -m crimekit hash-password`, or remove the table to "
                             "run the open demo.")
    users = {}
    for name, entry in config.items():
        try:
            check_user_name(name)
        except ParameterError as exc:
            raise ParameterError(f"The secrets file lists an invalid user: {exc}") from None
        if not hasattr(entry, "get"):
            raise ParameterError(f"User {name!r} in the secrets file must be a table with "
                                 "password_hash and role; make it with `python -m crimekit "
                                 "hash-password`.")
        role = entry.get("role", "commander")
        if role not in ROLES:
            raise ParameterError(f"User {name!r} in the secrets file has role {role!r}; use "
                                 f"one of {', '.join(ROLES)}.")
        stored = entry.get("password_hash")
        if stored is None:
            raise ParameterError(f"User {name!r} in the secrets file has no password_hash; "
                                 "make one with `python -m crimekit hash-password`.")
        if not isinstance(stored, str) or not _HASH.match(stored):
            raise ParameterError(f"User {name!r} in the secrets file has a password_hash that "
                                 "is not a crimekit hash; make one with `python -m crimekit "
                                 "hash-password`.")
        users[name] = (stored, role)
    return users


@dataclass
class SignInLimiter:
    """Refuses sign-in attempts for a user after repeated failures, for a growing wait.

    After ``free_attempts`` failures in a row, each further failure doubles the wait (starting
    at ``base_wait_s``, at most ``max_wait_s``). A success clears the user's record. Shared by
    every session of a server, so opening a new browser tab does not reset it.

    :meth:`admit` checks the wait and counts the attempt as a failure under one lock, before the
    password is checked, so simultaneous guesses cannot all slip through; :meth:`record` with
    ``success=True`` then clears the record. At most ``max_names`` names are remembered (the
    oldest are forgotten first), so guessing random names cannot fill the server's memory.
    """

    free_attempts: int = 5
    base_wait_s: float = 30.0
    max_wait_s: float = 900.0
    max_names: int = 10_000
    clock: object = time.monotonic
    _failures: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _wait(self, name: str) -> float:
        count, last = self._failures.get(name, (0, 0.0))
        if count < self.free_attempts:
            return 0.0
        wait = min(self.base_wait_s * 2 ** (count - self.free_attempts), self.max_wait_s)
        return max(0.0, last + wait - self.clock())

    def wait_seconds(self, name: str) -> float:
        """Seconds before ``name`` may try again (0 when allowed now)."""
        with self._lock:
            return self._wait(name)

    def admit(self, name: str) -> float:
        """Atomically: 0 and the attempt counted as a failure when ``name`` may try now, else
        the seconds to wait (nothing counted)."""
        with self._lock:
            wait = self._wait(name)
            if wait <= 0:
                self._fail(name)
            return wait

    def _fail(self, name: str) -> None:
        count, _ = self._failures.pop(name, (0, 0.0))
        self._failures[name] = (count + 1, self.clock())  # re-inserted: newest last
        while len(self._failures) > self.max_names:
            self._failures.pop(next(iter(self._failures)))

    def record(self, name: str, success: bool) -> None:
        """Note the outcome of an attempt that was not :meth:`admit`-ted (a success clears)."""
        with self._lock:
            if success:
                self._failures.pop(name, None)
            else:
                self._fail(name)


def sign_in(name: str, password: str, users: dict, limiter: SignInLimiter) -> tuple:
    """Check a sign-in attempt: returns (User or None, message for the person).

    Unknown names and wrong passwords get the same message and cost the same work (one PBKDF2
    run), so names cannot be probed by the answer or by its timing.
    """
    wait = limiter.admit(name)
    if wait > 0:
        return None, f"Too many failed sign-ins. Try again in {int(wait) + 1} seconds."
    stored = users.get(name)
    ok = verify_password(password, stored[0] if stored is not None else _DUMMY_HASH)
    ok = ok and stored is not None
    if not ok:
        return None, "Wrong user name or password."
    limiter.record(name, True)
    return User(name, stored[1]), f"Signed in as {name} ({stored[1]})."
