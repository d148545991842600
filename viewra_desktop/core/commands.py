"""Command lines for ffmpeg and Shaka Packager, built by pure functions.

Tests compare the exact argv. Every flag carries a comment saying why it is there.
"""

from __future__ import annotations

from dataclasses import dataclass

from .plan import AUDIO_RATE, Plan

PROGRESS_PERIOD_S = 0.5
PACKAGER_IO_CACHE = 1 << 20
FRAGMENT_US = 33_000  # fMP4 fragments of about a frame: the packager sees each frame at once
ENCODER_TIME_BASE = "1:90000"  # the MPEG clock: exact for 24, 25, 30, 50 and 60 fps
SEEK_MARGIN_S = 1.0  # inexact seeks: decode from this much before the keyframe gap, too


def _fmt(seconds: float) -> str:
    """Seconds as ffmpeg/packager read them: no exponent, no needless digits."""
    text = f"{seconds:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def keyframe_expr(grid: tuple[float, ...]) -> str:
    """A ``-force_key_frames`` expression forcing a keyframe at every grid time, and only there.

    The tail of the grid is uniform, so the expression stays short however long the video is:
    explicit times for the irregular head, arithmetic for the rest.
    """
    count = len(grid)
    # Find where the uniform tail starts.
    head = count
    if count >= 3:
        step = round(grid[-1] - grid[-2], 6)
        head = count - 2
        while head > 0 and round(grid[head] - grid[head - 1], 6) == step:
            head -= 1
    else:
        step = 0.0
    if head >= count - 1:
        target = _nested(grid, count)
    else:
        tail = f"{_fmt(grid[head])}+(n_forced-{head})*{_fmt(step)}"
        target = f"if(lt(n_forced,{head}),{_nested(grid, head)},{tail})" if head else tail
    # lt(n_forced,count): no keyframe after the last grid time; gte(t,...): at the grid time.
    return f"expr:lt(n_forced,{count})*gte(t,{target})"


def _nested(grid: tuple[float, ...], count: int) -> str:
    """if(eq(n_forced,0),g0,if(eq(n_forced,1),g1,...)) over the first ``count`` times."""
    expr = _fmt(grid[count - 1])
    for index in range(count - 2, -1, -1):
        expr = f"if(eq(n_forced,{index}),{_fmt(grid[index])},{expr})"
    return expr


def input_seek(plan: Plan, start: float) -> tuple[float, float]:
    """(where ffmpeg seeks the input, how much it then decodes and drops) for a run at start.

    Most demuxers seek to the keyframe before ``start``. MPEG-TS and the like land on any
    packet, and nothing decodes until the next keyframe (with one keyframe per 10 s, a run
    2 s in gets no video at all): for them, seek a keyframe gap earlier and drop the excess.
    """
    gap = plan.media.keyframe_gap
    if start <= 0 or gap <= 0:
        return start, 0.0
    skip = min(start, gap + SEEK_MARGIN_S)
    return round(start - skip, 6), round(skip, 6)


def _skip_filter(skip: float, audio: bool = False) -> list[str]:
    """Drop the first ``skip`` seconds and start the timestamps at 0 again."""
    if not skip:
        return []
    prefix = "a" if audio else ""
    return [f"{prefix}trim=start={_fmt(skip)}", f"{prefix}setpts=PTS-{_fmt(skip)}/TB"]


def video_filters(plan: Plan, skip: float = 0.0) -> str:
    video = plan.media.video
    filters = _skip_filter(skip)  # first, so dropped frames are not filtered
    if video is not None and video.interlaced:
        filters.append("bwdif=mode=send_frame:deint=interlaced")  # only frames marked interlaced
    if plan.frame_rate:
        filters.append(f"fps={_fmt(plan.frame_rate)}")  # cap very high frame rates
    # ffmpeg has already applied rotation (autorotate); scale to the planned display size.
    filters.append(f"scale={plan.width}:{plan.height}:flags=bicubic")
    filters.append("setsar=1")  # square pixels: the size above already holds the aspect ratio
    filters.append("format=yuv420p")  # 8-bit 4:2:0, what every H.264 decoder plays
    return ",".join(filters)


