"""The package faces (ui, crimekit.patrol) hand on every name they list, each imported from its
module on first use, so one layer can be used without the imports of the others."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("package", ["ui", "crimekit.patrol"])
def test_every_listed_name_is_handed_on(package):
    import importlib
    face = importlib.import_module(package)
    for name in face.__all__:
        assert getattr(face, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        face.no_such_name  # noqa: B018


@pytest.mark.parametrize("code, heavy", [
    ("import crimekit.patrol.solver", "geopandas"),
    ("from crimekit.patrol import solve_plan", "geopandas"),
    ("from ui import maps", "streamlit"),
])
def test_one_layer_does_not_import_the_others(code, heavy):
    out = subprocess.run([sys.executable, "-c", f"import sys; {code}; print({heavy!r} in "
                          "sys.modules)"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
