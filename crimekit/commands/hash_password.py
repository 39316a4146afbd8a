"""``python -m crimekit hash-password``: make a password hash for the app's secrets file."""

from __future__ import annotations

import argparse
import getpass
import sys

from crimekit.access import ROLES, hash_password
from crimekit.errors import ParameterError

HELP = """\
Print a salted password hash and the lines to add to .streamlit/secrets.toml, so that the app
asks users to sign in. The password is read without echo (or from standard input with --stdin).

example:
  python -m crimekit hash-password --user asha --role analyst
"""


def register(subparsers) -> None:
    """Add the ``hash-password`` command."""
    p = subparsers.add_parser("hash-password", help="make a password hash for the app's users",
                              description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--user", required=True, help="the user's sign-in name")
    p.add_argument("--role", choices=ROLES, default="commander",
                   help="commander (look only) or analyst (may upload, unmask, delete)")
    p.add_argument("--stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(func=run)


def run(args) -> int:
    """Read the password, print the secrets entry."""
    if args.stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise ParameterError("The two passwords differ; nothing was printed.")
    print(f'[users.{args.user}]\npassword_hash = "{hash_password(password)}"\n'
          f'role = "{args.role}"')
    return 0
