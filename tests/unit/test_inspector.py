"""inspector: background work stands aside while the encoder restarts."""

from __future__ import annotations

from dataclasses import dataclass, field

from viewra_desktop.core.inspector import encoder_restarting
from viewra_desktop.core.lifecycle import State


@dataclass
class FakeRun:
    accepting: bool = True
    done: dict = field(default_factory=dict)


def test_background_work_pauses_from_a_new_run_until_its_first_segment():
    first = FakeRun(accepting=False, done={"v": 4})
    assert not encoder_restarting(State.ENCODING, [FakeRun()])  # the first run
    assert encoder_restarting(State.ENCODING, [first, FakeRun()])  # a seek's run, no segment
    assert not encoder_restarting(State.ENCODING, [first, FakeRun(done={"v": 12})])
    assert not encoder_restarting(State.ENCODING, [first, FakeRun(accepting=False)])
    assert not encoder_restarting(State.FINISHED, [first, FakeRun()])
