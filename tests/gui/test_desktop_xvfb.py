"""The real app in a real X server: ffmpeg, Shaka Packager, the server, and libmpv rendering
through the render API with Mesa's software OpenGL.

``viewra-desktop CLIP`` runs as a subprocess under an Xvfb this test starts. The app's test
hook (``VIEWRA_TEST_SCREENSHOT_DIR``) saves what the QOpenGLWidget rendered twice a second;
the test checks those pictures are not black and change over time, then quits with Ctrl+Q
typed through XTEST (xdotool) and checks the exit code, the teardown order in the log, and
that no ffmpeg or packager process is left.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from procs import processes_using
from PySide6.QtGui import QImage

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packaging"))
import check_linux_bundle as check  # noqa: E402

pytestmark = pytest.mark.e2e

APP_TIMEOUT_S = 90.0  # generous: the machine may be busy with other encodes


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (scripts/setup.sh installs it)")
    return path


@pytest.fixture
def display() -> Iterator[str]:
    """A private Xvfb (the bundle checker's own starter)."""
    _need("Xvfb")
    with check.xvfb() as number:
        yield number


class App:
    """``viewra-desktop`` running on ``display`` with its own VIEWRA_HOME."""

    def __init__(self, display: str, home: Path, *args: str, settings: str = "") -> None:
        self.display = display
        self.home = home
        self.shots = home / "shots"
        self.stderr_path = home / "stderr.txt"
        home.mkdir(parents=True, exist_ok=True)
        if settings:  # the app's settings file, as a user's earlier runs left it
            (home / "config").mkdir()
            (home / "config" / "viewra-desktop.ini").write_text(settings, "utf-8")
        env = dict(os.environ)
        env.pop("WAYLAND_DISPLAY", None)
        env.update(
            DISPLAY=display,
            QT_QPA_PLATFORM="xcb",
            VIEWRA_HOME=str(home),
            VIEWRA_TEST_SCREENSHOT_DIR=str(self.shots),
        )
        self._stderr = self.stderr_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "viewra_desktop", *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )

    @property
    def log(self) -> str:
        try:
            return (self.home / "logs" / "viewra-desktop.log").read_text("utf-8", "replace")
        except OSError:
            return ""

    def describe(self) -> str:
        return (
            f"exit code {self.proc.poll()}\n--- stderr ---\n"
            + self.stderr_path.read_text("utf-8", "replace")[-3000:]
            + "\n--- log ---\n"
            + "\n".join(line for line in self.log.splitlines() if " DEBUG " not in line)[-5000:]
        )

    def wait_for(self, what: str, predicate, timeout: float = APP_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"the app ended while waiting for {what}\n{self.describe()}")
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}\n{self.describe()}")

    def frames(self) -> list[Path]:
        return sorted(self.shots.glob("video-*.png")) if self.shots.is_dir() else []

    def children(self) -> dict[int, str]:
        """pid -> name of the app's child processes (ffmpeg, packager)."""
        found = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            if ppid == self.proc.pid:
                found[int(entry.name)] = name
        return found

    def xdotool(self, *args: str) -> str:
        done = subprocess.run(
            [_need("xdotool"), *args],
            env=dict(os.environ, DISPLAY=self.display),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._stderr.close()


@pytest.fixture
def run_app(display, tmp_path) -> Iterator:
    apps: list[App] = []

    def start(*args: str, settings: str = "") -> App:
        app = App(display, tmp_path / f"home{len(apps)}", *args, settings=settings)
        apps.append(app)
        return app

    yield start
    for app in apps:
        app.close()


# -- pictures ---------------------------------------------------------------------------------


def samples(path: Path, step: int = 7) -> list[tuple[int, int, int]]:
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    assert not image.isNull(), f"{path} is not an image"
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    data = bytes(image.constBits())
    pixels = []
    for y in range(0, height, step):
        row = y * stride
        for x in range(0, width, step):
            i = row + 3 * x
            pixels.append((data[i], data[i + 1], data[i + 2]))
    return pixels


def lit_fraction(pixels) -> float:
    return sum(1 for p in pixels if max(p) > 40) / len(pixels)


def changed_fraction(a, b) -> float:
    def differs(p, q) -> bool:
        return max(abs(p[0] - q[0]), abs(p[1] - q[1]), abs(p[2] - q[2])) > 30

    return sum(1 for p, q in zip(a, b, strict=True) if differs(p, q)) / len(a)


def processes_in(folder: Path) -> list[str]:
    return processes_using(folder, skip=lambda cmdline: "Xvfb" in cmdline)


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


# -- tests ------------------------------------------------------------------------------------


def test_plays_a_file_renders_frames_and_quits_cleanly_with_ctrl_q(run_app, media_dir, tmp_path):
    from media import make_clip

    clip = make_clip(media_dir, "window-20s.mp4", seconds=20, size="1280x720")
    app = run_app(str(clip))

    # Real frames: not black, and moving.
    good: list[tuple[Path, list]] = []

    def two_moving_frames() -> bool:
        for path in app.frames():
            if any(path == seen for seen, _ in good):
                continue
            pixels = samples(path)
            if lit_fraction(pixels) > 0.5:
                good.append((path, pixels))
        return len(good) >= 2 and changed_fraction(good[0][1], good[-1][1]) > 0.01

    children: dict[int, str] = {}

    def watch() -> bool:
        children.update(app.children())
        return two_moving_frames()

    app.wait_for("two different rendered frames", watch)
    first, last = good[0], good[-1]
    # Where the time to the first frame on screen went: every step, in order, on one clock.
    app.wait_for("the open's timing line", lambda: "timing of open of window-20s.mp4" in app.log)
    timing = next(line for line in app.log.splitlines() if "timing of open of" in line)
    steps = ("probe", "ffmpeg started", "first packet", "first chunk", "first answer",
             "demuxer open", "first frame")  # fmt: skip
    at = [float(re.search(rf"{step} ([0-9.]+) s", timing).group(1)) for step in steps]
    assert at == sorted(at), timing
    # The clock starts once a little is buffered: the frame was on screen about then.
    playing = float(re.search(r"playing ([0-9.]+) s", timing).group(1))
    assert abs(playing - at[-1]) < 5, timing
    assert 0 < at[-1] < 30, timing
    assert lit_fraction(last[1]) > 0.5
    assert changed_fraction(first[1], last[1]) > 0.01
    windows = sorted(app.shots.glob("window-*.png"))
    assert windows, "the window itself was never grabbed"
    keep = Path(os.environ.get("VIEWRA_KEEP_SCREENSHOT", tmp_path / "window.png"))
    shutil.copy(windows[-1], keep)

    assert "Viewra" in app.xdotool("search", "--onlyvisible", "--name", "Viewra", "getwindowname")
    encoding = {pid: name for pid, name in children.items() if alive(pid)}
    window_id = app.xdotool("search", "--onlyvisible", "--name", "Viewra").split()[0]
    app.xdotool("windowfocus", "--sync", window_id)
    app.xdotool("key", "--clearmodifiers", "ctrl+q")
    try:
        code = app.proc.wait(APP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise AssertionError("the app did not quit on Ctrl+Q\n" + app.describe()) from None
    assert code == 0, app.describe()

    log = app.log
    assert log.index("closing: stopping playback and the encoder") < log.index(
        "controller shut down"
    )
    assert log.index("controller shut down") < log.index("mpv render context freed")
    assert log.index("mpv render context freed") < log.index("exit 0")
    assert "Fatal Python error" not in app.stderr_path.read_text("utf-8", "replace")
    assert {"ffmpeg-linux-x64", "packager-linux-x64"} & set(children.values()) or any(
        "ffmpeg" in n or "packager" in n for n in children.values()
    ), f"no encoder child was ever seen: {children}"
    if encoding:  # Ctrl+Q came while encoding: the session was stopped (or had just ended)
        finished = log.find("session state: finished")
        ended_first = 0 <= finished < log.index("closing: stopping playback")
        assert "session state: stopped" in log or ended_first, app.describe()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in encoding) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in encoding if alive(pid)], f"left running: {encoding}"
    assert processes_in(app.home) == []


