"""tracks: names, roles and the tracks a player starts with."""

from __future__ import annotations

import pytest

from viewra_desktop.core import tracks
from viewra_desktop.core.media import AudioStream, SubtitleStream


def audio(language="", title="", channels=2, **flags) -> AudioStream:
    return AudioStream(1, "aac", channels, 48000, language, title, **flags)


def sub(language="", title="", **flags) -> SubtitleStream:
    return SubtitleStream(2, "subrip", language, title, **flags)


@pytest.mark.parametrize(("source", "out"), [(1, 1), (2, 2), (3, 2), (5, 2), (6, 6), (8, 6)])
def test_channels_of_the_encode(source, out):
    assert tracks.output_channels(source) == out


def test_audio_labels():
    assert tracks.audio_label(audio("eng", channels=6), 6, 1) == "English 5.1"
    assert tracks.audio_label(audio("fre"), 2, 2) == "French"
    assert tracks.audio_label(audio("eng", "Director's commentary", commentary=True), 2, 3) == (
        "English — Director's commentary"
    )
    assert tracks.audio_label(audio("eng", commentary=True), 2, 3) == "English — Commentary"
    assert tracks.audio_label(audio("eng", "English"), 1, 1) == "English mono"
    assert tracks.audio_label(audio(), 2, 4) == "Audio 4"
    assert tracks.audio_label(audio("", "Stage mix"), 6, 4) == "Stage mix (5.1)"


def test_text_labels():
    assert tracks.text_label(sub("eng"), 1) == "English"
    assert tracks.text_label(sub("fre", forced=True), 2) == "French (forced)"
    assert tracks.text_label(sub("eng", "Signs", forced=True), 1) == "English — Signs (forced)"
    assert tracks.text_label(sub("eng", hearing_impaired=True), 1) == "English (SDH)"
    assert tracks.text_label(sub(), 3) == "Subtitles 3"


def test_labels_are_made_unique():
    assert tracks.unique(["English", "French", "English", "English"]) == [
        "English", "French", "English (2)", "English (3)"
    ]  # fmt: skip


def test_roles():
    assert tracks.audio_role(audio("eng"), default=True) == "main"
    assert tracks.audio_role(audio("fre"), default=False) == "alternate"
    assert tracks.audio_role(audio("fre", dub=True), default=False) == "dub"
    assert tracks.audio_role(audio("eng", commentary=True), default=False) == "commentary"
    assert tracks.audio_role(audio("eng", descriptions=True), default=False) == "description"


def test_default_audio_is_the_files_default_else_the_first():
    assert tracks.default_audio([audio("eng"), audio("fre", default=True)]) == 1
    assert tracks.default_audio([audio("eng"), audio("fre")]) == 0


FILM_AUDIO = [audio("eng", default=True, channels=6), audio("fre", dub=True),
              audio("eng", "Commentary", commentary=True)]  # fmt: skip
FILM_TEXT = [sub("eng"), sub("fre", forced=True), sub("fre"), sub("eng", forced=True)]


def test_the_users_language_chooses_the_audio():
    assert tracks.choose(FILM_AUDIO, FILM_TEXT, "fr", "fr").audio == 1
    assert tracks.choose(FILM_AUDIO, FILM_TEXT, "en", "en").audio == 0
    # Never a commentary for a language match; unknown language: the file's default.
    only_commentary = [audio("fre", default=True), audio("eng", commentary=True)]
    assert tracks.choose(only_commentary, [], "en", "en").audio == 0
    assert tracks.choose(FILM_AUDIO, FILM_TEXT, "ja", "ja").audio == 0


def test_a_forced_track_in_the_audios_language_is_on():
    assert tracks.choose(FILM_AUDIO, FILM_TEXT, "fr", "fr").text == 1  # French forced
    assert tracks.choose(FILM_AUDIO, FILM_TEXT, "en", "en").text == 3  # English forced


def test_full_subtitles_when_the_audio_is_not_in_the_subtitle_language():
    # A German speaker: English audio (the default), French subtitles.
    assert tracks.choose(FILM_AUDIO[:1], FILM_TEXT[:3], "de", "fr").text == 2
    assert tracks.choose(FILM_AUDIO[:1], FILM_TEXT[:1], "en", "en").text is None  # understood
    assert tracks.choose(FILM_AUDIO[:1], FILM_TEXT[:1], "de", "de").text is None  # none in it


def test_the_files_default_subtitle_wins_among_the_same_language():
    text = [sub("eng", "SDH", hearing_impaired=True), sub("eng", default=True)]
    assert tracks.choose([audio("jpn", default=True)], text, "en", "en").text == 1


def test_no_audio_at_all_shows_subtitles_in_the_users_language():
    assert tracks.choose([], FILM_TEXT, "en", "en") == tracks.Choice(None, 0)
    assert tracks.choose([], FILM_TEXT, "en", "") == tracks.Choice(None, None)
