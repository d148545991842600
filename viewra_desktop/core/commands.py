"""Command lines for ffmpeg and Shaka Packager, built by pure functions.

Tests compare the exact argv. Every flag carries a comment saying why it is there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import encoders, layout
from .color import setparams
from .fmp4 import free_box
from .keys import packager_args
from .plan import AudioTrack, Plan, RunSpec
from .renditions import VideoRendition
from .streams import StreamId, StreamKind

PROGRESS_PERIOD_S = 0.5
PACKAGER_IO_CACHE = 1 << 20
# The packager's reading thread hands on a pipe's bytes only in whole blocks of this size,
# waiting for each to fill (its default, 64 KiB, holds a 720p keyframe, half a second of a
# 360p rung or 4 s of AAC audio). Small, a frame passes as soon as it is written; the extra
# reads cost about 0.002 s of CPU per MB.
PACKAGER_IO_BLOCK = 1024
# Before it parses anything, the packager reads the first 64 KiB of an input to tell its
# container; a stream's first frames would wait for that much to be written (a 720p
# keyframe, a second of a 360p rung, 4 s of audio). So each pipe starts with padding, a
# ``free`` box that MP4 readers skip, filling all of it but ffmpeg's first box (ftyp, 28
# bytes or more) and the next one's header, which the container check must see.
PACKAGER_PROBE_BYTES = 64 * 1024
PIPE_HEAD = free_box(PACKAGER_PROBE_BYTES - 28 - 8)
FRAGMENT_US = 33_000  # fMP4 fragments of about a frame: the packager sees each frame at once
ENCODER_TIME_BASE = "1:90000"  # the MPEG clock: exact for 24, 25, 30, 50 and 60 fps
SEEK_MARGIN_S = 1.0  # inexact seeks: decode from this much before the keyframe gap, too
AAC_LAYOUTS = {1: "mono", 2: "stereo", 6: "5.1"}


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


def _common_filters(plan: Plan, skip: float) -> list[str]:
    """What every rendition of a run needs, before it is sized: dropped frames gone,
    interlaced frames deinterlaced, a very high frame rate capped."""
    video = plan.media.video
    filters = _skip_filter(skip)  # first, so dropped frames are not filtered
    if video is not None and video.interlaced:
        filters.append("bwdif=mode=send_frame:deint=interlaced")  # only frames marked interlaced
    frame_rate = plan.main_video.frame_rate
    if frame_rate:
        filters.append(f"fps={_fmt(frame_rate)}")  # cap very high frame rates
    return filters


def _rendition_filters(rendition: VideoRendition) -> list[str]:
    """One rendition's size, colour and pixel format."""
    # ffmpeg has already applied rotation (autorotate); scale to the planned display size.
    size = f"scale={rendition.width}:{rendition.height}:flags=bicubic"
    color = rendition.color
    if color.tone_map:
        filters = [
            # BT.2020 Y'CbCr to full-range 16-bit R'G'B', at the output size (fewer pixels).
            f"{size}:in_color_matrix=bt2020:in_range=tv:out_range=pc",
            "format=gbrp16le",
            # HDR R'G'B' to SDR BT.709 R'G'B' (color.tone_map_lut, in the work folder).
            f"lut3d=file={layout.TONE_MAP_LUT}:interp=tetrahedral",
            "scale=out_color_matrix=bt709:out_range=tv",
        ]
    else:
        filters = [f"{size}:out_range=pc" if color.full_range else size]
    filters.append("setsar=1")  # square pixels: the size above already holds the aspect ratio
    # 4:2:0, what every decoder plays: 8-bit, or 10-bit for an encode that keeps HDR.
    filters.append("format=yuv420p10le" if rendition.ten_bit else "format=yuv420p")
    tags = setparams(color)  # the colour tags the encoder writes (color.Color)
    if tags:
        filters.append(tags)
    return filters