@dataclass(frozen=True)
class Run:
    """The part of the timeline one ffmpeg + packager pair encodes.

    ``first``..``last`` are video segment numbers (1-based; ``last`` None: to the end).
    ``low_delay``: each frame leaves the encoder as soon as it is coded (no lookahead, threads
    on slices rather than frames), for a run a player is waiting on: the first one, and one
    started by a seek. It costs some compression (no macroblock tree) but no speed.
    ``fast_start`` adds a quicker motion search for the first seconds. Neither touches the
    SPS/PPS, so every run shares one init segment.
    """

    first: int = 1
    last: int | None = None
    low_delay: bool = False
    fast_start: bool = False

    def start_time(self, plan: Plan) -> float:
        return plan.grid[self.first - 1]

    def end_time(self, plan: Plan) -> float:
        return plan.duration if self.last is None else plan.video_segment_span(self.last)[1]

    def grid(self, plan: Plan) -> tuple[float, ...]:
        """This run's keyframe times, relative to its own start."""
        start = self.start_time(plan)
        times = plan.grid[self.first - 1 : self.last]
        return tuple(round(t - start, 6) for t in times)


def ffmpeg_command(ffmpeg: str, plan: Plan, output: str, run: Run = Run()) -> list[str]:
    """ffmpeg: the source to H.264/AAC fragmented MP4 written to ``output`` (the pipe)."""
    media = plan.media
    assert media.video is not None
    maxrate = plan.maxrate_kbps
    start = run.start_time(plan)
    length = run.end_time(plan) - start
    # Large enough never to add a keyframe of its own: keyframes come only from the grid.
    keyint = 100_000
    argv = [
        ffmpeg,
        "-hide_banner",
        "-nostdin",  # never read the terminal
        "-loglevel", "error",  # stderr holds only errors: its tail explains a failure
        "-nostats",
        "-progress", "pipe:1",  # key=value progress on stdout
        "-stats_period", _fmt(PROGRESS_PERIOD_S),
    ]  # fmt: skip
    seek, skip = input_seek(plan, start)
    if seek > 0:
        argv += ["-ss", _fmt(seek)]  # input seeking: fast, and exact since we re-encode
    argv += [
        "-i", "file:" + media.path,  # "file:" keeps a colon in the name from naming a protocol
        "-map", f"0:{media.video.index}",
    ]  # fmt: skip
    if plan.audio is not None:
        argv += ["-map", f"0:{plan.audio.index}"]
    argv += [
        "-map_metadata", "-1",  # the package carries no source tags
        "-map_chapters", "-1",
        "-sn", "-dn",  # subtitles and data streams are not packaged
        "-t", _fmt(length),  # exactly this run's part of the planned timeline
        "-vf", video_filters(plan, skip),
        # The encoder's clock: by default 1/frame rate, which moves every frame time onto
        # that rate's ticks, so variable-rate video loses the frames that land on a taken
        # tick, and a run loses its last frame when the source's frames sit between ticks.
        "-enc_time_base:v", ENCODER_TIME_BASE,
        "-c:v", "libx264",
        "-preset", plan.profile.preset,
        "-crf", str(plan.profile.crf),
        "-maxrate", f"{maxrate}k",  # a cap so peaks stay streamable
        "-bufsize", f"{maxrate * 2}k",
        "-profile:v", "high",
        "-level:v", f"{plan.level / 10:.1f}",  # matches the codecs string in the manifests
        "-force_key_frames", keyframe_expr(run.grid(plan)),  # a keyframe on every grid time
        "-sc_threshold", "0",  # no scene-cut keyframes between grid times
        "-g", str(keyint),
    ]  # fmt: skip
    no_b_frames = media.video.variable_rate
    if no_b_frames:
        # B-frames put each run's first frame two frame durations after its first decode
        # time, and the package keeps the first run's offset (its edit list) for all runs:
        # right only while frames last equally long. Without them the offset is zero.
        argv += ["-bf", "0"]
    if run.low_delay or run.fast_start:
        x264 = ["sync-lookahead=0", "sliced-threads=1"]
        if run.fast_start:
            x264 += ["subme=1", "me=dia", "partitions=none"]
        argv += ["-rc-lookahead", "0", "-x264-params", ":".join(x264)]
    if plan.audio is not None:
        # AAC priming puts the first packet 1024 samples early; mid-timeline that would
        # start a sliver of a segment before the run's start, so start the audio late by
        # as much (21 ms). At 0 the muxer shifts every stream to hide it, which B-frames
        # (video decoded before 0) hide in turn; without them, start the audio late there too.
        first_pts = 1024 if start > 0 or no_b_frames else 0
        argv += [
            "-c:a", "aac",
            "-b:a", f"{plan.audio_kbps}k",
            "-ac", str(plan.audio_channels),
            "-ar", str(AUDIO_RATE),
            # Continuous audio from the run's start (gaps filled, late starts padded), at
            # least as long as the run, so every planned audio segment exists.
            "-af", ",".join([
                *_skip_filter(skip, audio=True),
                f"aresample=async=1:first_pts={first_pts}",
                f"apad=whole_dur={_fmt(length)}",
            ]),
        ]  # fmt: skip
    if start > 0:
        argv += [
            "-output_ts_offset", _fmt(start),  # timestamps on the absolute timeline...
            "-avoid_negative_ts", "disabled",  # ...not shifted back to zero by the muxer...
            "-use_editlist", "0",
        ]  # fmt: skip
    if start > 0:
        # Write each packet as soon as it is encoded rather than interleaved with the other
        # stream: audio, quick to encode, then runs ahead of the video, so after a seek the
        # first audio segments are complete as soon as the first video frames are (a player
        # needs both to start). The packager reads each stream on its own. (At 0 the muxer
        # needs interleaving to shift B-frame decode times that start below zero.)
        argv += ["-max_interleave_delta", "1"]
    argv += [
        "-f", "mp4",
        # Fragmented MP4 readable as a stream: empty moov up front, a fragment at every
        # keyframe and every FRAGMENT_US, each flushed at once so the packager is never
        # waiting on ffmpeg's buffers.
        "-movflags", "empty_moov+default_base_moof+frag_keyframe"
        + ("+frag_discont" if start > 0 else ""),  # ...and kept in the fragments (tfdt)
        "-frag_duration", str(FRAGMENT_US),
        "-flush_packets", "1",
        "-y", "file:" + output,
    ]  # fmt: skip
    return argv


