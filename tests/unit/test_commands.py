"""commands: the exact argv of ffmpeg and the packager, and the keyframe expression for real."""

from __future__ import annotations

import dataclasses
import math
import os
import re
import subprocess
from fractions import Fraction

import pytest
from media import make_clip
from procs import wait_until

from viewra_desktop.core import encoders
from viewra_desktop.core.commands import (
    FRAGMENT_US,
    PIPE_HEAD,
    Output,
    ffmpeg_command,
    input_seek,
    keyframe_expr,
    output_streams,
    packager_command,
    video_filters,
)
from viewra_desktop.core.fmp4 import compact, read_init, read_span
from viewra_desktop.core.numbering import Timeline
from viewra_desktop.core.pipe import FifoPipe
from viewra_desktop.core.plan import (
    Plan,
    RunSpec,
    VideoRendition,
    audio_tracks,
    make_grid,
    make_plan,
)
from viewra_desktop.core.probe import probe
from viewra_desktop.core.profiles import get_profile
from viewra_desktop.core.streams import StreamKind, audio, video

from .factories import make_media

FRAG = str(FRAGMENT_US)  # a tuning knob (fragment length into the pipe, microseconds)
SOURCE = "/videos/Our trip: day 1, part 2.mkv"  # a colon and a comma in the name
OLD_GRID = (0.0, 0.5, 1.0, 2.0, 4.0)  # 0.5, 0.5, 1 then 2 s segments, for a 5 s clip
OLD_GRID_EXPR = (
    "expr:lt(n_forced,5)*gte(t,if(lt(n_forced,3),"
    "if(eq(n_forced,0),0,if(eq(n_forced,1),0.5,1)),2+(n_forced-3)*2))"
)


def hand_plan(with_audio: bool = True, media=None, duration: float = 5.0, **video_changes) -> Plan:
    """A plan written out field by field, so the argv below does not depend on plan policy."""
    media = media or make_media(1920, 1080, fps=30.0, duration=duration,
                                channels=6 if with_audio else None, path=SOURCE)  # fmt: skip
    profile = get_profile("720p")  # veryfast, crf 22, 128 kb/s stereo audio (384 kb/s 5.1)
    rendition = dict(stream=video(0), width=1280, height=720, frame_rate=0.0, level=31,
                     maxrate_kbps=5000)  # fmt: skip
    rendition.update(video_changes)
    return Plan(
        media=media,
        profile=profile,
        timeline=Timeline(OLD_GRID, duration, 0.5),
        video=(VideoRendition(**rendition),),
        audio=audio_tracks(media, profile) if with_audio else (),
    )


def ffmpeg_argv(ffmpeg: str, plan: Plan, path: str, run: RunSpec | None = None) -> list[str]:
    """ffmpeg's argv for one output holding every stream (a plan with one rendition)."""
    assert output_streams(plan) == (plan.segmented,)
    return ffmpeg_command(ffmpeg, plan, [Output(path, plan.segmented)], run or RunSpec())


def test_one_rendition_has_one_output_with_audio_in_it():
    assert output_streams(hand_plan()) == ((video(0), audio(0)),)
    assert output_streams(hand_plan(with_audio=False)) == ((video(0),),)


def test_ffmpeg_command_exact_argv():
    argv = ffmpeg_argv("/opt/ffmpeg", hand_plan(), "/cache/s1/.work/pipe.fifo")
    assert argv == [
        "/opt/ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats",
        "-progress", "pipe:1", "-stats_period", "0.5",
        "-i", "file:/videos/Our trip: day 1, part 2.mkv",
        "-map", "0:0", "-map", "0:1",
        "-map_metadata", "-1", "-map_chapters", "-1", "-sn", "-dn",
        "-t", "5",
        "-filter:v:0", "scale=1280:720:flags=bicubic,setsar=1,format=yuv420p",
        "-enc_time_base:v:0", "1:90000",
        "-c:v:0", "libx264", "-preset:v:0", "veryfast", "-crf:v:0", "22",
        "-maxrate:v:0", "5000k", "-bufsize:v:0", "10000k",
        "-profile:v:0", "high", "-level:v:0", "3.1",
        "-force_key_frames:v:0", OLD_GRID_EXPR,
        "-sc_threshold:v:0", "0", "-g:v:0", "100000", "-bf:v:0", "1",
        "-c:a:0", "aac", "-b:a:0", "384k", "-ac:a:0", "6", "-ar:a:0", "48000",
        "-filter:a:0", "aresample=async=1:first_pts=0,aformat=channel_layouts=5.1,apad=whole_dur=5",
        "-f", "mp4", "-movflags", "empty_moov+default_base_moof+frag_keyframe",
        "-frag_duration", FRAG, "-flush_packets", "1",
        "-y", "file:/cache/s1/.work/pipe.fifo",
    ]  # fmt: skip


