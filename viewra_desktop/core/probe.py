"""Running ffprobe on a file: ``probe`` checks the file first and reads it into a frozen
``MediaInfo`` (``media.parse_probe``), so that every bad input ends in one ``InputError``
sentence.

Threads: any, one file at a time; ``begin`` and the ``read`` that takes its probe on the
same thread (``serve``'s main thread).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import subprocess
from pathlib import Path
from typing import Any

from .binaries import check_tool
from .errors import InputError, ToolNotFoundError
from .media import MediaInfo, as_float, parse_probe

logger = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 20.0
# Demuxers that read files which are not videos: "tty" shows any .txt/.nfo/.asc file as
# ANSI art, so ffprobe reports a text file as a 640x400 video.
NOT_VIDEO_FORMATS = frozenset({"tty"})
# Demuxers whose seeking is not keyframe-exact (MPEG-TS and -PS, raw streams): ffmpeg's input
# seek lands on any packet, and the decoder shows nothing until the next keyframe. Their
# keyframe spacing is measured so that a run starting mid-file can decode from before it.
INEXACT_SEEK_FORMATS = frozenset(
    {"mpegts", "mpeg", "mpegvideo", "h264", "hevc", "m4v", "vc1", "cavsvideo", "vvc"}
)
MP4_FIRST_BOXES = frozenset({b"ftyp", b"mdat", b"moov", b"free", b"skip", b"wide", b"pnot"})
KEYFRAME_SCAN_PACKETS = 300  # the first video packets read to measure the keyframe spacing
MAX_KEYFRAME_GAP_S = 30.0  # assumed when fewer than two keyframes are seen in them
# FFmpeg decoders that only drive hardware: its native AV1 decoder decodes nothing without a
# GPU, so AV1 needs libdav1d or libaom, which some ffmpeg builds (the bundled one) lack.
HARDWARE_ONLY_DECODERS = frozenset({"av1"})
HARDWARE_DECODER_SUFFIXES = ("_cuvid", "_qsv", "_v4l2m2m", "_mediacodec", "_rkmpp", "_mmal")


def _is_still_image(format_name: str) -> bool:
    """ffmpeg reads a picture (JPEG, PNG, ...) as a one-frame video via its image demuxers."""
    return format_name == "image2" or format_name.endswith("_pipe")


def check_readable(path: str) -> Path:
    """Refuse paths that cannot be a video before any tool runs."""
    file = Path(path)
    name = file.name or str(file)
    if not file.exists():
        raise InputError(f"{name} does not exist.")
    if file.is_dir():
        raise InputError(f"{name} is a folder, not a video file.")
    if not file.is_file():
        raise InputError(f"{name} is not a regular file.")
    try:
        with file.open("rb") as handle:
            head = handle.read(1)
    except PermissionError as exc:
        raise InputError(f"{name} cannot be read: permission denied.") from exc
    except OSError as exc:
        raise InputError(f"{name} cannot be read: {exc.strerror or exc}.") from exc
    if not head:
        raise InputError(f"{name} is empty.")
    return file.resolve()


def probe_command(ffprobe: str, path: str) -> list[str]:
    return [
        ffprobe,
        "-v", "error",  # only real problems on stderr
        "-print_format", "json",
        "-show_format",
        "-show_streams",
        "-show_chapters",
        # "file:" keeps names with a colon from being read as a protocol.
        "-i", "file:" + path,
    ]  # fmt: skip


def parse_decoders(text: str) -> dict[str, frozenset[str]]:
    """``ffprobe -decoders`` output -> video codec name -> the decoders ffmpeg has for it."""
    found: dict[str, set[str]] = {}
    listing = False
    for line in text.splitlines():
        if line.strip() == "------":
            listing = True
            continue
        parts = line.split(None, 2)
        if not listing or len(parts) < 2 or not parts[0].startswith("V"):
            continue
        # A decoder named unlike its codec says which one: "... (codec av1)".
        named = re.search(r"\(codec (\S+)\)\s*$", parts[2] if len(parts) > 2 else "")
        found.setdefault(named.group(1) if named else parts[1], set()).add(parts[1])
    return {codec: frozenset(names) for codec, names in found.items()}


_DECODERS: dict[str, dict[str, frozenset[str]]] = {}  # per ffprobe, once per process


def _list_decoders(ffprobe: str) -> subprocess.Popen[bytes] | None:
    """Start listing the decoders (unless known already), beside the probe itself."""
    if ffprobe in _DECODERS:
        return None
    try:
        return subprocess.Popen(
            [ffprobe, "-hide_banner", "-decoders"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    except OSError:
        return None


def video_decoders(
    ffprobe: str, listing: subprocess.Popen[bytes] | None = None
) -> dict[str, frozenset[str]]:
    """The video decoders of this ffprobe's libraries (empty if they cannot be listed)."""
    if ffprobe not in _DECODERS:
        listing = listing or _list_decoders(ffprobe)
        try:
            out, _ = listing.communicate(timeout=PROBE_TIMEOUT_S) if listing else (b"", b"")
        except subprocess.TimeoutExpired:
            assert listing is not None
            listing.kill()
            out, _ = listing.communicate()
        _DECODERS[ffprobe] = parse_decoders(out.decode("utf-8", "replace"))
    return _DECODERS[ffprobe]


