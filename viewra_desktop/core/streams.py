"""Stream identities: what every other module names a stream by.

A session's output is a set of streams, each a ``StreamId``: its kind and its index among
the streams of that kind (video rendition 0, audio track 2, text track 1, the image stream).
Commands, packager descriptors, the ledger, the server, the manifests and the session all
name streams this way; only ``layout`` turns a stream into file names.

Video and audio are *segmented*: encoded in runs and cut into numbered segments on the
timeline (``numbering``). Text tracks are whole files, and the image stream is a set of
thumbnail sheets: neither is encoded by a run.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class StreamKind(enum.Enum):
    VIDEO = enum.auto()
    AUDIO = enum.auto()
    TEXT = enum.auto()
    IMAGE = enum.auto()

    @property
    def segmented(self) -> bool:
        """Encoded by runs into numbered segments."""
        return self in (StreamKind.VIDEO, StreamKind.AUDIO)


@dataclass(frozen=True)
class StreamId:
    kind: StreamKind
    index: int = 0

    def __str__(self) -> str:  # for the log: "video 0", "audio 2"
        return f"{self.kind.name.lower()} {self.index}"

    @property
    def sort_key(self) -> tuple[int, int]:
        return self.kind.value, self.index


def video(index: int = 0) -> StreamId:
    return StreamId(StreamKind.VIDEO, index)


def audio(index: int = 0) -> StreamId:
    return StreamId(StreamKind.AUDIO, index)


def text(index: int = 0) -> StreamId:
    return StreamId(StreamKind.TEXT, index)


IMAGE = StreamId(StreamKind.IMAGE, 0)  # the thumbnail stream (one per session)


def ordered(streams) -> tuple[StreamId, ...]:
    """Streams in their canonical order: video, audio, text, image; by index within a kind."""
    return tuple(sorted(streams, key=lambda s: s.sort_key))
