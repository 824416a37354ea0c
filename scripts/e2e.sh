#!/usr/bin/env bash
# End-to-end test of the web UI: the real `imu2clip serve` driven by headless Chromium.
# Needs a built binary (scripts/build.sh), node + npm, and chromium (scripts/setup.sh installs it).
#   bash scripts/e2e.sh                 # uses build/services/cli/imu2clip
#   IMU2CLIP_BIN=other/imu2clip bash scripts/e2e.sh
# See tests/e2e/web_ui.test.mjs for the other settings (IMU2CLIP_E2E_MODEL, E2E_KEEP, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export IMU2CLIP_BIN=${IMU2CLIP_BIN:-$ROOT/build/services/cli/imu2clip}
if [[ ! -x "$IMU2CLIP_BIN" ]]; then
  echo "e2e: $IMU2CLIP_BIN is missing; build it first: bash scripts/build.sh" >&2
  exit 1
fi
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "e2e: '$tool' is not installed (apt-get install nodejs npm)" >&2; exit 1; }
done
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[[ -x "$CHROMIUM" ]] || { echo "e2e: no browser at $CHROMIUM (apt-get install chromium, or set CHROMIUM)" >&2; exit 1; }
export CHROMIUM

cd tests/e2e
# npm ci installs exactly the locked playwright-core; rerun it when the lock file changes.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
# The test file to run (default the whole UI): e.g. `bash scripts/e2e.sh your_data.test.mjs`.
exec node "${1:-web_ui.test.mjs}"