def test_ffmpeg_command_without_audio():
    argv = ffmpeg_argv("/opt/ffmpeg", hand_plan(with_audio=False, duration=4.25), "/p")
    assert argv == [
        "/opt/ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats",
        "-progress", "pipe:1", "-stats_period", "0.5",
        "-i", "file:/videos/Our trip: day 1, part 2.mkv",
        "-map", "0:0",
        "-map_metadata", "-1", "-map_chapters", "-1", "-sn", "-dn",
        "-t", "4.25",
        "-filter:v:0", "scale=1280:720:flags=bicubic,setsar=1,format=yuv420p",
        "-enc_time_base:v:0", "1:90000",
        "-c:v:0", "libx264", "-preset:v:0", "veryfast", "-crf:v:0", "22",
        "-maxrate:v:0", "5000k", "-bufsize:v:0", "10000k",
        "-profile:v:0", "high", "-level:v:0", "3.1",
        "-force_key_frames:v:0", OLD_GRID_EXPR,
        "-sc_threshold:v:0", "0", "-g:v:0", "100000", "-bf:v:0", "1",
        "-f", "mp4", "-movflags", "empty_moov+default_base_moof+frag_keyframe",
        "-frag_duration", FRAG, "-flush_packets", "1",
        "-y", "file:/p",
    ]  # fmt: skip


def test_ffmpeg_command_for_a_run_that_starts_mid_timeline():
    # Segment 4 starts at 2 s; the run goes to the end (5 s): 3 s with keyframes at 0 and 2.
    run = RunSpec(first=4, fast_start=True)
    argv = ffmpeg_argv("/opt/ffmpeg", hand_plan(), "/p", run)
    assert argv == [
        "/opt/ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats",
        "-progress", "pipe:1", "-stats_period", "0.5",
        "-ss", "2",
        "-thread_type", "slice",  # the fast start: no frame threads in the source's decoder
        "-i", "file:/videos/Our trip: day 1, part 2.mkv",
        "-map", "0:0", "-map", "0:1",
        "-map_metadata", "-1", "-map_chapters", "-1", "-sn", "-dn",
        "-t", "3",
        "-filter:v:0", "scale=1280:720:flags=bicubic,setsar=1,format=yuv420p",
        "-enc_time_base:v:0", "1:90000",
        "-c:v:0", "libx264", "-preset:v:0", "veryfast", "-crf:v:0", "22",
        "-maxrate:v:0", "5000k", "-bufsize:v:0", "10000k",
        "-profile:v:0", "high", "-level:v:0", "3.1",
        "-force_key_frames:v:0", "expr:lt(n_forced,2)*gte(t,if(eq(n_forced,0),0,2))",
        "-sc_threshold:v:0", "0", "-g:v:0", "100000", "-bf:v:0", "1",
        "-rc-lookahead:v:0", "0",
        "-x264-params:v:0", "sync-lookahead=0:sliced-threads=1:subme=1:me=dia:partitions=none",
        "-c:a:0", "aac", "-b:a:0", "384k", "-ac:a:0", "6", "-ar:a:0", "48000",
        "-aac_coder:a:0", "fast",
        "-filter:a:0",
        "aresample=async=1:first_pts=1024,aformat=channel_layouts=5.1,apad=whole_dur=3",
        "-output_ts_offset", "2", "-avoid_negative_ts", "disabled", "-use_editlist", "0",
        "-max_interleave_delta", "1",
        "-f", "mp4", "-movflags", "empty_moov+default_base_moof+frag_keyframe+frag_discont",
        "-frag_duration", FRAG, "-flush_packets", "1",
        "-y", "file:/p",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "channels, run, coder",
    [
        (6, RunSpec(first=1, last=3, fast_start=True), "fast"),  # 5.1: the fast coder
        (6, RunSpec(first=4, low_delay=True), None),  # the rest of the encode: the default
        (6, RunSpec(first=4), None),
        (2, RunSpec(first=1, last=3, fast_start=True), None),  # stereo: the default is quicker
    ],
)
def test_fast_start_takes_the_fast_aac_coder_for_surround_only(channels, run, coder):
    media = make_media(1920, 1080, fps=30.0, duration=5.0, channels=channels, path=SOURCE)
    argv = ffmpeg_argv("/opt/ffmpeg", hand_plan(media=media), "/p", run)
    found = argv[argv.index("-aac_coder:a:0") + 1] if "-aac_coder:a:0" in argv else None
    assert found == coder
    # Only the fast start decodes the source without frame threads.
    assert ("-thread_type" in argv) == run.fast_start
    if run.fast_start:
        assert argv.index("-thread_type") < argv.index("-i")


