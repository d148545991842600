"""The words of the status bar, the overlay and the encode label, from plain inputs (no Qt)."""

from __future__ import annotations

import dataclasses

import pytest

from viewra_desktop.app.status_text import (
    EncodeFacts,
    PlaybackFacts,
    SessionFacts,
    StatusInputs,
    encode_text,
    encoded_fraction,
    overlay_text,
    status_line,
)
from viewra_desktop.core.progress import Progress
from viewra_desktop.core.session import State

HD = SessionFacts(profile_label="720p (HD)", width=1280, height=720, duration=60.0)
PLAYING = PlaybackFacts(idle=False)


def playing(**changes) -> StatusInputs:
    """A 720p session that plays, on the video page, with ``changes``."""
    base = StatusInputs(video_shown=True, session=HD, playback=PLAYING)
    return dataclasses.replace(base, **changes)


# -- the status line --------------------------------------------------------------------------


def test_an_empty_window_invites_to_open_a_video():
    assert status_line(StatusInputs()) == "Open a video, or drop one here."
    # Buffering is told only about a session that plays.
    assert status_line(StatusInputs(playback=PlaybackFacts(buffering=True))) == (
        "Open a video, or drop one here."
    )


def test_opening_until_the_session_is_reported():
    assert status_line(StatusInputs(opening=True, video_shown=True)) == "Opening…"


def test_the_controllers_activity_comes_first():
    inputs = playing(activity="Stopping the encoder…", playback=PlaybackFacts(buffering=True))
    assert status_line(inputs) == "Stopping the encoder…"
    assert status_line(StatusInputs(activity="Preparing the demo clip…", opening=True)) == (
        "Preparing the demo clip…"
    )


def test_playing_tells_the_profile_and_the_picture_size():
    assert status_line(playing()) == "Playing · 720p (HD) · 1280×720"


@pytest.mark.parametrize(
    ("playback", "doing"),
    [
        (PlaybackFacts(idle=False, paused=True), "Paused"),
        (PlaybackFacts(idle=False, eof=True), "Ended"),
        (PlaybackFacts(idle=False, eof=True, paused=True), "Ended"),
        (PlaybackFacts(idle=True), "Stopped"),
        (PlaybackFacts(idle=True, eof=True, paused=True), "Stopped"),
    ],
)
def test_what_the_player_does(playback, doing):
    assert status_line(playing(playback=playback)) == f"{doing} · 720p (HD) · 1280×720"


def test_buffering_waits_for_the_encoder():
    buffering = PlaybackFacts(idle=False, buffering=True)
    assert status_line(playing(playback=buffering)) == "Buffering: waiting for the encoder…"


def test_a_failed_encode_is_told_after_what_plays():
    failed = playing(encode=EncodeFacts(state=State.FAILED))
    assert status_line(failed) == "Playing · 720p (HD) · 1280×720 · encoding stopped"
    finished = playing(encode=EncodeFacts(state=State.FINISHED))
    assert status_line(finished) == "Playing · 720p (HD) · 1280×720"


# -- the overlay ------------------------------------------------------------------------------


def test_the_overlay_is_empty_on_the_welcome_page():
    assert overlay_text(StatusInputs(activity="Opening clip.mp4…", opening=True)) == ""


@pytest.mark.parametrize(
    ("inputs", "text"),
    [
        (
            StatusInputs(video_shown=True, activity="Opening clip.mp4…", opening=True),
            "Opening clip.mp4…",
        ),
        (StatusInputs(video_shown=True, opening=True), "Opening…"),
        (playing(playback=PlaybackFacts(idle=False, buffering=True)), "Buffering…"),
        (playing(), ""),
        (playing(playback=PlaybackFacts(idle=False, paused=True)), ""),
    ],
)
def test_the_overlay_tells_what_holds_the_picture_back(inputs, text):
    assert overlay_text(inputs) == text


# -- the encode label -------------------------------------------------------------------------


def test_nothing_to_tell_before_a_session():
    assert encode_text(StatusInputs()) == ""
    assert encode_text(StatusInputs(encode=EncodeFacts(state=State.ENCODING))) == ""


def test_a_failure_is_told_with_or_without_a_session():
    assert encode_text(StatusInputs(encode=EncodeFacts(state=State.FAILED))) == "Encoding failed"
    cached = dataclasses.replace(HD, from_cache=True)
    failed = playing(session=cached, encode=EncodeFacts(state=State.FAILED))
    assert encode_text(failed) == "Encoding failed"


def test_a_cached_package_says_so():
    cached = dataclasses.replace(HD, from_cache=True)
    for state in (None, State.FINISHED):
        inputs = playing(session=cached, encode=EncodeFacts(state=state))
        assert encode_text(inputs) == "Already encoded: playing from the cache"


