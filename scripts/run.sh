#!/usr/bin/env bash
# Sets up, builds and runs the main job: zero-shot tag IMU recordings into SQLite with the
# default model, then print the log.
#   bash scripts/run.sh [INPUT...]
# INPUT: an Ego4D root (has ego4d.json), a folder of IMU CSV(.gz) files, or files.
# Default: ../shared/data/ego4d_mini when present. DB (default: imu2clip.db) picks the database.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
DB=${DB:-imu2clip.db}
if [ $# -eq 0 ]; then
  if [ -f ../shared/data/ego4d_mini/ego4d.json ]; then
    set -- ../shared/data/ego4d_mini
  else
    echo "usage: bash scripts/run.sh INPUT...   (an Ego4D root, a folder of IMU CSVs, or CSV files)" >&2
    exit 2
  fi
fi
bash scripts/build.sh
if [ $# -eq 1 ] && [ -f "$1/ego4d.json" ]; then
  input=(--ego4d "$1")
elif [ $# -eq 1 ] && [ -d "$1" ]; then
  input=(--imu-dir "$1")
else
  input=("$@")
fi
"$BUILD_DIR/imu2clip" tag --db "$DB" "${input[@]}" --print-log
