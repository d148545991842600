"""The window with the real player on a film-like file: the real controller and session
(ffmpeg, Shaka Packager, the server) and a real libmpv with no video or audio output.

The menus are filled with the session's track names; choosing a track in them switches
mpv's audio live (6 channels → 2) and shows the chosen subtitles' cues at their times.
"""

from __future__ import annotations

import pytest
from media import make_film

pytestmark = pytest.mark.e2e

AUDIO = ["English 5.1", "French", "English — Director's commentary"]
WAIT_MS = 90000  # generous: the machine may be busy with other encodes


def labels(menu) -> list[str]:
    return [a.text() for a in menu.actions() if a.text()]


def checked(menu) -> list[str]:
    return [a.text() for a in menu.actions() if a.isChecked()]


def action(menu, text):
    found = [a for a in menu.actions() if a.text() == text]
    assert found, (text, labels(menu))
    return found[0]


@pytest.fixture
def film_window(real_window, media_dir):
    def english_no_subtitles(settings):
        settings.audio_language, settings.subtitle_language = "en", ""

    return real_window(make_film(media_dir), "360p", english_no_subtitles)


def test_the_menus_name_every_track_and_switch_audio_and_subtitles(qtbot, film_window):
    w = film_window
    mpv = w.player.mpv

    def channels():
        params = mpv.audio_params or {}
        return params.get("channel-count")

    qtbot.waitUntil(lambda: labels(w.menus.audio_menu) == AUDIO, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: checked(w.menus.audio_menu) == ["English 5.1"], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: channels() == 6, timeout=WAIT_MS)
    assert labels(w.menus.chapter_menu)[:3] == [
        "Opening (0:00)", "The road (0:03)", "The sea (0:07)"
    ]  # fmt: skip

    action(w.menus.audio_menu, "French").trigger()  # live: the encode goes on
    qtbot.waitUntil(lambda: channels() == 2 and mpv.aid == 2, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: checked(w.menus.audio_menu) == ["French"], timeout=5000)

    # Subtitles: off by default (English audio, English reader), each offered once ready.
    qtbot.waitUntil(lambda: action(w.menus.subtitle_menu, "French (forced)").isEnabled()
                    and action(w.menus.subtitle_menu, "English").isEnabled(),
                    timeout=WAIT_MS)  # fmt: skip
    assert action(w.menus.subtitle_menu, "Off").isChecked()
    for label, (start, end, cue) in (
        ("English", (1.0, 3.0, "Where are we going?")),
        ("French (forced)", (2.0, 4.0, "Panneau : Plage à 2 km")),
    ):
        action(w.menus.subtitle_menu, label).trigger()
        qtbot.waitUntil(lambda lab=label: action(w.menus.subtitle_menu, lab).isChecked(),
                        timeout=10000)  # fmt: skip
        w.player.seek(start - 0.6)
        qtbot.waitUntil(lambda s=start: (mpv.time_pos or 99) < s and mpv.sub_text == "",
                        timeout=20000)  # fmt: skip
        qtbot.waitUntil(lambda c=cue: mpv.sub_text == c, timeout=20000)
        assert start - 0.1 <= mpv.time_pos <= end, (cue, mpv.time_pos)
    action(w.menus.subtitle_menu, "Off").trigger()
    qtbot.waitUntil(lambda: mpv.sid is False or mpv.sid == "no", timeout=10000)