def test_the_encode_before_its_first_progress():
    assert encode_text(playing(encode=EncodeFacts(state=State.ENCODING))) == "Encoding…"


def test_progress_tells_the_fraction_of_the_timeline_not_of_the_run():
    progress = Progress(position=6.0, duration=60.0, speed=2.5)  # 10% by the run alone
    inputs = playing(encode=EncodeFacts(State.ENCODING, progress, fraction=0.25))
    assert encode_text(inputs) == "Encoding 25% · 2.5× realtime · 22 s left"


def test_a_finished_encode_says_the_package_is_ready():
    ready = "Encoded: the DASH/HLS package is ready"
    done = Progress(60.0, 60.0, 3.0, done=True)
    assert encode_text(playing(encode=EncodeFacts(State.ENCODING, done, 1.0))) == ready
    assert encode_text(playing(encode=EncodeFacts(state=State.FINISHED))) == ready


# -- the encoded fraction ---------------------------------------------------------------------


def test_encoded_fraction_counts_the_ranges():
    assert encoded_fraction(60.0, [(0.0, 12.0), (30.0, 33.0)], None) == pytest.approx(0.25)
    assert encoded_fraction(60.0, [(0.0, 90.0)], None) == 1.0
    backwards = [(0.0, 12.0), (10.0, 5.0)]  # the second one counts nothing
    assert encoded_fraction(60.0, backwards, None) == pytest.approx(0.2)


def test_encoded_fraction_takes_the_encoders_progress_when_it_tells_more():
    progress = Progress(position=30.0, duration=60.0, speed=1.0)
    assert encoded_fraction(60.0, [(0.0, 12.0)], progress) == pytest.approx(0.5)
    assert encoded_fraction(60.0, [(0.0, 45.0)], progress) == pytest.approx(0.75)


def test_encoded_fraction_without_a_duration():
    assert encoded_fraction(0.0, [(0.0, 4.0)], None) == 0.0
    done = Progress(0.0, 0.0, 0.0, done=True)
    assert encoded_fraction(0.0, [], done) == 1.0


# -- the inputs -------------------------------------------------------------------------------


def test_inputs_are_frozen_and_new_facts_have_defaults():
    inputs = StatusInputs()
    with pytest.raises(dataclasses.FrozenInstanceError):
        inputs.activity = "x"
    assert inputs.session is None and inputs.playback == PlaybackFacts()
    assert inputs.encode == EncodeFacts()
    assert SessionFacts("480p", 854, 480) == SessionFacts("480p", 854, 480, 0.0, False)


def test_an_hdr_source_shown_as_sdr_says_so():
    hdr = dataclasses.replace(HD, tone_mapped=True)
    assert status_line(playing(session=hdr)) == "Playing · 720p (HD) · 1280×720 · HDR → SDR"
    assert "HDR" not in status_line(playing())


def test_notes_take_one_line():
    from viewra_desktop.app.status_text import notes_text

    left_out = "The subtitle track French was left out: its format (unknown) cannot be read."
    assert notes_text([]) == ""
    assert notes_text([left_out]) == left_out
    assert notes_text([left_out, "Another.", " "]) == f"{left_out} (and 1 more)"


# -- the ladder's rung and the encoder ------------------------------------------------------


LADDER = dataclasses.replace(
    HD, profile_label="Ladder (1080p to 360p)", rung="720p", rungs=("1080p", "720p", "480p", "360p")
)


def test_a_ladder_tells_which_rung_plays():
    assert status_line(playing(session=LADDER)) == (
        "Playing · Ladder (1080p to 360p) · 720p of 1080p–360p · 1280×720"
    )
    # Before mpv says which video track it plays, no rung is named.
    assert "of 1080p" not in status_line(playing(session=dataclasses.replace(LADDER, rung="")))


@pytest.mark.parametrize(
    ("encoder", "hardware", "told"),
    [
        ("libx264", "", ""),  # software asked, software runs: nothing to tell
        ("h264_vaapi", "vaapi", "h264_vaapi"),
        ("hevc_nvenc", "auto", "hevc_nvenc"),
        ("libx264", "vaapi", "libx264 (VAAPI does not work here)"),
        ("libx264", "v4l2m2m", "libx264 (V4L2 M2M does not work here)"),
        ("libsvtav1", "auto", "libsvtav1 (no hardware encoder works here)"),
    ],
)
def test_the_encoder_is_told_when_it_is_hardware_or_a_fallback(encoder, hardware, told):
    session = dataclasses.replace(HD, encoder=encoder, hardware=hardware)
    line = status_line(playing(session=session))
    if told:
        assert line == f"Playing · 720p (HD) · 1280×720 · {told}"
    else:
        assert line == "Playing · 720p (HD) · 1280×720"
