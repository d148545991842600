#!/usr/bin/env bash
# Set up Viewra Desktop on a Debian/Ubuntu machine: system libraries (libmpv, Xvfb for the
# window tests, Qt's X11 dependencies) through apt, then a virtual environment at .venv in
# the repository root with viewra-desktop and its test tools in it. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# libmpv is libmpv2 on Debian 12 / Ubuntu 24.04 and later, libmpv1 before.
packages=(
  python3-venv
  xvfb xauth xdotool                      # a real X server for the window tests
  libgl1-mesa-dri libegl1 libgl1          # Mesa's software OpenGL for mpv's render API
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
  libfontconfig1 libdbus-1-3 libglib2.0-0  # what Qt's xcb platform plugin loads
  fonts-dejavu-core                       # a font for mpv (libass) to draw subtitles with
)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
have_mpv=""
for pkg in libmpv2 libmpv1; do
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then have_mpv=1; fi
done
if [ ${#missing[@]} -gt 0 ] || [ -z "$have_mpv" ]; then
  echo "setup: installing system packages through apt" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  if [ -z "$have_mpv" ]; then
    if apt-cache show libmpv2 >/dev/null 2>&1; then missing+=(libmpv2); else missing+=(libmpv1); fi
  fi
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[test]"
# Byte-compile the app (an editable install is not): a start then reads no source to compile,
# even where PYTHONDONTWRITEBYTECODE keeps Python from caching what it compiles.
.venv/bin/python -m compileall -q viewra_desktop
echo "setup: ready (.venv/bin/viewra-desktop)" >&2
