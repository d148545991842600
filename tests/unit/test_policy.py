"""policy: the fast start, seeks, gap filling and stopping runs, as pure decisions."""

from __future__ import annotations

from dataclasses import dataclass, field

from viewra_desktop.core import policy
from viewra_desktop.core.numbering import Timeline
from viewra_desktop.core.plan import RunSpec, make_grid
from viewra_desktop.core.policy import Seek
from viewra_desktop.core.run import RunView
from viewra_desktop.core.streams import StreamId, audio, video

V, A = video(0), audio(0)
STREAMS = (V, A)
# 60 s: video 1..61 (0.5, 0.5, then 1 s), audio 1..120 (0.5 s each).
TIMELINE = Timeline(make_grid(60.0), 60.0, 0.5)


@dataclass
class Done:
    """What is complete, as the ledger would say."""

    numbers: dict[StreamId, set[int]] = field(default_factory=lambda: {V: set(), A: set()})
    ends: dict[StreamId, int] = field(default_factory=dict)

    def video_range(self, first: int, last: int) -> Done:
        """Video segments first..last and the audio they span are complete."""
        for number in range(first, last + 1):
            self.numbers[V].add(number)
            self.numbers[A].update(TIMELINE.within(A.kind, number))
        return self

    def has(self, stream: StreamId, number: int) -> bool:
        return number in self.numbers[stream]

    def segments(self, stream: StreamId) -> dict[int, float]:
        return {n: 0.5 for n in self.numbers[stream]}

    def end(self, stream: StreamId) -> int | None:
        return self.ends.get(stream)


def at(first: int, video_next: int, last: int | None = None, audio_next: int | None = None):
    """A run from video segment ``first`` whose next video segment is ``video_next``."""
    spec = RunSpec(first, last)
    if audio_next is None:
        audio_next = TIMELINE.first_from(A.kind, TIMELINE.span(V.kind, video_next)[0])
    return RunView(spec, {V: video_next, A: audio_next})


# -- the first run ---------------------------------------------------------------------------


def test_the_first_run_covers_the_first_seconds_fast():
    first = policy.first_run(TIMELINE)
    assert first == RunSpec(1, 3, fast_start=True)  # 0..2 s: segments 0.5, 0.5 and 1 s
    assert first.end_time(TIMELINE) == policy.FAST_START_S
    short = Timeline(make_grid(1.7), 1.7, 0.5)
    assert policy.first_run(short) == RunSpec()  # shorter than that: one run does it all


# -- seeks -----------------------------------------------------------------------------------


def test_a_far_seek_restarts_the_run():
    run = at(4, 10)  # encoding at 8 s
    done = Done().video_range(1, 9)
    assert policy.seek(TIMELINE, done, run, (V, 40), 2.0, False) == Seek(40)
    assert policy.seek_run(TIMELINE, STREAMS, done, 40, V) == RunSpec(40, low_delay=True)


def test_a_seek_run_ends_where_a_done_range_begins():
    done = Done().video_range(1, 9).video_range(50, 55)
    assert policy.seek_run(TIMELINE, STREAMS, done, 40, V) == RunSpec(40, 49, low_delay=True)


def test_a_far_seek_in_audio_restarts_at_the_video_segment_holding_it():
    decision = policy.seek(TIMELINE, Done(), at(4, 10), (A, 81), 2.0, False)  # 40 s
    assert decision == Seek(TIMELINE.at(V.kind, 40.0))


def test_a_near_seek_waits_for_the_running_encoder():
    run = at(4, 10)  # at 8 s
    # 2 s of timeline ahead at 2x: there in 1 s, as soon as a restart would be.
    assert policy.seek(TIMELINE, Done(), run, (V, 12), 2.0, False) == Seek(None)
    # At 1x the same 2 s take longer than a restart: restart there.
    assert policy.seek(TIMELINE, Done(), run, (V, 12), 1.0, False) == Seek(12)


def test_an_unknown_speed_counts_as_realtime():
    run = at(4, 10)
    assert policy.seek(TIMELINE, Done(), run, (V, 10), 0.0, False) == Seek(None)
    assert policy.seek(TIMELINE, Done(), run, (V, 13), 0.0, False) == Seek(13)


def test_audio_is_measured_on_its_own_progress():
    # Audio runs ahead of the video: its position is further on.
    run = at(4, 10, audio_next=40)  # video at 9 s, audio at 19.5 s
    assert policy.seek(TIMELINE, Done(), run, (A, 41), 1.0, False) == Seek(None)
    assert policy.seek(TIMELINE, Done(), run, (V, 21), 1.0, False) == Seek(21)


def test_a_seek_back_into_a_done_range_needs_no_run():
    done = Done().video_range(1, 30)
    run = at(31, 45)
    assert policy.seek(TIMELINE, done, run, (V, 2), 1.0, False) == Seek(None)
    assert policy.seek(TIMELINE, done, run, (A, 3), 1.0, False) == Seek(None)


def test_a_seek_behind_the_run_restarts_it():
    run = at(31, 45)  # started by a seek at 30 s; 0..30 s not made
    assert policy.seek(TIMELINE, Done(), run, (V, 5), 4.0, False) == Seek(5)


def test_a_seek_past_a_bounded_runs_end_restarts():
    run = at(1, 2, last=3)  # the fast start: segments 1..3
    assert policy.seek(TIMELINE, Done(), run, (V, 4), 10.0, False) == Seek(4)


