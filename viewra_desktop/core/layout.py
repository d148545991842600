"""Every file name: in a package, in a run's folder and in a cache entry.

This is the one module that turns a ``StreamId`` into names. A finished cache entry is the
package to publish::

    <cache>/sessions/<key>/
        manifest.mpd  master.m3u8          the player's manifests (DASH, HLS master)
        video.m3u8  audio.m3u8  audio-1.m3u8 ...   an HLS media playlist per stream
        video/init.mp4  video/1.m4s ...    a folder per segmented stream: init + segments
        audio/init.mp4  audio/1.m4s ...    (index 0 is "video", "audio"; then "audio-1" ...)
        subtitles/0.vtt ...                text tracks, one whole WebVTT file each
        thumbnails/1.jpg ...               thumbnail sheets (thumbnails.m3u8: their HLS playlist)
        .inspect/                          background work: metrics.jsonl, single thumbnails
        .work/run-N-FIRST/                 a run: its pipes, init and numbered segments
        .lock                              held while a process uses the entry
        complete.json                      written last, only on success
        live.mpd  .live/                   the packager's own dynamic MPD, and its folder
        key.json                           an encrypted entry's key (never served)

An exported package is the same files (with the packager's own manifests) in a folder of
its own, with the player page ``index.html`` and its copy of Shaka Player; the key of an
encrypted one is in ``<folder>.key.json`` beside that folder, never in it.

The server accepts exactly the names ``parse`` reads back, so nothing else can be asked for.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from pathlib import Path

from .streams import StreamId, StreamKind

# -- the package ------------------------------------------------------------------------------

MPD = "manifest.mpd"
HLS_MASTER = "master.m3u8"
CHAPTERS = "chapters.vtt"
TEXT_FOLDER = "subtitles"
IMAGE_FOLDER = "thumbnails"
INIT = "init.mp4"
LIVE_MPD = "live.mpd"  # the packager's own dynamic MPD (serve's "dash_live")
PLAYER_PAGE = "index.html"  # the Shaka Player page of a package or a session
PLAYER_SCRIPT = "shaka-player.compiled.js"  # the page's copy of Shaka Player

_WORDS = {
    StreamKind.VIDEO: "video",
    StreamKind.AUDIO: "audio",
    StreamKind.TEXT: TEXT_FOLDER,
    StreamKind.IMAGE: IMAGE_FOLDER,
}
_KINDS = {word: kind for kind, word in _WORDS.items()}
MAX_INDEX = 99


def media_type(kind: StreamKind) -> str:
    """The kind's word in MIME types and DASH ``contentType`` ("video", "audio", ...)."""
    return {StreamKind.TEXT: "text", StreamKind.IMAGE: "image"}.get(kind, _WORDS[kind])


def name(stream: StreamId) -> str:
    """A stream's name in the package: its folder and its playlist ("video", "audio-2")."""
    word = _WORDS[stream.kind]
    return word if stream.index == 0 else f"{word}-{stream.index}"


def folder(stream: StreamId) -> str:
    return name(stream)


def playlist(stream: StreamId) -> str:
    """The stream's HLS media playlist."""
    return f"{name(stream)}.m3u8"


def init(stream: StreamId) -> str:
    return f"{folder(stream)}/{INIT}"


def segment(stream: StreamId, number: int) -> str:
    return f"{folder(stream)}/{number}.m4s"


def segment_template(stream: StreamId) -> str:
    """The DASH SegmentTemplate ``media`` pattern of the stream's segments."""
    return f"{folder(stream)}/$Number$.m4s"


def text_file(stream: StreamId) -> str:
    """A text track as one whole WebVTT file."""
    return f"{TEXT_FOLDER}/{stream.index}.vtt"


def image_sheet(number: int) -> str:
    """Thumbnail sheet ``number`` (1-based)."""
    return f"{IMAGE_FOLDER}/{number}.jpg"


def image_template() -> str:
    """The DASH SegmentTemplate ``media`` pattern of the thumbnail sheets."""
    return f"{IMAGE_FOLDER}/$Number$.jpg"


def package_files(counts: dict[StreamId, int], whole: tuple[str, ...] = ()) -> list[str]:
    """Every file of a finished package: manifests, playlists, inits and ``counts[s]``
    segments per segmented stream, then the ``whole`` files (text tracks, sheets)."""
    files = [MPD, HLS_MASTER]
    for stream, count in counts.items():
        files += [playlist(stream), init(stream)]
        files += [segment(stream, number) for number in range(1, count + 1)]
    return files + list(whole)


# -- a run's folder (under the entry's work folder) -------------------------------------------


def run_folder(run_id: int, first: int) -> str:
    return f"run-{run_id}-{first}"


def run_init(stream: StreamId) -> str:
    """The init segment the packager writes for the stream, in the run's folder."""
    return f"{name(stream)}-{INIT}"


def run_segments(stream: StreamId) -> str:
    """The folder the packager writes the stream's segments into, in the run's folder."""
    return name(stream)


def run_segment(stream: StreamId, local: int) -> str:
    """Segment ``local`` (the packager numbers each run from 0) in the run's folder."""
    return f"{name(stream)}/{local}.m4s"


def run_segment_template(stream: StreamId) -> str:
    return f"{name(stream)}/$Number$.m4s"


