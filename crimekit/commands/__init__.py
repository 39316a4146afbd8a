"""One module per command-line command; see crimekit.cli."""