def test_a_run_whose_segment_a_player_is_streaming_is_not_killed():
    run = at(40, 42)
    decision = policy.seek(TIMELINE, Done(), run, (V, 20), 2.0, streaming=True)
    assert decision == Seek(None, settled=False)  # asked again once that answer is closed
    assert policy.seek(TIMELINE, Done(), run, (V, 20), 2.0, streaming=False) == Seek(20)


def test_made_but_not_yet_placed_counts_as_coming():
    run = at(4, 12)  # 4..11 made; being moved into the package
    assert policy.seek(TIMELINE, Done(), run, (V, 8), 1.0, False) == Seek(None)


# -- gaps and the end ------------------------------------------------------------------------


def test_gaps_are_filled_in_timeline_order():
    done = Done().video_range(1, 3).video_range(40, 50)
    # Each run fills one gap, from its start to where the next done range begins.
    assert policy.next_run(TIMELINE, STREAMS, done) == RunSpec(4, 39)
    done.video_range(4, 20)
    assert policy.next_run(TIMELINE, STREAMS, done) == RunSpec(21, 39)
    done.video_range(21, 39)
    assert policy.next_run(TIMELINE, STREAMS, done) == RunSpec(51)  # to the end
    done.video_range(51, 61)
    assert policy.next_run(TIMELINE, STREAMS, done) is None


def test_a_gap_ends_only_at_a_segment_done_in_every_stream():
    done = Done().video_range(1, 3).video_range(30, 61)
    done.numbers[A].discard(TIMELINE.first_from(A.kind, TIMELINE.span(V.kind, 30)[0]))
    # Video 30 is there, but not all of its audio: the gap runs through 30, to 29 + 1.
    assert policy.next_run(TIMELINE, STREAMS, done) == RunSpec(4, 30)


def test_a_missing_audio_segment_is_a_gap_too():
    done = Done().video_range(1, 61)
    done.numbers[A].discard(50)  # 24.5 s: in video segment 26 (24..25 s)
    assert policy.first_missing(TIMELINE, STREAMS, done) == 26


def test_the_real_end_bounds_the_gaps():
    done = Done().video_range(1, 58)
    done.ends = {V: 58, A: TIMELINE.first_from(A.kind, TIMELINE.span(V.kind, 59)[0]) - 1}
    assert policy.next_run(TIMELINE, STREAMS, done) is None
    assert policy.next_run(TIMELINE, (V,), Done().video_range(1, 60)) == RunSpec(61)
    assert policy.gap_end(TIMELINE, STREAMS, Done(), 61) is None


def test_a_run_that_meets_a_done_range_stops():
    done = Done().video_range(1, 3).video_range(20, 61)
    assert policy.reached_done_range(TIMELINE, done, at(4, 20))
    assert not policy.reached_done_range(TIMELINE, done, at(4, 19))


def test_a_run_does_not_stop_while_the_audio_of_its_next_segment_is_missing():
    done = Done().video_range(20, 61)
    done.numbers[A].discard(TIMELINE.first_from(A.kind, TIMELINE.span(V.kind, 20)[0]))
    assert not policy.reached_done_range(TIMELINE, done, at(4, 20))


def test_a_run_at_the_end_has_not_met_anything():
    done = Done().video_range(1, 61)
    assert not policy.reached_done_range(TIMELINE, done, at(40, 62, audio_next=121))


# -- a ladder: the rendition played first, the others after ----------------------------------

V1 = video(1)
LADDER = (V, V1, A)


def ladder_done() -> Done:
    return Done({V: set(), V1: set(), A: set()})


def test_after_the_fast_start_the_rendition_played_and_the_audio_come_first():
    done = ladder_done()
    for stream in LADDER:
        done.numbers[stream].update(range(1, 4) if stream is not A else range(1, 5))
    assert policy.first_run(TIMELINE).streams == ()  # the first run makes every rendition
    assert policy.next_run(TIMELINE, LADDER, done, V1) == RunSpec(4, streams=(V1, A))
    done.numbers[V1].update(range(4, 62))
    done.numbers[A].update(range(5, 121))
    # Then the others, together (one decode for all of them).
    assert policy.next_run(TIMELINE, LADDER, done, V1) == RunSpec(4, streams=(V,))
    done.numbers[V].update(range(4, 62))
    assert policy.next_run(TIMELINE, LADDER, done, V1) is None


def test_switching_to_a_rendition_not_made_there_starts_it_like_a_seek():
    done = ladder_done()
    done.numbers[V1].update(range(1, 30))
    done.numbers[A].update(range(1, 58))
    run = RunView(RunSpec(20, streams=(V1, A)), {V1: 30, A: 58})
    decision = policy.seek(TIMELINE, done, run, (V, 25), 3.0, False)
    assert decision == Seek(25)
    wanted = policy.Wanted()
    wanted.set(V, 25)
    assert wanted.watched(V1) == V
    assert wanted.restart(TIMELINE, LADDER, done, run, 3.0, False) == RunSpec(
        25, low_delay=True, streams=(V, A)
    )


def test_only_a_request_past_the_first_segment_tells_which_rendition_plays():
    wanted = policy.Wanted()
    wanted.set(V1, 1)  # a player opening the manifest reads segment 1 of every rendition
    assert wanted.watched(V) == V
    wanted.set(V1, 2)
    assert wanted.watched(V) == V1
    wanted.set(A, 9)
    assert wanted.watched(V) == V1


def test_a_run_of_one_rendition_is_not_heading_for_another():
    run = RunView(RunSpec(4, streams=(V1, A)), {V1: 10, A: 20})
    assert not policy.heading_for(TIMELINE, run, V, 10, 5.0)
    assert policy.heading_for(TIMELINE, run, V1, 10, 5.0)