def run_segment_number(file_name: str) -> int | None:
    """The packager's number of a segment file in a run's stream folder, else None."""
    stem, dot, suffix = file_name.partition(".")
    return int(stem) if dot and suffix == "m4s" and stem.isdigit() else None


def pipe(output: int) -> str:
    """The FIFO of one ffmpeg output (a run has one per output)."""
    return f"pipe-{output}.fifo"


# -- the cache entry --------------------------------------------------------------------------

SESSIONS = "sessions"
WORK = ".work"
TONE_MAP_LUT = f"{WORK}/tone-map.cube"  # HDR to SDR, for the runs' lut3d filter
INSPECT = ".inspect"  # the background work's files: kept with the entry, never served
METRICS = f"{INSPECT}/metrics.jsonl"  # quality metrics, a JSON line per segment measured
TILES = f"{INSPECT}/tiles"  # single thumbnails, until their sheet is made


def tile(slot: int) -> str:
    """The single thumbnail of ``slot`` (0-based: the picture at ``slot * interval``)."""
    return f"{TILES}/{slot}.jpg"


def inspect_scratch(job: int) -> str:
    """A background job's scratch folder (removed when the job ends)."""
    return f"{INSPECT}/job-{job}"


LIVE_WORK = ".live"  # the live packager's inputs and its own segments (thrown away)
ENTRY_KEY = "key.json"  # an encrypted entry's key
LOCK = ".lock"
COMPLETE = "complete.json"
DEMO = "demo"


# -- an exported package ----------------------------------------------------------------------


def key_file(package: str) -> str:
    """The key file of an exported package named ``package``, beside its folder."""
    return f"{package}.key.json"


PARTIAL_EXPORT = ".partial-"  # ".<name>.partial-XXXX": an export being written


def partial_export(package: str) -> str:
    """The prefix of the temporary folder an export of ``package`` is written into."""
    return f".{package}{PARTIAL_EXPORT}"


# -- what the server accepts ------------------------------------------------------------------


class Part(enum.Enum):
    MANIFEST = "manifest"  # manifest.mpd, master.m3u8, a media playlist
    INIT = "init"
    SEGMENT = "segment"
    FILE = "file"  # a whole file: a text track, a thumbnail sheet, the chapters
    PAGE = "page"  # the player page and its script (from the app's resources)


@dataclass(frozen=True)
class Name:
    """A request's file name, read back: what it is and which stream it belongs to."""

    part: Part
    stream: StreamId | None = None
    number: int | None = None  # a segment's or a sheet's number


_STREAM = r"[a-z]+(?:-[1-9][0-9]?)?"  # name(stream): a word, then "-index" from 1 on
_PATTERN = re.compile(
    r"^(?:"
    rf"(?P<top>{re.escape(MPD)}|{re.escape(HLS_MASTER)}|{re.escape(CHAPTERS)}"
    rf"|{re.escape(LIVE_MPD)})"
    rf"|(?P<page>{re.escape(PLAYER_PAGE)}|{re.escape(PLAYER_SCRIPT)})"
    rf"|(?P<playlist>{_STREAM})\.m3u8"
    rf"|(?P<segmented>{_STREAM})/(?:(?P<init>{re.escape(INIT)})|(?P<number>[1-9][0-9]{{0,8}})\.m4s)"
    rf"|{TEXT_FOLDER}/(?P<text>0|[1-9][0-9]?)\.vtt"
    rf"|{IMAGE_FOLDER}/(?P<sheet>[1-9][0-9]{{0,5}})\.jpg"
    r")$"
)


def stream_named(text: str) -> StreamId | None:
    """The stream whose ``name`` is ``text``, or None."""
    word, _, index = text.partition("-")
    kind = _KINDS.get(word)
    if kind is None or (index and not (index.isdigit() and index[0] != "0")):
        return None
    return StreamId(kind, int(index) if index else 0)


def parse(text: str) -> Name | None:
    """What a request for ``text`` (a name relative to the session) asks for, or None if no
    file of the layout has that name."""
    match = _PATTERN.match(text)
    if match is None:
        return None
    groups = match.groupdict()
    if groups["page"] is not None:
        return Name(Part.PAGE)
    if groups["top"] is not None:
        return Name(Part.FILE if groups["top"] == CHAPTERS else Part.MANIFEST)
    if groups["playlist"] is not None:
        stream = stream_named(groups["playlist"])
        return None if stream is None else Name(Part.MANIFEST, stream)
    if groups["segmented"] is not None:
        stream = stream_named(groups["segmented"])
        if stream is None or not stream.kind.segmented:
            return None
        if groups["init"] is not None:
            return Name(Part.INIT, stream)
        return Name(Part.SEGMENT, stream, int(groups["number"]))
    if groups["text"] is not None:
        return Name(Part.FILE, StreamId(StreamKind.TEXT, int(groups["text"])))
    return Name(Part.FILE, StreamId(StreamKind.IMAGE), int(groups["sheet"]))


CONTENT_TYPES = {
    ".mpd": "application/dash+xml",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".vtt": "text/vtt",
    ".jpg": "image/jpeg",
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript",
}


def content_type(file_name: str, requested: Name | None = None) -> str:
    suffix = Path(file_name).suffix
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    if requested is not None and requested.stream is not None:
        return "audio/mp4" if requested.stream.kind is StreamKind.AUDIO else "video/mp4"
    return "application/octet-stream"
