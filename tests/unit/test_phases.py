"""phases: marks on one clock, the first of each counting, and the log line in time order."""

from __future__ import annotations

import logging
import time

from viewra_desktop.core.phases import STEPS, Phases, process_started


def test_a_step_counts_its_first_time_only():
    phases = Phases(origin=time.monotonic() - 1.0)
    phases.mark("probe")
    first = phases.seconds("probe")
    time.sleep(0.02)
    phases.mark("probe")
    assert phases.seconds("probe") == first
    assert first is not None and 1.0 <= first < 2.0
    assert phases.seconds("first frame") is None


def test_line_lists_the_steps_reached_in_their_order_with_the_gaps():
    phases = Phases(origin=100.0, name="serve")
    phases._marks = {"first chunk": 100.5, "imports": 100.1, "probe": 100.25}
    line = phases.line()
    assert line == (
        "timing of serve: imports 0.100 s (+0.100), probe 0.250 s (+0.150), "
        "first chunk 0.500 s (+0.250)"
    )
    assert Phases().line() == "timing: nothing yet"
    # Playback may begin a moment before the first frame is drawn: time order, no "+-".
    phases._marks = {"first frame": 100.9, "playing": 100.8, "probe": 100.25}
    assert phases.line() == (
        "timing of serve: probe 0.250 s (+0.250), playing 0.800 s (+0.550), "
        "first frame 0.900 s (+0.100)"
    )
    assert list(STEPS).index("first packet") < list(STEPS).index("first answer")


def test_the_line_is_logged_once(caplog):
    phases = Phases()
    phases.mark("imports")
    with caplog.at_level(logging.INFO, logger="viewra_desktop.core.phases"):
        phases.log_once()
        phases.mark("probe")
        phases.log_once()
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("timing")]
    assert len(lines) == 1 and "probe" not in lines[0]


def test_process_started_is_before_now_and_after_this_test_run_began():
    started = process_started()
    now = time.monotonic()
    assert started <= now
    # This pytest process started earlier than the test, and not days ago.
    assert now - started < 24 * 3600
    assert now - started > 0.01
