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
import secrets
import threading
import time
from dataclasses import dataclass, field

from crimekit.errors import ParameterError

ROLES = ("commander", "analyst")
#: Actions that need more than looking, and the roles allowed to take them.
PERMISSIONS = {"upload": {"analyst"}, "unmask": {"analyst"}, "delete": {"analyst"}}
_ALGORITHM = "pbkdf2_sha256"
_ITERATIONS = 600_000


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
    """{name: (password_hash, role)} from the secrets' ``users`` table; bad entries raise."""
    users = {}
    for name, entry in dict(config or {}).items():
        entry = dict(entry)
        role = entry.get("role", "commander")
        if role not in ROLES:
            raise ParameterError(f"User {name!r} in the secrets file has role {role!r}; use "
                                 f"one of {', '.join(ROLES)}.")
        if "password_hash" not in entry:
            raise ParameterError(f"User {name!r} in the secrets file has no password_hash; "
                                 "make one with `python -m crimekit hash-password`.")
        users[str(name)] = (str(entry["password_hash"]), role)
    return users


@dataclass
class SignInLimiter:
    """Refuses sign-in attempts for a user after repeated failures, for a growing wait.

    After ``free_attempts`` failures in a row, each further failure doubles the wait (starting
    at ``base_wait_s``, at most ``max_wait_s``). A success clears the user's record. Shared by
    every session of a server, so opening a new browser tab does not reset it.
    """

    free_attempts: int = 5
    base_wait_s: float = 30.0
    max_wait_s: float = 900.0
    clock: object = time.monotonic
    _failures: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_seconds(self, name: str) -> float:
        """Seconds before ``name`` may try again (0 when allowed now)."""
        with self._lock:
            count, last = self._failures.get(name, (0, 0.0))
        if count < self.free_attempts:
            return 0.0
        wait = min(self.base_wait_s * 2 ** (count - self.free_attempts), self.max_wait_s)
        return max(0.0, last + wait - self.clock())

    def record(self, name: str, success: bool) -> None:
        """Note the outcome of an attempt."""
        with self._lock:
            if success:
                self._failures.pop(name, None)
            else:
                count, _ = self._failures.get(name, (0, 0.0))
                self._failures[name] = (count + 1, self.clock())


def sign_in(name: str, password: str, users: dict, limiter: SignInLimiter) -> tuple:
    """Check a sign-in attempt: returns (User or None, message for the person).

    Unknown names and wrong passwords get the same message, so names cannot be probed.
    """
    wait = limiter.wait_seconds(name)
    if wait > 0:
        return None, f"Too many failed sign-ins. Try again in {int(wait) + 1} seconds."
    stored = users.get(name)
    ok = stored is not None and verify_password(password, stored[0])
    if stored is None:  # spend the same time as a real check
        verify_password(password, hash_password("x", iterations=_ITERATIONS))
    limiter.record(name, ok)
    if not ok:
        return None, "Wrong user name or password."
    return User(name, stored[1]), f"Signed in as {name} ({stored[1]})."
