#!/usr/bin/env bash
# The test-only browser pieces: Debian's Chromium and, from the npm registry, playwright-core
# (drives it), Shaka Player, hls.js and dash.js (tests/web/package.json, pinned by its lock
# file). scripts/test.sh runs this first; the app itself needs none of it. Safe to run again.
# If something cannot be installed it says so and exits 0: the web-player tests then skip,
# naming what is missing.
set -uo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-web: installing ${missing[*]} through apt" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! { $SUDO apt-get update -qq && \
         $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
    echo "setup-web: could not install ${missing[*]}; the web-player tests will be skipped" >&2
  fi
fi

stamp=tests/web/node_modules/.viewra-lock
if command -v npm >/dev/null 2>&1 && ! cmp -s tests/web/package-lock.json "$stamp"; then
  echo "setup-web: installing the web players from the npm registry" >&2
  if (cd tests/web && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
    cp tests/web/package-lock.json "$stamp"
  else
    echo "setup-web: npm ci failed; the web-player tests will be skipped" >&2
  fi
fi
exit 0