def test_low_delay_run_drops_the_lookahead_but_keeps_the_motion_search():
    argv = ffmpeg_argv("/opt/ffmpeg", hand_plan(), "/p", RunSpec(first=4, low_delay=True))
    at = argv.index("-rc-lookahead:v:0")
    assert argv[at : at + 4] == [
        "-rc-lookahead:v:0", "0", "-x264-params:v:0", "sync-lookahead=0:sliced-threads=1",
    ]  # fmt: skip
    plain = ffmpeg_argv("/opt/ffmpeg", hand_plan(), "/p", RunSpec(first=4))
    assert "-rc-lookahead:v:0" not in plain and "-x264-params:v:0" not in plain


def test_ffmpeg_command_for_a_mid_timeline_run_of_a_transport_stream():
    # MPEG-TS seeks land on any packet: seek one keyframe gap (1.5 s) and a margin (1 s)
    # before the run's start (4 s), decode from there and drop the first 2.5 s.
    media = dataclasses.replace(hand_plan().media, keyframe_gap=1.5)
    argv = ffmpeg_argv("/opt/ffmpeg", hand_plan(media=media), "/p", RunSpec(first=5))
    assert argv == [
        "/opt/ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats",
        "-progress", "pipe:1", "-stats_period", "0.5",
        "-ss", "1.5",
        "-i", "file:/videos/Our trip: day 1, part 2.mkv",
        "-map", "0:0", "-map", "0:1",
        "-map_metadata", "-1", "-map_chapters", "-1", "-sn", "-dn",
        "-t", "1",
        "-filter:v:0", "trim=start=2.5,setpts=PTS-2.5/TB,"
        "scale=1280:720:flags=bicubic,setsar=1,format=yuv420p",
        "-enc_time_base:v:0", "1:90000",
        "-c:v:0", "libx264", "-preset:v:0", "veryfast", "-crf:v:0", "22",
        "-maxrate:v:0", "5000k", "-bufsize:v:0", "10000k",
        "-profile:v:0", "high", "-level:v:0", "3.1",
        "-force_key_frames:v:0", "expr:lt(n_forced,1)*gte(t,0)",
        "-sc_threshold:v:0", "0", "-g:v:0", "100000", "-bf:v:0", "1",
        "-c:a:0", "aac", "-b:a:0", "384k", "-ac:a:0", "6", "-ar:a:0", "48000",
        "-filter:a:0", "atrim=start=2.5,asetpts=PTS-2.5/TB,"
        "aresample=async=1:first_pts=1024,aformat=channel_layouts=5.1,apad=whole_dur=1",
        "-output_ts_offset", "4", "-avoid_negative_ts", "disabled", "-use_editlist", "0",
        "-max_interleave_delta", "1",
        "-f", "mp4", "-movflags", "empty_moov+default_base_moof+frag_keyframe+frag_discont",
        "-frag_duration", FRAG, "-flush_packets", "1",
        "-y", "file:/p",
    ]  # fmt: skip


