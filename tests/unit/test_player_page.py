"""player_page: the pinned copy of Shaka Player, and the page."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from viewra_desktop.core import layout, player_page

WEB = Path(__file__).resolve().parents[1] / "web"
NPM_COPY = WEB / "node_modules" / "shaka-player" / "dist" / layout.PLAYER_SCRIPT


def test_the_copy_matches_its_integrity_hash_and_its_licence_ships():
    assert player_page.sri(player_page.script()) == player_page.SHAKA_SRI
    assert b"Shaka Player" in player_page.script()[:200]
    assert "Apache License" in (player_page.WEB / "LICENSE-shaka-player.txt").read_text()


def test_the_copy_is_the_npm_version_the_web_tests_pin():
    pinned = json.loads((WEB / "package.json").read_text())["devDependencies"]["shaka-player"]
    assert pinned == player_page.SHAKA_VERSION
    if not NPM_COPY.is_file():
        pytest.skip("the npm packages are not installed (scripts/setup-web.sh)")
    installed = json.loads((NPM_COPY.parents[1] / "package.json").read_text())["version"]
    assert installed == pinned
    digest = hashlib.sha256
    assert digest(NPM_COPY.read_bytes()).digest() == digest(player_page.script()).digest()


def test_the_page_names_its_manifests_and_its_script_and_no_key(tmp_path):
    page = player_page.render("<My> clip", dash=layout.MPD, hls=None)
    assert '{"dash": "manifest.mpd"}' in page
    assert f'<script src="{layout.PLAYER_SCRIPT}" integrity="{player_page.SHAKA_SRI}">' in page
    assert "&lt;My&gt; clip" in page and "<My>" not in page
    assert "location.hash" in page and "clearKeys" in page  # the key comes in the fragment
    player_page.write(tmp_path, "clip", layout.MPD, layout.HLS_MASTER)
    assert (tmp_path / layout.PLAYER_SCRIPT).read_bytes() == player_page.script()
    assert "master.m3u8" in (tmp_path / layout.PLAYER_PAGE).read_text()