def video_filters(plan: Plan, rendition: VideoRendition, skip: float = 0.0) -> str:
    """The filter chain of a rendition encoded on its own from the source."""
    return ",".join(_common_filters(plan, skip) + _rendition_filters(rendition))


def video_graph(
    plan: Plan, videos: Sequence[StreamId], skip: float
) -> tuple[str | None, dict[StreamId, str]]:
    """A filter graph for several renditions from one decode (split, then each its size),
    or for picture subtitles drawn in; with each rendition's output label. (None, {}) when
    one rendition is filtered on its own."""
    media = plan.media
    assert media.video is not None
    if len(videos) <= 1 and plan.burn_in is None:
        return None, {}
    head = f"[0:{media.video.index}]"
    steps = _common_filters(plan, skip)
    if plan.burn_in is not None:
        # Picture subtitles: ffmpeg turns the subtitle stream into pictures to overlay.
        head += f"[0:{plan.burn_in.index}]"
        steps.insert(0, "overlay=eof_action=pass:repeatlast=0")
    labels = {stream: f"[v{number}]" for number, stream in enumerate(videos)}
    if len(videos) == 1:
        (stream,) = videos
        chain = ",".join(steps + _rendition_filters(plan.rendition(stream)))
        return f"{head}{chain}{labels[stream]}", labels
    split = "".join(f"[s{n}]" for n in range(len(videos)))
    graph = head + ",".join([*steps, f"split={len(videos)}"]) + split
    for number, stream in enumerate(videos):
        chain = ",".join(_rendition_filters(plan.rendition(stream)))
        graph += f";[s{number}]{chain}{labels[stream]}"
    return graph, labels


@dataclass(frozen=True)
class Output:
    """One ffmpeg output: a fragmented MP4 written into one pipe, holding ``streams`` in
    this order (the packager selects them by their position in it). ``path``: the pipe's,
    or ``pipe:N`` for ffmpeg to write into its inherited file descriptor N."""

    path: str
    streams: tuple[StreamId, ...]

    @property
    def url(self) -> str:
        # "file:" keeps a colon in a name from being taken for a protocol
        return self.path if self.path.startswith("pipe:") else "file:" + self.path


def output_streams(
    plan: Plan, streams: Sequence[StreamId] | None = None
) -> tuple[tuple[StreamId, ...], ...]:
    """Which of ``streams`` (default: all of the plan's) share an ffmpeg output, and so a
    pipe: each video rendition has its own (several video tracks in one fragmented MP4
    through a pipe is untried); the audio tracks ride in the first one."""
    wanted = plan.segmented if streams is None else tuple(streams)
    groups = [[s] for s in wanted if s.kind is StreamKind.VIDEO]
    audio = [s for s in wanted if s.kind is StreamKind.AUDIO]
    if groups:
        groups[0] += audio
    elif audio:
        groups = [audio]
    return tuple(tuple(group) for group in groups)


def ffmpeg_command(ffmpeg: str, plan: Plan, outputs: Sequence[Output], run: RunSpec) -> list[str]:
    """ffmpeg: the source to H.264/AAC fragmented MP4, one output per pipe."""
    media = plan.media
    assert media.video is not None
    timeline = plan.timeline
    start = run.start_time(timeline)
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
    videos = [s for output in outputs for s in output.streams if s.kind is StreamKind.VIDEO]
    if run.fast_start and len(videos) == 1:
        # The source decoded without frame threads (which hold frames back to decode several
        # at once): with the encoder's threads on every core they only compete. On 2 cores
        # the first bytes came 0.02 s sooner and the first 2 s of 1080p30 in 0.92 s against
        # 1.05 s (4K60: 2.27 s against 2.31 s), the first frame 0.517 → 0.479 s. Not for a
        # ladder (0.815 → 0.849 s), nor a seek's run: most of its first frames are decoded,
        # then dropped, with nothing encoding beside them.
        argv += ["-thread_type", "slice"]
    argv += ["-i", "file:" + media.path]  # "file:" keeps a colon in a name from being a protocol
    graph, labels = video_graph(plan, videos, skip)
    if graph is not None:
        argv += ["-filter_complex", graph]
    for output in outputs:
        argv += _output_args(plan, output, run, skip, labels)
    return argv