def test_variable_frame_rate_has_no_b_frames_and_audio_starts_after_the_priming():
    media = hand_plan().media
    assert media.video is not None
    video = dataclasses.replace(media.video, variable_rate=True)
    argv = ffmpeg_argv("/opt/ffmpeg", hand_plan(media=dataclasses.replace(media, video=video)),
                          "/p")  # fmt: skip
    assert argv[argv.index("-g:v:0") + 2 : argv.index("-g:v:0") + 4] == ["-bf:v:0", "0"]
    assert argv[argv.index("-filter:a:0") + 1].startswith("aresample=async=1:first_pts=1024,")
    argv = ffmpeg_argv("/opt/ffmpeg", hand_plan(), "/p")
    assert argv[argv.index("-bf:v:0") + 1] == str(encoders.X264_B_FRAMES)  # one, not x264's 3


@pytest.mark.parametrize(
    ("gap", "start", "expected"),
    [
        (0.0, 4.0, (4.0, 0.0)),  # keyframe-exact seeking: straight there
        (1.5, 0.0, (0.0, 0.0)),  # the first run never seeks
        (1.5, 4.0, (1.5, 2.5)),
        (1.5, 2.0, (0.0, 2.0)),  # never before the file's start
        (30.0, 100.0, (69.0, 31.0)),
    ],
)
def test_input_seek(gap, start, expected):
    media = dataclasses.replace(hand_plan().media, keyframe_gap=gap)
    assert input_seek(hand_plan(media=media), start) == expected


def test_run_bounds():
    plan = hand_plan()
    run = RunSpec(first=2, last=3)  # segments 2 and 3: 0.5 s to 2 s
    assert run.start_time(plan.timeline) == 0.5
    assert run.end_time(plan.timeline) == 2.0
    assert run.grid(plan.timeline) == (0.0, 0.5)


def test_video_filters_deinterlace_and_cap_the_frame_rate():
    media = make_media(1920, 1080, fps=120.0, interlaced=True)
    plan = hand_plan(media=media, frame_rate=60.0, width=1280, height=720)
    assert video_filters(plan, plan.main_video) == (
        "bwdif=mode=send_frame:deint=interlaced,fps=60,"
        "scale=1280:720:flags=bicubic,setsar=1,format=yuv420p"
    )


def test_packager_command_exact_argv():
    plan = hand_plan()
    outputs = [Output(".work/pipe.fifo", plan.segmented)]
    argv = packager_command("/opt/packager", plan, outputs, ".work/run-1")
    assert argv == [
        "/opt/packager",
        "in=.work/pipe.fifo,stream=0,init_segment=.work/run-1/video-init.mp4,"
        "segment_template=.work/run-1/video/$Number$.m4s",
        "in=.work/pipe.fifo,stream=1,init_segment=.work/run-1/audio-init.mp4,"
        "segment_template=.work/run-1/audio/$Number$.m4s",
        "--segment_duration", "0.5",
        "--low_latency_dash_mode",
        "--utc_timings", "urn:mpeg:dash:utc:direct:2014=unused",
        "--io_cache_size", "1048576",
        "--io_block_size", "1024",
        "--quiet",
    ]  # fmt: skip


def test_packager_command_without_audio():
    plan = hand_plan(with_audio=False)
    argv = packager_command("/opt/packager", plan, [Output("p.fifo", plan.segmented)], "r")
    assert argv[1:3] == [
        "in=p.fifo,stream=0,init_segment=r/video-init.mp4,segment_template=r/video/$Number$.m4s",
        "--segment_duration",
    ]
    assert not any("audio" in arg for arg in argv)


# -- the keyframe expression -----------------------------------------------------------------


def test_keyframe_expr_by_hand():
    assert keyframe_expr((0.0,)) == "expr:lt(n_forced,1)*gte(t,0)"
    assert keyframe_expr((0.0, 0.5)) == "expr:lt(n_forced,2)*gte(t,if(eq(n_forced,0),0,0.5))"
    assert keyframe_expr((0.0, 0.5, 1.0)) == "expr:lt(n_forced,3)*gte(t,0+(n_forced-0)*0.5)"
    assert keyframe_expr(OLD_GRID) == OLD_GRID_EXPR


def simulate(expr: str, fps: Fraction, frames: int) -> list[Fraction]:
    """Run a -force_key_frames expression the way ffmpeg does: once per frame, n_forced
    counting the frames it forced."""
    assert expr.startswith("expr:")
    body = re.sub(r"\bif\(", "_if(", expr[len("expr:") :])
    names = {
        "lt": lambda a, b: float(a < b),
        "gte": lambda a, b: float(a >= b),
        "eq": lambda a, b: float(a == b),
        "_if": lambda c, a, b: a if c else b,
    }
    code = compile(body, "<expr>", "eval")
    forced: list[Fraction] = []
    for index in range(frames):
        t = Fraction(index) / fps
        if eval(code, {"__builtins__": {}}, {**names, "n_forced": len(forced), "t": float(t)}):
            forced.append(t)
    return forced


