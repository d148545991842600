"""Video and audio encoders: their ffmpeg names, options and codecs strings.

Every encoder gets the same jobs done its own way: a keyframe exactly on each grid time and
nowhere else (``-force_key_frames`` with scene cuts off and an endless GOP), a rate control
(constant quality, or a target with a cap and a buffer), and for the runs a player waits on
(``RunSpec.low_delay``, ``fast_start``) frames out of the encoder as soon as they are coded.
That last one must never change the stream's parameter sets, since every run shares the
first run's init segment:

- x264: no lookahead, sliced threads; the fast start also a quicker motion search. Every
  run has one B-frame between references (``X264_B_FRAMES``), not x264's three: each one
  holds the first frame back in the encoder, and a decoder holds frames back as many as the
  parameter sets say it must reorder. Measured on the benchmark's 1080p30 source to 720p at
  veryfast: ffmpeg's first fragment after 0.135 s against 0.180 s, for 0.9 % more bytes at
  the same CRF (SSIM 0.934 against 0.936); none at all gave 0.126 s, 3.6 % more bytes and
  SSIM 0.929.
- x265: one frame thread and no slice decision lookahead beyond the B-frames (its lookahead
  cannot be shorter than the B-frame run, which the parameter sets hold).
- libvpx: no lag and no alternate reference frames (VP9 keeps no parameter sets).
- SVT-AV1: does not apply: its low-delay prediction structure is a different stream.
- AAC with more than two channels: the fast start takes FFmpeg's fast coder (same decoder
  configuration). Its default search costs 0.13 s of CPU per second of 5.1 at 384 kb/s,
  five times a stereo track's; the fast coder 0.06 s. In stereo the default is the quicker.

Hardware encoders (NVENC, VAAPI, QSV, VideoToolbox, AMF, V4L2 M2M) take the rate control in
their own terms; ``hardware`` says which of them work on this machine.

Threads: pure functions, any thread.
"""

from __future__ import annotations

from dataclasses import dataclass

SOFTWARE = {"h264": "libx264", "hevc": "libx265", "av1": "libsvtav1", "vp9": "libvpx-vp9"}
HARDWARE_FAMILIES = ("nvenc", "vaapi", "qsv", "videotoolbox", "amf", "v4l2m2m")
AUDIO = {"aac": "aac", "opus": "libopus"}
# Samples an audio encoder puts before the first one of the input (its priming).
PRIMING = {"aac": 1024, "opus": 312}
KEYINT = 100_000  # longer than any source: keyframes come from the grid only
X264_B_FRAMES = 1  # B-frames between references, in every run (module docstring)


@dataclass(frozen=True)
class VideoEncoder:
    codec: str  # h264, hevc, av1, vp9
    name: str  # ffmpeg's encoder
    family: str = ""  # "" for software, else a hardware family

    @property
    def hardware(self) -> bool:
        return bool(self.family)


def software(codec: str) -> VideoEncoder:
    return VideoEncoder(codec, SOFTWARE[codec])


def hardware_name(codec: str, family: str) -> str:
    """ffmpeg's name of ``family``'s encoder for ``codec`` (h264_nvenc, hevc_vaapi...)."""
    base = {"h264": "h264", "hevc": "hevc", "av1": "av1", "vp9": "vp9"}[codec]
    return f"{base}_{family}"


@dataclass(frozen=True)
class RateControl:
    crf: int | None  # constant quality; None: target bitrate
    bitrate_kbps: int | None
    maxrate_kbps: int
    bufsize_kbps: int


def rate_args(encoder: VideoEncoder, rate: RateControl, spec: str) -> list[str]:
    """Rate control options in ``encoder``'s terms."""
    cap = [f"-maxrate:{spec}", f"{rate.maxrate_kbps}k", f"-bufsize:{spec}", f"{rate.bufsize_kbps}k"]
    if rate.crf is None:
        return [f"-b:{spec}", f"{rate.bitrate_kbps or rate.maxrate_kbps}k", *cap]
    quality = str(rate.crf)
    if encoder.family == "nvenc":
        return [f"-rc:{spec}", "vbr", f"-cq:{spec}", quality, f"-b:{spec}", "0", *cap]
    if encoder.family in ("vaapi", "amf", "v4l2m2m", "videotoolbox"):
        # No constant-quality mode these share: a capped bitrate, at two thirds of the cap.
        return [f"-b:{spec}", f"{rate.maxrate_kbps * 2 // 3}k", *cap]
    if encoder.family == "qsv":
        return [f"-global_quality:{spec}", quality, *cap]
    if encoder.codec == "vp9":
        # libvpx's constrained quality: -crf with a cap (-b:v the cap).
        return [f"-crf:{spec}", quality, f"-b:{spec}", f"{rate.maxrate_kbps}k", *cap[2:]]
    return [f"-crf:{spec}", quality, *cap]


def speed_args(encoder: VideoEncoder, preset: str, spec: str) -> list[str]:
    if encoder.hardware:
        return []  # each family's default speed: they are faster than realtime anyway
    if encoder.codec == "vp9":
        return [f"-deadline:{spec}", "realtime", f"-cpu-used:{spec}", preset,
                f"-row-mt:{spec}", "1", f"-tile-columns:{spec}", "2"]  # fmt: skip
    return [f"-preset:{spec}", preset]


