"""Every run of a session must produce the same parameter sets (the sample description:
avcC, hvcC, av1C, vpcC): the player decodes all segments with the one init segment
published by the first run, whatever the codec."""

from __future__ import annotations

import struct
import subprocess

import pytest
from media import make_clip

from viewra_desktop.core.binaries import find_tools
from viewra_desktop.core.commands import Output, ffmpeg_command
from viewra_desktop.core.plan import RunSpec, make_plan
from viewra_desktop.core.probe import probe
from viewra_desktop.core.profiles import get_profile

pytestmark = pytest.mark.e2e

_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl"}


def find_box(data: bytes, path: list[bytes]) -> bytes | None:
    """The payload of the first box along ``path`` (e.g. moov/trak/.../avcC)."""
    offset = 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size < 8:
            return None
        body = data[offset + 8 : offset + size]
        if kind == path[0]:
            if len(path) == 1:
                return body
            if kind == b"stsd":
                body = body[8:]  # version, flags, entry count
            elif kind == b"avc1":
                body = body[78:]  # the visual sample entry's fixed fields
            found = find_box(body, path[1:])
            if found is not None:
                return found
        offset += size
    return None


STSD_PATH = [b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsd"]


@pytest.mark.parametrize(
    ("profile", "codec"),
    [("720p", "h264"), ("360p", "h264"), ("360p", "hevc"), ("360p", "av1"), ("360p", "vp9")],
)
def test_runs_of_every_kind_share_parameter_sets(media_dir, tmp_path, profile, codec):
    tools = find_tools()
    clip = make_clip(media_dir, "clip12-720p.mp4", 12, size="1280x720")
    plan = make_plan(probe(tools.ffprobe, str(clip)), get_profile(profile).with_codec(codec))
    configs = []
    runs = (RunSpec(1, 3, fast_start=True), RunSpec(4), RunSpec(9, low_delay=True))
    for index, run in enumerate(runs):
        out = tmp_path / f"run{index}.mp4"
        subprocess.run(
            ffmpeg_command(tools.ffmpeg, plan, [Output(str(out), plan.segmented)], run),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        description = find_box(out.read_bytes(), STSD_PATH)
        assert description is not None and len(description) > 16
        configs.append(description)
    assert configs[0] == configs[1] == configs[2]
