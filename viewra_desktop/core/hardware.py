"""Which hardware video encoders really work here.

An ffmpeg lists the encoders it was built with (``-encoders``), not those this machine can
run: NVENC needs an NVIDIA GPU, VAAPI a render node, V4L2 M2M a codec device. So on first
use (a profile asks for hardware) each listed one encodes one second of a test picture; the
result is kept per ffmpeg binary (its path, size and time) in the cache folder, and a
profile falls back to the software encoder when none of its family works.

Threads: called from the thread that starts a session; the file is written atomically.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
from pathlib import Path

from . import encoders
from .files import write_atomically
from .profiles import Profile

logger = logging.getLogger(__name__)

TRIAL_TIMEOUT_S = 15.0
RESULTS_NAME = "hardware-encoders.json"
VAAPI_DEVICE = "/dev/dri/renderD128"


def listed(encoder_list: str) -> list[str]:
    """The hardware encoders of the codecs a profile may name, in ``ffmpeg -encoders``."""
    wanted = {
        encoders.hardware_name(codec, family)
        for codec in encoders.SOFTWARE
        for family in encoders.HARDWARE_FAMILIES
    }
    names = []
    for line in encoder_list.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith("V") and parts[1] in wanted:
            names.append(parts[1])
    return names


def trial_command(ffmpeg: str, name: str) -> list[str]:
    """One second of a test picture through encoder ``name``, to nowhere."""
    argv = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error"]
    upload = []
    if name.endswith("_vaapi"):
        argv += ["-vaapi_device", VAAPI_DEVICE]
        upload = ["-vf", "format=nv12,hwupload"]  # VAAPI encodes frames in GPU memory
    return [
        *argv,
        "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=1",
        *upload,
        "-c:v", name,
        "-f", "null", "-",
    ]  # fmt: skip


def _identity(ffmpeg: str) -> str:
    try:
        st = os.stat(ffmpeg)
    except OSError:
        return ffmpeg
    return f"{os.path.realpath(ffmpeg)}:{st.st_size}:{st.st_mtime_ns}"


def working(ffmpeg: str, cache_root: Path) -> frozenset[str]:
    """The hardware encoders of ``ffmpeg`` that work here (tried once per binary)."""
    results_file = cache_root / RESULTS_NAME
    try:
        known = json.loads(results_file.read_text("utf-8"))
    except (OSError, ValueError):
        known = {}
    if not isinstance(known, dict):
        known = {}
    identity = _identity(ffmpeg)
    if not isinstance(known.get(identity), dict):
        known[identity] = _try_all(ffmpeg)
        try:
            cache_root.mkdir(parents=True, exist_ok=True)
            write_atomically(results_file, json.dumps(known, indent=1).encode())
        except OSError:
            logger.warning("could not keep the hardware encoder trial in %s", results_file)
    return frozenset(name for name, ok in known[identity].items() if ok)


def for_profile(profile: Profile, ffmpeg: str, cache_root: Path) -> frozenset[str]:
    """What ``working`` says, for a profile that asks for hardware (else nothing is tried)."""
    return working(ffmpeg, cache_root) if profile.hardware else frozenset()


def _try_all(ffmpeg: str) -> dict[str, bool]:
    try:
        done = subprocess.run(
            [ffmpeg, "-hide_banner", "-encoders"], capture_output=True, text=True,
            timeout=TRIAL_TIMEOUT_S, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return {}
    results = {}
    for name in listed(done.stdout):
        try:
            trial = subprocess.run(
                trial_command(ffmpeg, name), capture_output=True, text=True,
                timeout=TRIAL_TIMEOUT_S, stdin=subprocess.DEVNULL,
            )  # fmt: skip
            results[name] = trial.returncode == 0
            reason = "" if trial.returncode == 0 else trial.stderr.strip().splitlines()[-1:]
        except (OSError, subprocess.TimeoutExpired) as exc:
            results[name], reason = False, [str(exc)]
        logger.info("hardware encoder %s: %s %s", name, "works" if results[name] else
                    "does not work here", " ".join(reason))  # fmt: skip
    return results