def keyframe_args(encoder: VideoEncoder, expression: str, spec: str) -> list[str]:
    """A keyframe on every grid time, and only there."""
    # SVT-AV1 rejects a longer GOP; the forced keyframes come first anyway.
    keyint = 300 if encoder.name == "libsvtav1" else KEYINT
    argv = [f"-force_key_frames:{spec}", expression]
    if encoder.name == "libx264":
        argv += [f"-sc_threshold:{spec}", "0"]  # no scene-cut keyframes between grid times
    return [*argv, f"-g:{spec}", str(keyint)]


def tuning_args(
    encoder: VideoEncoder, low_delay: bool, fast_start: bool, no_b_frames: bool, spec: str
) -> list[str]:
    """The encoder's own settings: no scene-cut keyframes, no B-frames if ``no_b_frames``
    (x264: else ``X264_B_FRAMES``), and with ``low_delay`` (a run a player waits on) frames
    out sooner, with the same parameter sets (module docstring)."""
    name = encoder.name
    if name == "libx264":
        argv = [f"-bf:{spec}", "0" if no_b_frames else str(X264_B_FRAMES)]
        if not (low_delay or fast_start):
            return argv
        x264 = ["sync-lookahead=0", "sliced-threads=1"]
        if fast_start:
            x264 += ["subme=1", "me=dia", "partitions=none"]
        return [*argv, f"-rc-lookahead:{spec}", "0", f"-x264-params:{spec}", ":".join(x264)]
    if name == "libx265":
        # No scene cuts, a forced keyframe wherever it falls, closed GOPs (every segment
        # starts clean), quiet.
        x265 = ["scenecut=0", "min-keyint=1", "open-gop=0", "log-level=error"]
        if no_b_frames:
            x265.append("bframes=0")
        if low_delay or fast_start:
            x265.append("frame-threads=1")
        return [f"-x265-params:{spec}", ":".join(x265)]
    if name == "libsvtav1":
        return [f"-svtav1-params:{spec}", "scd=0"]  # no scene-change keyframes
    if name == "libvpx-vp9":
        quick = low_delay or fast_start  # no alternate reference frames to wait for
        return [f"-auto-alt-ref:{spec}", "0" if quick else "1",
                f"-lag-in-frames:{spec}", "0" if quick else "16"]  # fmt: skip
    if encoder.family == "nvenc" and (low_delay or fast_start):
        return [f"-delay:{spec}", "0", f"-zerolatency:{spec}", "1"]
    return []


def audio_tuning_args(codec: str, channels: int, fast_start: bool, spec: str) -> list[str]:
    """The audio encoder's own settings for a run (module docstring)."""
    if codec == "aac" and fast_start and channels > 2:
        return [f"-aac_coder:{spec}", "fast"]
    return []


def profile_args(encoder: VideoEncoder, level: int, ten_bit: bool, spec: str) -> list[str]:
    """Codec profile and level, as the manifests' codecs string says."""
    if encoder.name == "libx264":
        return [f"-profile:{spec}", "high", f"-level:{spec}", f"{level / 10:.1f}"]
    if encoder.codec == "hevc":
        # The sample entry "hvc1": parameter sets in the init segment only (Apple, Shaka).
        return [f"-tag:{spec}", "hvc1"]
    if encoder.codec == "vp9":
        return [f"-profile:{spec}", "2" if ten_bit else "0"]
    return []


# -- codecs strings (RFC 6381) -----------------------------------------------------------------


def codecs_string(codec: str, level: int, ten_bit: bool = False) -> str:
    """The manifests' codecs value for a video stream of ``codec`` at ``level`` (the H.264
    level_idc scale: 31 for 3.1); other codecs map it to theirs."""
    if codec == "h264":
        return f"avc1.6400{level:02x}"  # High profile, no constraint flags
    if codec == "hevc":
        return f"hvc1.1.6.L{_hevc_level(level)}.B0"  # Main, Main tier
    if codec == "av1":
        return f"av01.0.{_av1_level(level):02d}M.{10 if ten_bit else 8:02d}"
    return f"vp09.{2 if ten_bit else 0:02d}.{_vp9_level(level):02d}.{10 if ten_bit else 8:02d}"


def _hevc_level(h264_level: int) -> int:
    # HEVC level_idc is 30 x the level: 3.1 -> 93, 4.0 -> 120, 5.1 -> 153.
    return {30: 90, 31: 93, 32: 93, 40: 120, 41: 123, 42: 123, 50: 150, 51: 153, 52: 156,
            60: 180}.get(h264_level, 120)  # fmt: skip


def _av1_level(h264_level: int) -> int:
    # AV1 seq_level_idx: 2.0 -> 0, 3.0 -> 4, 3.1 -> 5, 4.0 -> 8, 4.1 -> 9, 5.0 -> 12 ...
    return {30: 4, 31: 5, 32: 5, 40: 8, 41: 9, 42: 9, 50: 12, 51: 13, 52: 14, 60: 16}.get(
        h264_level, 8
    )


def _vp9_level(h264_level: int) -> int:
    return {30: 30, 31: 31, 32: 31, 40: 40, 41: 41, 42: 41, 50: 50, 51: 51, 52: 52,
            60: 60}.get(h264_level, 40)  # fmt: skip


def audio_codecs_string(codec: str) -> str:
    return "mp4a.40.2" if codec == "aac" else "opus"
