"""Settings objects: the contract between the floors (pages and commands -> crimekit).

Each analysis takes ``(dataset, settings)`` where settings is a small frozen dataclass whose
fields are declared once with :func:`setting`: the default a commander would pick, the allowed
choices or range, a label and a one-line help. Construction checks every value and refuses a
bad one with the one message template of ``crimekit.errors.ParameterError``; pages read a
widget's choices, range, default and help from :meth:`Settings.spec`, commands build the same
object from argparse, and caches key on it (frozen, hashable).

    >>> @dataclass(frozen=True)
    ... class Demo(Settings):
    ...     cell_size: float = setting(250.0, low=25, high=5000, label="Cell size (m)")
    >>> Demo(cell_size=5)
    Traceback (most recent call last):
    crimekit.errors.ParameterError: The 'cell_size' parameter of Demo must be a number in [25, 5000]. Got 5.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields

from crimekit.errors import ParameterError

__all__ = ["Settings", "setting", "dataclass"]


def setting(default, *, choices=None, low=None, high=None, step=None, label: str = "",
            help: str = ""):
    """A settings field: its ``default``, allowed ``choices`` (a tuple) or numeric range
    [``low``, ``high``] (``step`` for sliders), and the ``label``/``help`` a widget shows."""
    meta = {"choices": tuple(choices) if choices is not None else None, "low": low,
            "high": high, "step": step, "label": label, "help": help}
    if isinstance(default, (list, dict, set)):
        raise TypeError("settings defaults must be immutable (use a tuple)")
    return field(default=default, metadata=meta)


class Settings:
    """Base of every settings dataclass (declare subclasses ``@dataclass(frozen=True)``)."""

    def __post_init__(self):
        for f in fields(self):
            check_value(type(self).__name__, f.name, getattr(self, f.name), f.metadata)

    @classmethod
    def spec(cls, name: str) -> dict:
        """What a widget needs for field ``name``: default, choices, low, high, step, label,
        help."""
        for f in fields(cls):
            if f.name == name:
                return {"default": f.default, **f.metadata}
        raise KeyError(f"{cls.__name__} has no setting {name!r}")

    def replace(self, **changes):
        """A checked copy with some values changed."""
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def check_value(where: str, name: str, value, meta) -> None:
    """Refuse ``value`` when it is outside the field's declared choices or range."""
    choices, low, high = meta.get("choices"), meta.get("low"), meta.get("high")
    if choices is not None and value not in choices:
        raise ParameterError.invalid(name, where, "one of " + ", ".join(map(repr, choices)),
                                     value)
    if low is not None or high is not None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ParameterError.invalid(name, where, f"a number in [{low}, {high}]", value)
        if (low is not None and value < low) or (high is not None and value > high):
            raise ParameterError.invalid(name, where, f"a number in [{low}, {high}]", value)
