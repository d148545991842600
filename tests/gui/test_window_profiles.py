"""The window's profiles on fakes: Preferences > Profiles (add, duplicate, edit, delete;
built-in ones read-only; a wrong value refused with its sentence), the codec box, and the
Quality menu listing the ladder's rungs."""

from __future__ import annotations

import dataclasses

from unit.factories import make_media

from gui.test_window import info_for, start_playing
from viewra_desktop.core.plan import make_plan
from viewra_desktop.core.profiles import get_profile
from viewra_desktop.core.user_profiles import ProfileStore

MINE = '[profiles.mine]\nlabel = "Mine"\ncrf = 24\nrungs = [{ size = 480, maxrate_kbps = 2500 }]\n'


def open_profiles(qtbot, h):
    h.window.dialogs.show_preferences()
    dialog = h.window.dialogs.preferences
    qtbot.waitExposed(dialog)
    dialog.tabs.setCurrentWidget(dialog.profiles_panel)
    return dialog.profiles_panel


def saved(h) -> dict:
    return {p.name: p for p in ProfileStore(h.paths.config).load().profiles}


def box_names(h) -> list[str]:
    box = h.window.controls.profile_box
    return [box.itemData(i) for i in range(box.count())]


def problem(panel, field) -> str:
    label = panel.form.problem_labels[field]
    return label.text() if label.isVisible() else ""


def type_into(edit, text) -> None:
    edit.setText(text)
    edit.textEdited.emit(text)


def test_built_in_profiles_are_read_only(qtbot, make_window):
    h = make_window()
    panel = open_profiles(qtbot, h)
    panel.select("ladder")
    assert panel.form.name_edit.text() == "ladder"
    assert not panel.form.crf_edit.isEnabled() and not panel.form.rungs_table.isEnabled()
    assert not panel.delete_button.isEnabled() and not panel.save_button.isEnabled()
    assert panel.hint.text() == "Built-in profiles are read-only: duplicate one to change it."
    assert panel.save() is False
    assert saved(h) == {}


def test_add_duplicate_edit_with_a_wrong_value_refused_and_delete(qtbot, make_window):
    h = make_window()
    panel = open_profiles(qtbot, h)
    form = panel.form

    panel.select("720p")
    panel.duplicate()  # a copy of its own, saved at once, listed in the profile box too
    assert panel.selected().name == "720p-copy" and not panel.selected().builtin
    assert saved(h)["720p-copy"].rungs == get_profile("720p").rungs
    assert "720p-copy" in box_names(h)
    assert form.crf_edit.isEnabled() and panel.delete_button.isEnabled()

    type_into(form.crf_edit, "60")  # told next to the field as it is typed
    assert problem(panel, "crf") == "CRF must be 0–51."
    assert not panel.save_button.isEnabled()
    assert panel.hint.text() == "Mend the values in red to save."
    assert panel.save() is False
    assert saved(h)["720p-copy"].crf == 22  # nothing written

    type_into(form.crf_edit, "26")
    assert problem(panel, "crf") == "" and panel.save_button.isEnabled()
    form.codec_box.setCurrentIndex(form.codec_box.findData("av1"))
    assert form.preset_box.currentText() == "10"  # a preset in the new codec's terms
    form.preset_box.setCurrentText("14")
    assert problem(panel, "preset") == "AV1 speed must be 0–13."
    form.preset_box.setCurrentText("8")
    type_into(form.name_edit, "av1-720")
    type_into(form.label_edit, "AV1 720p")
    panel.save_button.click()
    mine = saved(h)
    assert list(mine) == ["av1-720"]  # renamed, not copied
    assert (mine["av1-720"].codec, mine["av1-720"].crf, mine["av1-720"].preset) == ("av1", 26, "8")
    assert h.window.controls.profile_box.itemText(box_names(h).index("av1-720")) == "AV1 720p"

    panel.add()
    assert panel.selected().name == "my-profile" and list(saved(h)) == ["av1-720", "my-profile"]
    panel.delete()
    assert list(saved(h)) == ["av1-720"]
    assert "my-profile" not in box_names(h)


def test_sizes_and_rates_are_checked_in_the_table(qtbot, make_window):
    h = make_window()
    panel = open_profiles(qtbot, h)
    panel.add()
    form = panel.form
    form.rungs_table.item(0, 0).setText("100")
    assert problem(panel, "rungs") == "Sizes must be 144 to 4320 pixels."
    form.rungs_table.item(0, 0).setText("720")
    form.rate_box.setCurrentIndex(form.rate_box.findData("bitrate"))
    assert form.rungs_table.isColumnHidden(2) is False  # a target bitrate per rung
    form.rungs_table.item(0, 2).setText("6000")  # above its cap of 5000
    assert problem(panel, "rungs") == "A bitrate needs a cap (maxrate) at least as high."
    assert panel.save() is False
    form.rungs_table.item(0, 2).setText("3000")
    form.hardware_box.setCurrentIndex(form.hardware_box.findData("vaapi"))
    assert panel.save() is True
    profile = saved(h)["my-profile"]
    assert (profile.crf, profile.rungs[0].bitrate_kbps, profile.hardware) == (None, 3000, "vaapi")


