"""crimekit.settings: declared once, checked on construction, read by widgets."""

from dataclasses import FrozenInstanceError, dataclass

import pytest

from crimekit.errors import ParameterError
from crimekit.settings import Settings, setting


@dataclass(frozen=True)
class Example(Settings):
    freq: str = setting("W", choices=("D", "W", "M"), label="Period", help="How long.")
    cell_size: float = setting(250.0, low=25, high=5000, step=25, label="Cell size (m)")
    heads: tuple = setting(())


def test_defaults_and_spec_for_widgets():
    s = Example()
    assert (s.freq, s.cell_size, s.heads) == ("W", 250.0, ())
    assert Example.spec("cell_size") == {"default": 250.0, "choices": None, "low": 25,
                                         "high": 5000, "step": 25, "label": "Cell size (m)",
                                         "help": ""}
    assert Example.spec("freq")["choices"] == ("D", "W", "M")


def test_bad_values_are_refused_with_the_one_template():
    with pytest.raises(ParameterError, match=r"The 'freq' parameter of Example must be one of "
                                             r"'D', 'W', 'M'\. Got 'Q'\."):
        Example(freq="Q")
    with pytest.raises(ParameterError, match=r"'cell_size'.*\[25, 5000\]\. Got 5"):
        Example(cell_size=5)
    with pytest.raises(ParameterError):
        Example(cell_size="big")
    with pytest.raises(ParameterError):
        Example().replace(cell_size=10_000)


def test_frozen_and_hashable_so_caches_can_key_on_them():
    s = Example(cell_size=500)
    with pytest.raises(FrozenInstanceError):
        s.cell_size = 100
    assert hash(s) == hash(Example(cell_size=500)) and s == Example(cell_size=500)
    assert s.as_dict() == {"freq": "W", "cell_size": 500, "heads": ()}