def can_decode(decoders: dict[str, frozenset[str]], codec: str) -> bool:
    """Has ffmpeg a software decoder for ``codec``? (True when the list is unknown.)"""
    if not decoders:
        return True
    return any(
        name not in HARDWARE_ONLY_DECODERS and not name.endswith(HARDWARE_DECODER_SUFFIXES)
        for name in decoders.get(codec, ())
    )


def keyframe_scan_command(ffprobe: str, path: str, index: int) -> list[str]:
    return [
        ffprobe,
        "-v", "error",
        "-select_streams", str(index),  # the video stream only
        "-read_intervals", f"%+#{KEYFRAME_SCAN_PACKETS}",  # its first packets, not decoded
        "-show_entries", "packet=pts_time,flags",
        "-print_format", "csv=p=0",
        "-i", "file:" + path,
    ]  # fmt: skip


def keyframe_gap(csv_text: str) -> float:
    """The longest keyframe gap in ``pts_time,flags`` lines (to the last packet too)."""
    keys: list[float] = []
    last = 0.0
    for line in csv_text.splitlines():
        fields = line.strip().split(",")
        time = as_float(fields[0], default=-1.0)
        if len(fields) < 2 or time < 0:
            continue
        last = max(last, time)
        if any("K" in field for field in fields[1:]):  # flags, e.g. "K__"
            keys.append(time)
    if len(keys) < 2:
        return MAX_KEYFRAME_GAP_S  # one keyframe in all those packets: assume the worst
    keys.sort()
    gaps = [b - a for a, b in zip(keys, keys[1:], strict=False)] + [last - keys[-1]]
    return round(min(MAX_KEYFRAME_GAP_S, max(gaps)), 6)


def _scan_keyframes(ffprobe: str, path: str, index: int) -> float:
    command = keyframe_scan_command(ffprobe, path, index)
    logger.info("keyframe scan: %s", subprocess.list2cmdline(command))
    try:
        done = subprocess.run(
            command, capture_output=True, timeout=PROBE_TIMEOUT_S, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired):
        return MAX_KEYFRAME_GAP_S
    return keyframe_gap(done.stdout.decode("utf-8", "replace"))


def _starts_like_mp4(file: Path) -> bool:
    """Does the file begin with an MP4/MOV box (ftyp, mdat, ...)?"""
    try:
        with file.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        return False
    return head[4:8] in MP4_FIRST_BOXES


def probe(ffprobe: str, path: str) -> MediaInfo:
    """Probe a file and check that it has something to play."""
    return read(ffprobe, path)[0]


# Probes started ahead (``begin``), by ffprobe and file, until ``read`` takes them.
_BEGUN: dict[tuple[str, Path], tuple[subprocess.Popen[bytes], subprocess.Popen[bytes] | None]] = {}


