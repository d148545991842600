"""Plain-text formatting for the window: times, sizes, encode status. Qt-free."""

from __future__ import annotations

import math

from ..core.progress import Progress


def format_time(seconds: float | None, reference: float | None = None) -> str:
    """``m:ss``, or ``h:mm:ss`` when the time (or ``reference``, e.g. the duration) has hours."""
    if seconds is None or not math.isfinite(seconds):
        return "--:--"
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    long_form = hours > 0 or (reference is not None and reference >= 3600)
    if long_form:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def format_bytes(size: int) -> str:
    """Human-readable size with one decimal: 0 B, 512 B, 1.5 KB, 2.0 GB."""
    value = float(max(0, size))
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"  # pragma: no cover - loop always returns


def format_left(seconds: float | None) -> str:
    """Time left in words a person reads at a glance."""
    if seconds is None or not math.isfinite(seconds):
        return "estimating time left"
    if seconds < 1:
        return "almost done"
    if seconds < 60:
        return f"{int(math.ceil(seconds))} s left"
    return f"{format_time(seconds)} left"


def describe_progress(progress: Progress, fraction: float | None = None) -> str:
    """One status line for an encode in progress, e.g. ``Encoding 42% · 2.3× · 0:41 left``.

    ``fraction`` (if given) is how much of the timeline is encoded, which after a seek is
    more than the current encoder run's own position tells.
    """
    if progress.done:
        return "Encoded"
    percent = int((progress.fraction if fraction is None else fraction) * 100)
    parts = [f"Encoding {percent}%"]
    if progress.speed > 0:
        parts.append(f"{progress.speed:.1f}× realtime")
    parts.append(format_left(progress.seconds_left))
    return " · ".join(parts)


def track_label(track: dict) -> str:
    """A menu label for one entry of mpv's ``track-list``."""
    number = track.get("id", "?")
    parts = []
    title = track.get("title")
    lang = track.get("lang")
    if title:
        parts.append(str(title))
    if lang and lang not in ("und", title):
        parts.append(f"[{lang}]")
    if track.get("type") == "audio":
        channels = track.get("demux-channel-count")
        if channels:
            parts.append({1: "mono", 2: "stereo"}.get(int(channels), f"{channels} ch"))
    codec = track.get("codec")
    if codec and not parts:
        parts.append(str(codec))
    if track.get("external"):
        parts.append("(external)")
    label = " ".join(parts) if parts else "Track"
    return f"{number}: {label}"