def first_frames_at(grid: tuple[float, ...], fps: Fraction) -> list[Fraction]:
    return [Fraction(math.ceil(Fraction(str(g)) * fps)) / fps for g in grid]


@pytest.mark.parametrize("duration", [0.3, 1.0, 1.2, 2.0, 3.7, 10.0, 61.3, 600.0])
@pytest.mark.parametrize("fps", [Fraction(30), Fraction(25), Fraction(30000, 1001)])
def test_keyframe_expr_forces_the_grid_and_nothing_else(duration, fps):
    grid = make_grid(duration)
    frames = int(duration * fps) + 1
    assert simulate(keyframe_expr(grid), fps, frames) == first_frames_at(grid, fps)


@pytest.mark.parametrize(
    "grid",
    [OLD_GRID, (0.0, 1.0, 1.5, 2.0, 5.0, 8.0, 11.0), (0.0, 2.0, 4.0, 4.5), (0.0, 3.0)],
)
def test_keyframe_expr_on_irregular_grids(grid):
    fps = Fraction(30)
    frames = int(grid[-1] * 30) + 90
    assert simulate(keyframe_expr(grid), fps, frames) == first_frames_at(grid, fps)


def test_keyframe_expr_stays_short_for_long_videos():
    grid = make_grid(3 * 3600.0)
    assert len(grid) > 1000
    assert len(keyframe_expr(grid)) < 300


