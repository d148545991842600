"""Export: a finished encode repackaged for publishing, with no second encode.

The cache entry's segments are short (0.5 s of audio, 0.5-1 s of video) for a fast start;
a package to put on a web server wants longer ones. ``repackage`` runs the packager once
more over the entry's own segments (``feed``: one pipe per stream, fed in timeline order)
in VOD mode, with segments of ``segment_seconds``: the encode has a keyframe every second
after its first two half-second segments (``plan.make_grid``), so the packager cuts exactly
there when the length is a whole number of seconds. It writes its own DASH MPD and HLS
playlists, optionally encrypts (``keys``), and the player page is added (``player_page``).

Nothing half-written: the package is written into a temporary folder beside its place
(``layout.partial_export``) and renamed into place at the end; cancelling (Ctrl+C) or a
failure removes that folder. An encrypted package's key file is written beside the folder,
before the rename, so a package never exists without its key.

``export_file`` first finishes the encode if the entry is not finished, with a session and
no server (reporting its progress), then repackages it.

Threads: everything runs on the caller's thread, except the feeders (``feed``) and the
packager's pipe readers; ``cancel`` may be set from any thread (a signal handler, the GUI).
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import binaries, layout, player_page
from .cache import Cache, CacheEntry, EntryLock
from .commands import PACKAGER_IO_BLOCK, PACKAGER_IO_CACHE
from .errors import CacheError, ViewraError
from .feed import Feeder
from .keys import Encryption, packager_args, write_key_file
from .ledger import Ledger
from .opening import entry_key
from .package import fill_segments
from .pipe import Pipe, create_pipe, relative_path
from .plan import SEGMENT_S, AudioTrack, TextTrack, make_plan
from .process import Status, SupervisedProcess
from .profiles import Profile
from .streams import StreamId, StreamKind

logger = logging.getLogger(__name__)

DEFAULT_SEGMENT_S = 4.0  # what a CDN is usually given
MAX_SEGMENT_S = 60.0
POLL_S = 0.05
VIDEO_SUFFIXES = frozenset(
    f".{suffix}"
    for suffix in (
        "mp4", "m4v", "mkv", "mov", "webm", "avi", "wmv", "flv", "mpg", "mpeg", "ts", "m2ts",
        "mts", "3gp", "ogv", "vob", "mxf", "y4m",
    )
)  # fmt: skip


class ExportError(ViewraError):
    """The package cannot be exported."""


class ExportCancelled(ViewraError):
    """The user cancelled: nothing of this package was left behind."""

    def __init__(self) -> None:
        super().__init__("The export was cancelled.")


@dataclass(frozen=True)
class ExportOptions:
    segment_seconds: float = DEFAULT_SEGMENT_S
    encryption: Encryption | None = None
    dash: bool = True
    hls: bool = True


@dataclass(frozen=True)
class ExportProgress:
    stage: str  # "encoding" (finishing the encode first) or "packaging"
    fraction: float  # 0..1 of that stage


@dataclass(frozen=True)
class ExportResult:
    source: str
    package: Path  # the folder to publish
    key_file: Path | None  # beside it, for an encrypted package


def check_segment_seconds(seconds: float) -> float:
    """The segment length if the encode's keyframes allow it, else one sentence."""
    steps = seconds / SEGMENT_S
    if not (SEGMENT_S <= seconds <= MAX_SEGMENT_S) or abs(steps - round(steps)) > 1e-9:
        raise ExportError(
            f"Segments can only be cut at the encode's keyframes, one every {SEGMENT_S:g} s: "
            f"choose a whole number of seconds from {SEGMENT_S:g} to {MAX_SEGMENT_S:g}."
        )
    return float(seconds)


def expand_sources(paths: Iterable[str]) -> list[str]:
    """Files as given, and the videos in each folder given (by name, not recursive)."""
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            names = sorted(os.listdir(path))
            files += [
                os.path.join(path, n)
                for n in names
                if not n.startswith(".") and Path(n).suffix.lower() in VIDEO_SUFFIXES
            ]
        else:
            files.append(path)
    return files


