#!/usr/bin/env bash
# Trains the shipped default model: IMU2CLIP contrastive pretraining on the TRAIN splits of
# ../shared/data/imu/{hapt,wisdm,classyglass,spsw} (5 s windows at 50 Hz, stride 2.5 s),
# validated on their VAL splits, exported as models/default.safetensors (fp16 weights) with
# metrics next to it. About 10 minutes on an idle 2-core CPU (66.6k windows/epoch at ~1,900 windows/s).
#
#   scripts/train_default.sh                 # text tower "wordnet-v1" (chosen by held-out zero-shot
#                                            # quality: models/MODEL_CARD.md)
#   TOWER=lexical-v1 scripts/train_default.sh
#
# Environment (all optional):
#   TOWER          text tower id (default wordnet-v1); TOWER_PARAMS JSON (default {})
#   EPOCHS         (default 16)    OUT     bundle path (default models/default.safetensors)
#   DATA_ROOT      (default ../shared/data/imu relative to the repository)
#   METRICS        per-epoch JSONL (default models/default.metrics.jsonl)
#   CHECKPOINTS    checkpoint folder (default build-trainer/checkpoints-default); RESUME=1 continues
#   CACHE_DIR      preprocessed-window cache (default ~/.cache/imu2clip/windows)
#   IMU2CLIP_TRAIN trainer binary to use; default: build imu2clip-train (-DIMU2CLIP_TRAINER_ONLY=ON)
#                  in build-trainer/, which needs only libtorch, zlib, nlohmann_json and CLI11.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

TOWER="${TOWER:-wordnet-v1}"
TOWER_PARAMS="${TOWER_PARAMS:-{\}}"
EPOCHS="${EPOCHS:-16}"
OUT="${OUT:-$repo/models/default.safetensors}"
DATA_ROOT="${DATA_ROOT:-$repo/../shared/data/imu}"
METRICS="${METRICS:-${OUT%.safetensors}.metrics.jsonl}"
CHECKPOINTS="${CHECKPOINTS:-$repo/build-trainer/checkpoints-default}"
CACHE_DIR="${CACHE_DIR:-$HOME/.cache/imu2clip/windows}"

for ds in hapt wisdm classyglass spsw; do
  [[ -f "$DATA_ROOT/$ds/manifest.json" ]] || { echo "error: $DATA_ROOT/$ds/manifest.json not found (set DATA_ROOT)" >&2; exit 1; }
done

if [[ -z "${IMU2CLIP_TRAIN:-}" ]]; then
  cmake -S "$repo" -B "$repo/build-trainer" -G Ninja -DIMU2CLIP_TRAINER_ONLY=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$repo/build-trainer" -j"${JOBS:-1}" --target imu2clip-train
  IMU2CLIP_TRAIN="$repo/build-trainer/tagger/train/imu2clip-train"
fi
mkdir -p "$(dirname "$OUT")" "$CHECKPOINTS"

resume=()
if [[ "${RESUME:-0}" == 1 ]]; then resume=(--resume); else rm -f "$CHECKPOINTS"/last.pt "$CHECKPOINTS"/last.json "$CHECKPOINTS"/best.safetensors; fi

# Adam with a cosine schedule and a learned temperature; multi-positive targets (default) since
# every batch holds many windows of one activity. No rotation augmentation: the direction of
# gravity is what tells sitting, standing and lying apart.
set -x
"$IMU2CLIP_TRAIN" pretrain \
  --data "$DATA_ROOT/hapt" --data "$DATA_ROOT/wisdm" --data "$DATA_ROOT/classyglass" --data "$DATA_ROOT/spsw" \
  --val-split val --rate 50 --window 5 --stride 2.5 \
  --tower "$TOWER" --tower-params "$TOWER_PARAMS" \
  --batch 64 --epochs "$EPOCHS" --optimizer adam --lr 5e-4 --schedule cosine --warmup 200 --grad-clip 1.0 \
  --temperature 0.07 --learn-temperature --augment scale,jitter,shift --seed 1 \
  --cache-dir "$CACHE_DIR" --checkpoint-dir "$CHECKPOINTS" "${resume[@]}" \
  --metrics "$METRICS" --fp16 --out "$OUT"
