"""Numbers in plain words, the same on every page, command and printout: p-values as "< 0.001",
changes as "30% fewer", intervals as "-40% to -18%", tests as "unlikely to be chance"."""

from __future__ import annotations

import numpy as np


def p_text(p: float) -> str:
    """A p-value for a table: "< 0.001", "0.012", "0.45" (never sixty zeros)."""
    if p is None or not np.isfinite(p):
        return "n/a"
    return "< 0.001" if p < 0.001 else f"{p:.3f}" if p < 0.1 else f"{p:.2f}"


def p_phrase(p: float) -> str:
    """A p-value in a sentence: "p < 0.001", "p = 0.012"."""
    text = p_text(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def chance_words(p: float) -> str:
    """What a test's p-value says, in words a commander uses."""
    if not np.isfinite(p):
        return "not tested"
    return ("very unlikely to be chance" if p < 0.01 else "unlikely to be chance"
            if p < 0.05 else "could well be chance")


def change_words(x: float) -> str:
    """"30% fewer", "12% more", "no change"."""
    if not np.isfinite(x):
        return "n/a"
    pct = round(abs(x) * 100)
    return "no change" if pct == 0 else f"{pct}% {'fewer' if x < 0 else 'more'}"


def range_words(lo: float, hi: float) -> str:
    """"-40% to -18%" (changes as signed percentages)."""
    def one(v):
        return "no upper limit" if not np.isfinite(v) else f"{v * 100:+.0f}%"
    return f"{one(lo)} to {one(hi)}"
