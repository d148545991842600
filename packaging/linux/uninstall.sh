#!/bin/sh
# Remove Viewra Desktop installed by install.sh (this file is in the installed folder,
# PREFIX/lib/viewra-desktop). Your videos are never touched.
#
#   uninstall.sh           remove the program, its menu entry, icon and file associations
#   uninstall.sh --purge   also remove your cache (encoded packages), logs and settings
set -eu

app=$(cd "$(dirname "$0")" && pwd)
prefix=$(cd "$app/../.." && pwd)
purge=0
for arg in "$@"; do
  case "$arg" in
    --purge) purge=1 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "uninstall.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$(basename "$app")" != viewra-desktop ] || [ ! -d "$app/_internal" ]; then
  echo "uninstall.sh: run the copy in the installed folder (PREFIX/lib/viewra-desktop)" >&2
  exit 1
fi

link="$prefix/bin/viewra-desktop"
if [ -L "$link" ] && [ "$(readlink "$link")" = "$app/viewra-desktop" ]; then
  rm -f "$link"
fi
rm -f "$prefix/share/applications/viewra-desktop.desktop"
rm -f "$prefix/share/icons/hicolor/scalable/apps/viewra-desktop.svg"
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database -q "$prefix/share/applications" 2>/dev/null || true
fi

# Default-program choices made with install.sh --default (or by hand) point at a menu entry
# that no longer exists: drop them.
mimeapps="${XDG_CONFIG_HOME:-$HOME/.config}/mimeapps.list"
if [ -f "$mimeapps" ] && grep -q 'viewra-desktop\.desktop' "$mimeapps"; then
  sed -i -e 's/viewra-desktop\.desktop;\{0,1\}//g' -e '/^[^=[]*=$/d' "$mimeapps"
fi

rm -rf "$app"
echo "Removed Viewra Desktop from $prefix"

if [ "$purge" = 1 ]; then
  rm -rf "${XDG_CACHE_HOME:-$HOME/.cache}/viewra-desktop" \
         "${XDG_STATE_HOME:-$HOME/.local/state}/viewra-desktop" \
         "${XDG_CONFIG_HOME:-$HOME/.config}/viewra-desktop"
  echo "Removed your Viewra Desktop cache, logs and settings"
else
  echo "Your cache, logs and settings stay in ~/.cache, ~/.local/state and ~/.config" \
       "(viewra-desktop): uninstall.sh --purge removes them too."
fi
