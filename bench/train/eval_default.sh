#!/usr/bin/env bash
# Measures a model bundle the way models/MODEL_CARD.md reports it, on the TEST splits of
# ../shared/data/imu/* (subjects never seen in training):
#   retrieval (paper Table 2 analogue), zero-shot + linear probe per dataset, HAPT's 6 basic
#   activities, fine-tuning vs a randomly initialised encoder (paper Table 3 analogue).
#   bash bench/train/eval_default.sh [BUNDLE]        (default models/default.safetensors)
# Environment: OUT_DIR (default build-bench/eval_default), FINETUNE_DATASETS (default "hapt"),
#   FINETUNE_EPOCHS (default 5), IMU2CLIP (default build/services/cli/imu2clip).
# Writes one JSON per run into OUT_DIR and prints a summary line per run.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
MODEL=${1:-$repo/models/default.safetensors}
OUT_DIR=${OUT_DIR:-$repo/build-bench/eval_default}
IMU2CLIP=${IMU2CLIP:-$repo/build/services/cli/imu2clip}
DATA_ROOT=${DATA_ROOT:-$repo/../shared/data/imu}
FINETUNE_DATASETS=(${FINETUNE_DATASETS:-hapt})
FINETUNE_EPOCHS=${FINETUNE_EPOCHS:-5}
CACHE=${CACHE_DIR:-$HOME/.cache/imu2clip/eval}
mkdir -p "$OUT_DIR"

summary() {  # file name
  python3 - "$1" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
if 'accuracy' in r:
    print(f"{sys.argv[2]:40s} n={r['n']:6d} accuracy={r['accuracy']:.3f} macro_f1={r['macro_f1']:.3f}")
else:
    def pick(d):
        return ' '.join(f"{k}={v:.3f}" for k, v in d.items() if isinstance(v, (int, float)) and k != 'n')
    print(f"{sys.argv[2]:40s} " + json.dumps(r)[:300])
PY
}

run() {  # name, args...
  local name=$1; shift
  "$IMU2CLIP" eval "$@" --model "$MODEL" --cache "$CACHE" --json > "$OUT_DIR/$name.json"
  summary "$OUT_DIR/$name.json" "$name"
}

for ds in hapt wisdm classyglass spsw; do
  run "$ds.retrieval" retrieval --data "$DATA_ROOT/$ds" --split test
  run "$ds.zeroshot" classify --data "$DATA_ROOT/$ds" --split test --mode zeroshot
  run "$ds.probe" classify --data "$DATA_ROOT/$ds" --split test --mode probe
done
run hapt6.zeroshot classify --data "$DATA_ROOT/hapt" --split test --mode zeroshot --labels models/eval/hapt_6_activities.txt
run hapt6.probe classify --data "$DATA_ROOT/hapt" --split test --mode probe --labels models/eval/hapt_6_activities.txt
for ds in "${FINETUNE_DATASETS[@]}"; do
  run "$ds.finetune" classify --data "$DATA_ROOT/$ds" --split test --mode finetune --epochs "$FINETUNE_EPOCHS"
  run "$ds.vanilla" classify --data "$DATA_ROOT/$ds" --split test --mode finetune --vanilla --epochs "$FINETUNE_EPOCHS"
done