def _output_args(
    plan: Plan, output: Output, run: RunSpec, skip: float, labels: dict[StreamId, str]
) -> list[str]:
    media = plan.media
    assert media.video is not None
    timeline = plan.timeline
    start = run.start_time(timeline)
    length = run.end_time(timeline) - start
    renditions = [plan.rendition(s) for s in output.streams if s.kind is StreamKind.VIDEO]
    tracks = [plan.track(s) for s in output.streams if s.kind is StreamKind.AUDIO]
    argv: list[str] = []
    for stream in output.streams:
        if stream in labels:
            argv += ["-map", labels[stream]]  # from the filter graph
        elif stream.kind is StreamKind.VIDEO:
            argv += ["-map", f"0:{media.video.index}"]
        else:
            argv += ["-map", f"0:{plan.track(stream).source.index}"]
    argv += [
        "-map_metadata", "-1",  # the package carries no source tags
        "-map_chapters", "-1",
        "-sn", "-dn",  # subtitles and data streams are not packaged
        "-t", _fmt(length),  # exactly this run's part of the planned timeline
    ]  # fmt: skip
    for number, rendition in enumerate(renditions):
        filtered = rendition.stream in labels  # in the graph, or its own chain here
        argv += _video_args(plan, rendition, f"v:{number}", run, skip, filtered)
    for number, track in enumerate(tracks):
        argv += _audio_args(plan, track, f"a:{number}", run, skip)
    if start > 0:
        argv += [
            "-output_ts_offset", _fmt(start),  # timestamps on the absolute timeline...
            "-avoid_negative_ts", "disabled",  # ...not shifted back to zero by the muxer...
            "-use_editlist", "0",
        ]  # fmt: skip
        # Write each packet as soon as it is encoded rather than interleaved with the other
        # streams: audio, quick to encode, then runs ahead of the video, so after a seek the
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
        "-y", output.url,
    ]  # fmt: skip
    return argv


def _no_b_frames(plan: Plan) -> bool:
    """B-frames put each run's first frame a frame duration after its first decode time,
    and the package keeps the first run's offset (its edit list) for all runs: right only
    while frames last equally long. Without them the offset is zero."""
    return plan.media.video is not None and plan.media.video.variable_rate


def _video_reorders(plan: Plan) -> bool:
    """Does the video have decode times before its presentation (H.264 and HEVC B-frames)?
    VP9 and AV1 in MP4 have none."""
    return plan.main_video.codec in ("h264", "hevc") and not _no_b_frames(plan)


def _video_args(
    plan: Plan, rendition: VideoRendition, spec: str, run: RunSpec, skip: float, filtered: bool
) -> list[str]:
    encoder = rendition.encoder
    keyframes = keyframe_expr(run.grid(plan.timeline))
    filters = [] if filtered else [f"-filter:{spec}", video_filters(plan, rendition, skip)]
    return [
        *filters,
        # The encoder's clock: by default 1/frame rate, which moves every frame time onto
        # that rate's ticks, so variable-rate video loses the frames that land on a taken
        # tick, and a run loses its last frame when the source's frames sit between ticks.
        f"-enc_time_base:{spec}", ENCODER_TIME_BASE,
        f"-c:{spec}", encoder.name,
        *encoders.speed_args(encoder, plan.profile.preset, spec),
        *encoders.rate_args(encoder, rendition.rate, spec),  # capped: peaks stay streamable
        *encoders.profile_args(encoder, rendition.level, rendition.ten_bit, spec),
        *encoders.keyframe_args(encoder, keyframes, spec),  # a keyframe on every grid time
        *encoders.tuning_args(encoder, run.low_delay, run.fast_start, _no_b_frames(plan), spec),
    ]  # fmt: skip


