#!/usr/bin/env bash
# Trains the shipped default model in one command: IMU2CLIP contrastive pretraining on the TRAIN
# splits of ../shared/data/imu/{hapt,wisdm,classyglass,spsw,motionsense,dsads_torso,dsads_leg}
# (5 s windows at 50 Hz, stride 2.5 s), every label mapped onto the everyday log vocabulary
# (models/vocabulary/), validated on their VAL splits, then calibrated on the same VAL splits
# (windows the model is unsure of are logged as "unclear motion"). Writes
# models/default.safetensors (fp16 weights) with per-epoch metrics next to it.
#
#   bash scripts/train_default.sh
#
# Environment (all optional; the defaults are the shipped recipe, chosen on val splits:
# models/MODEL_CARD.md):
#   DATASETS       training datasets (default: the seven above)
#   TOWER          text tower id (default wordnet-v1); TOWER_PARAMS JSON (default {})
#   EPOCHS (8)  AUGMENT (yaw,rot=0.5,lowpass,scale,jitter,shift)  BALANCE (0.5)  COVERAGE (0.85)  SEED (1)
#   OUT            bundle path (default models/default.safetensors)
#   DATA_ROOT      (default ../shared/data/imu relative to the repository)
#   METRICS        per-epoch JSONL (default <OUT without .safetensors>.metrics.jsonl)
#   CHECKPOINTS    checkpoint folder (default build-trainer/checkpoints-<OUT name>); RESUME=1 continues
#   CACHE_DIR      preprocessed-window cache (default ~/.cache/imu2clip/windows)
#   IMU2CLIP       the full CLI (default build/services/cli/imu2clip; built when missing). It trains
#                  and calibrates. IMU2CLIP_TRAIN may name another trainer (e.g. imu2clip-train
#                  built with -DIMU2CLIP_TRAINER_ONLY=ON on a GPU machine) for the training step.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

DATASETS=(${DATASETS:-hapt wisdm classyglass spsw motionsense dsads_torso dsads_leg})
TOWER="${TOWER:-wordnet-v1}"
TOWER_PARAMS="${TOWER_PARAMS:-{\}}"
EPOCHS="${EPOCHS:-8}"
AUGMENT="${AUGMENT:-yaw,rot=0.5,lowpass,scale,jitter,shift}"
BALANCE="${BALANCE:-0.5}"
COVERAGE="${COVERAGE:-0.85}"
SEED="${SEED:-1}"
OUT="${OUT:-$repo/models/default.safetensors}"
DATA_ROOT="${DATA_ROOT:-$repo/../shared/data/imu}"
METRICS="${METRICS:-${OUT%.safetensors}.metrics.jsonl}"
CHECKPOINTS="${CHECKPOINTS:-$repo/build-trainer/checkpoints-$(basename "${OUT%.safetensors}")}"
CACHE_DIR="${CACHE_DIR:-$HOME/.cache/imu2clip/windows}"
VOCAB_DIR="$repo/models/vocabulary"

data=() val=()
for ds in "${DATASETS[@]}"; do
  [[ -f "$DATA_ROOT/$ds/manifest.json" ]] || { echo "error: $DATA_ROOT/$ds/manifest.json not found (set DATA_ROOT)" >&2; exit 1; }
  data+=(--data "$DATA_ROOT/$ds")
done

IMU2CLIP="${IMU2CLIP:-$repo/build/services/cli/imu2clip}"
[[ -x "$IMU2CLIP" ]] || bash "$repo/scripts/build.sh"
TRAIN="${IMU2CLIP_TRAIN:-$IMU2CLIP}"
mkdir -p "$(dirname "$OUT")" "$CHECKPOINTS"

resume=()
if [[ "${RESUME:-0}" == 1 ]]; then resume=(--resume); else rm -f "$CHECKPOINTS"/last.pt "$CHECKPOINTS"/last.json "$CHECKPOINTS"/best.safetensors; fi

# Adam with a cosine schedule and a learned temperature; multi-positive targets (windows of one
# activity are positives of each other, synonyms included, since they map to one phrase).
# Augmentation: yaw about gravity + small tilt (a device worn turned; the posture cue stays), a
# full random rotation for half of the windows (orientation-free motion features, which is what
# carries to a placement never trained on; rotating all windows costs too much on known ones:
# models/MODEL_CARD.md "Model selection"), a random low-pass (WISDM's 20 Hz bandwidth is no
# dataset cue), gain, noise, time shift.
# --balance 0.5: each dataset's share of an epoch grows with the square root of its size, so
# WISDM (the largest) does not drown the pocket, chest and knee placements.
uncalibrated="${OUT%.safetensors}.uncalibrated.safetensors"
set -x
"$TRAIN" pretrain "${data[@]}" \
  --vocabulary "$VOCAB_DIR/activities.txt" --label-map "$VOCAB_DIR/label_map.tsv" \
  --val-split val --rate 50 --window 5 --stride 2.5 \
  --tower "$TOWER" --tower-params "$TOWER_PARAMS" \
  --batch 64 --epochs "$EPOCHS" --optimizer adam --lr 5e-4 --schedule cosine --warmup 200 --grad-clip 1.0 \
  --temperature 0.07 --learn-temperature --augment "$AUGMENT" --balance "$BALANCE" --seed "$SEED" \
  --cache-dir "$CACHE_DIR" --checkpoint-dir "$CHECKPOINTS" "${resume[@]}" \
  --metrics "$METRICS" --fp16 --out "$uncalibrated"
# Calibration on the VAL splits (never test): the temperature of the confidence and the
# threshold that keeps COVERAGE of the windows; the rest are logged as "unclear motion".
"$IMU2CLIP" model calibrate --model "$uncalibrated" "${data[@]}" --split val --coverage "$COVERAGE" \
  --cache "$CACHE_DIR" --out "$OUT"
rm -f "$uncalibrated"
