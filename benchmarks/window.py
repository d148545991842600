"""The window's first frames, measured in the real app (a child process, under Xvfb when
there is no display).

    python -m benchmarks.window [--demo] [--turns] [--settle S] [--ao AO] FILE...

With files: the window is shown, left to settle (the app already open), then each file is
opened as from the welcome page, played to its first frame on screen and closed. With
``--turns``, each file is then also opened by the window's mpv itself, as a local file (the
reference for a replay from the cache), in turns with the sessions. With ``--demo`` (a fresh
home): the demo clip is opened as soon as the window is exposed. Prints
one JSON line: when the window was exposed (seconds from the process start) and, per open,
the steps of its timing line (app.open_timing), in seconds from the open.

Audio output is mpv's ``null`` by default, as the floor's player has it: a machine with no
sound device (this benchmark's) otherwise spends part of each open trying every audio
output in turn, which a desktop with PipeWire or PulseAudio does not. ``--ao ""`` keeps mpv's
own choice.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .players import PROFILE

OPEN_TIMEOUT_S = 60.0


@dataclass
class _State:
    current: str | None = None  # the file being opened
    kind: str = "session"  # how: as a session, or "direct" (the window's mpv, the file itself)
    deadline: float = 0.0  # for its first frame
    next_at: float = float("inf")  # when to open the next


def measure(
    files: list[Path],
    home: Path,
    demo: bool = False,
    settle: float = 1.5,
    ao: str = "null",
    turns: bool = False,
) -> dict:
    """Run the child; its JSON result."""
    argv = [sys.executable, "-m", "benchmarks.window", "--settle", str(settle), "--ao", ao]
    argv += ["--turns"] if turns else []
    argv += ["--demo"] if demo else [str(f) for f in files]
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        xvfb = shutil.which("xvfb-run")
        if xvfb is None:
            raise RuntimeError("the window needs a display, or xvfb-run")
        argv = [xvfb, "-a", "-s", "-screen 0 1600x900x24", *argv]
    env = dict(os.environ, VIEWRA_HOME=str(home))
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"the window run failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(lines[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--demo", action="store_true")
    parser.add_argument("--turns", action="store_true", help="each file also opened directly")
    parser.add_argument("--settle", type=float, default=1.5)
    parser.add_argument("--ao", default="null", help='mpv\'s audio output ("": its own choice)')
    args = parser.parse_args()

    from PySide6.QtCore import QTimer

    from viewra_desktop.app.main import build, run
    from viewra_desktop.cli import app_parser
    from viewra_desktop.core.paths import app_paths, setup_logging
    from viewra_desktop.core.phases import process_started

    launched = process_started()
    paths = app_paths()
    setup_logging(paths, False)
    options = app_parser().parse_args(["--profile", PROFILE])  # as the command line makes them
    app = build(options, paths)
    window = app.window
    if args.ao:
        window.player.mpv["ao"] = args.ao
    result: dict = {"opens": []}
    if args.demo:
        todo = [("session", "demo")]
    else:
        kinds = ("session", "direct") if args.turns else ("session",)
        todo = [(kind, str(f)) for f in args.files for kind in kinds]
    state = _State()

    def tick() -> None:
        now = time.monotonic()
        if "exposed" not in result:
            handle = window.windowHandle()
            if handle is None or not handle.isExposed():
                return
            result["exposed"] = now - launched
            state.next_at = now + (0.0 if args.demo else args.settle)
        if state.current is not None:
            steps = window.timing.phases.reached()
            if "first frame" not in steps and now < state.deadline:
                return
            result["opens"].append(
                {"file": Path(state.current).name, "kind": state.kind, "steps": steps}
            )
            state.current = None
            if state.kind == "direct":
                window.player.stop()
                window.stack.setCurrentWidget(window.welcome)
            else:
                window.close_video()
            state.next_at = now + args.settle  # the encoder stops, the machine settles
            return
        if now < state.next_at:
            return
        if not todo:
            timer.stop()
            window.close()
            return
        state.kind, current = todo.pop(0)
        state.current = current
        state.deadline = now + OPEN_TIMEOUT_S
        if args.demo:
            window.open_demo()
        elif state.kind == "direct":  # as a session's open shows it: the video page, then mpv
            window.timing.begin(current)
            window.stack.setCurrentWidget(window.video_page)
            window.player.load_file(current, paused=False)
        else:
            window.open_file(current)

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    window.show()
    code = run(app)
    print(json.dumps(result), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