def _audio_args(plan: Plan, track: AudioTrack, spec: str, run: RunSpec, skip: float) -> list[str]:
    timeline = plan.timeline
    start = run.start_time(timeline)
    length = run.end_time(timeline) - start
    # AAC priming puts the first packet 1024 samples early; mid-timeline that would start a
    # sliver of a segment before the run's start, so start the audio late by as much (21 ms).
    # At 0 the muxer shifts every stream to hide it, which B-frames (video decoded before 0)
    # hide in turn; without them (or with VP9 and AV1), start the audio late there too.
    late = start > 0 or not _video_reorders(plan)
    first_pts = encoders.PRIMING[track.codec] if late else 0
    surround = (
        ["-mapping_family:" + spec, "1"] if track.codec == "opus" and track.channels > 2 else []
    )
    return [
        f"-c:{spec}", encoders.AUDIO[track.codec],
        f"-b:{spec}", f"{track.kbps}k",
        f"-ac:{spec}", str(track.channels),
        f"-ar:{spec}", str(track.sample_rate),
        *encoders.audio_tuning_args(track.codec, track.channels, run.fast_start, spec),
        # Continuous audio from the run's start (gaps filled, late starts padded), at least
        # as long as the run, so every planned audio segment exists.
        f"-filter:{spec}", ",".join([
            *_skip_filter(skip, audio=True),
            f"aresample=async=1:first_pts={first_pts}",
            # A layout AAC has (mono, stereo, 5.1): 7.1 and "5.1(side)" are mixed to it.
            f"aformat=channel_layouts={AAC_LAYOUTS[track.channels]}",
            f"apad=whole_dur={_fmt(length)}",
        ]),
        *surround,  # Opus 5.1: the Vorbis channel order
    ]  # fmt: skip


def packager_command(
    packager: str, plan: Plan, outputs: Sequence[Output], run_dir: str
) -> list[str]:
    """Shaka Packager: the pipes into segments under ``run_dir``.

    Paths are relative to the session folder (the process's working directory), so no
    user-chosen folder name can break the stream descriptor syntax (commas, '=').
    In low-latency mode each segment's file is written chunk by chunk as the frames arrive
    (the server streams it to a player while it grows) and closed before the next one is
    opened: a segment is complete once the next exists, or once the packager has exited
    cleanly. Segments are numbered from 0 in each run (the session maps them onto the
    timeline; this mode ignores ``--start_segment_number``). No manifest is written.
    """
    argv = [packager]
    for output in outputs:
        for position, stream in enumerate(output.streams):
            argv.append(
                ",".join(
                    (
                        f"in={output.path}",
                        f"stream={position}",  # its place in that output (ffmpeg's -map order)
                        f"init_segment={run_dir}/{layout.run_init(stream)}",
                        f"segment_template={run_dir}/{layout.run_segment_template(stream)}",
                    )
                )
            )
    argv += [
        "--segment_duration", _fmt(plan.timeline.unit),  # the grid's unit: a bucket a segment
        "--low_latency_dash_mode",  # write each segment as it is made, not when it ends
        # Required with that mode; it only goes into an MPD, and none is written here.
        "--utc_timings", "urn:mpeg:dash:utc:direct:2014=unused",
        # A small read-ahead cache: the default (tens of MB) makes the reading thread spin
        # on a pipe, about 6 % of a 2-core machine's time (measured: 4 s of CPU against 0.3 s
        # for a 60 s 1080p source), time taken from the encoder.
        "--io_cache_size", str(PACKAGER_IO_CACHE),
        "--io_block_size", str(PACKAGER_IO_BLOCK),  # each frame on as soon as it is written
        "--quiet",  # no INFO lines: stderr keeps warnings and errors for the failure tail
    ]  # fmt: skip
    if plan.encryption is not None:
        argv += packager_args(plan.encryption)  # raw-key encryption (keys)
    return argv
