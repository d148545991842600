"""Playing a manifest in headless Chromium with Shaka Player, hls.js or dash.js.

The page and its runner are in ``tests/web`` (``run.mjs``: playwright-core drives Debian's
Chromium); ``scripts/setup-web.sh`` installs them. ``missing()`` names what is not installed,
so a test skips saying why, and only then.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

WEB = Path(__file__).resolve().parent / "web"
CHROMIUM = os.environ.get("VIEWRA_CHROMIUM", "/usr/bin/chromium")


def missing() -> str | None:
    """Why the web players cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed (scripts/setup-web.sh installs it)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (scripts/setup-web.sh installs Debian's chromium)"
    for package in ("playwright-core", "shaka-player", "hls.js", "dashjs"):
        if not (WEB / "node_modules" / package).is_dir():
            return f"npm package {package} is not installed (scripts/setup-web.sh)"
    return None


def play(
    player: str,
    url: str,
    until: str = "end",
    timeout: float = 120.0,
    rate: float = 1.0,
    config: dict[str, Any] | None = None,
    script: str | None = None,
    start: float | None = None,
) -> dict[str, Any]:
    """Play ``url`` with ``player`` ("shaka", "hls" or "dash") until it has loaded or ended.

    Returns the page's report: loaded, ended, errors, waits, duration, currentTime, maxTime,
    minTime, backwards (backward jumps of the clock), for Shaka ``live`` (it took the stream
    for live when it loaded it) and, with ``script`` (an async function body run in the page
    with ``player`` and ``video``), its result as ``eval``. ``start``: Shaka loads there.
    """
    argv = [
        "--player", player, "--url", url, "--until", until,
        "--timeout", str(timeout), "--rate", str(rate), "--config", json.dumps(config or {}),
    ]  # fmt: skip
    if start is not None:
        argv += ["--start", str(start)]
    return _run(argv, timeout, script)


def open_page(
    url: str, until: str = "end", timeout: float = 120.0, script: str | None = None
) -> dict[str, Any]:
    """Open a player page (a package's ``index.html``) and report what its video did, like
    ``play``; errors the page logs to the console count as errors."""
    return _run(["--page", url, "--until", until, "--timeout", str(timeout)], timeout, script)


def _run(args: list[str], timeout: float, script: str | None) -> dict[str, Any]:
    argv = ["node", str(WEB / "run.mjs"), *args]
    if script is not None:
        argv += ["--eval", script]
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=timeout + 60, env=dict(os.environ)
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise AssertionError(f"the web player did not run: {done.stderr[-2000:]}")
    return json.loads(lines[-1])
