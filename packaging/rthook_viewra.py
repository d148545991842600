"""PyInstaller runtime hook: runs in the frozen app before any of its own code.

1. python-mpv finds libmpv with ``ctypes.util.find_library`` (``'mpv'`` on Linux and macOS,
   ``'mpv-2.dll'``/``'libmpv-2.dll'`` on Windows), which does not look inside the bundle on
   Linux. Answer those names with the libmpv shipped in the bundle.
2. On Linux the bootloader puts the bundle first in ``LD_LIBRARY_PATH``. The dynamic loader
   read it when this process started, so the process keeps finding its libraries; restoring
   the user's value keeps programs the app starts (``xdg-open`` to show a folder) from
   loading the bundle's libraries instead of their own.
"""

from __future__ import annotations

import ctypes.util
import os
import sys

_BUNDLED_NAMES = {
    "linux": ("libmpv.so.2", "libmpv.so.1"),
    "darwin": ("libmpv.dylib", "libmpv.2.dylib"),
    "win32": ("libmpv-2.dll", "mpv-2.dll", "mpv-1.dll"),
}
_ASKED_FOR = {"mpv", "libmpv", "mpv-1.dll", "mpv-2.dll", "libmpv-2.dll"}


def _bundled_libmpv() -> str | None:
    base = getattr(sys, "_MEIPASS", None) or os.path.dirname(sys.executable)
    platform = "linux" if sys.platform.startswith("linux") else sys.platform
    for name in _BUNDLED_NAMES.get(platform, ()):
        path = os.path.join(base, name)
        if os.path.isfile(path):
            return path
    return None


def _install_find_library() -> None:
    bundled = _bundled_libmpv()
    if bundled is None:
        return
    original = ctypes.util.find_library

    def find_library(name: str) -> str | None:
        if name in _ASKED_FOR:
            return bundled
        return original(name)

    ctypes.util.find_library = find_library


def _restore_library_path() -> None:
    if not sys.platform.startswith("linux"):
        return
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original:
        os.environ["LD_LIBRARY_PATH"] = original
    else:
        os.environ.pop("LD_LIBRARY_PATH", None)


_install_find_library()
_restore_library_path()
