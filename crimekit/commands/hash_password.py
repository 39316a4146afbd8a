"""``python -m crimekit hash-password``: make a password hash for the app's secrets file."""

from __future__ import annotations

import argparse
import getpass
import sys

from crimekit.access import ROLES, check_user_name, hash_password, secrets_entry
from crimekit.errors import ParameterError

HELP = """\
Print a salted password hash and the lines to add to .streamlit/secrets.toml, so that the app
asks users to sign in. The password is read without echo (or from standard input with --stdin).
User names may hold letters, digits, spaces and . _ - @ ' (names with spaces or dots are
written as quoted TOML keys).

examples:
  python -m crimekit hash-password --user asha --role analyst
  printf '%s\\n' "$PASSWORD" | python -m crimekit hash-password --user "kiran rao" --stdin
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


def read_password(from_stdin: bool) -> str:
    """The password, from standard input or typed twice at a terminal."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise ParameterError("No password was given on standard input; pipe one in, e.g. "
                                 "printf '%s\\n' \"$PASSWORD\" | python -m crimekit "
                                 "hash-password --user NAME --stdin.")
        return password
    if not (sys.stdin and sys.stdin.isatty()):
        raise ParameterError("There is no terminal to type the password in; pipe it in with "
                             "--stdin, e.g. printf '%s\\n' \"$PASSWORD\" | python -m crimekit "
                             "hash-password --user NAME --stdin.")
    try:
        password = getpass.getpass("Password: ")
        again = getpass.getpass("Again: ")
    except EOFError:
        raise ParameterError("The password was not typed (input ended); nothing was "
                             "printed.") from None
    if again != password:
        raise ParameterError("The two passwords differ; nothing was printed.")
    if not password:
        raise ParameterError("The password is empty; type one, nothing was printed.")
    return password


def run(args) -> int:
    """Check the name, read the password, print the secrets entry."""
    check_user_name(args.user)
    print(secrets_entry(args.user, hash_password(read_password(args.stdin)), args.role))
    return 0
