"""lifecycle: a session's state transitions, checked in one place."""

from __future__ import annotations

import logging

import pytest

from viewra_desktop.core.lifecycle import ILLEGAL, State, StateMachine, allowed

S = State


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (S.IDLE, S.STARTING), (S.IDLE, S.STOPPED), (S.STARTING, S.ENCODING),
        (S.STARTING, S.FINISHED), (S.STARTING, S.FAILED), (S.STARTING, S.STOPPED),
        (S.ENCODING, S.FINISHED), (S.ENCODING, S.FAILED), (S.ENCODING, S.STOPPED),
    ],
)  # fmt: skip
def test_the_transitions_a_session_makes(old, new):
    assert allowed(old, new)


def test_final_states_lead_nowhere():
    for old in (S.FINISHED, S.FAILED, S.STOPPED):
        assert old.final
        assert not any(allowed(old, new) for new in State)
    assert not S.IDLE.final and not S.ENCODING.final


def test_an_illegal_transition_is_refused_and_logged(caplog):
    machine = StateMachine()
    assert machine.move(S.STARTING) and machine.move(S.ENCODING)
    with caplog.at_level(logging.ERROR):
        assert not machine.move(S.IDLE)
    assert machine.state is S.ENCODING
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.getMessage() == f"{ILLEGAL}: encoding -> idle"
    caplog.clear()  # the suite's own check fails any test that leaves such a line


def test_a_late_failure_after_a_final_state_is_not_a_bug(caplog):
    machine = StateMachine()
    machine.move(S.STARTING)
    machine.move(S.STOPPED)
    with caplog.at_level(logging.ERROR):
        assert not machine.move(S.FAILED, unless_final=True)
        assert not machine.move(S.STOPPED, unless_final=True)
    assert machine.state is S.STOPPED
    assert not [r for r in caplog.records if r.levelno == logging.ERROR]


def test_unless_final_does_not_excuse_other_illegal_moves(caplog):
    machine = StateMachine()
    with caplog.at_level(logging.ERROR):
        assert not machine.move(S.FAILED, unless_final=True)  # IDLE is not final
    assert [r.getMessage() for r in caplog.records] == [f"{ILLEGAL}: idle -> failed"]
    caplog.clear()
