"""The built-in demo clip, made with the real ffmpeg: its full length, one timeline."""

from __future__ import annotations

import json
import subprocess

import pytest

from viewra_desktop.core.binaries import find_tools
from viewra_desktop.core.demo import DEMO_SECONDS, demo_clip


def test_the_demo_clip_is_its_full_length_with_one_rising_timeline(tmp_path):
    tools = find_tools()
    clip = demo_clip(tools.ffmpeg, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [clip.name]  # no piece left behind
    shown = subprocess.run(
        [tools.ffprobe, "-v", "error", "-select_streams", "v", "-show_entries",
         "packet=pts_time,flags:format=duration", "-of", "json", str(clip)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    data = json.loads(shown.stdout)
    assert float(data["format"]["duration"]) == pytest.approx(DEMO_SECONDS, abs=0.1)
    times = sorted(float(p["pts_time"]) for p in data["packets"])
    assert len(times) == DEMO_SECONDS * 30 and times[-1] == pytest.approx(DEMO_SECONDS, abs=0.1)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert max(gaps) < 0.05  # the repeats follow on: no jump, no overlap
    sound = subprocess.run(
        [tools.ffprobe, "-v", "error", "-select_streams", "a", "-show_entries",
         "stream=duration", "-of", "csv=p=0", str(clip)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert float(sound.stdout) == pytest.approx(DEMO_SECONDS, abs=0.05)  # the tone keeps pace
    # No clock on the picture (repeated, it would run back every piece): testsrc2's top-left
    # corner is its red bar, where the clock would be a dark box.
    corner = subprocess.run(
        [tools.ffmpeg, "-v", "error", "-ss", "7", "-i", str(clip), "-frames:v", "1",
         "-vf", "crop=90:30:0:0", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    red, green, blue = (sum(corner[i::3]) / (len(corner) / 3) for i in range(3))
    assert red > 150 and green < 100 and blue < 100, (red, green, blue)
    assert demo_clip(tools.ffmpeg, tmp_path) == clip  # made once
