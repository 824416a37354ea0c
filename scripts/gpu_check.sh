#!/usr/bin/env bash
# GPU check of the trainer on a machine with a PyTorch 2.x install (pip/conda) and a CUDA GPU:
#   1. configure this repository with that libtorch and -DIMU2CLIP_TRAINER_ONLY=ON (needs only
#      libtorch, zlib headers and the header-only nlohmann_json + CLI11), build imu2clip-train;
#   2. train 1 epoch on a slice of ../shared/data/imu/hapt on CUDA (exports a bundle);
#   3. measure training throughput (windows/s) at batch 64 and 256, official layer sizes;
#   4. with more than one GPU: data-parallel training on all of them (--nproc N, NCCL, 64 windows
#      per GPU per step), windows/s per GPU and the scaling efficiency against one GPU at batch 64.
# Prints the GPU name and the windows/s numbers. Usage: scripts/gpu_check.sh
# Environment: PYTHON (default python3), BUILD_DIR (default build-gpu), DATA_ROOT (default
# ../shared/data/imu, else shared/data/imu), NLOHMANN_JSON_INCLUDE_DIR / CLI11_INCLUDE_DIR (when
# those headers are not installed system-wide; a folder holding nlohmann/json.hpp resp. CLI/CLI.hpp),
# OUT (folder for outputs, default $BUILD_DIR/gpu-check).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
PYTHON="${PYTHON:-python3}"
BUILD_DIR="${BUILD_DIR:-$repo/build-gpu}"
OUT_DIR="${OUT:-$BUILD_DIR/gpu-check}"
mkdir -p "$OUT_DIR"

torch_prefix="$("$PYTHON" -c 'import torch;print(torch.utils.cmake_prefix_path)')" || {
  echo "error: $PYTHON cannot import torch; install PyTorch 2.x or set PYTHON" >&2; exit 1; }
"$PYTHON" - <<'PY'
import torch
print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, cuda available: {torch.cuda.is_available()}")
if not torch.cuda.is_available():
    raise SystemExit("error: no CUDA device visible to PyTorch")
print("GPU:", torch.cuda.get_device_name(0))
PY

if [[ -n "${DATA_ROOT:-}" ]]; then data="$DATA_ROOT"
elif [[ -d "$repo/../shared/data/imu/hapt" ]]; then data="$repo/../shared/data/imu"
else data="$repo/shared/data/imu"; fi
[[ -f "$data/hapt/manifest.json" ]] || { echo "error: $data/hapt not found (set DATA_ROOT)" >&2; exit 1; }

# Header-only dependencies: system copies when present, else the given include folders.
extra=()
for dep in NLOHMANN_JSON:nlohmann/json.hpp CLI11:CLI/CLI.hpp; do
  var="${dep%%:*}_INCLUDE_DIR"; header="${dep#*:}"
  if [[ -n "${!var:-}" ]]; then extra+=("-D$var=${!var}")
  elif [[ -f "/usr/include/$header" ]]; then extra+=("-D$var=/usr/include")
  elif [[ -f "/usr/local/include/$header" ]]; then extra+=("-D$var=/usr/local/include")
  else echo "error: $header not found; set $var to a folder holding it" >&2; exit 1; fi
done
generator=(); command -v ninja >/dev/null && generator=(-G Ninja)

cmake -S "$repo" -B "$BUILD_DIR" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DIMU2CLIP_TRAINER_ONLY=ON \
  -DCMAKE_PREFIX_PATH="$torch_prefix" "${extra[@]}"
cmake --build "$BUILD_DIR" -j"$(nproc)" --target imu2clip-train
bin="$BUILD_DIR/services/cli/imu2clip-train"

echo "== 1 epoch on a hapt slice (CUDA)"
"$bin" pretrain --device cuda --data "$data/hapt" --max-windows 2048 --epochs 1 --batch 64 \
  --cache-dir "$OUT_DIR/cache" --metrics "$OUT_DIR/epoch.jsonl" --out "$OUT_DIR/hapt-1epoch.safetensors"

echo "== throughput (official layer sizes + projection to the tower, 5 s at 50 Hz, no validation)"
# Three epochs over hapt's train split; the last one is measured (CUDA/cuDNN warm-up excluded).
for batch in 64 256; do
  line="$("$bin" pretrain --device cuda --data "$data/hapt" --val-split none --epochs 3 --batch "$batch" \
    --cache-dir "$OUT_DIR/cache" --out "$OUT_DIR/throughput.safetensors" 2>&1 | grep 'epoch 3:')"
  echo "batch $batch: $(grep -o '[0-9]* win/s' <<<"$line")   ($line)"
done
declare -A single=()
for batch in 64; do
  line="$("$bin" pretrain --device cuda --data "$data/hapt" --val-split none --epochs 3 --batch "$batch" \
    --cache-dir "$OUT_DIR/cache" --out "$OUT_DIR/throughput.safetensors" 2>&1 | grep 'epoch 3:')"
  single[$batch]="$(grep -o '[0-9]* win/s' <<<"$line" | grep -o '[0-9]*')"
done
gpus="$("$PYTHON" -c 'import torch;print(torch.cuda.device_count())')"
if (( gpus > 1 )); then
  echo "== data-parallel on $gpus GPUs (NCCL, global negatives, 64 windows per GPU per step)"
  line="$("$bin" pretrain --nproc "$gpus" --device cuda --data "$data/hapt" --val-split none --epochs 3 \
    --batch $((64 * gpus)) --cache-dir "$OUT_DIR/cache" --out "$OUT_DIR/ddp.safetensors" 2>&1 | grep 'epoch 3:')"
  total="$(grep -o '[0-9]* win/s' <<<"$line" | grep -o '[0-9]*')"
  "$PYTHON" - "$gpus" "$total" "${single[64]}" <<'PY'
import sys
n, total, one = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"{n} GPUs: {total:.0f} win/s in all, {total / n:.0f} per GPU; one GPU at batch 64: {one:.0f}; "
      f"scaling efficiency {total / (n * one):.0%} (target >= 85%)")
PY
else
  echo "== one GPU visible: the data-parallel run needs two or more (skipped)"
fi
"$PYTHON" -c 'import torch;print("GPU:", torch.cuda.get_device_name(0))'
