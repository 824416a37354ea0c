#!/usr/bin/env bash
# Trains the shipped audio model in one command: contrastive pretraining of the audio encoder
# (log-mel CNN, tagger/model/audio_encoder.h) against the SAME text tower as the default IMU
# model (so motion and sound live in one space), on the train split of ../shared/data/audio.
# Kitchen20 fold 3 (cut out of the training clips) plus the val split choose the epoch; the
# test split is read once, afterwards, by `imu2clip eval classify --modality audio`.
# Writes models/audio_default.safetensors with per-epoch metrics next to it.
#
#   bash scripts/train_audio.sh
#
# Environment (all optional; the defaults are the shipped recipe, models/MODEL_CARD.md#audio-model):
#   EPOCHS (40)  BATCH (64)  LR (1e-3)  WEIGHT_DECAY (0.01)  AUGMENT (gain,shift,mix,mask)  SEED (1)
#   VAL_FOLD (3)    Kitchen20 fold that validates instead of training
#   DATA            clip folder (default ../shared/data/audio)
#   OUT             bundle path (default models/audio_default.safetensors)
#   IMU2CLIP        the CLI (default build/services/cli/imu2clip; built when missing)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

EPOCHS="${EPOCHS:-40}"
BATCH="${BATCH:-64}"
LR="${LR:-1e-3}"
WEIGHT_DECAY="${WEIGHT_DECAY:-0.01}"
AUGMENT="${AUGMENT:-gain,shift,mix,mask}"
SEED="${SEED:-1}"
VAL_FOLD="${VAL_FOLD:-3}"
DATA="${DATA:-$repo/../shared/data/audio}"
OUT="${OUT:-$repo/models/audio_default.safetensors}"
METRICS="${OUT%.safetensors}.metrics.jsonl"
IMU2CLIP="${IMU2CLIP:-$repo/build/services/cli/imu2clip}"

[ -d "$DATA/clips" ] || { echo "train_audio: no clip folder at $DATA (see ../shared/data/README.md)" >&2; exit 1; }
[ -x "$IMU2CLIP" ] || bash scripts/build.sh

# The text tower of the default IMU model, so audio and motion labels share one space.
TOWER_JSON="$("$IMU2CLIP" model info "$repo/models/default.safetensors" |
  python3 -c 'import json,sys; t=json.load(sys.stdin)["text_tower"]; print(t["id"]); print(json.dumps(t["params"]))')"
TOWER="$(sed -n 1p <<<"$TOWER_JSON")"
TOWER_PARAMS="$(sed -n 2p <<<"$TOWER_JSON")"

"$IMU2CLIP" pretrain --modality audio --data "$DATA" --out "$OUT" --tower "$TOWER" --tower-params "$TOWER_PARAMS" \
  --epochs "$EPOCHS" --batch "$BATCH" --lr "$LR" --weight-decay "$WEIGHT_DECAY" --warmup 50 --learn-temperature \
  --augment "$AUGMENT" --val-fold "$VAL_FOLD" --seed "$SEED" --metrics "$METRICS"
echo "train_audio: wrote $OUT; evaluate once with:"
echo "  $IMU2CLIP eval classify --modality audio --model $OUT --data $DATA --split test --json"
