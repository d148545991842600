#!/usr/bin/env bash
# Lint, type-check the whole package (core and Qt layer) and run the whole test suite (unit,
# window, end-to-end with the real ffmpeg, Shaka Packager, HTTP server and libmpv, web
# players in real Chromium). Run scripts/setup.sh first; the test-only browser pieces are
# installed here (scripts/setup-web.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-web.sh  # Chromium and the web players, for tests/web
.venv/bin/ruff check viewra_desktop tests benchmarks
.venv/bin/ruff format --check viewra_desktop tests benchmarks
.venv/bin/mypy viewra_desktop
exec .venv/bin/pytest "$@"