def packager_command(packager: str, plan: Plan, pipe: str, run_dir: str) -> list[str]:
    """Shaka Packager: the pipe into segments under ``run_dir``.

    Paths are relative to the session folder (the process's working directory), so no
    user-chosen folder name can break the stream descriptor syntax (commas, '=').
    In low-latency mode each segment's file is written chunk by chunk as the frames arrive
    (the server streams it to a player while it grows) and closed before the next one is
    opened: a segment is complete once the next exists, or once the packager has exited
    cleanly. Segments are numbered from 0 in each run (the session maps them onto the
    timeline; this mode ignores ``--start_segment_number``). No manifest is written.
    """
    streams = ["video"]
    if plan.audio is not None:
        streams.append("audio")
    argv = [packager]
    for stream in streams:
        argv.append(
            ",".join(
                (
                    f"in={pipe}",
                    f"stream={stream}",
                    f"init_segment={run_dir}/{stream}-init.mp4",
                    f"segment_template={run_dir}/{stream}/$Number$.m4s",
                )
            )
        )
    argv += [
        "--segment_duration", _fmt(plan.unit),  # the grid's unit: one bucket per segment
        "--low_latency_dash_mode",  # write each segment as it is made, not when it ends
        # Required with that mode; it only goes into an MPD, and none is written here.
        "--utc_timings", "urn:mpeg:dash:utc:direct:2014=unused",
        # A small read-ahead cache: the default (tens of MB) makes the reading thread spin
        # on a pipe, about 6 % of a 2-core machine's time (measured: 4 s of CPU against 0.3 s
        # for a 60 s 1080p source), time taken from the encoder.
        "--io_cache_size", str(PACKAGER_IO_CACHE),
        "--quiet",  # no INFO lines: stderr keeps warnings and errors for the failure tail
    ]  # fmt: skip
    return argv