def package_name(source: str, taken: set[str]) -> str:
    """The package's folder name: the source's name without its suffix, made unique."""
    stem = Path(source).stem.strip(". ") or "video"
    name, number = stem, 2
    while name in taken:
        name, number = f"{stem}-{number}", number + 1
    taken.add(name)
    return name


def packager_command(
    packager: str,
    inputs: Sequence[tuple[StreamId, str]],
    options: ExportOptions,
    source_key: Encryption | None = None,
    texts: Sequence[tuple[TextTrack, str]] = (),
    audio: Sequence[AudioTrack] = (),
) -> list[str]:
    """The packager over one input per stream (paths relative to the package folder), and
    each text track's WebVTT file (cut into WebVTT-in-MP4 segments, which DASH and HLS both
    carry). ``audio``: the plan's audio tracks, for their languages, roles and names."""
    tracks = {track.stream: track for track in audio}
    argv = [packager]
    for stream, path in inputs:
        fields = [
            f"in={path}",
            f"stream={layout.media_type(stream.kind)}",  # the input's one track
            f"init_segment={layout.init(stream)}",
            f"segment_template={layout.segment_template(stream)}",  # the package's own names
        ]
        track = tracks.get(stream)
        if track is not None:
            fields += _language(track.language) + [f"roles={track.role}"]  # DASH Role
        if options.hls:
            fields.append(f"playlist_name={layout.playlist(stream)}")
            if stream.kind is StreamKind.AUDIO:
                label = track.label if track is not None else ""
                fields.append(f"hls_name={_descriptor_text(label, f'Audio {stream.index + 1}')}")
        argv.append(",".join(fields))
    argv += [_text_input(text, path, options) for text, path in texts]
    argv += [
        # The packager cuts at the first keyframe of each new bucket of this length: the
        # encode's keyframes fall on every whole second, so segments are exactly this long.
        "--segment_duration", f"{options.segment_seconds:g}",
    ]  # fmt: skip
    if options.dash:
        # A static VOD MPD listing every segment (segment templates otherwise mean live).
        argv += ["--generate_static_live_mpd", "--mpd_output", layout.MPD]
    if options.hls:
        argv += ["--hls_master_playlist_output", layout.HLS_MASTER, "--hls_playlist_type", "VOD"]
    argv += _key_args(options.encryption, source_key)
    argv += [
        "--io_cache_size", str(PACKAGER_IO_CACHE),  # reads pipes: a small cache (commands)
        "--io_block_size", str(PACKAGER_IO_BLOCK),  # ...handed on in small blocks
        "--quiet",  # stderr keeps warnings and errors for the failure's details
    ]  # fmt: skip
    return argv


def _text_input(text: TextTrack, path: str, options: ExportOptions) -> str:
    stream = text.stream
    fields = [
        f"in={path}",
        "stream=text",
        f"init_segment={layout.init(stream)}",
        f"segment_template={layout.segment_template(stream)}",
    ]
    fields += _language(text.language)
    if text.forced:
        fields.append("forced_subtitle=1")
    if options.hls:
        name = _descriptor_text(text.label, f"Subtitles {stream.index + 1}")
        fields += [f"playlist_name={layout.playlist(stream)}", "hls_group_id=subtitles"]
        fields.append(f"hls_name={name}")
    return ",".join(fields)


def _language(tag: str) -> list[str]:
    """The descriptor's language; the packager refuses "und", so an unknown one is left out."""
    return [f"language={tag}"] if tag and tag != "und" else []


def _descriptor_text(text: str, default: str) -> str:
    """A name as a descriptor field: no ',' or '=' (they separate the fields)."""
    return "".join(c for c in text if c not in ",=") or default


