"""Shaka Player in real Chromium finds the thumbnails ``serve`` packages, in DASH and HLS."""

from __future__ import annotations

import pytest
import web_player
from media import make_clip
from procs import wait_until

from e2e.support import Serve
from viewra_desktop.core import layout

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(web_player.missing() is not None, reason=str(web_player.missing())),
]

SECONDS = 12  # one picture a second: 12 on one 10x10 sheet of 320x180 pictures

# In the page: the image track, the thumbnail at 7.5 s, and whether its sheet loads.
SCRIPT = """
const tracks = player.getImageTracks();
if (!tracks.length) return {tracks: 0};
const thumb = await player.getThumbnails(tracks[0].id, 7.5);
const answer = await fetch(thumb.uris[0]);
const blob = await answer.blob();
return {tracks: tracks.length, width: tracks[0].width, height: tracks[0].height,
        startTime: thumb.startTime, duration: thumb.duration, x: thumb.positionX,
        y: thumb.positionY, w: thumb.width, h: thumb.height, uri: thumb.uris[0],
        status: answer.status, type: blob.type, bytes: blob.size};
"""


@pytest.mark.parametrize("kind", ["dash", "hls"])
def test_shaka_get_thumbnails_returns_the_sheets(media_dir, tmp_path, kind):
    clip = make_clip(media_dir, "clip12-720p.mp4", SECONDS, size="1280x720")
    with Serve(clip, tmp_path / "home", "--profile", "360p") as serve:
        urls = serve.wait_urls()
        sheet = next((tmp_path / "home").glob("cache/sessions/*")) / layout.image_sheet(1)
        assert wait_until(sheet.is_file, 60), "the sheet was not made"
        report = web_player.play("shaka", urls[kind], until="loaded", timeout=60, script=SCRIPT)
        assert report["errors"] == [], report
        found = report["eval"]
        assert found["tracks"] == 1, report
        assert found["uri"].endswith("/" + layout.image_sheet(1))
        # Slot 7 of the sheet: column 7 of row 0, one picture (320x180) a second.
        assert (found["w"], found["h"]) == (320, 180)
        assert (found["x"], found["y"]) == (7 * 320, 0)
        assert found["startTime"] == pytest.approx(7.0)
        assert found["duration"] == pytest.approx(1.0)
        assert found["status"] == 200 and found["type"] == "image/jpeg"
        assert found["bytes"] == sheet.stat().st_size
        assert serve.stop() == 0
