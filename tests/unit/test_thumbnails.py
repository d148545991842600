"""thumbnails: the image plan, where a picture is, the commands, and the manifests' image sets."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from unit.factories import make_media
from viewra_desktop.core import layout, thumbnails
from viewra_desktop.core.layout import Name, Part
from viewra_desktop.core.manifests import render_all, tracks_for
from viewra_desktop.core.plan import image_plan, make_plan
from viewra_desktop.core.profiles import get_profile
from viewra_desktop.core.streams import IMAGE
from viewra_desktop.core.thumbnails import Thumbnails

NS = {"d": "urn:mpeg:dash:schema:mpd:2011"}


def plan_for(duration: float, size=(1920, 1080)):
    return make_plan(make_media(*size, duration=duration), get_profile("720p"))


@pytest.mark.parametrize(
    ("duration", "interval", "slots", "sheets"),
    [(12.0, 1.0, 12, 1), (300.0, 5.0, 60, 1), (7200.0, 10.0, 720, 8), (0.4, 1.0, 1, 1)],
)
def test_image_plan_spacing_and_counts(duration, interval, slots, sheets):
    image = image_plan((1920, 1080), duration)
    assert image.interval == interval
    assert (image.width, image.height, image.columns, image.rows) == (320, 180, 10, 10)
    assert image.slots(duration) == slots
    assert image.sheets(duration) == sheets


def test_image_plan_keeps_the_aspect_and_never_widens_a_small_video():
    tall = image_plan((1080, 1920), 60)
    assert (tall.width, tall.height) == (320, 568)
    small = image_plan((160, 90), 60)
    assert (small.width, small.height) == (160, 90)


def test_coarse_pass_is_a_fixed_number_of_pictures_spread_to_the_end():
    long = image_plan((1920, 1080), 7200)
    slots = thumbnails.coarse_slots(long, 7200)
    assert len(slots) == thumbnails.COARSE_PICTURES
    assert slots[0] == 0 and slots[-1] == long.slots(7200) - 1
    short = image_plan((1920, 1080), 60)  # 60 pictures: the fine pass is quick, 6 first
    assert thumbnails.coarse_slots(short, 60) == [0, 12, 24, 35, 47, 59]
    tiny = image_plan((1920, 1080), 3)
    assert thumbnails.coarse_slots(tiny, 3) == [0, 1, 2]


def test_picture_command_decodes_only_the_keyframe_before_the_slot():
    plan = plan_for(7200)
    argv = thumbnails.picture_command("ffmpeg", plan, 30, "out.jpg")
    assert argv[argv.index("-skip_frame") + 1] == "nokey"
    assert "-noaccurate_seek" in argv
    assert argv.index("-ss") < argv.index("-i")
    assert argv[argv.index("-ss") + 1] == "300.000"
    assert argv[argv.index("-threads") + 1] == "1"
    assert argv[argv.index("-atomic_writing") + 1] == "1"
    assert argv[-1] == "out.jpg"


def test_the_last_coarse_picture_seeks_before_the_end():
    plan = plan_for(7200.02)  # the timeline's last slot starts at 7200 s, after the last frame
    last = plan.image.slots(plan.duration) - 1
    assert last == 720 and thumbnails.coarse_slots(plan.image, plan.duration)[-1] == last
    argv = thumbnails.picture_command("ffmpeg", plan, last, "out.jpg")
    assert float(argv[argv.index("-ss") + 1]) == pytest.approx(7199.02)


def test_sheets_command_writes_every_slot_and_every_sheet():
    plan = plan_for(125.0)  # 2 s apart: 63 slots, 1 sheet
    argv = thumbnails.sheets_command("ffmpeg", plan, ".inspect/tiles", "thumbnails")
    graph = argv[argv.index("-filter_complex") + 1]
    assert "fps=1/2:round=down" in graph and "tile=10x10" in graph
    assert "out_range=full" in graph  # JPEG: ffmpeg refuses video-range pictures
    frames = [argv[i + 1] for i, a in enumerate(argv) if a == "-frames:v"]
    assert frames == ["63", "1"]
    assert argv[-1] == "thumbnails/%d.jpg"
    assert ".inspect/tiles/%d.jpg" in argv
    starts = [argv[i + 1] for i, a in enumerate(argv) if a == "-start_number"]
    assert starts == ["0", "1"]  # slots from 0, sheets from 1 (the manifests' numbers)


def test_locate_prefers_a_whole_sheet_and_crops_the_tile():
    image = image_plan((1920, 1080), 250.0)  # 4 s apart: 63 slots
    thumbs = Thumbnails(image, Path("/e"), 250.0, slots=(0, 40), sheets=frozenset({1}))
    picture = thumbs.locate(4 * 23 + 1)  # slot 23: row 2, column 3 of sheet 1
    assert picture is not None
    assert picture.path == Path("/e") / layout.image_sheet(1)
    assert (picture.x, picture.y, picture.width, picture.height) == (3 * 320, 2 * 180, 320, 180)
    assert picture.time == 92.0


def test_locate_takes_the_nearest_single_picture_before_the_sheets_exist():
    image = image_plan((1920, 1080), 7200.0)
    thumbs = Thumbnails(image, Path("/e"), 7200.0, slots=(0, 100, 300))
    picture = thumbs.locate(1800.0)  # slot 180: 100 and 300 are made, 100 is nearer
    assert picture is not None
    assert picture.path == Path("/e") / layout.tile(100)
    assert (picture.x, picture.y) == (0, 0)
    assert Thumbnails(image, Path("/e"), 7200.0).locate(10) is None
    assert thumbs.slot_at(99999) == image.slots(7200) - 1


def test_scan_finds_what_is_on_disk(tmp_path):
    plan = plan_for(12.0)
    (tmp_path / layout.TILES).mkdir(parents=True)
    for slot in (0, 5):
        (tmp_path / layout.tile(slot)).write_bytes(b"jpeg")
    (tmp_path / layout.TILES / ".5.jpg.tmp").write_bytes(b"half")
    thumbs = thumbnails.scan(plan, tmp_path)
    assert thumbs is not None and thumbs.slots == (0, 5) and thumbs.sheets == frozenset()
    (tmp_path / layout.IMAGE_FOLDER).mkdir()
    (tmp_path / layout.image_sheet(1)).write_bytes(b"jpeg")
    assert thumbnails.scan(plan, tmp_path).sheets == frozenset({1})


# -- the manifests ----------------------------------------------------------------------------


def test_mpd_has_an_image_set_with_the_dash_if_tile_property():
    plan = plan_for(250.0)
    root = ET.fromstring(render_all(plan, tracks_for(plan))[layout.MPD])
    image = root.find("d:Period/d:AdaptationSet[@contentType='image']", NS)
    assert image is not None and image.get("mimeType") == "image/jpeg"
    template = image.find("d:SegmentTemplate", NS)
    assert template is not None
    assert template.get("media") == "thumbnails/$Number$.jpg"
    assert template.get("startNumber") == "1"
    # One "segment" per sheet: 100 pictures 4 s apart.
    assert int(template.get("duration")) / int(template.get("timescale")) == 400.0
    representation = image.find("d:Representation", NS)
    assert representation is not None
    assert (representation.get("width"), representation.get("height")) == ("3200", "1800")
    prop = representation.find("d:EssentialProperty", NS)
    assert prop is not None
    assert prop.get("schemeIdUri") == "http://dashif.org/guidelines/thumbnail_tile"
    assert prop.get("value") == "10x10"


def test_hls_master_points_at_an_image_playlist_of_every_sheet():
    plan = plan_for(7200.0)  # 10 s apart: 720 pictures, 8 sheets, the last 20 pictures
    files = render_all(plan, tracks_for(plan))
    master = files[layout.HLS_MASTER].splitlines()
    line = next(x for x in master if x.startswith("#EXT-X-IMAGE-STREAM-INF:"))
    assert 'URI="thumbnails.m3u8"' in line and "RESOLUTION=320x180" in line
    assert 'CODECS="jpeg"' in line
    playlist = files[layout.playlist(IMAGE)].splitlines()
    assert "#EXT-X-IMAGES-ONLY" in playlist and playlist[-1] == "#EXT-X-ENDLIST"
    sheets = [x for x in playlist if x.endswith(".jpg")]
    assert sheets == [layout.image_sheet(n) for n in range(1, 9)]
    tiles = [x for x in playlist if x.startswith("#EXT-X-TILES:")]
    assert tiles == ["#EXT-X-TILES:RESOLUTION=320x180,LAYOUT=10x10,DURATION=10.000"] * 8
    spans = [float(x[8:-1]) for x in playlist if x.startswith("#EXTINF:")]
    assert spans == [1000.0] * 7 + [200.0]


def test_the_server_accepts_the_image_playlist_and_sheets():
    assert layout.parse("thumbnails.m3u8") == Name(Part.MANIFEST, IMAGE)
    assert layout.parse(layout.image_sheet(8)) == Name(Part.FILE, IMAGE, 8)
    assert layout.parse(layout.tile(3)) is None  # single pictures are never served
    assert layout.parse(layout.METRICS) is None


def test_real_picture_is_the_keyframe_at_or_before_its_slot_even_after_the_last_one(
    tools, tmp_path
):
    import subprocess

    from viewra_desktop.core.probe import probe

    clip = tmp_path / "gop2.mp4"  # keyframes at 0, 2 and 4 s only; 6 s long
    subprocess.run(
        [tools.ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "lavfi",
         "-i", "testsrc2=size=320x180:rate=30:duration=6", "-c:v", "libx264",
         "-preset", "ultrafast", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
         "-pix_fmt", "yuv420p", str(clip)],
        check=True,
    )  # fmt: skip
    plan = make_plan(probe(tools.ffprobe, str(clip)), get_profile("720p"))
    assert plan.image is not None and plan.image.interval == 1.0

    def picture(slot: int) -> bytes:
        out = tmp_path / f"{slot}.jpg"
        argv = thumbnails.picture_command(tools.ffmpeg, plan, slot, str(out))
        subprocess.run(argv, check=True, capture_output=True)
        return out.read_bytes()

    assert picture(3) == picture(2)  # 3 s shows the keyframe at 2 s
    assert picture(3) != picture(4)  # not the next one
    assert picture(5) == picture(4)  # after the last keyframe: still a picture, that one
