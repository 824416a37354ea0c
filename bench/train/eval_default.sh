#!/usr/bin/env bash
# Measures a model bundle the way models/MODEL_CARD.md reports it, on the TEST splits of
# ../shared/data/imu/* (subjects never seen in training; SPLIT=val while choosing a recipe):
#   product mode per dataset (what the tagger logs: vocabulary, label map, smoothing, "unclear
#   motion"), HAPT's 5 basic activities in product mode; with PAPER=1 also retrieval (paper
#   Table 2 analogue), zero-shot + linear probe with each dataset's own phrases, fine-tuning vs
#   a randomly initialised encoder (paper Table 3 analogue).
#   bash bench/train/eval_default.sh [BUNDLE]        (default models/default.safetensors)
# Environment: SPLIT (default test), DATASETS (default the seven training datasets), PAPER (0),
#   OUT_DIR (default build-bench/eval_default), FINETUNE_DATASETS (default "hapt"),
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
if 'accuracy' in r and 'coverage' in r.get('details', {}):
    d = r['details']
    print(f"{sys.argv[2]:32s} n={r['n']:6d} classes={r['classes_in_truth']:2d} accuracy={r['accuracy']:.3f} "
          f"macro_f1={r['macro_f1']:.3f} coverage={d['coverage']:.2f} covered_accuracy={d['covered_accuracy']:.3f} "
          f"all: accuracy={d['all_windows']['accuracy']:.3f} macro_f1={d['all_windows']['macro_f1']:.3f} "
          f"acc@80%={d['accuracy_at_80_percent_coverage']:.3f}")
elif 'accuracy' in r:
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

SPLIT=${SPLIT:-test}
DATASETS=(${DATASETS:-hapt wisdm classyglass spsw motionsense dsads_torso dsads_leg})
for ds in "${DATASETS[@]}"; do
  run "$ds.product.$SPLIT" classify --data "$DATA_ROOT/$ds" --split "$SPLIT" --mode product
done
[[ "${PAPER:-0}" == 1 ]] || exit 0
for ds in "${DATASETS[@]}"; do
  run "$ds.retrieval" retrieval --data "$DATA_ROOT/$ds" --split "$SPLIT"
  run "$ds.zeroshot" classify --data "$DATA_ROOT/$ds" --split "$SPLIT" --mode zeroshot
  run "$ds.probe" classify --data "$DATA_ROOT/$ds" --split "$SPLIT" --mode probe
done
run hapt6.zeroshot classify --data "$DATA_ROOT/hapt" --split "$SPLIT" --mode zeroshot --labels models/eval/hapt_6_activities.txt
run hapt6.probe classify --data "$DATA_ROOT/hapt" --split "$SPLIT" --mode probe --labels models/eval/hapt_6_activities.txt
for ds in "${FINETUNE_DATASETS[@]}"; do
  run "$ds.finetune" classify --data "$DATA_ROOT/$ds" --split "$SPLIT" --mode finetune --epochs "$FINETUNE_EPOCHS"
  run "$ds.vanilla" classify --data "$DATA_ROOT/$ds" --split "$SPLIT" --mode finetune --vanilla --epochs "$FINETUNE_EPOCHS"
done
