"""One module per command-line command; see crimekit.cli."""


def add_data_argument(parser) -> None:
    """The ``--data`` option every analysis command shares (opened by crimekit.sources)."""
    parser.add_argument("--data", required=True, metavar="FILE_OR_NAME",
                        help="'demo' (the synthetic city), a stored dataset's name, or a file "
                             "or folder in any supported format (read on the fly)")


def add_setting_argument(parser, settings_cls, name: str, *flags, **kwargs) -> None:
    """An option for the setting ``name`` of ``settings_cls`` whose default, choices and help
    come from the settings class (:meth:`crimekit.settings.Settings.spec`), so the command
    and the page offer the same values; the settings object checks the value when it is built.
    ``flags`` default to ``--name`` (underscores as dashes)."""
    spec = settings_cls.spec(name)
    default = spec["default"]
    kwargs.setdefault("type", type(default))
    if spec["choices"] is not None:
        kwargs.setdefault("choices", spec["choices"])
    if spec["low"] is not None or spec["high"] is not None:
        kwargs.setdefault("metavar", f"{spec['low']}..{spec['high']}")
    help_text = spec["help"].rstrip(".") if spec["help"] else spec["label"]
    parser.add_argument(*(flags or ("--" + name.replace("_", "-"),)), dest=name,
                        default=default, help=f"{help_text} (default {default})", **kwargs)
