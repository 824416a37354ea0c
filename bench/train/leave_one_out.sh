#!/usr/bin/env bash
# Leave-one-dataset-out in product mode: for every held-out dataset D, train the default recipe
# (scripts/train_default.sh, calibration included) on the OTHER datasets' train splits, then
# score what the tagger would log on D (the everyday vocabulary, the label map, smoothing and
# "unclear motion": `imu2clip eval classify --mode product`). D's placement and people were
# never seen in training.
#
#   bash bench/train/leave_one_out.sh [HELD_OUT...]    (default: every dataset of DATASETS)
#
# Environment: SPLIT (the held-out dataset's split to score; default val: choosing a recipe
#   reads val only; run once with SPLIT=test for the model card), EPOCHS (default 6), DATASETS
#   (the pool, default the seven of train_default.sh), OUT_DIR (default build-bench/leave_one_out),
#   plus anything train_default.sh reads (AUGMENT, BALANCE, TOWER, ...).
# Writes OUT_DIR/without-<D>.safetensors and OUT_DIR/<D>.<SPLIT>.json; prints one line per run.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
SPLIT=${SPLIT:-val}
export EPOCHS=${EPOCHS:-6}
DATASETS=(${DATASETS:-hapt wisdm classyglass spsw motionsense dsads_torso dsads_leg})
HELD_OUT=("$@"); [[ ${#HELD_OUT[@]} -gt 0 ]] || HELD_OUT=("${DATASETS[@]}")
DATA_ROOT=${DATA_ROOT:-$repo/../shared/data/imu}
OUT_DIR=${OUT_DIR:-$repo/build-bench/leave_one_out}
IMU2CLIP=${IMU2CLIP:-$repo/build/services/cli/imu2clip}
CACHE_DIR=${CACHE_DIR:-$HOME/.cache/imu2clip/windows}
export IMU2CLIP CACHE_DIR DATA_ROOT
[[ -x "$IMU2CLIP" ]] || { echo "error: $IMU2CLIP not built (bash scripts/build.sh)" >&2; exit 1; }
mkdir -p "$OUT_DIR"

for held in "${HELD_OUT[@]}"; do
  pool=()
  for ds in "${DATASETS[@]}"; do
    # The two DSADS placements are the same people and sessions: holding out one holds out both.
    case "$held:$ds" in "$ds:$ds" | dsads_torso:dsads_leg | dsads_leg:dsads_torso) continue ;; esac
    pool+=("$ds")
  done
  model="$OUT_DIR/without-$held.safetensors"
  if [[ ! -f $model ]]; then
    DATASETS="${pool[*]}" OUT="$model" CHECKPOINTS="$OUT_DIR/ckpt-$held" bash scripts/train_default.sh \
      > "$OUT_DIR/without-$held.train.log" 2>&1
  fi
  "$IMU2CLIP" eval classify --model "$model" --data "$DATA_ROOT/$held" --split "$SPLIT" --mode product \
    --cache "$CACHE_DIR" --json > "$OUT_DIR/$held.$SPLIT.json" 2>/dev/null
  python3 - "$OUT_DIR/$held.$SPLIT.json" "$held" "${pool[*]}" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); d = r["details"]
print(f"held out {sys.argv[2]:12s} ({r['classes_in_truth']} classes, n={r['n']}): macro-F1 {r['macro_f1']:.3f} "
      f"accuracy {r['accuracy']:.3f} | coverage {d['coverage']:.2f}, accuracy covered {d['covered_accuracy']:.3f} | "
      f"every window labelled: accuracy {d['all_windows']['accuracy']:.3f} macro-F1 {d['all_windows']['macro_f1']:.3f} "
      f"| trained on {sys.argv[3]}")
PY
done
