"""One module per command-line command; see crimekit.cli."""


def add_data_argument(parser) -> None:
    """The ``--data`` option every analysis command shares (opened by crimekit.sources)."""
    parser.add_argument("--data", required=True, metavar="FILE_OR_NAME",
                        help="'demo' (the synthetic city), a stored dataset's name, or a file "
                             "or folder in any supported format (read on the fly)")
