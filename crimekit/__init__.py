"""crimekit: crime analysis and patrol planning, usable without any user interface.

The app (``app.py``, ``views/``) and the command line (``python -m crimekit``) both call the
functions in this package; this package never imports streamlit.
"""

__version__ = "0.1.0"
