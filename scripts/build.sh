#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and builds the project into build/ (or $AGENT_BUILD_DIR).
# Prints the build directory on stdout (last line); logs go to stderr.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${AGENT_BUILD_DIR:-$ROOT/build}
JOBS=${AGENT_BUILD_JOBS:-$(nproc)}

DEPS=$("$ROOT/scripts/setup.sh" | tail -n 1)
[ -f "$DEPS/deps.cmake" ] || { echo "[build] error: setup did not produce $DEPS/deps.cmake" >&2; exit 1; }
cmake -S "$ROOT" -B "$BUILD" -DAGENT_DEPS_DIR="$DEPS" >&2
cmake --build "$BUILD" -j "$JOBS" >&2
printf '%s\n' "$BUILD"
