"""The track menus' entries, the default choice and chapter jumps, from plain values (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass

from unit.factories import make_media
from viewra_desktop.app import chapters
from viewra_desktop.app.track_choices import (
    Pick,
    audio_entries,
    default_pick,
    picture_labels,
    subtitle_entries,
    text_ids,
)
from viewra_desktop.core.media import AudioStream, Chapter, SubtitleStream
from viewra_desktop.core.plan import make_plan
from viewra_desktop.core.profiles import get_profile


@dataclass(frozen=True)
class Seen:  # an entry of mpv's track list
    id: int
    lang: str = ""
    source: str = ""
    selected: bool = False
    label: str = "mpv's name"


def film_plan():
    media = make_media(640, 360)
    audio = (
        AudioStream(1, "aac", 6, 48000, language="eng", default=True),
        AudioStream(2, "aac", 2, 48000, language="fre", dub=True),
        AudioStream(3, "aac", 2, 48000, language="eng", title="Director's commentary",
                    commentary=True),
    )  # fmt: skip
    subtitles = (
        SubtitleStream(4, "subrip", language="eng"),
        SubtitleStream(5, "ass", language="fre", forced=True),
        SubtitleStream(6, "hdmv_pgs_subtitle", language="ger"),
    )
    media = media.__class__(**{**media.__dict__, "audio": audio, "subtitles": subtitles})
    return make_plan(media, get_profile("360p"))


def test_audio_entries_carry_the_sessions_labels_when_mpv_lists_the_same_languages():
    plan = film_plan()
    mpv = [Seen(1, "en"), Seen(2, "fr", selected=True), Seen(3, "en")]
    entries = audio_entries(plan.audio, mpv)
    assert [(e.label, e.track_id, e.checked) for e in entries] == [
        ("English 5.1", 1, False),
        ("French", 2, True),
        ("English — Director's commentary", 3, False),
    ]
    # Another order or count: mpv's own names.
    other = [Seen(1, "fr"), Seen(2, "en"), Seen(3, "en")]
    assert [e.label for e in audio_entries(plan.audio, other)] == ["mpv's name"] * 3
    assert [e.label for e in audio_entries(plan.audio, mpv[:2])] == ["mpv's name"] * 2


def test_subtitle_entries_off_texts_preparing_then_ready_and_pictures_to_draw_in():
    plan = film_plan()
    pictures = [s for s in plan.media.subtitles if s.is_image]
    urls = ["http://h/t/text/0.vtt", "http://h/t/text/1.vtt"]
    ids = text_ids(urls, [Seen(7, source=urls[1]), Seen(1, "en")])
    assert ids == [None, 7]
    entries = subtitle_entries(plan.text, ids, 7, pictures, None)
    assert [(e.label, e.pick, e.checked, e.enabled) for e in entries] == [
        ("Off", Pick(), False, True),
        ("English (preparing…)", Pick(text=0), False, False),
        ("French (forced)", Pick(text=1), True, True),
        ("Draw in: German", Pick(burn_in=6), False, True),
    ]
    drawn = subtitle_entries(plan.text, ids, None, pictures, 6)
    assert [e.label for e in drawn if e.checked] == ["Draw in: German"]
    assert [e.label for e in subtitle_entries(plan.text, ids, None, pictures, None)
            if e.checked] == ["Off"]  # fmt: skip
    assert picture_labels([pictures[0], pictures[0]]) == ["Draw in: German", "Draw in: German (2)"]


def test_the_default_follows_the_users_languages_and_turns_on_forced_subtitles():
    plan = film_plan()
    # French speaker: the French dub, with the forced French track.
    assert default_pick(plan.audio, plan.text, "fr", "fr") == (1, Pick(text=1))
    # English speaker: the English main track (not the commentary), no subtitles.
    assert default_pick(plan.audio, plan.text, "en-GB", "en") == (0, Pick())
    # German speaker: no German audio, the file's default; no German text track: none.
    assert default_pick(plan.audio, plan.text, "de", "de") == (0, Pick())
    # French audio with English subtitles preferred: the forced French track comes first.
    assert default_pick(plan.audio, plan.text, "fr", "en") == (1, Pick(text=1))


FILM = (Chapter(0.0, 3.0, "Opening"), Chapter(3.0, 7.0, "The road"), Chapter(7.0, 70.0, ""))


def test_page_down_goes_to_the_next_chapter_and_page_up_works_as_in_mpv():
    assert chapters.next_start(FILM, 1.0) == 3.0
    assert chapters.next_start(FILM, 2.5) == 3.0
    assert chapters.next_start(FILM, 2.9) == 7.0  # a jump to 3.0 that landed just short
    assert chapters.next_start(FILM, 7.5) is None  # the last chapter: nowhere to go
    assert chapters.previous_start(FILM, 4.0) == 0.0  # under 5 s in: the one before
    assert chapters.previous_start(FILM, 12.5) == 7.0  # over 5 s in: its own start
    assert chapters.previous_start(FILM, 1.0) == 0.0
    assert chapters.index_at(FILM, 6.9) == 1
    assert chapters.menu_label(FILM[2], 3, 70.0) == "Chapter 3 (0:07)"
    assert chapters.hover_text(FILM, 4.0, 70.0) == "0:04 · The road"
    assert chapters.hover_text((), 4.0, 70.0) == "0:04"
