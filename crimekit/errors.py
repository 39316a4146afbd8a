"""Every exception crimekit raises, in one place.

Each subclasses a familiar built-in so callers' ``except ValueError`` still works, and each
carries a message written for the person who has to fix the input: what is wrong, where, and
what to do.
"""


class CrimekitError(Exception):
    """Base of all crimekit errors."""


class UnusableInputError(CrimekitError, ValueError):
    """The input cannot be used at all (empty file, wrong type, no usable column).

    The message is one plain sentence; the command line prints it and exits with code 2.
    """


class PrecisionError(UnusableInputError):
    """An analysis needs finer times than the data has (an hour chart of monthly counts)."""


class ParameterError(CrimekitError, ValueError):
    """A function or command was given a parameter outside its allowed range."""

    @classmethod
    def invalid(cls, name, where, rule, got):
        """Build the one message template used for every bad parameter.

        >>> str(ParameterError.invalid("cell_size", "make_grid", "a number in (0, inf)", -5))
        "The 'cell_size' parameter of make_grid must be a number in (0, inf). Got -5."
        """
        return cls(f"The {name!r} parameter of {where} must be {rule}. Got {got!r}.")


class DuplicateSourceError(ParameterError):
    """Raised by ``Store.save`` when a source file is already stored (same sha256)."""


class DatasetNotFoundError(CrimekitError, KeyError):
    """No stored dataset has the requested name."""

    def __str__(self):  # KeyError quotes its message; show it plainly instead
        return str(self.args[0]) if self.args else "dataset not found"


class StoreCorruptError(CrimekitError, RuntimeError):
    """A stored dataset's files cannot be read back."""


class NotFittedError(CrimekitError, ValueError, AttributeError):
    """A model was asked to predict before it was fitted."""


class InfeasiblePlanError(CrimekitError, ValueError):
    """The patrol plan's constraints cannot all be met; the message says which and by how much."""
