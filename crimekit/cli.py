"""The command line: ``python -m crimekit <command> ...``.

Each command lives in its own module under ``crimekit/commands/`` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to a handler taking the parsed
arguments and returning an exit code. Any crimekit error whose input cannot be used becomes one
plain sentence on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from crimekit.errors import CrimekitError

#: Modules under crimekit.commands, in the order ``--help`` lists them.
COMMANDS = ("demo", "ingest", "datasets", "hash_password", "profiles", "plan", "forecast", "alerts",
            "hotspots", "briefing", "operation")

DESCRIPTION = """\
crimekit: crime analysis and patrol planning from the command line.

Start with `python -m crimekit demo --out demo/` to write a synthetic city's files, then
`python -m crimekit ingest demo/incidents.csv` to import a file into the local store.
Run `python -m crimekit COMMAND --help` for each command's options.
"""


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with one sub-command per module in COMMANDS."""
    parser = argparse.ArgumentParser(
        prog="python -m crimekit", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"crimekit.commands.{name}").register(subparsers)
    return parser


def main(argv=None) -> int:
    """Parse ``argv`` and run the command; return the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (CrimekitError, FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: nothing was written to the store.", file=sys.stderr)
        return 130
