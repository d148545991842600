"""Errors a person can act on.

Every error the core raises on purpose is a ``ViewraError``: its ``str()`` is one plain sentence
meant for the user, and ``details`` holds what a developer needs (a tool's stderr tail).
"""

from __future__ import annotations


class ViewraError(Exception):
    """Base class: the message is one sentence for the user."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details


class ToolNotFoundError(ViewraError):
    """ffmpeg, ffprobe or the packager is missing or does not run."""


class InputError(ViewraError):
    """The file cannot be opened, read or played."""


class CacheError(ViewraError):
    """The cache folder cannot be used (not writable, disk full, in use)."""
