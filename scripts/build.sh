#!/usr/bin/env bash
# Installs the Debian packages (scripts/setup.sh), configures and builds everything.
# BUILD_DIR (default: build) and JOBS (default: all cores) may be set in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
# ccache serves unchanged translation units from its cache, precompiled-header users included
# (the build sets the sloppiness that needs; see the root CMakeLists.txt).
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"