def frame_time(path: Path) -> float:
    """The player's position when the hook saved the frame (``video-007-002400.png``)."""
    return int(path.stem.split("-")[2]) / 1000


def subtitle_pixels(path: Path) -> tuple[int, int]:
    """Pixels of drawn subtitle text in the frame's bottom fifth (mpv's default style: white
    letters in a black border, which nothing in the film's picture has), and its height."""
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    data = bytes(image.constBits())

    def pixel(x: int, y: int) -> tuple[int, int, int]:
        i = y * stride + 3 * x
        return data[i], data[i + 1], data[i + 2]

    found = 0
    for y in range(height * 4 // 5, height - 3):
        for x in range(3, width - 3, 2):
            if min(pixel(x, y)) < 225:
                continue
            near = (pixel(x + dx, y + dy) for dx, dy in ((3, 0), (-3, 0), (0, 3), (0, -3)))
            if any(max(p) < 50 for p in near):
                found += 1
    return found, height


def test_subtitles_are_drawn_on_the_picture_in_the_window_and_in_fullscreen(
    run_app, media_dir, tmp_path
):
    """A French speaker's settings: the French dub, with its forced subtitles on (cues at
    2-4 s and 6-8 s). Paused, PageDown goes to a chapter's start (3 s or 7 s: in a cue), F to
    fullscreen (with no window manager under Xvfb the window keeps its size, but menus,
    status bar and controls go), PageUp back to the start (0 s: no cue)."""
    from media import make_film

    film = make_film(media_dir)
    settings = "[tracks]\naudio_language=fr\nsubtitle_language=fr\n"
    app = run_app(str(film), "--profile", "360p", settings=settings)
    app.wait_for(
        "the forced subtitles, and playback",
        lambda: (
            "adding subtitles French (forced)" in app.log
            and any(frame_time(p) > 0.3 for p in app.frames())
        ),
    )
    window_id = app.xdotool("search", "--onlyvisible", "--name", "Viewra").split()[0]
    app.xdotool("windowfocus", "--sync", window_id)

    def frames_at(keys: list[str], times: tuple[float, ...], taller_than: int = 0) -> list[Path]:
        """Type ``keys``; the frames saved after, at one of ``times`` and taller than given."""
        after = len(app.frames())
        for key in keys:
            app.xdotool("key", key)
        found: list[Path] = []

        def seen() -> bool:
            found[:] = [
                p for p in app.frames()[after:]
                if any(abs(frame_time(p) - t) < 0.05 for t in times)
                and QImage(str(p)).height() > taller_than
            ]  # fmt: skip
            return len(found) >= 2  # the paused frame, drawn again: subtitles are there

        app.wait_for(f"a frame at {times} after {keys}", seen)
        return found

    cue = frames_at(["space", "Next"], (3.0, 7.0))  # paused; the next chapter's start
    at = frame_time(cue[-1])
    text, height = subtitle_pixels(cue[-1])
    assert text > 100, (at, text)  # "Panneau : Plage à 2 km" or "Sortie"
    full = frames_at(["f"], (at,), taller_than=height)
    assert subtitle_pixels(full[-1])[0] > 100
    shutil.copy(  # the fullscreen window with its subtitles, to look at
        max(app.shots.glob("window-*.png")),
        Path(os.environ.get("VIEWRA_KEEP_SCREENSHOT", tmp_path / "subtitles.png")),
    )
    back = ["Prior"] if abs(at - 3.0) < 0.05 else ["Prior", "Prior"]  # to the first chapter: 0 s
    start = frames_at(back, (0.0,), taller_than=height)
    assert subtitle_pixels(start[-1])[0] < 20  # the same picture size, no cue: no text


def test_demo_opens_the_built_in_clip_and_sigterm_quits_cleanly(run_app):
    app = run_app("--demo", "--profile", "360p")
    app.wait_for("the demo clip to play", lambda: "viewra-demo.mp4 (360p, " in app.log)
    app.wait_for(
        "a rendered frame", lambda: any(lit_fraction(samples(p)) > 0.5 for p in app.frames())
    )
    assert (app.home / "cache" / "demo" / "viewra-demo.mp4").is_file()
    app.proc.send_signal(signal.SIGTERM)
    assert app.proc.wait(APP_TIMEOUT_S) == 0, app.describe()
    assert "mpv render context freed" in app.log
    assert processes_in(app.home) == []
    settings = (app.home / "config" / "viewra-desktop.ini").read_text()
    assert "profile=360p" in settings


def halves(path: Path, trim: bool = False) -> tuple[list, list]:
    """The left and right halves' samples of a picture (``trim``: of its lit columns only,
    without the black bars beside a letterboxed video; the labels at the top are not)."""
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    first, width, height = 0, image.width(), image.height()
    if trim:
        lit = [
            x
            for x in range(width)
            if any(
                max(image.pixelColor(x, y).getRgb()[:3]) > 40
                for y in range(height // 4, 3 * height // 4, 9)
            )
        ]
        first, width = lit[0], lit[-1] - lit[0] + 1
    left = image.copy(first, 0, width // 2, height)
    right = image.copy(first + width - width // 2, 0, width // 2, height)
    return tuple(_pixels(part) for part in (left, right))  # type: ignore[return-value]


def _pixels(image: QImage, step: int = 7) -> list[tuple[int, int, int]]:
    data, stride = bytes(image.constBits()), image.bytesPerLine()
    return [
        (data[y * stride + 3 * x], data[y * stride + 3 * x + 1], data[y * stride + 3 * x + 2])
        for y in range(0, image.height(), step)
        for x in range(0, image.width(), step)
    ]


def coarse(pixels: list, blocks: int = 64) -> list[float]:
    """Brightness in ``blocks`` runs of samples: what survives a lossy 360p encode."""
    size = max(1, len(pixels) // blocks)
    return [
        sum(sum(p) for p in pixels[i : i + size]) / (3 * size) for i in range(0, len(pixels), size)
    ]


def test_compare_view_and_stats_panel_on_screen(run_app, media_dir, tmp_path):
    from media import make_clip

    clip = make_clip(media_dir, "window-20s.mp4", seconds=20, size="1280x720")
    app = run_app(str(clip), "--profile", "360p")
    app.wait_for(
        "a rendered frame", lambda: any(lit_fraction(samples(p)) > 0.5 for p in app.frames())
    )
    window_id = app.xdotool("search", "--onlyvisible", "--name", "Viewra").split()[0]
    app.xdotool("windowfocus", "--sync", window_id)
    app.xdotool("key", "--clearmodifiers", "c")  # Compare with source
    app.xdotool("key", "--clearmodifiers", "ctrl+2")  # side by side

    side_by_side: list[Path] = []

    def both_halves_show_the_same_frame() -> bool:
        for path in sorted(app.shots.glob("compare-*.png")):
            left, right = halves(path)
            if min(lit_fraction(left), lit_fraction(right)) < 0.5:
                continue
            a, b = coarse(left), coarse(right)
            if sum(abs(x - y) for x, y in zip(a, b, strict=False)) / len(a) < 12:
                side_by_side.append(path)
                return True
        return False

    app.wait_for("the source and the encode side by side", both_halves_show_the_same_frame)
    app.xdotool("key", "--clearmodifiers", "ctrl+1")  # split: the source left of the divider
    app.xdotool("key", "--clearmodifiers", "i")  # Encode stats

    def split_and_graph() -> bool:
        stats = sorted(app.shots.glob("stats-*.png"))
        if not stats:
            return False
        blue = sum(
            1 for r, g, b in samples(stats[-1], step=3) if b > 200 and 100 < g < 170 and r < 90
        )  # the main rung's bars (#3d8bfd)
        return blue > 50

    app.wait_for("the stats panel's bars", split_and_graph)
    split = sorted(app.shots.glob("compare-*.png"))[-1]
    left, right = halves(split, trim=True)
    assert lit_fraction(left) > 0.5 and lit_fraction(right) > 0.5
    assert changed_fraction(left, right) > 0.05  # the two halves of the picture differ
    keep = Path(os.environ.get("VIEWRA_KEEP_SCREENSHOT_DIR", tmp_path))
    keep.mkdir(parents=True, exist_ok=True)
    shutil.copy(side_by_side[0], keep / "compare-side-by-side.png")
    shutil.copy(split, keep / "compare-split.png")
    shutil.copy(sorted(app.shots.glob("stats-*.png"))[-1], keep / "encode-stats.png")
    app.xdotool("key", "--clearmodifiers", "ctrl+q")
    assert app.proc.wait(APP_TIMEOUT_S) == 0, app.describe()
    assert app.log.count("mpv render context freed") >= 2  # the source's player too
    assert processes_in(app.home) == []
