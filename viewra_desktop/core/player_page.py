"""The player page: ``index.html`` that plays a package or a session with Shaka Player.

An exported package carries it beside its manifests, and the server serves it for every
session (``/<token>/index.html``), so a phone or a TV browser can watch. The page loads the
copy of Shaka Player that ships with the app (``web/``, with its licence), pinned to one npm
version and checked by a Subresource Integrity hash. A copy rather than a CDN URL: the page
then plays on a LAN or a server with no internet, depends on no third party, and a test
checks the very file (its hash against the npm package of ``tests/web/package.json``).

An encrypted package's key is never in the page: the page reads it from the address's
fragment (``index.html#key=KEYID:KEY``), which browsers never send to a server, and hands it
to Shaka Player's ``drm.clearKeys``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from functools import cache
from pathlib import Path

from . import layout
from .files import write_atomically

SHAKA_VERSION = "5.2.12"  # the npm version of web/shaka-player.compiled.js
SHAKA_SRI = "sha384-dC+HTy8lAr0Y9PZngIX8OfKQQ3JnR04Xs2ut3jQ1jxUXT1TZ23BTbPbTjM2cj4H0"
WEB = Path(__file__).resolve().parent / "web"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>@TITLE@</title>
<style>
html, body { margin: 0; height: 100%; background: #000; color: #ddd; font: 15px sans-serif; }
video { width: 100%; height: 100%; object-fit: contain; }
#message { position: fixed; top: 1em; left: 1em; right: 1em; text-align: center; }
</style>
<script src="@SCRIPT@" integrity="@SRI@"></script>
</head>
<body>
<video id="video" controls autoplay playsinline></video>
<div id="message"></div>
<script>
"use strict";
// Shaka Player @VERSION@ plays DASH where the browser has Media Source Extensions, else HLS.
const manifests = @MANIFESTS@;
const message = document.getElementById("message");
function show(text) {
  message.textContent = text;
  console.error("player page: " + text);
}
async function main() {
  if (typeof shaka === "undefined") { show("The player did not load."); return; }
  shaka.polyfill.installAll();
  const video = document.getElementById("video");
  const player = new shaka.Player();
  window.player = player;
  await player.attach(video);
  player.addEventListener("error", (e) => failed(e.detail));
  // An encrypted package: the key comes in the fragment, #key=KEYID:KEY (hex).
  const key = new URLSearchParams(location.hash.slice(1)).get("key");
  if (key) {
    const [id, value] = key.split(":");
    player.configure({ drm: { clearKeys: { [id]: value } } });
  }
  const dash = manifests.dash && window.MediaSource;
  await player.load(dash ? manifests.dash : (manifests.hls || manifests.dash));
}
function failed(error) {
  const code = error && error.code;
  if (code === 6012 || code === 6001) {  // encrypted, and no key was given (or it is wrong)
    show("This video is encrypted: open this page with its key, as index.html#key=KEYID:KEY.");
  } else {
    show("Playback failed (" + (code || (error && error.message) || error) + ").");
  }
}
main().catch(failed);
</script>
</body>
</html>
"""


def render(title: str, dash: str | None = layout.MPD, hls: str | None = layout.HLS_MASTER) -> str:
    """The page for a package whose manifests are ``dash`` and ``hls`` (relative names)."""
    manifests = {kind: name for kind, name in (("dash", dash), ("hls", hls)) if name}
    return (
        _PAGE.replace("@TITLE@", html.escape(title))
        .replace("@SCRIPT@", layout.PLAYER_SCRIPT)
        .replace("@SRI@", SHAKA_SRI)
        .replace("@VERSION@", SHAKA_VERSION)
        .replace("@MANIFESTS@", json.dumps(manifests))
    )


@cache
def script() -> bytes:
    """Shaka Player's compiled script, as shipped."""
    return (WEB / layout.PLAYER_SCRIPT).read_bytes()


def sri(data: bytes) -> str:
    """The Subresource Integrity value of ``data``."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def write(folder: Path, title: str, dash: str | None, hls: str | None) -> None:
    """Put the page and its copy of Shaka Player into ``folder``."""
    write_atomically(folder / layout.PLAYER_PAGE, render(title, dash, hls).encode("utf-8"))
    write_atomically(folder / layout.PLAYER_SCRIPT, script())
