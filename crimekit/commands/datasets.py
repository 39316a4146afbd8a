"""`python -m crimekit datasets`: list the stored datasets, or delete one."""

from __future__ import annotations

import argparse

from crimekit.store import Store


def register(subparsers) -> None:
    """Add the `datasets` command."""
    p = subparsers.add_parser(
        "datasets", help="list or delete stored datasets",
        description="List the datasets in the local store (name, incidents, persons, date "
                    "range, source files), or delete one.\n\nexamples:\n"
                    "  python -m crimekit datasets\n  python -m crimekit datasets --delete chicago",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--delete", metavar="NAME", help="delete the dataset NAME")
    p.add_argument("--store", metavar="DIR",
                   help="store folder (default: $CRIMEKIT_STORE or data/store)")
    p.set_defaults(func=run)


def run(args) -> int:
    store = Store(args.store)
    if args.delete:
        store.delete(args.delete)
        print(f"Deleted dataset {args.delete!r}.")
        return 0
    table = store.list()
    if table.empty:
        print(f"No datasets in {store.root}; import one with `python -m crimekit ingest FILE`.")
        return 0
    for col in ("first", "last"):
        table[col] = table[col].astype("string").str.slice(0, 10)
    print(table.to_string(index=False))
    return 0
