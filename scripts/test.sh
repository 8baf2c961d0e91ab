#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test with ctest.
# Extra arguments go to ctest (e.g. scripts/test.sh -R Vocab).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$("$ROOT/scripts/build.sh" | tail -n 1)
cd "$BUILD"
exec ctest --output-on-failure -j "${AGENT_TEST_JOBS:-2}" "$@"
