#!/usr/bin/env bash
# Sets up, builds and runs ALL tests (unit + integration) with ctest.
# Tests that need ../shared/data skip themselves (reported as skipped) when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "${TEST_JOBS:-2}" "$@"
