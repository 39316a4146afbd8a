"""The README's set-up commands, CI and the requirements agree (issue 11's new-user items)."""

import re

from conftest import ROOT


def _commands(readme: str) -> list:
    return re.findall(r"```bash\n(.*?)\n```", readme, flags=re.S)


def test_ci_runs_the_readmes_test_command_in_a_virtual_environment():
    readme = (ROOT / "README.md").read_text()
    setup = [c for c in _commands(readme) if "pip install -r requirements.txt" in c]
    assert len(setup) == 2 and all(c.startswith("python3 -m venv .venv && . .venv/bin/activate")
                                   for c in setup)
    test_command = next(c for c in setup if c.endswith("python -m pytest"))
    assert test_command in (ROOT / ".ci" / "run").read_text()
    assert "Python 3.11 or newer" in readme


def test_readme_examples_write_into_an_ignored_out_folder():
    readme = (ROOT / "README.md").read_text()
    examples = [line for block in _commands(readme) for line in block.splitlines()
                if line.startswith("python -m crimekit")]
    outputs = [m for line in examples for m in re.findall(
        r"--(?:out|cells|report|details|backtest-out) (\S+)", line)]
    assert outputs and all(path.startswith("out/") for path in outputs)
    assert "out/" in (ROOT / ".gitignore").read_text().splitlines()


def test_xgboost_is_the_cpu_build_where_one_exists():
    lines = [ln.split("#")[0].strip() for ln in (ROOT / "requirements.txt").read_text()
             .splitlines()]
    xgb = [ln for ln in lines if ln.startswith("xgboost")]
    assert 'xgboost-cpu==3.2.0; sys_platform != "darwin"' in xgb
    assert all("darwin" in ln for ln in xgb)  # the GPU wheel never on Linux or Windows
