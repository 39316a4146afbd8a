"""A progress bar around a cached call, whose updates are not replayed from the cache."""

from __future__ import annotations

import contextlib

import streamlit as st



def with_progress(label, func, *args):
    """Run a cached ``func(*args, _progress=...)`` showing a progress bar while it works.

    The bar lives outside the cached function, so its updates must not be recorded for replay:
    a later cache hit (another visit, another session) would replay them onto a bar that no
    longer exists and fail with CacheReplayClosureError.
    """
    bar = st.progress(0.0, text=label)

    def step(done, total):
        with _not_recorded():
            bar.progress(done / total, text=f"{label} {done}/{total}")
    try:
        return func(*args, _progress=step)
    finally:
        bar.empty()


@contextlib.contextmanager
def _not_recorded():
    """Streamlit calls inside this block are not recorded by the running cached function."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import in_cached_function
    except ImportError:  # a Streamlit without this flag: nothing to switch off
        yield
        return
    token = in_cached_function.set(False)
    try:
        yield
    finally:
        in_cached_function.reset(token)
