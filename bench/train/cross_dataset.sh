#!/usr/bin/env bash
# Cross-dataset zero-shot (the UniMTS setting): for every dataset D of ../shared/data/imu, train
# on the train splits of the OTHER datasets, then classify D's test split zero-shot with D's own
# label phrases. Run once per text tower; this is how the default tower is chosen.
#
#   bash bench/train/cross_dataset.sh [TOWER...]        (default: lexical-v1 wordnet-v1)
#
# Environment: EPOCHS (default 4), DATASETS (the pool, default "hapt wisdm classyglass spsw"),
#   HELD_OUT (datasets to hold out in turn, default: all of DATASETS),
#   OUT_DIR (default build-bench/cross_dataset), IMU2CLIP (the full CLI, default build/services/cli/imu2clip),
#   IMU2CLIP_TRAIN (default: the CLI's `pretrain`). Writes OUT_DIR/<tower>/<held-out>.{safetensors,json}
#   and prints one line per run plus a summary table.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
TOWERS=("$@"); [[ ${#TOWERS[@]} -gt 0 ]] || TOWERS=(lexical-v1 wordnet-v1)
EPOCHS=${EPOCHS:-4}
DATASETS=(${DATASETS:-hapt wisdm classyglass spsw})
HELD_OUT=(${HELD_OUT:-${DATASETS[*]}})
DATA_ROOT=${DATA_ROOT:-$repo/../shared/data/imu}
OUT_DIR=${OUT_DIR:-$repo/build-bench/cross_dataset}
IMU2CLIP=${IMU2CLIP:-$repo/build/services/cli/imu2clip}
TRAIN=${IMU2CLIP_TRAIN:-$IMU2CLIP}
CACHE_DIR=${CACHE_DIR:-$HOME/.cache/imu2clip/windows}
[[ -x "$IMU2CLIP" ]] || { echo "error: $IMU2CLIP not built (bash scripts/build.sh)" >&2; exit 1; }

for tower in "${TOWERS[@]}"; do
  mkdir -p "$OUT_DIR/$tower"
  for held in "${HELD_OUT[@]}"; do
    data=()
    for ds in "${DATASETS[@]}"; do [[ $ds == "$held" ]] || data+=(--data "$DATA_ROOT/$ds"); done
    model="$OUT_DIR/$tower/without-$held.safetensors"
    if [[ ! -f $model ]]; then
      # Same recipe as scripts/train_default.sh, fewer epochs.
      "$TRAIN" pretrain "${data[@]}" --val-split val --rate 50 --window 5 --stride 2.5 \
        --tower "$tower" --batch 64 --epochs "$EPOCHS" --optimizer adam --lr 5e-4 --schedule cosine \
        --warmup 200 --grad-clip 1.0 --temperature 0.07 --learn-temperature --augment scale,jitter,shift \
        --seed 1 --cache-dir "$CACHE_DIR" --checkpoint-dir "$OUT_DIR/$tower/ckpt-$held" \
        --metrics "$OUT_DIR/$tower/without-$held.metrics.jsonl" --fp16 --out "$model"
    fi
    "$IMU2CLIP" eval classify --model "$model" --data "$DATA_ROOT/$held" --split test --mode zeroshot \
      --json > "$OUT_DIR/$tower/$held.json"
    python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(f'{sys.argv[2]:12s} held-out {sys.argv[3]:12s} n={r[\"n\"]:5d} acc={r[\"accuracy\"]:.3f} macro_f1={r[\"macro_f1\"]:.3f}')" \
      "$OUT_DIR/$tower/$held.json" "$tower" "$held"
    # Label subsets kept in models/eval/<dataset>_*.txt (e.g. HAPT's 6 basic activities).
    for labels in models/eval/"$held"_*.txt; do
      [[ -f $labels ]] || continue
      name=$(basename "$labels" .txt)
      "$IMU2CLIP" eval classify --model "$model" --data "$DATA_ROOT/$held" --split test --mode zeroshot \
        --labels "$labels" --json > "$OUT_DIR/$tower/$name.json"
      python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(f'{sys.argv[2]:12s} held-out {sys.argv[3]:12s} n={r[\"n\"]:5d} acc={r[\"accuracy\"]:.3f} macro_f1={r[\"macro_f1\"]:.3f}')" \
        "$OUT_DIR/$tower/$name.json" "$tower" "$name"
    done
  done
done
