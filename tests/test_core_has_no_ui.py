"""crimekit must work without the UI: importing it never imports streamlit."""

import subprocess
import sys

from conftest import ROOT

MODULES = ["crimekit", "crimekit.synth", "crimekit.spatial", "crimekit.maps", "crimekit.cli",
           "crimekit.filters", "crimekit.export", "crimekit.patrol", "crimekit.patrol_risk",
           "crimekit.report", "crimekit.access", "crimekit.overview", "crimekit.ingest",
           "crimekit.store", "crimekit.sources"]


def test_import_crimekit_does_not_import_streamlit():
    code = ("import importlib, sys\n"
            f"for m in {MODULES!r}:\n"
            "    importlib.import_module(m)\n"
            "assert 'streamlit' not in sys.modules, 'streamlit was imported'\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