def test_the_profile_box_lists_your_profiles_and_an_edit_of_the_one_in_use_reopens(
    qtbot, make_window, clip
):
    h0 = make_window(show=False)
    (h0.paths.config / "profiles.toml").write_text(MINE, "utf-8")
    h = make_window(profile="mine")
    assert box_names(h)[-1] == "mine" and h.window.profile == "mine"
    start_playing(qtbot, h, clip, profile="mine")
    assert h.controller.opens()[-1] == ("open", str(clip), "mine")
    h.mpv.report("time-pos", 7.0)
    qtbot.waitUntil(lambda: h.player.state.position == 7.0)
    panel = open_profiles(qtbot, h)
    panel.select("mine")
    type_into(panel.form.crf_edit, "30")
    assert panel.save() is True
    assert h.controller.opens()[-1] == ("open", str(clip), "mine")  # again, with CRF 30
    assert len(h.controller.opens()) == 2
    info = info_for(clip, "mine")
    h.controller.session_changed.emit(info)
    h.controller.manifest_ready.emit(info.dash_url)
    assert h.mpv.last("loadfile")[-1] == "start=7.000"
    panel.delete()  # the profile in use is gone: the default one replaces it
    assert h.window.profile == "720p" and h.controller.opens()[-1][2] == "720p"


def test_a_broken_profiles_file_is_told_on_the_profiles_page(qtbot, make_window):
    h0 = make_window(show=False)
    (h0.paths.config / "profiles.toml").write_text("[profiles.mine\n", "utf-8")
    h = make_window()
    assert box_names(h)[-1] == "ladder"  # the built-in profiles only
    panel = open_profiles(qtbot, h)
    assert panel.file_problem.isVisible()
    assert "is broken at line 1" in panel.file_problem.text()


def test_the_codec_box_overrides_the_profile_and_is_remembered(qtbot, make_window, clip):
    h = make_window()
    box = h.window.controls.codec_box
    assert box.currentText() == "H.264 (profile's)" and box.codec == ""
    start_playing(qtbot, h, clip)
    assert h.controller.opens()[-1] == ("open", str(clip), "720p")
    h.mpv.report("time-pos", 3.0)
    qtbot.waitUntil(lambda: h.player.state.position == 3.0)
    box.activated.emit(box.findData("av1"))  # the user's choice
    assert h.controller.opens()[-1] == ("open", str(clip), "720p", "av1")
    info = info_for(clip)
    h.controller.session_changed.emit(info)
    h.controller.manifest_ready.emit(info.dash_url)
    assert h.mpv.last("loadfile")[-1] == "start=3.000"  # where it was
    assert h.settings.codec == "av1"
    again = make_window()
    assert again.window.controls.codec_box.currentText() == "AV1"
    assert make_window(codec="vp9").window.controls.codec_box.codec == "vp9"  # command line


def ladder_info(clip):
    plan = make_plan(make_media(1280, 720), get_profile("ladder"))
    return dataclasses.replace(
        info_for(clip, "ladder"), profile_label=plan.profile.label, video=plan.video
    )


def video_tracks(selected: int) -> list[dict]:
    return [{"id": n, "type": "video", "selected": n == selected} for n in (1, 2, 3)] + [
        {"id": 1, "type": "audio", "selected": True}
    ]


def test_the_quality_menu_lists_the_rungs_and_switches_them_live(qtbot, make_window, clip):
    h = make_window()
    w = h.window
    w.resize(1000, 700)  # a video area of about 1000×560: 1280×720 does not fit, 854×480 does
    w.open_file(str(clip))
    qtbot.waitUntil(lambda: 854 <= w.video.width() < 1280 and 480 <= w.video.height() < 720)
    info = ladder_info(clip)
    h.controller.session_changed.emit(info)
    h.controller.manifest_ready.emit(info.dash_url)
    assert h.mpv.last("loadfile")[-1] == "vid=2"  # the rung nearest the area: 480p
    menu = w.quality.menu
    assert [a.text() for a in menu.actions()] == ["720p", "480p", "360p"]
    assert menu.isEnabled()
    for name, value in (("idle-active", False), ("core-idle", False), ("pause", False),
                        ("track-list", video_tracks(2))):  # fmt: skip
        h.mpv.report(name, value)
    qtbot.waitUntil(lambda: [a.text() for a in menu.actions() if a.isChecked()] == ["480p"])
    status = w.status.status_label
    assert status.text() == "Playing · Ladder (1080p to 360p) · 480p of 720p–360p · 854×480"

    h.mpv.report("time-pos", 4.0)
    opens = len(h.controller.opens())
    next(a for a in menu.actions() if a.text() == "360p").trigger()
    assert h.mpv.sets("vid") == ["3"]  # live: no new load, no new encode
    assert len(h.controller.opens()) == opens and h.mpv.last("loadfile")[-1] == "vid=2"
    h.mpv.report("track-list", video_tracks(3))
    qtbot.waitUntil(lambda: "360p of 720p–360p · 640×360" in status.text())


def test_one_rung_needs_no_quality_choice(qtbot, make_window, clip):
    h = make_window()
    start_playing(qtbot, h, clip)
    menu = h.window.quality.menu
    assert not menu.isEnabled()
    assert h.mpv.last("loadfile") == ("loadfile", info_for(clip).dash_url, "replace")


def test_the_status_line_names_the_software_encoder_a_hardware_profile_fell_back_to(
    qtbot, make_window, clip
):
    h = make_window()
    profile = dataclasses.replace(get_profile("360p"), hardware="v4l2m2m")
    plan = make_plan(make_media(640, 360), profile)  # no hardware encoder works here
    info = dataclasses.replace(info_for(clip, "360p"), video=plan.video, hardware="v4l2m2m",
                               width=640, height=360, notes=plan.notes)  # fmt: skip
    h.window.open_file(str(clip))
    h.controller.session_changed.emit(info)
    for name, value in (("idle-active", False), ("core-idle", False), ("pause", False)):
        h.mpv.report(name, value)
    status = h.window.status.status_label
    qtbot.waitUntil(lambda: status.text().startswith("Playing"))
    assert status.text() == "Playing · 360p · 640×360 · libx264 (V4L2 M2M does not work here)"
    assert plan.notes == (
        "No V4L2M2M encoder works on this machine for H264: encoding with libx264 instead.",
    )
