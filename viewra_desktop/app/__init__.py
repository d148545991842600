"""The desktop application: a thin Qt layer over the Qt-free core.

``main.run_app`` builds the pieces: a ``SessionController`` running the pipeline on its own
QThread, a ``Player`` wrapping libmpv, an ``MpvVideoWidget`` rendering through mpv's render
API, and the ``MainWindow`` tying them together. Nothing in ``viewra_desktop.core`` imports
from here.
"""
