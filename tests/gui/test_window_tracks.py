"""The window's tracks on fakes: audio and subtitle menus, drawing picture subtitles in,
chapters, the language preferences, HDR and notes in the status bar."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt

from gui.test_window import info_for, start_playing
from viewra_desktop.core.media import AudioStream, Chapter, MediaInfo, SubtitleStream
from viewra_desktop.core.plan import make_plan
from viewra_desktop.core.profiles import get_profile
from viewra_desktop.core.streams import text

CHAPTERS = (Chapter(0.0, 3.0, "Opening"), Chapter(3.0, 7.0, "The road"), Chapter(7.0, 60.0, ""))


def film_info(path, burn_in=None, **changes):
    """What the controller tells about a film: three audio tracks, two text tracks, one
    picture subtitle stream, chapters."""
    base = info_for(path)
    media = MediaInfo(
        path=str(path), size=1, duration=60.0, format_name="matroska,webm", start_time=0.0,
        video=make_plan_video(),
        audio=(
            AudioStream(1, "aac", 6, 48000, language="eng", default=True),
            AudioStream(2, "aac", 2, 48000, language="fre", dub=True),
            AudioStream(3, "aac", 2, 48000, "eng", "Director's commentary", commentary=True),
        ),
        subtitles=(
            SubtitleStream(4, "subrip", language="eng"),
            SubtitleStream(5, "ass", language="fre", forced=True),
            SubtitleStream(6, "hdmv_pgs_subtitle", language="ger"),
        ),
    )  # fmt: skip
    plan = make_plan(media, get_profile("720p"))
    return dataclasses.replace(
        base,
        base_url="http://127.0.0.1:1/token/",
        audio=plan.audio,
        texts=plan.text,
        pictures=(media.subtitles[2],),
        burn_in=burn_in,
        chapters=CHAPTERS,
        **changes,
    )


def make_plan_video():
    from unit.factories import make_media

    return make_media(1280, 720).video


def play_film(qtbot, h, path, info):
    """The window opens the film; the controller and mpv report it as playing."""
    h.window.open_file(str(path))
    h.controller.session_changed.emit(info)
    h.controller.manifest_ready.emit(info.dash_url)
    h.controller.texts_changed.emit([])
    h.controller.request_done.emit(h.controller.last_id, True)
    for name, value in (("idle-active", False), ("duration", 60.0), ("core-idle", False)):
        h.mpv.report(name, value)
    qtbot.waitUntil(lambda: not h.player.state.idle)


def mpv_tracks(aid: int, subs=(), sid=None):
    tracks = [{"id": 1, "type": "video", "selected": True}]
    for number, lang in enumerate(("en", "fr", "en"), start=1):
        tracks.append({"id": number, "type": "audio", "lang": lang, "selected": number == aid})
    for number, url in enumerate(subs, start=1):
        tracks.append({"id": number, "type": "sub", "external": True,
                       "external-filename": url, "selected": number == sid})  # fmt: skip
    return tracks


def playing_film(qtbot, make_window, clip, audio_language, subtitle_language):
    """A window playing the film, for a user with these languages: (harness, window, info)."""
    h = make_window()
    h.settings.audio_language, h.settings.subtitle_language = audio_language, subtitle_language
    info = film_info(clip)
    play_film(qtbot, h, clip, info)
    return h, h.window, info


def menu(qmenu):
    return [(a.text(), a.isChecked(), a.isEnabled()) for a in qmenu.actions() if a.text()]


def test_tracks_are_named_by_the_session_and_switch_and_subtitles_come_when_ready(
    qtbot, make_window, clip
):
    h, w, info = playing_film(qtbot, make_window, clip, "fr", "fr")
    # The French dub from the start (chosen at load), with its forced subtitles to come.
    assert h.mpv.last("loadfile") == ("loadfile", info.dash_url, "replace", "aid=2")
    h.mpv.report("track-list", mpv_tracks(aid=2))
    qtbot.waitUntil(w.controls.audio_button.isVisible)
    assert menu(w.menus.audio_menu) == [
        ("English 5.1", False, True),
        ("French", True, True),
        ("English — Director's commentary", False, True),
    ]
    assert menu(w.menus.subtitle_menu) == [
        ("Off", True, True),
        ("English (preparing…)", False, False),
        ("French (forced) (preparing…)", False, False),
        ("Draw in: German", False, True),
    ]
    assert w.controls.subtitle_button.isVisible()
    assert h.mpv.last("sub-add") is None

    french = info.text_url(info.texts[1])
    h.controller.texts_changed.emit([info.texts[1]])
    assert h.mpv.last("sub-add") == ("sub-add", french, "select", "French (forced)", "fr")
    h.mpv.report("track-list", mpv_tracks(aid=2, subs=[french], sid=1))
    qtbot.waitUntil(lambda: ("French (forced)", True, True) in menu(w.menus.subtitle_menu))

    w.menus.audio_menu.actions()[0].trigger()  # English 5.1, live
    assert h.mpv.sets("aid")[-1] == "1"
    next(a for a in w.menus.subtitle_menu.actions() if a.text() == "Off").trigger()
    assert h.mpv.sets("sid")[-1] == "no"
    assert h.controller.opens() == [("open", str(clip), "720p")]  # nothing reopened


def test_drawing_picture_subtitles_in_reopens_where_it_was_and_off_reopens_without(
    qtbot, make_window, clip
):
    h, w, _info = playing_film(qtbot, make_window, clip, "en", "")
    h.mpv.report("track-list", mpv_tracks(aid=1))
    h.mpv.report("time-pos", 21.5)
    qtbot.waitUntil(lambda: h.player.state.position == 21.5)
    draw = next(a for a in w.menus.subtitle_menu.actions() if a.text() == "Draw in: German")
    draw.trigger()
    assert h.controller.opens()[-1] == ("open", str(clip), "720p")
    assert h.controller.burn_ins[-1] == 6

    drawn = film_info(clip, burn_in=6, dash_url="http://127.0.0.1:1/other/manifest.mpd")
    play_film(qtbot, h, clip, drawn)
    h.mpv.report("track-list", mpv_tracks(aid=1))
    qtbot.waitUntil(lambda: ("Draw in: German", True, True) in menu(w.menus.subtitle_menu))
    h.mpv.report("time-pos", 30.0)
    qtbot.waitUntil(lambda: h.player.state.position == 30.0)
    next(a for a in w.menus.subtitle_menu.actions() if a.text() == "Off").trigger()
    assert h.controller.burn_ins[-1] is None
    info = film_info(clip, dash_url="http://127.0.0.1:1/third/manifest.mpd")
    h.controller.session_changed.emit(info)
    h.controller.manifest_ready.emit(info.dash_url)
    assert h.mpv.last("loadfile") == ("loadfile", info.dash_url, "replace", "start=30.000,aid=1")


def test_a_video_without_tracks_of_its_own_leaves_the_menus_off(qtbot, make_window, clip):
    h = make_window()
    start_playing(qtbot, h, clip)  # no audio, no texts: a plain clip
    h.mpv.report("track-list", [{"id": 1, "type": "video", "selected": True}])
    h.mpv.report("time-pos", 1.0)
    qtbot.waitUntil(lambda: h.player.state.position == 1.0)
    assert not h.window.menus.audio_menu.isEnabled()
    assert not h.window.menus.subtitle_menu.isEnabled()
    assert not h.window.menus.chapter_menu.isEnabled()
    assert not h.window.controls.subtitle_button.isVisible()


def test_chapters_mark_the_seek_bar_fill_a_menu_and_page_keys_jump(qtbot, make_window, clip):
    h = make_window()
    w = h.window
    w.resize(900, 600)
    play_film(qtbot, h, clip, film_info(clip))
    bar = w.controls.seek_bar
    assert bar.chapter_marks() == [bar.x_for(3.0), bar.x_for(7.0)]
    assert bar.hover_text(4.0) == "0:04 · The road"
    assert menu(w.menus.chapter_menu)[:3] == [
        ("Opening (0:00)", True, True),
        ("The road (0:03)", False, True),
        ("Chapter 3 (0:07)", False, True),
    ]
    h.mpv.report("time-pos", 1.0)
    qtbot.waitUntil(lambda: h.player.state.position == 1.0)
    w.activateWindow()
    qtbot.keyClick(w, Qt.Key.Key_PageDown)
    assert h.mpv.last("seek") == ("seek", "3.000", "absolute")
    qtbot.keyClick(w, Qt.Key.Key_PageDown)  # before mpv got there: on from where it goes
    assert h.mpv.last("seek") == ("seek", "7.000", "absolute")
    h.mpv.report("time-pos", 12.5)
    qtbot.waitUntil(lambda: h.player.state.position == 12.5)
    assert ("Chapter 3 (0:07)", True, True) in menu(w.menus.chapter_menu)
    qtbot.keyClick(w, Qt.Key.Key_PageUp)  # over 5 s in: the start of this one
    assert h.mpv.last("seek") == ("seek", "7.000", "absolute")
    h.mpv.report("time-pos", 7.0)
    qtbot.waitUntil(lambda: h.player.state.position == 7.0)
    qtbot.keyClick(w, Qt.Key.Key_PageUp)  # at its start: the one before
    assert h.mpv.last("seek") == ("seek", "3.000", "absolute")
    w.menus.chapter_menu.actions()[0].trigger()
    assert h.mpv.last("seek") == ("seek", "0.000", "absolute")


def test_hdr_and_notes_are_told_in_the_status_bar(qtbot, make_window, clip):
    h = make_window()
    w = h.window
    note = "The subtitle track French was left out: its format (unknown) cannot be read."
    play_film(qtbot, h, clip, film_info(clip, tone_mapped=True, notes=(note,)))
    w.status.show_status()
    assert w.status.status_label.text().endswith("· HDR → SDR")
    assert w.status.notes_label.isVisible() and w.status.notes_label.text() == note
    later = "The subtitle track German was left out: it could not be converted to text."
    h.controller.notes_changed.emit([note, later])
    assert w.status.notes_label.text() == f"{note} (and 1 more)"
    assert w.status.notes_label.toolTip() == f"{note}\n{later}"
    w.close_video()
    assert not w.status.notes_label.isVisible()


def test_preferences_choose_the_languages_by_name(qtbot, make_window):
    h = make_window()
    h.settings.audio_language = "fr"
    assert h.settings.subtitle_language != ""  # not chosen yet: the system's language
    h.window.dialogs.show_preferences()
    dialog = h.window.dialogs.preferences
    assert dialog.audio_box.currentText() == "French"
    dialog.subtitle_box.setCurrentIndex(dialog.subtitle_box.findText("German"))
    assert h.settings.subtitle_language == "de"
    dialog.audio_box.setCurrentIndex(0)
    assert dialog.audio_box.currentText() == "The file's default"
    assert h.settings.audio_language == ""
    dialog.close()


def test_text_tracks_have_the_servers_names():
    info = film_info("/films/film.mkv")
    assert [t.stream for t in info.texts] == [text(0), text(1)]
    assert info.text_url(info.texts[1]).startswith("http://127.0.0.1:1/token/")