def _key_args(encryption: Encryption | None, source_key: Encryption | None) -> list[str]:
    """Encrypt with ``encryption``; decrypt an encrypted entry with ``source_key``. Both go
    into the one ``--keys`` list: the packager encrypts with the key labelled "" and finds
    the one to decrypt by its key ID."""
    if source_key is None:
        return packager_args(encryption) if encryption else []
    source = f"label=source:key_id={source_key.key_id}:key={source_key.key}"
    argv = ["--enable_raw_key_decryption"]  # the entry was encrypted for the preview
    if encryption is None:
        return argv + ["--keys", source]
    if encryption.key_id == source_key.key_id and encryption.key != source_key.key:
        raise ExportError("The key ID given is the preview's, with another key: choose another.")
    args = packager_args(encryption)
    keys = args.index("--keys") + 1
    args[keys] += "," + source
    return argv + args


def _finished_ledger(entry: CacheEntry) -> Ledger:
    """A ledger of every segmented stream of a finished entry, every segment complete."""
    record = entry.read_complete()
    if record is None:
        raise ExportError("The encode is not finished, so there is nothing to export yet.")
    streams = [layout.stream_named(name) for name in record.get("segments", {})]
    ledger = Ledger(tuple(s for s in streams if s is not None and s.kind.segmented))
    fill_segments(record, ledger)
    ledger.finish()
    return ledger


def repackage(
    folder: Path,
    to_dir: Path,
    name: str,
    options: ExportOptions,
    tools: binaries.Tools,
    on_progress: Callable[[ExportProgress], None] | None = None,
    cancel: threading.Event | None = None,
    source_key: Encryption | None = None,
    title: str | None = None,
    texts: Sequence[TextTrack] = (),
    audio: Sequence[AudioTrack] = (),
) -> ExportResult:
    """Repackage the finished entry in ``folder`` into ``to_dir/name``, with those of
    ``texts`` (the plan's text tracks) whose WebVTT file the entry holds; ``audio`` (the
    plan's audio tracks) names the audio streams."""
    cancel = cancel or threading.Event()
    report = on_progress or (lambda progress: None)
    ledger = _finished_ledger(CacheEntry(folder))
    streams = ledger.streams
    try:
        to_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale(to_dir, name)
        work = Path(tempfile.mkdtemp(prefix=layout.partial_export(name), dir=to_dir))
    except OSError as exc:
        message = f"The folder {to_dir} cannot be written ({exc.strerror or exc})."
        raise ExportError(message) from exc
    pipes: list[Pipe] = []
    feeders: list[Feeder] = []
    process: SupervisedProcess | None = None
    try:
        (work / layout.WORK).mkdir()
        pipes = [create_pipe(work / layout.WORK, layout.pipe(n)) for n in range(len(streams))]
        inputs = [
            (s, relative_path(p.reader_path, work)) for s, p in zip(streams, pipes, strict=True)
        ]
        for stream in streams:
            (work / layout.folder(stream)).mkdir()
        argv = packager_command(
            tools.packager, inputs, options, source_key, _copy_texts(folder, work, texts), audio
        )
        process = SupervisedProcess("packager", argv, cwd=str(work))
        process.start()
        feeders = [
            Feeder(p.writer_path, folder, s, ledger) for s, p in zip(streams, pipes, strict=True)
        ]
        for feeder in feeders:
            feeder.start()
        total = sum(ledger.count(s) for s in streams) or 1
        while process.status() is Status.RUNNING:
            if cancel.is_set():
                raise ExportCancelled()
            report(ExportProgress("packaging", sum(f.fed for f in feeders) / total))
            time.sleep(POLL_S)
        if cancel.is_set():  # asked while the packager was ending: nothing is put in place
            raise ExportCancelled()
        if process.status() is Status.ERRORED or not all(f.join(5) and f.ended for f in feeders):
            raise ExportError(
                f"Repackaging failed: {process.describe_exit()}.", process.stderr_tail()
            )
        report(ExportProgress("packaging", 1.0))
        return _finish(work, to_dir, name, options, title or name)
    except BaseException:
        if process is not None:
            process.kill()
        for feeder in feeders:
            feeder.stop()
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        for pipe in pipes:
            pipe.close()


