"""Viewra Desktop: watch a video while it is being encoded and packaged."""

__version__ = "0.1.0"
