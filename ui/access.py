"""Sign-in: who may see and do what. Every page calls :func:`check_access` first."""

from __future__ import annotations

import os

import streamlit as st


from crimekit import access
from crimekit.errors import CrimekitError
from ui.widgets import md

# --- access ------------------------------------------------------------------------------------

@st.cache_resource
def _sign_in_limiter():
    """One limiter per server, so a new tab or session does not reset failed attempts."""
    return access.SignInLimiter()


def _secrets_file_present() -> bool:
    """Whether any of Streamlit's secrets locations (``.streamlit/secrets.toml``...) exists."""
    from streamlit import config
    return any(os.path.exists(path) for path in config.get_option("secrets.files") or ())


def _refuse_to_start(reason: str) -> None:
    """Stop every page with a plain explanation: sign-in is configured but cannot be trusted,
    so nothing is shown (fail closed, never an open app)."""
    st.title("crimekit cannot start")
    st.error(f"{reason} Until the administrator fixes the secrets file "
             "(.streamlit/secrets.toml) and restarts the app, nobody can sign in and no data "
             "is shown.")
    st.stop()


def _unreadable_secrets(exc: Exception) -> str:
    """Why the secrets file cannot be read, in a sentence without the server's paths."""
    import tomllib
    cause = exc.__cause__ or exc.__context__ or exc
    if isinstance(cause, tomllib.TOMLDecodeError):
        why = f"it is not valid TOML ({cause})"
    elif isinstance(exc, PermissionError) or isinstance(cause, PermissionError):
        why = "the app's server is not allowed to read it"
    elif isinstance(exc, UnicodeDecodeError) or isinstance(cause, UnicodeDecodeError):
        why = "it is not UTF-8 text"
    elif isinstance(exc, OSError) or isinstance(cause, OSError):
        why = "the app's server cannot open it as a file"
    else:
        why = f"it cannot be parsed ({type(cause).__name__})"
    return f"The secrets file exists but cannot be read: {why}."


def configured_users() -> dict:
    """Users from the secrets file's ``users`` table ({} when there is no secrets file, or it
    has no ``users`` table: the app runs open).

    Fails closed: a secrets file that exists but cannot be read, or that lists an invalid user,
    stops the page with a message saying what to fix (never an open app).
    """
    try:
        table = st.secrets.get("users")
    except Exception as exc:  # noqa: BLE001 - Streamlit raises several types for bad files
        if not _secrets_file_present():
            return {}  # no secrets file at all: the open demo
        _refuse_to_start(_unreadable_secrets(exc))
    if table is None:
        return {}
    try:
        return access.users_from_config(table)
    except CrimekitError as exc:
        _refuse_to_start(str(exc))


def _session_user(users: dict):
    """The signed-in user with the role the secrets file gives them now (a role changed there
    applies at the next page run), or None when nobody (still listed) is signed in."""
    user = st.session_state.get("user")
    if not isinstance(user, access.User):
        return None
    if user.name not in users:
        del st.session_state["user"]
        return None
    role = users[user.name][1]
    if user.role != role:
        user = st.session_state["user"] = access.User(user.name, role)
    return user


def _sign_in_form(users: dict) -> None:
    """The sign-in form; stops the page until the person has signed in."""
    st.title("Sign in")
    with st.form("sign_in"):
        name = st.text_input("User name", key="sign_in_name")
        password = st.text_input("Password", type="password", key="sign_in_password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        user, message = access.sign_in(name, password, users, _sign_in_limiter())
        if user is not None:
            st.session_state["user"] = user
            st.rerun()
        st.error(md(message))
    st.stop()


def require_sign_in() -> None:
    """The entry script's gate: ask for a user name and password when users are configured
    (stopping the page until then), and show who is signed in with a sign-out button."""
    users = configured_users()
    if not users:  # the open demo: everyone may do everything (a preset user is kept)
        st.session_state.setdefault("user", access.OPEN_ACCESS)
        return
    user = _session_user(users)
    if user is None:
        _sign_in_form(users)
    st.sidebar.caption(f"Signed in as **{md(user.name)}** ({user.role}).")
    if st.sidebar.button("Sign out", key="sign_out"):
        del st.session_state["user"]
        st.rerun()


def check_access() -> None:
    """Every page's first call: the same check as the entry script's gate, so a page opened by
    its own URL (which on a freshly started server runs without ``app.py``) still asks to sign
    in. Shows nothing when the person is already signed in (or the app is open)."""
    users = configured_users()
    if not users:
        st.session_state.setdefault("user", access.OPEN_ACCESS)
    elif _session_user(users) is None:
        _sign_in_form(users)


def current_user():
    """The signed-in user (everyone is an analyst when no users are configured)."""
    return st.session_state.get("user", access.OPEN_ACCESS)


def can(action: str) -> bool:
    """Whether the current user may ``action`` ("upload", "unmask", "delete")."""
    return current_user().can(action)
