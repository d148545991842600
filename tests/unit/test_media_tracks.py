"""media, plan and manifests for many tracks: flags, chapters, labels, roles, WebVTT."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from viewra_desktop.core import layout
from viewra_desktop.core.cache import session_key
from viewra_desktop.core.commands import Output, ffmpeg_command
from viewra_desktop.core.manifests import render_all, tracks_for
from viewra_desktop.core.media import parse_probe
from viewra_desktop.core.plan import RunSpec, make_plan
from viewra_desktop.core.profiles import get_profile
from viewra_desktop.core.streams import audio, text
from viewra_desktop.core.subtitles import extract_command

NS = {"d": "urn:mpeg:dash:schema:mpd:2011"}


def stream(index, kind, codec, language="", title="", **extra):
    flags = extra.pop("disposition", {})
    tags = {"language": language, "title": title}
    return {"index": index, "codec_type": kind, "codec_name": codec, "tags": tags,
            "disposition": flags, **extra}  # fmt: skip


FILM = {
    "format": {"duration": "10.0", "format_name": "matroska,webm"},
    "streams": [
        {"index": 0, "codec_type": "video", "codec_name": "h264", "width": 1920,
         "height": 1080, "avg_frame_rate": "24/1", "r_frame_rate": "24/1",
         "pix_fmt": "yuv420p10le", "color_primaries": "bt2020", "color_transfer": "smpte2084",
         "color_space": "bt2020nc", "color_range": "tv"},
        stream(1, "audio", "dts", "eng", channels=8, sample_rate="48000",
               disposition={"default": 1}),
        stream(2, "audio", "ac3", "fre", channels=2, sample_rate="48000",
               disposition={"dub": 1}),
        stream(3, "audio", "aac", "eng", "Director's commentary", channels=2,
               sample_rate="48000", disposition={"comment": 1}),
        stream(4, "subtitle", "subrip", "eng"),
        stream(5, "subtitle", "ass", "fre", disposition={"forced": 1}),
        stream(6, "subtitle", "hdmv_pgs_subtitle", "ger"),
        stream(7, "subtitle", "mov_text", "", "Signs", disposition={"hearing_impaired": 1}),
    ],
    "chapters": [
        {"start_time": "0.000", "end_time": "4.000", "tags": {"title": "Opening"}},
        {"start_time": "4.000", "end_time": "10.000", "tags": {"title": "The end"}},
    ],
}  # fmt: skip


def film():
    return parse_probe(FILM, path="/films/film.mkv", size=1)


def test_probe_reads_flags_colour_and_chapters():
    media = film()
    assert media.video is not None and media.video.hdr == "smpte2084"
    first, dub, commentary = media.audio
    assert first.default and dub.dub and commentary.commentary and commentary.title
    srt, ass, pgs, signs = media.subtitles
    assert ass.forced and signs.hearing_impaired and not srt.forced
    assert [s.is_text for s in media.subtitles] == [True, True, False, True]
    assert pgs.is_image
    assert [(c.start, c.end, c.title) for c in media.chapters] == [
        (0.0, 4.0, "Opening"), (4.0, 10.0, "The end")
    ]  # fmt: skip


def test_plan_has_every_audio_and_text_track():
    plan = make_plan(film(), get_profile("720p"))
    assert [a.stream for a in plan.audio] == [audio(0), audio(1), audio(2)]
    assert [(a.channels, a.kbps, a.default, a.role, a.language) for a in plan.audio] == [
        (6, 384, True, "main", "en"), (2, 128, False, "dub", "fr"),
        (2, 128, False, "commentary", "en"),
    ]  # fmt: skip
    assert [a.label for a in plan.audio] == [
        "English 5.1", "French", "English — Director's commentary"
    ]  # fmt: skip
    assert [t.stream for t in plan.text] == [text(0), text(1), text(2)]  # not the PGS track
    assert [t.label for t in plan.text] == ["English", "French (forced)", "Signs (SDH)"]
    assert plan.main_video.color.tone_map == "smpte2084"


def test_manifests_list_audio_and_text_tracks():
    plan = make_plan(film(), get_profile("720p"))
    files = render_all(plan, tracks_for(plan))
    root = ET.fromstring(files[layout.MPD])
    sets = root.findall("d:Period/d:AdaptationSet", NS)
    assert [s.get("contentType") for s in sets] == ["video"] + ["audio"] * 3 + ["text"] * 3
    assert len({s.get("id") for s in sets}) == len(sets)
    text_sets = sets[4:]
    assert [s.findtext("d:Representation/d:BaseURL", namespaces=NS) for s in text_sets] == [
        "subtitles/0.vtt", "subtitles/1.vtt", "subtitles/2.vtt"
    ]  # fmt: skip
    assert "lang" not in text_sets[2].attrib  # no language tagged
    master = files[layout.HLS_MASTER]
    assert master.count("TYPE=SUBTITLES") == 3 and master.count("TYPE=AUDIO") == 3
    assert 'NAME="English — Director\'s commentary"' in master
    assert 'NAME="French (forced)",LANGUAGE="fr",DEFAULT=NO,AUTOSELECT=YES,FORCED=YES' in master
    assert "public.accessibility.transcribes-spoken-dialog" in master  # the SDH track
    playlist = files[layout.playlist(text(1))].splitlines()
    assert playlist[-3:] == ["#EXTINF:10.000,", "subtitles/1.vtt", "#EXT-X-ENDLIST"]
    chapters = files[layout.CHAPTERS]
    assert "00:00:04.000 --> 00:00:10.000\nThe end" in chapters


def test_finished_manifests_list_only_the_tracks_given():
    plan = make_plan(film(), get_profile("720p"))
    files = render_all(plan, tracks_for(plan), texts=plan.text[:1])
    assert files[layout.HLS_MASTER].count("TYPE=SUBTITLES") == 1
    assert layout.playlist(text(1)) not in files


def test_subtitle_extraction_decodes_no_video():
    plan = make_plan(film(), get_profile("720p"))
    argv = extract_command("/ffmpeg", "/films/a,b.mkv", plan.text, ".work/subtitles")
    assert argv[:6] == ["/ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-i"]
    assert argv[6] == "file:/films/a,b.mkv"
    maps = [argv[i + 1] for i, arg in enumerate(argv) if arg == "-map"]
    assert maps == ["0:4", "0:5", "0:7"]  # only subtitle streams
    assert argv.count("webvtt") == 6
    assert argv[-1] == "file:.work/subtitles/2.vtt"


def test_picture_subtitles_are_drawn_in_only_when_chosen():
    plan = make_plan(film(), get_profile("720p"))
    assert plan.burn_in is None
    drawn = make_plan(film(), get_profile("720p"), burn_in=6)
    assert drawn.burn_in is not None and drawn.burn_in.codec == "hdmv_pgs_subtitle"
    with pytest.raises(ValueError):
        make_plan(film(), get_profile("720p"), burn_in=4)  # a text track: it is not drawn


def test_drawn_subtitles_go_through_a_filter_graph_with_the_video():
    plan = make_plan(film(), get_profile("720p"), burn_in=6)
    argv = ffmpeg_command("/ffmpeg", plan, [Output("/p", plan.segmented)], RunSpec())
    graph = argv[argv.index("-filter_complex") + 1]
    assert graph.startswith("[0:0][0:6]overlay=eof_action=pass:repeatlast=0,")
    assert graph.endswith("[drawn0]") and "lut3d=" in graph  # the HDR source is tone-mapped
    assert argv[argv.index("-filter_complex") + 2 : argv.index("-filter_complex") + 4] == [
        "-map", "[drawn0]"
    ]  # fmt: skip
    assert "-filter:v:0" not in argv and "0:0" not in argv
    plain = make_plan(film(), get_profile("720p"))
    plain_argv = ffmpeg_command("/ffmpeg", plain, [Output("/p", plain.segmented)], RunSpec())
    assert "-filter_complex" not in plain_argv and "-filter:v:0" in plain_argv


def test_a_drawn_in_encode_is_an_entry_of_its_own(tmp_path):
    clip = tmp_path / "film.mkv"
    clip.write_bytes(b"x")
    assert session_key(str(clip), "720p") != session_key(str(clip), "720p", "burn-in 6")
    assert session_key(str(clip), "720p", "burn-in 6") != session_key(
        str(clip), "720p", "burn-in 7"
    )
