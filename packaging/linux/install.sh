#!/bin/sh
# Install Viewra Desktop from this unpacked folder.
#
#   ./install.sh              for you: ~/.local/lib/viewra-desktop, ~/.local/bin/viewra-desktop,
#                             a menu entry and an icon under ~/.local/share (no root needed)
#   sudo ./install.sh --system   for everyone, under /usr/local
#   ./install.sh --prefix=DIR    under DIR (DIR/lib, DIR/bin, DIR/share)
#   ./install.sh --default       also make it the default program for video files (for you)
#
# The menu entry lists the video types Viewra Desktop opens, so file managers offer it under
# "Open With"; with --default, double-clicking a video opens it in Viewra Desktop.
# Installing again replaces the previous version. To remove it: uninstall.sh in the
# installed folder (install.sh prints where).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix="${HOME}/.local"
make_default=0
for arg in "$@"; do
  case "$arg" in
    --system) prefix=/usr/local ;;
    --prefix=*) prefix=${arg#--prefix=} ;;
    --default) make_default=1 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

app="$prefix/lib/viewra-desktop"
bin="$prefix/bin"
apps="$prefix/share/applications"
icons="$prefix/share/icons/hicolor"

if [ ! -x "$here/viewra-desktop" ] || [ ! -d "$here/_internal" ]; then
  echo "install.sh: run it from the unpacked viewra-desktop folder" >&2
  exit 1
fi

mkdir -p "$prefix/lib" "$bin" "$apps" "$icons/scalable/apps"
# Copy beside the old version, then swap: a failed copy leaves the old one working.
rm -rf "$app.new"
mkdir "$app.new"
cp -R "$here/viewra-desktop" "$here/_internal" "$here/share" "$here/uninstall.sh" "$app.new/"
rm -rf "$app"
mv "$app.new" "$app"

ln -sfn "$app/viewra-desktop" "$bin/viewra-desktop"
cp "$here/share/icons/hicolor/scalable/apps/viewra-desktop.svg" "$icons/scalable/apps/"
# The menu entry runs the installed program by its full path: ~/.local/bin is not on every
# desktop session's PATH.
sed -e "s|^Exec=viewra-desktop |Exec=\"$app/viewra-desktop\" |" \
  "$here/share/applications/viewra-desktop.desktop" > "$apps/viewra-desktop.desktop"

if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database -q "$apps" || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then
  gtk-update-icon-cache -q -t -f "$icons" 2>/dev/null || true
fi

if [ "$make_default" = 1 ]; then
  if command -v xdg-mime >/dev/null 2>&1; then
    types=$(sed -n 's/^MimeType=//p' "$apps/viewra-desktop.desktop" | tr ';' ' ')
    # shellcheck disable=SC2086 # one argument per type
    xdg-mime default viewra-desktop.desktop $types
    echo "Viewra Desktop now opens video files for $(id -un)."
  else
    echo "install.sh: xdg-mime (xdg-utils) is missing: choose Viewra Desktop under" \
         "\"Open With\" in your file manager instead." >&2
  fi
fi

echo "Installed Viewra Desktop in $app"
echo "Run it from the applications menu, or as $bin/viewra-desktop"
echo "Uninstall with: $app/uninstall.sh"