def keyframe_times(ffprobe: str, path: str) -> list[float]:
    out = subprocess.run(
        [ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries",
         "packet=pts_time,flags", "-of", "csv=p=0", path],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    packets = [line.split(",") for line in out.split()]
    return sorted(float(pts) for pts, flags in packets if "K" in flags)


@pytest.mark.parametrize(
    ("grid", "rate"),
    [
        (make_grid(4.2), "30"),
        (OLD_GRID, "25"),
        ((0.0, 0.5, 1.0, 2.0, 3.5), "30000/1001"),
    ],
)
def test_real_ffmpeg_puts_keyframes_on_the_grid(tools, tmp_path, grid, rate):
    out = tmp_path / "keyframes.mp4"
    seconds = grid[-1] + 0.7
    subprocess.run(
        [tools.ffmpeg, "-v", "error", "-f", "lavfi",
         "-i", f"testsrc2=size=160x90:rate={rate}:duration={seconds}",
         "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
         "-force_key_frames", keyframe_expr(grid), "-sc_threshold", "0", "-g", "100000",
         "-y", str(out)],
        check=True,
    )  # fmt: skip
    expected = [float(t) for t in first_frames_at(grid, Fraction(rate))]
    assert keyframe_times(tools.ffprobe, str(out)) == pytest.approx(expected, abs=1e-3)


def test_real_ffmpeg_command_encodes_on_the_grid(tools, tmp_path):
    source = tmp_path / "source.mp4"
    subprocess.run(
        [tools.ffmpeg, "-v", "error",
         "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=3.3",
         "-f", "lavfi", "-i", "sine=duration=3.3", "-c:v", "libx264", "-preset", "ultrafast",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-y", str(source)],
        check=True,
    )  # fmt: skip
    media = make_media(320, 180, fps=30.0, duration=3.3, path=str(source))
    plan = make_plan(media, get_profile("360p"))
    out = tmp_path / "encoded.mp4"
    done = subprocess.run(ffmpeg_argv(tools.ffmpeg, plan, str(out)), capture_output=True,
                          text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "progress=end" in done.stdout
    times = keyframe_times(tools.ffprobe, str(out))
    # B-frames delay every presentation time by the same amount in a fragmented MP4 without
    # an edit list: compare the keyframes relative to the first one.
    assert [t - times[0] for t in times] == pytest.approx(list(plan.grid), abs=1e-3)


def test_real_packager_cuts_where_the_plan_says(tools, tmp_path):
    """The packager, fed the plan's own ffmpeg output, cuts video exactly on the grid and audio
    on every unit (within an AAC frame), numbering each run's segments from 0; the durations
    read back from its files add up to the whole clip."""
    source = make_clip(tmp_path, "source.mp4", 4.2, size="320x180")
    plan = make_plan(probe(tools.ffprobe, str(source)), get_profile("360p"))
    encoded = tmp_path / "encoded.mp4"
    subprocess.run(ffmpeg_argv(tools.ffmpeg, plan, str(encoded)), check=True)
    for stream in ("video", "audio"):
        (tmp_path / "run" / stream).mkdir(parents=True)
    done = subprocess.run(
        packager_command(tools.packager, plan, [Output("encoded.mp4", plan.segmented)], "run"),
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    spans = {}
    for stream in ("video", "audio"):
        track = read_init(tmp_path / "run" / f"{stream}-init.mp4")
        files = sorted((tmp_path / "run" / stream).glob("*.m4s"), key=lambda f: int(f.stem))
        assert [int(f.stem) for f in files] == list(range(len(files)))
        spans[stream] = [read_span(f, track) for f in files]
    video = spans["video"]
    assert [s.start / s.timescale for s in video] == pytest.approx(list(plan.grid), abs=1e-3)
    assert [s.duration for s in video] == pytest.approx(
        plan.timeline.durations(StreamKind.VIDEO), abs=1e-3
    )
    audio = spans["audio"]
    assert len(audio) == plan.timeline.count(StreamKind.AUDIO)
    planned = plan.timeline.durations(StreamKind.AUDIO)
    for index in range(len(planned) - 1):
        assert abs(audio[index].duration - planned[index]) <= 0.022, index  # an AAC frame
    # The last one also holds the encoder's padding past the end: up to three AAC frames.
    assert 0 <= audio[-1].duration - planned[-1] <= 0.065
    assert sum(s.duration for s in video) == pytest.approx(4.2, abs=1e-3)
    # Each segment written as one fragment holds the very same packets.
    for stream in ("video", "audio"):
        init = (tmp_path / "run" / f"{stream}-init.mp4").read_bytes()
        track = read_init(tmp_path / "run" / f"{stream}-init.mp4")
        data = (tmp_path / "run" / stream / "1.m4s").read_bytes()
        compacted = compact(data, track)
        assert compacted is not None and len(compacted) < len(data)
        packets = []
        for index, segment in enumerate((data, compacted)):
            joined = tmp_path / f"{stream}-{index}.mp4"
            joined.write_bytes(init + segment)
            packets.append(subprocess.run(
                [tools.ffprobe, "-v", "error", "-show_entries",
                 "packet=pts,dts,duration,size,flags", "-of", "csv=p=0", str(joined)],
                check=True, capture_output=True, text=True,
            ).stdout)  # fmt: skip
        assert packets[0] == packets[1] and packets[0].count("\n") > 10


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="a FIFO")
def test_real_packager_takes_each_frame_from_a_pipe_as_it_comes(tools, tmp_path):
    """The packager reading a run's pipe writes segments as soon as their frames are in it,
    not once 64 KiB has been written (what it reads before parsing anything, and its
    default block): with less than that written and the pipe still open, the first
    segments are there."""
    source = make_clip(tmp_path, "source.mp4", 4.2, size="320x180")
    plan = make_plan(probe(tools.ffprobe, str(source)), get_profile("360p"))
    encoded = tmp_path / "encoded.mp4"
    subprocess.run(ffmpeg_argv(tools.ffmpeg, plan, str(encoded)), check=True)
    data = encoded.read_bytes()
    written = data[:60_000]  # over a second of the clip (about 45 KB a second)
    for stream in ("video", "audio"):
        (tmp_path / "run" / stream).mkdir(parents=True)
    pipe = FifoPipe.create(tmp_path, "pipe.fifo")
    fd = pipe.open_writer(PIPE_HEAD)  # what ffmpeg inherits, holding the packager's padding
    assert fd is not None
    packager = subprocess.Popen(
        packager_command(tools.packager, plan, [Output("pipe.fifo", plan.segmented)], "run"),
        cwd=tmp_path, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        os.write(fd, written)
        segments = [tmp_path / "run" / s / "1.m4s" for s in ("video", "audio")]
        assert wait_until(lambda: all(f.exists() for f in segments), 10), "still waiting"
        os.write(fd, data[len(written) :])
    finally:
        pipe.close()  # the end of the stream
        _, stderr = packager.communicate(timeout=30)
    assert packager.returncode == 0, stderr
    video = sorted((tmp_path / "run" / "video").glob("*.m4s"), key=lambda f: int(f.stem))
    track = read_init(tmp_path / "run" / "video-init.mp4")
    assert sum(read_span(f, track).duration for f in video) == pytest.approx(4.2, abs=1e-3)


@pytest.fixture(scope="module")
def source_6s(tools, tmp_path_factory):
    source = tmp_path_factory.mktemp("source") / "source.mp4"
    subprocess.run(
        [tools.ffmpeg, "-v", "error",
         "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=6.3",
         "-f", "lavfi", "-i", "sine=duration=6.3", "-c:v", "libx264", "-preset", "ultrafast",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-y", str(source)],
        check=True,
    )  # fmt: skip
    return source


@pytest.mark.parametrize("run", [RunSpec(first=4, fast_start=True), RunSpec(first=3, last=5)])
def test_real_ffmpeg_run_lands_on_the_absolute_timeline(tools, tmp_path, source_6s, run):
    media = make_media(320, 180, fps=30.0, duration=6.3, path=str(source_6s))
    plan = make_plan(media, get_profile("360p"))
    out = tmp_path / "run.mp4"
    done = subprocess.run(ffmpeg_argv(tools.ffmpeg, plan, str(out), run), capture_output=True,
                          text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    # Keyframes exactly on the plan's grid times for this run's segments, in absolute time.
    expected = list(plan.grid[run.first - 1 : run.last])
    assert keyframe_times(tools.ffprobe, str(out)) == pytest.approx(expected, abs=1e-3)
    out_text = subprocess.run(
        [tools.ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries",
         "packet=pts_time", "-of", "csv=p=0", str(out)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    times = [float(t) for t in out_text.split()]
    end = run.end_time(plan.timeline)
    assert max(times) < end and end - max(times) <= 1 / 30 + 1e-3  # up to the run's end


@pytest.fixture(scope="module")
def transport_streams(tools, tmp_path_factory):
    """6.3 s MPEG-TS clips: x264's default GOP (one keyframe), and one keyframe a second."""
    folder = tmp_path_factory.mktemp("ts")
    made = {}
    for name, gop in (("one-keyframe.ts", []), ("gop-1s.ts", ["-g", "30"])):
        made[name] = folder / name
        subprocess.run(
            [tools.ffmpeg, "-v", "error",
             "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=6.3",
             "-f", "lavfi", "-i", "sine=duration=6.3", "-c:v", "libx264", "-preset", "ultrafast",
             "-pix_fmt", "yuv420p", *gop, "-c:a", "aac", "-y", str(made[name])],
            check=True,
        )  # fmt: skip
    return made


@pytest.mark.parametrize("name", ["one-keyframe.ts", "gop-1s.ts"])
@pytest.mark.parametrize("first", [4, 6])
def test_real_ffmpeg_run_of_a_transport_stream_has_all_its_video(
    tools, tmp_path, transport_streams, name, first
):
    """Input seeking in MPEG-TS lands on any packet; the run must still get every frame."""
    plan = make_plan(probe(tools.ffprobe, str(transport_streams[name])), get_profile("360p"))
    assert plan.media.keyframe_gap > 0
    run = RunSpec(first=first)
    out = tmp_path / "run.mp4"
    done = subprocess.run(ffmpeg_argv(tools.ffmpeg, plan, str(out), run), capture_output=True,
                          text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    expected = list(plan.grid[run.first - 1 : run.last])
    assert keyframe_times(tools.ffprobe, str(out)) == pytest.approx(expected, abs=0.04)
    out_text = subprocess.run(
        [tools.ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries",
         "packet=pts_time", "-of", "csv=p=0", str(out)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    times = sorted(float(t) for t in out_text.split())
    start, end = run.start_time(plan.timeline), run.end_time(plan.timeline)
    assert times[0] == pytest.approx(start, abs=0.04)  # from the run's start...
    assert len(times) == pytest.approx((end - start) * 30, abs=1.5)  # ...every frame...
    assert end - max(times) <= 1 / 30 + 0.04  # ...to its end
