"""Web players in real Chromium play what ``serve`` serves, from the start, while it encodes."""

from __future__ import annotations

import pytest
import web_player
from media import make_clip

from e2e.support import Serve

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(web_player.missing() is not None, reason=str(web_player.missing())),
]

SECONDS = 12


@pytest.mark.parametrize(
    ("player", "kind"), [("shaka", "dash"), ("shaka", "hls"), ("hls", "hls"), ("dash", "dash")]
)
def test_web_player_plays_a_session_to_the_end_while_it_encodes(media_dir, tmp_path, player, kind):
    clip = make_clip(media_dir, "clip12-720p.mp4", SECONDS, size="1280x720")
    with Serve(clip, tmp_path / "home", "--profile", "720p") as serve:
        urls = serve.wait_urls()
        report = web_player.play(player, urls[kind], timeout=90)
        assert report["errors"] == [], report
        assert report["loaded"] and report["ended"], report
        assert report["duration"] == pytest.approx(SECONDS, abs=0.2)
        assert report["maxTime"] >= SECONDS - 0.2
        assert report["backwards"] == 0
        assert serve.stop() == 0