def _copy_texts(
    folder: Path, work: Path, texts: Sequence[TextTrack]
) -> list[tuple[TextTrack, str]]:
    """The entry's WebVTT files, copied beside the pipes (the packager reads a name ending
    in .vtt; a path inside the package folder has no comma from the user's folder name)."""
    found = []
    for text in texts:
        source = folder / layout.text_file(text.stream)
        if source.is_file():
            copy = f"{layout.WORK}/{layout.name(text.stream)}.vtt"
            shutil.copyfile(source, work / copy)
            found.append((text, copy))
    return found


def _remove_stale(to_dir: Path, name: str) -> None:
    """Temporary folders of this package left by an export that was killed."""
    for child in to_dir.glob(layout.partial_export(name) + "*"):
        if child.is_dir() and not child.is_symlink():
            logger.info("removing %s, left by an export that did not finish", child)
            shutil.rmtree(child, ignore_errors=True)


def _finish(
    work: Path, to_dir: Path, name: str, options: ExportOptions, title: str
) -> ExportResult:
    shutil.rmtree(work / layout.WORK)
    dash = layout.MPD if options.dash else None
    hls = layout.HLS_MASTER if options.hls else None
    for manifest in filter(None, (dash, hls)):
        if not (work / manifest).is_file():
            raise ExportError(f"The packager wrote no {manifest}.")
    player_page.write(work, title, dash, hls)
    os.chmod(work, 0o755)  # mkdtemp makes it private; a package is published
    final = to_dir / name
    key_file = None
    if options.encryption is not None:
        key_file = to_dir / layout.key_file(name)
        write_key_file(key_file, options.encryption, final)
    old = None
    if final.exists():
        old = to_dir / f".{name}.old-{secrets.token_hex(4)}"
        os.rename(final, old)
    os.rename(work, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    logger.info("exported %s", final)
    return ExportResult("", final, key_file)


def export_file(
    source: str,
    profile: Profile,
    options: ExportOptions,
    cache: Cache,
    to_dir: Path,
    name: str,
    on_progress: Callable[[ExportProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> ExportResult:
    """Export ``source`` with ``profile``: reuse its cache entry, finishing the encode first
    if needed. Raises ViewraError (one sentence) on bad input, ExportCancelled if cancelled."""
    from .lifecycle import Events, State
    from .probe import probe
    from .session import Session

    cancel = cancel or threading.Event()
    report = on_progress or (lambda progress: None)
    tools = binaries.find_tools()
    media = probe(tools.ffprobe, source)
    try:
        plan = make_plan(media, profile)
        texts, audio = plan.text, plan.audio
    except ValueError:  # no picture to encode: the session below says so in one sentence
        texts, audio = (), ()
    entry = cache.entry(entry_key(media.path, profile))
    if entry.read_complete() is None:
        encoding = Events(progress=lambda p: report(ExportProgress("encoding", p.fraction)))
        session = Session(source, profile, cache, encoding)
        try:
            session.start()
            while session.state not in (State.FINISHED, State.FAILED):
                if cancel.is_set():
                    raise ExportCancelled()
                time.sleep(POLL_S)
        finally:
            session.stop()
        if session.state is State.FAILED:
            failure = session.failure
            raise ExportError(failure.message if failure else "Encoding failed.")
    # A finished entry never changes, and nobody removes one that another process holds (a
    # window playing it): it can be read without its lock.
    lock = EntryLock(entry)
    held = lock.acquire()
    if not held and entry.read_complete() is None:
        raise CacheError(
            "This file is being encoded with this profile by a Viewra Desktop window; "
            "export it from there, or close it and try again."
        )
    try:
        result = repackage(
            entry.path, to_dir, name, options, tools, report, cancel,
            title=Path(source).name, texts=texts, audio=audio,
        )  # fmt: skip
    finally:
        if held:
            lock.release()
    return ExportResult(source, result.package, result.key_file)
