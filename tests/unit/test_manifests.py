"""manifests: a static MPD and HLS VOD playlists that list every planned segment."""

from __future__ import annotations

import math
import os
import re
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from viewra_desktop.core.files import write_atomically
from viewra_desktop.core.manifests import (
    Track,
    render_all,
    render_master_playlist,
    render_media_playlist,
    render_mpd,
    tracks_for,
    write_manifests,
)
from viewra_desktop.core.plan import make_plan
from viewra_desktop.core.profiles import get_profile
from viewra_desktop.core.streams import StreamKind, audio, video

from .factories import make_media

VIDEO, AUDIO = StreamKind.VIDEO, StreamKind.AUDIO

NS = {"d": "urn:mpeg:dash:schema:mpd:2011"}


def plan_for(duration: float = 10.3, channels: int | None = 2, language: str = "eng"):
    media = make_media(1920, 1080, duration=duration, channels=channels, language=language)
    return make_plan(media, get_profile("720p"))


def iso_seconds(text: str) -> float:
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?", text)
    assert match, text
    hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def expand_timeline(template: ET.Element) -> list[tuple[int, int]]:
    """(start, duration) of every segment a SegmentTimeline describes."""
    segments: list[tuple[int, int]] = []
    now = 0
    for s in template.findall("d:SegmentTimeline/d:S", NS):
        if s.get("t") is not None:
            assert int(s.get("t")) == now, "gap or overlap in the timeline"
            now = int(s.get("t"))
        duration = int(s.get("d"))
        for _ in range(int(s.get("r", "0")) + 1):
            segments.append((now, duration))
            now += duration
    return segments


@pytest.mark.parametrize("duration", [10.3, 4.0, 0.3, 61.77, 3599.99])
def test_mpd_is_static_and_lists_every_segment(duration):
    plan = plan_for(duration)
    root = ET.fromstring(render_mpd(plan, tracks_for(plan)))
    assert root.tag == "{urn:mpeg:dash:schema:mpd:2011}MPD"
    assert root.get("type") == "static"
    assert iso_seconds(root.get("mediaPresentationDuration")) == pytest.approx(duration, abs=5e-4)
    sets = root.findall("d:Period/d:AdaptationSet", NS)
    assert [s.get("contentType") for s in sets] == ["video", "audio"]
    expected = {"video": plan.timeline.durations(VIDEO), "audio": plan.timeline.durations(AUDIO)}
    for adaptation in sets:
        kind = adaptation.get("contentType")
        template = adaptation.find("d:Representation/d:SegmentTemplate", NS)
        assert template is not None
        assert template.get("media") == f"{kind}/$Number$.m4s"
        assert template.get("initialization") == f"{kind}/init.mp4"
        assert template.get("startNumber") == "1"
        scale = int(template.get("timescale"))
        segments = expand_timeline(template)
        assert len(segments) == len(expected[kind])
        # Each segment within a millisecond, and no drift: the ends add up to the duration.
        for (_start, length), seconds in zip(segments, expected[kind], strict=True):
            assert abs(length / scale - seconds) <= 1.0 / scale
        end = segments[-1][0] + segments[-1][1]
        assert end / scale == pytest.approx(duration, abs=1.0 / scale)


def test_mpd_describes_the_plan():
    plan = plan_for()
    root = ET.fromstring(render_mpd(plan, tracks_for(plan)))
    video = root.find("d:Period/d:AdaptationSet[@contentType='video']/d:Representation", NS)
    audio_set = root.find("d:Period/d:AdaptationSet[@contentType='audio']", NS)
    assert video is not None and audio_set is not None
    assert (video.get("width"), video.get("height")) == ("1280", "720")
    assert video.get("codecs") == "avc1.64001f"  # High profile, level 3.1 = 0x1f
    assert video.get("bandwidth") == "5000000"
    assert audio_set.get("lang") == "en"  # BCP 47, from the file's "eng"
    channels = audio_set.find("d:Representation/d:AudioChannelConfiguration", NS)
    assert channels is not None and channels.get("value") == "2"


def test_mpd_without_audio():
    plan = plan_for(channels=None)
    tracks = tracks_for(plan)
    assert [t.stream for t in tracks] == [video(0)]
    root = ET.fromstring(render_mpd(plan, tracks))
    sets = root.findall("d:Period/d:AdaptationSet", NS)
    assert [s.get("contentType") for s in sets] == ["video"]


def test_a_language_tag_that_is_no_language_is_left_out():
    plan = plan_for(language='en"<x>')
    root = ET.fromstring(render_mpd(plan, tracks_for(plan)))  # still well-formed
    audio_set = root.find("d:Period/d:AdaptationSet[@contentType='audio']", NS)
    assert audio_set is not None and audio_set.get("lang") is None


def test_mpd_from_reported_durations():
    plan = plan_for(4.0)
    reported = [0.5, 0.5, 1.0, 1.0, 0.967]
    tracks = tracks_for(plan, {video(0): reported, audio(0): [0.5] * 8})
    root = ET.fromstring(render_mpd(plan, tracks))
    assert iso_seconds(root.get("mediaPresentationDuration")) == pytest.approx(3.967)
    template = root.find(".//d:AdaptationSet[@contentType='video']//d:SegmentTemplate", NS)
    assert template is not None
    assert [d for _t, d in expand_timeline(template)] == [500, 500, 1000, 1000, 967]


