#!/usr/bin/env bash
# Lint, type-check the whole package (core and Qt layer) and run the whole test suite (unit,
# window, end-to-end with the real ffmpeg, Shaka Packager, HTTP server and libmpv). Run
# scripts/setup.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check viewra_desktop tests benchmarks
.venv/bin/ruff format --check viewra_desktop tests benchmarks
.venv/bin/mypy viewra_desktop
exec .venv/bin/pytest "$@"
