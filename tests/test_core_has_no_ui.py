"""crimekit must work without the UI: importing any of its modules never imports streamlit."""

import subprocess
import sys

from conftest import ROOT

CODE = """
import importlib, pkgutil, sys
import crimekit
names = [m.name for m in pkgutil.walk_packages(crimekit.__path__, "crimekit.")
         if m.name != "crimekit.__main__"]
for name in names:
    importlib.import_module(name)
assert len(names) > 15, names
assert "streamlit" not in sys.modules, "streamlit was imported"
print(len(names))
"""


def test_no_crimekit_module_imports_streamlit():
    result = subprocess.run([sys.executable, "-c", CODE], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
