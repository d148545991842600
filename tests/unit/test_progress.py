"""progress: ffmpeg's -progress blocks, replayed from recordings."""

from __future__ import annotations

import re

import pytest

from viewra_desktop.core.progress import Progress, ProgressParser

from .factories import DATA


def replay(name: str, duration: float) -> list[Progress]:
    seen: list[Progress] = []
    parser = ProgressParser(duration, seen.append)
    for line in (DATA / "progress" / name).read_text("utf-8").splitlines():
        parser.feed(line)
    return seen


def recorded_blocks(name: str) -> list[tuple[str, str, str]]:
    """(out_time_us, speed, progress) text of each block, read straight from the file."""
    text = (DATA / "progress" / name).read_text("utf-8")
    found = re.findall(
        r"^out_time_us=([^\n]*)$.*?^speed=([^\n]*)$.*?^progress=([^\n]*)$", text, re.M | re.S
    )
    assert found, name
    return found


def test_recorded_encode():
    blocks = recorded_blocks("ffmpeg_progress.txt")
    seen = replay("ffmpeg_progress.txt", 5.0)
    assert len(seen) == len(blocks) >= 3
    assert [p.done for p in seen] == [state == "end" for _t, _s, state in blocks]
    assert blocks[-1][2] == "end" and seen[-1].done
    for progress, (time_text, speed_text, _state) in zip(seen, blocks, strict=True):
        if time_text != "N/A":
            assert progress.position == pytest.approx(int(time_text) / 1e6)
        if speed_text != "N/A":
            assert progress.speed == pytest.approx(float(speed_text.strip().rstrip("x")))
            assert progress.speed > 1  # this encode ran faster than real time
    assert seen[-1].fraction == 1.0 and seen[-1].seconds_left == 0.0
    middle = seen[1]
    assert middle.fraction == pytest.approx(middle.position / 5)
    assert middle.seconds_left == pytest.approx((5 - middle.position) / middle.speed)


def test_position_never_goes_back_on_a_missing_time():
    # ffmpeg sometimes prints out_time_us=N/A mid-encode (this recording has one after real
    # positions); the progress bar must not drop back to zero there.
    blocks = recorded_blocks("ffmpeg_progress.txt")
    gaps = [i for i, (t, _s, _p) in enumerate(blocks) if t == "N/A" and i > 0]
    assert gaps, "the recording should contain a mid-encode N/A block"
    seen = replay("ffmpeg_progress.txt", 5.0)
    positions = [p.position for p in seen]
    assert positions == sorted(positions), positions
    for index in gaps:
        assert seen[index].position == pytest.approx(seen[index - 1].position)
        assert seen[index].speed == 0.0 and seen[index].seconds_left is None


def test_recorded_start_before_any_output():
    # Read at real time through x264's look-ahead: blocks of N/A before the first output.
    blocks = recorded_blocks("ffmpeg_progress_realtime.txt")
    early = [i for i, (t, s, _p) in enumerate(blocks) if t == "N/A" and s == "N/A"]
    assert early == list(range(len(early))) and len(early) >= 1
    seen = replay("ffmpeg_progress_realtime.txt", 2.0)
    assert len(seen) == len(blocks)
    for index in early:
        progress = seen[index]
        assert progress.position == 0.0 and progress.speed == 0.0 and not progress.done
        assert progress.fraction == 0.0 and progress.seconds_left is None
    first = seen[len(early)]
    assert first.position == pytest.approx(int(blocks[len(early)][0]) / 1e6)
    assert 0 < first.speed < 1  # slower than real time while the look-ahead fills
    assert seen[-1].done and seen[-1].position == pytest.approx(int(blocks[-1][0]) / 1e6)


def feed(parser: ProgressParser, *lines: str) -> None:
    for line in lines:
        parser.feed(line)


def test_padded_speed():
    seen: list[Progress] = []
    feed(ProgressParser(10.0, seen.append), "out_time_us=1000000", "speed= 1.3x", "progress=end")
    assert seen[0].speed == pytest.approx(1.3) and seen[0].done


def test_speed_na():
    seen: list[Progress] = []
    feed(ProgressParser(10.0, seen.append), "out_time_us=1500000", "speed=N/A",
         "progress=continue")  # fmt: skip
    assert seen[0].position == pytest.approx(1.5)
    assert seen[0].speed == 0.0 and seen[0].seconds_left is None


def test_clamping():
    seen: list[Progress] = []
    parser = ProgressParser(10.0, seen.append)
    feed(parser, "out_time_us=8500000", "speed=2x", "progress=continue")
    feed(parser, "out_time_us=12000000", "speed=2x", "progress=continue")
    assert seen[0].position == pytest.approx(8.5)
    assert seen[0].seconds_left == pytest.approx(0.75)
    assert seen[1].position == 10.0  # never past the planned duration


def test_out_time_ms_is_microseconds_too():
    seen: list[Progress] = []
    feed(ProgressParser(10.0, seen.append), "out_time_ms=1500000", "progress=continue")
    assert seen[0].position == pytest.approx(1.5)


def test_negative_time_and_noise():
    seen: list[Progress] = []
    feed(ProgressParser(10.0, seen.append), "", "garbage", "out_time_us=-23220", "speed=nan",
         "progress=continue")  # fmt: skip
    assert len(seen) == 1
    assert seen[0].position == 0.0 and seen[0].speed == 0.0


def test_progress_values():
    assert Progress(2.0, 10.0, 2.0).fraction == pytest.approx(0.2)
    assert Progress(2.0, 10.0, 2.0).seconds_left == pytest.approx(4.0)
    assert Progress(0.0, 0.0, 0.0).fraction == 0.0
    assert Progress(3.0, 10.0, 1.0, done=True).fraction == 1.0
    assert Progress(2.0, 10.0, 1.0, encoded=6.0).fraction == pytest.approx(0.6)
