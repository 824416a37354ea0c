#!/usr/bin/env bash
# Sets up, builds and starts the assistant service (`imu2clip serve`) on the embedded default
# model, with the web chat UI at http://127.0.0.1:8080/.
#   bash scripts/run.sh [SERVE OPTION...]      e.g. --port 9000, --llm-url URL --llm-model NAME
# DB (default: imu2clip.db) picks the database. On the first start (a new database file) the server
# creates the user "me" and prints its API token once: keep it, it signs you in.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
DB=${DB:-imu2clip.db}
bash scripts/build.sh
has_port=0
for a in "$@"; do [[ $a == --port* ]] && has_port=1; done
port=(); [[ $has_port == 1 ]] || port=(--port "${PORT:-8080}")
exec "$BUILD_DIR/services/cli/imu2clip" serve --db "$DB" "${port[@]}" "$@"