def begin(ffprobe: str, path: str) -> None:
    """Start probing ``path`` now, for a ``read`` of it to come: ``serve`` does this before
    it imports the rest of the app, so the probe runs beside the imports (a two-hour MP4's
    index alone takes ffprobe 0.2 s). A file that cannot be read is left to ``read`` to
    explain. ``end_begun`` stops what no ``read`` took."""
    try:
        file = check_readable(path)
        started = subprocess.Popen(
            probe_command(ffprobe, str(file)),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
    except (InputError, OSError):
        return
    _BEGUN[(ffprobe, file)] = (started, _list_decoders(ffprobe))


def end_begun() -> None:
    """Stop and reap the probes ``begin`` started that no ``read`` took (a file replayed
    from the cache is not probed)."""
    while _BEGUN:
        _, processes = _BEGUN.popitem()
        for process in processes:
            if process is not None:
                process.kill()
                process.communicate()


def read(ffprobe: str, path: str) -> tuple[MediaInfo, dict[str, Any]]:
    """``probe``, with what ffprobe said (its JSON, and the keyframe gap it measured):
    ``from_record`` makes the same ``MediaInfo`` from it without running ffprobe."""
    file = check_readable(path)
    command = probe_command(ffprobe, str(file))
    logger.info("probe: %s", subprocess.list2cmdline(command))
    started, listing = _BEGUN.pop((ffprobe, file), (None, None))
    if started is None:
        listing = _list_decoders(ffprobe)  # at the same time: it is another ffprobe
    try:
        return _read(ffprobe, file, started or command, listing)
    finally:
        video_decoders(ffprobe, listing)  # never left running, whatever happened


def _run(
    ffprobe: str, name: str, probe: list[str] | subprocess.Popen[bytes]
) -> tuple[int, bytes, bytes]:
    """The probe's output (``probe``: its command, or the process ``begin`` started)."""
    try:
        process = subprocess.Popen(
            probe, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        ) if isinstance(probe, list) else probe  # fmt: skip
    except OSError as exc:
        raise ToolNotFoundError(
            f"ffprobe at {ffprobe} does not run ({exc.strerror or exc}): reinstall Viewra "
            "Desktop, or set VIEWRA_FFPROBE to the path of a working ffprobe."
        ) from exc
    try:
        stdout, stderr = process.communicate(timeout=PROBE_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        process.kill()
        process.communicate()
        raise InputError(f"{name} could not be read in {PROBE_TIMEOUT_S:.0f} seconds.") from exc
    return process.returncode, stdout, stderr


def _read(
    ffprobe: str,
    file: Path,
    command: list[str] | subprocess.Popen[bytes],
    listing: subprocess.Popen[bytes] | None,
) -> tuple[MediaInfo, dict[str, Any]]:
    name = file.name
    returncode, out, err = _run(ffprobe, name, command)
    stderr = err.decode("utf-8", "replace")
    try:
        data = json.loads(out.decode("utf-8", "replace") or "{}")
    except json.JSONDecodeError:
        data = {}
    format_name = str((data.get("format") or {}).get("format_name") or "")
    if returncode != 0 or not data.get("format") or format_name in NOT_VIDEO_FORMATS:
        if returncode != 0:
            check_tool("ffprobe", ffprobe)  # a broken ffprobe is not the file's fault
        if "moov atom not found" in stderr and _starts_like_mp4(file):
            # An MP4/MOV whose index was never written (ffprobe says the same of any
            # file named .mp4, so only files that begin like one are called damaged).
            raise InputError(
                f"{name} is damaged or incomplete: its index is missing, as when a recording "
                "or download was cut short.",
                details=stderr[-2000:],
            )
        raise InputError(
            f"{name} is not a video file Viewra Desktop can read.", details=stderr[-2000:]
        )
    info = parse_probe(data, path=str(file), size=os.path.getsize(file))
    if info.video is not None and _is_still_image(format_name):
        raise InputError(f"{name} is a picture, not a video.")
    if info.video is None:
        raise InputError(f"{name} has no video stream to play.", details=stderr[-2000:])
    if info.duration <= 0:
        raise InputError(
            f"{name} has no known duration; it may be truncated or damaged.",
            details=stderr[-2000:],
        )
    codec = info.video.codec
    if not can_decode(video_decoders(ffprobe, listing), codec):
        # Refused now rather than as an encoder failure after the player has started.
        raise InputError(
            f"{name} is {codec.upper()} video, which the ffmpeg in use cannot decode.",
            details=f"no software decoder for {codec} in {ffprobe} -decoders",
        )
    if set(format_name.split(",")) & INEXACT_SEEK_FORMATS:
        gap = _scan_keyframes(ffprobe, str(file), info.video.index)
        info = dataclasses.replace(info, keyframe_gap=gap)
    return info, {"probe": data, "keyframe_gap": info.keyframe_gap}


def from_record(record: dict[str, Any], path: str) -> MediaInfo | None:
    """The ``MediaInfo`` of a file ``read`` before (``record``: what it returned), or None
    if the record does not hold it. The file is the same: the cache key says so."""
    try:
        info = parse_probe(record["probe"], path=path, size=os.path.getsize(path))
        return dataclasses.replace(info, keyframe_gap=float(record.get("keyframe_gap", 0.0)))
    except (KeyError, TypeError, ValueError, AttributeError, OSError):  # not a record
        return None