def parse_media_playlist(text: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    lines = text.splitlines()
    tags = {}
    segments = []
    for index, line in enumerate(lines):
        if line.startswith("#EXTINF:"):
            segments.append((line[len("#EXTINF:") :].rstrip(","), lines[index + 1]))
        elif line.startswith("#EXT"):
            name, _, value = line.partition(":")
            tags[name] = value
    return tags, segments


def round_half_up(text: str) -> int:
    return math.floor(float(text) + 0.5)


@pytest.mark.parametrize("duration", [10.3, 0.3, 61.77])
def test_hls_media_playlists(duration):
    plan = plan_for(duration)
    tracks = tracks_for(plan)
    assert [t.stream for t in tracks] == [video(0), audio(0)]
    for track in tracks:
        count = plan.count(track.stream)
        name = track.stream.kind.name.lower()
        text = render_media_playlist(track)
        lines = text.splitlines()
        assert lines[0] == "#EXTM3U"
        assert lines[-1] == "#EXT-X-ENDLIST"
        tags, segments = parse_media_playlist(text)
        assert tags["#EXT-X-PLAYLIST-TYPE"] == "VOD"
        assert tags["#EXT-X-MAP"] == f'URI="{name}/init.mp4"'
        assert tags["#EXT-X-MEDIA-SEQUENCE"] == "1"
        assert len(segments) == count
        assert [uri for _d, uri in segments] == [f"{name}/{n}.m4s" for n in range(1, count + 1)]
        assert sum(float(d) for d, _uri in segments) == pytest.approx(duration, abs=0.01)
        target = int(tags["#EXT-X-TARGETDURATION"])
        assert all(round_half_up(d) <= target for d, _uri in segments)


@pytest.mark.parametrize(
    "durations", [(2.4996,), (0.5, 1.4996), (2.0, 2.5), (0.3,), (1.0, 1.0, 0.9995)]
)
def test_target_duration_covers_every_extinf_as_written(durations):
    # RFC 8216 4.3.3.1: each EXTINF as written, rounded to the nearest integer, must not
    # exceed the target duration; 2.4996 is written 2.500, which rounds to 3.
    tags, segments = parse_media_playlist(render_media_playlist(Track(video(0), durations)))
    target = int(tags["#EXT-X-TARGETDURATION"])
    assert all(round_half_up(d) <= target for d, _uri in segments)
    assert target == max(1, max(round_half_up(d) for d, _uri in segments))


def test_media_playlist_numbers_from_the_start_number():
    text = render_media_playlist(Track(audio(0), (0.5, 0.5), start_number=7))
    tags, segments = parse_media_playlist(text)
    assert tags["#EXT-X-MEDIA-SEQUENCE"] == "7"
    assert [uri for _d, uri in segments] == ["audio/7.m4s", "audio/8.m4s"]


def test_master_playlist_with_audio():
    plan = plan_for()
    text = render_master_playlist(plan, tracks_for(plan))
    media = [line for line in text.splitlines() if line.startswith("#EXT-X-MEDIA:")]
    assert len(media) == 1
    assert 'TYPE=AUDIO,GROUP-ID="audio"' in media[0] and 'URI="audio.m3u8"' in media[0]
    assert 'LANGUAGE="en"' in media[0] and 'NAME="English"' in media[0]
    lines = text.splitlines()
    inf_index = next(i for i, line in enumerate(lines) if line.startswith("#EXT-X-STREAM-INF"))
    inf = lines[inf_index]
    assert 'AUDIO="audio"' in inf
    assert 'CODECS="avc1.64001f,mp4a.40.2"' in inf
    assert "RESOLUTION=1280x720" in inf
    assert f"BANDWIDTH={5000 * 1000 + plan.audio[0].kbps * 1000}" in inf
    assert lines[inf_index + 1] == "video.m3u8"


def test_master_playlist_without_audio():
    plan = plan_for(channels=None)
    text = render_master_playlist(plan, tracks_for(plan))
    assert "#EXT-X-MEDIA" not in text
    assert "AUDIO=" not in text
    assert "mp4a" not in text
    assert "video.m3u8" in text.splitlines()


def test_render_all_names():
    plan = plan_for()
    assert sorted(render_all(plan, tracks_for(plan))) == [
        "audio.m3u8", "manifest.mpd", "master.m3u8", "video.m3u8"
    ]  # fmt: skip
    silent = plan_for(channels=None)
    assert sorted(render_all(silent, tracks_for(silent))) == [
        "manifest.mpd", "master.m3u8", "video.m3u8"
    ]  # fmt: skip


# -- writing ---------------------------------------------------------------------------------


def test_write_atomically_leaves_no_temp_file(tmp_path):
    target = tmp_path / "manifest.mpd"
    write_atomically(target, b"first")
    write_atomically(target, b"second version")
    assert target.read_bytes() == b"second version"
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.mpd"]


def test_write_atomically_failure_keeps_the_old_file(tmp_path):
    target = tmp_path / "master.m3u8"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        write_atomically(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["master.m3u8"]


def test_write_atomically_into_a_missing_folder_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        write_atomically(tmp_path / "missing" / "x.mpd", b"x")


def test_written_files_are_readable_by_others(tmp_path):
    # The folder is a package to publish: a web server running as another user must be able
    # to read the manifests, like the segments the packager writes.
    target = tmp_path / "manifest.mpd"
    write_atomically(target, b"x")
    mode = stat.S_IMODE(os.stat(target).st_mode)
    assert mode & 0o044 == 0o044, oct(mode)


def test_write_manifests(tmp_path: Path):
    plan = plan_for(3.0)
    write_manifests(tmp_path, plan, tracks_for(plan))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["audio.m3u8", "manifest.mpd", "master.m3u8", "video.m3u8"]
    ET.fromstring((tmp_path / "manifest.mpd").read_text("utf-8"))
