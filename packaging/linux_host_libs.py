"""Which shared libraries a Linux bundle leaves to the host system, and why.

The bundle carries libmpv and its whole dependency tree, Qt and Python, except the libraries
listed here. They follow the exclude list AppImages have used for years (the pkg2appimage
"excludelist"), for three reasons:

* glibc (libc, libm, libdl, libpthread, librt, ld-linux, ...) cannot be mixed: the program
  loader and libc must be the host's. The build machine's glibc is therefore the oldest one
  the bundle runs on (Debian 12: glibc 2.36).
* The graphics driver stack must match the host's GPU and kernel driver: libGL, libEGL,
  libGLX, libGLdispatch, libOpenGL, libglapi, libgbm, libdrm, and the X11/Wayland client
  libraries those drivers are built against (libX11, libX11-xcb, libxcb, libxcb-dri2/3,
  libwayland-*). The driver (Mesa or NVIDIA) is loaded into the process, so the same goes
  for libstdc++ and libgcc_s: a host driver built against a newer libstdc++ fails to load
  next to an older bundled one ("GLIBCXX_3.4.30 not found"). Hosts with the build machine's
  glibc or newer have a libstdc++ at least as new as the build machine's.
* Sound and fonts must use the host's configuration: libasound (ALSA plugins and cards),
  libpulse and libpipewire (they talk to the host's sound server and load its modules),
  fontconfig, freetype and harfbuzz (the host's fonts.conf), fribidi.

Plus small base libraries every desktop has (zlib, expat, uuid, gmp, ...): bundling them
gains nothing and can clash with the host's copies already loaded by the driver.

Deviation from that list: libjack is bundled. libmpv needs it to load at all, it is missing
on many desktops, and mpv only talks to a JACK server when asked to (``--ao=jack``).

Everything else in libmpv's tree (FFmpeg's libraries and codecs, libplacebo, libass, Vulkan
and VA-API loaders, GLib, the xcb utility libraries Qt's xcb plugin needs, ...) is bundled.
"""

from __future__ import annotations

import re

# Library file names (sonames) left to the host, as regular expressions on the base name.
HOST_LIBRARY_PATTERNS: tuple[str, ...] = (
    # glibc
    r"ld-linux(-x86-64|-aarch64)?\.so\.\d+",
    r"lib(c|m|dl|pthread|rt|resolv|util|anl|mvec|thread_db|BrokenLocale|cidn|crypt|nsl)"
    r"\.so\.\d+",
    r"libnss_\w+\.so\.\d+",
    # compiler runtime shared with the host's graphics driver
    r"libstdc\+\+\.so\.6",
    r"libgcc_s\.so\.1",
    # graphics driver stack
    r"lib(GL|EGL|GLX|GLdispatch|OpenGL|GLESv1_CM|GLESv2)\.so\.\d+",
    r"libglapi\.so\.0",
    r"libgbm\.so\.1",
    r"libdrm\.so\.2",
    r"libX11\.so\.6",
    r"libX11-xcb\.so\.1",
    r"libxcb\.so\.1",
    r"libxcb-dri[23]\.so\.0",
    r"libwayland-(client|cursor|egl|server)\.so\.\d+",
    # sound
    r"libasound\.so\.2",
    r"libpulse(-simple|-mainloop-glib)?\.so\.0",
    r"libpulsecommon-[\d.]+\.so",
    r"libpipewire-0\.3\.so\.0",
    # fonts
    r"libfontconfig\.so\.1",
    r"libfreetype\.so\.6",
    r"libharfbuzz\.so\.0",
    r"libfribidi\.so\.0",
    # base system
    r"libz\.so\.1",
    r"libexpat\.so\.1",
    r"libuuid\.so\.1",
    r"libgmp\.so\.10",
    r"libcom_err\.so\.2",
    r"libgpg-error\.so\.0",
    r"libusb-1\.0\.so\.0",
    r"lib(ICE|SM)\.so\.6",
)

_HOST = re.compile("|".join(f"(?:{p})" for p in HOST_LIBRARY_PATTERNS))


def is_host_library(name: str) -> bool:
    """True if the library file ``name`` (a base name or a path) comes from the host."""
    base = name.rsplit("/", 1)[-1]
    return _HOST.fullmatch(base) is not None
