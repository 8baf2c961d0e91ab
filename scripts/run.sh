#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the agent's main command.
# Today that is `agent doctor` (dependency and sandbox check); it becomes `agent run` on the
# bundled example repository with the embedded default model once those land.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$("$ROOT/scripts/build.sh" | tail -n 1)
exec "$BUILD/bin/agent" doctor "$@"
