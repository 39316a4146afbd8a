"""A package's face that imports each public name from its module on first use (PEP 562), so a
caller of one layer does not pay for the imports of every other (``ui``, ``crimekit.patrol``)."""

from __future__ import annotations

from importlib import import_module


def names_on_first_use(package: str, homes: dict, namespace: dict):
    """The module-level ``__getattr__`` of ``package``: ``homes`` maps each public name to the
    submodule that defines it; a name is imported when first asked for and kept in
    ``namespace`` (the package's ``globals()``), so later lookups are plain attributes."""
    def __getattr__(name):
        try:
            home = homes[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(import_module(f"{package}.{home}"), name)
        namespace[name] = value
        return value
    return __getattr__
