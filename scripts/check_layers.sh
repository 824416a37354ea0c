#!/usr/bin/env bash
# The layer rule of docs/ARCHITECTURE.md, checked on every #include of the product's sources:
#   1. a folder includes only its own folder, a lower layer, or a folder of its own layer that
#      the allow-list below names (the edges the design has; a new one is a design decision
#      made here, in review, not by accident);
#   2. torch (<torch/...>, <ATen/...>, <c10/...>, and any header that includes them) is
#      included only from tagger/model, tagger/train and tagger/eval.
# Usage: scripts/check_layers.sh [repo root]. Exits 1 and lists every violation (file:line).
# Plain bash + grep + awk, so CI runs it before anything is installed.
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"

# Layers, lowest first. A folder's layer is its first path component, except that tagger/ and
# services/ are one layer of several folders each.
layer_of() {
  case "$1" in
    common) echo 0 ;;
    storage|llm|prompts|web) echo 1 ;;
    tagger/*) echo 2 ;;
    assistant) echo 3 ;;
    services/*) echo 4 ;;
    *) echo -1 ;;
  esac
}

# Edges inside one layer, "from -> to". Within the tagger the data flow is
# io -> signal -> text -> zeroshot -> model -> batch -> live, and dataset -> train / eval;
# audio (decoding, log-mel, quiet gate) feeds batch, live, dataset, train and eval.
ALLOWED_SAME_LAYER="
tagger/signal -> tagger/io
tagger/zeroshot -> tagger/text
tagger/model -> tagger/audio
tagger/model -> tagger/text
tagger/model -> tagger/zeroshot
tagger/batch -> tagger/io
tagger/batch -> tagger/signal
tagger/batch -> tagger/zeroshot
tagger/batch -> tagger/model
tagger/batch -> tagger/audio
tagger/live -> tagger/io
tagger/live -> tagger/signal
tagger/live -> tagger/zeroshot
tagger/live -> tagger/model
tagger/live -> tagger/batch
tagger/live -> tagger/audio
tagger/dataset -> tagger/io
tagger/dataset -> tagger/signal
tagger/dataset -> tagger/text
tagger/dataset -> tagger/model
tagger/dataset -> tagger/audio
tagger/train -> tagger/text
tagger/train -> tagger/eval
tagger/train -> tagger/model
tagger/train -> tagger/dataset
tagger/train -> tagger/audio
tagger/eval -> tagger/text
tagger/eval -> tagger/zeroshot
tagger/eval -> tagger/model
tagger/eval -> tagger/dataset
tagger/eval -> tagger/audio
tagger/search -> tagger/text
tagger/search -> tagger/model
services/cli -> services/server
"

TORCH_FOLDERS="tagger/model tagger/train tagger/eval"

folder_of() {  # path (file or include) -> its folder unit
  awk -F/ '{ if (($1 == "tagger" || $1 == "services") && NF > 2) print $1 "/" $2; else print $1 }' <<<"$1"
}

# Tracked and new (not ignored) files that exist, so the check also runs before a commit.
mapfile -t sources < <(git ls-files --cached --others --exclude-standard -- \
  common storage llm prompts web tagger assistant services | grep -E '\.(h|hpp|cpp|cc)$' \
  | sort -u | while read -r f; do [[ -f "$f" ]] && echo "$f"; done)

# Headers that pull in torch, directly or through another such header.
declare -A torch_header=()
for f in "${sources[@]}"; do
  if grep -qE '^\s*#\s*include\s*<(torch|ATen|c10)/' "$f"; then torch_header["$f"]=1; fi
done
changed=1
while ((changed)); do
  changed=0
  for f in "${sources[@]}"; do
    [[ -n "${torch_header[$f]:-}" ]] && continue
    while read -r inc; do
      if [[ -n "${torch_header[$inc]:-}" ]]; then torch_header["$f"]=1; changed=1; break; fi
    done < <(grep -oE '^\s*#\s*include\s*"[^"]+"' "$f" | sed -E 's/.*"([^"]+)"/\1/')
  done
done

violations=0
report() { echo "layer check: $1"; violations=$((violations + 1)); }

for f in "${sources[@]}"; do
  from=$(folder_of "$f")
  from_layer=$(layer_of "$from")
  while IFS=: read -r line inc; do
    inc=$(sed -E 's/.*"([^"]+)".*/\1/' <<<"$inc")
    [[ "$inc" == */* ]] || continue  # a sibling file or a generated header of the same folder
    to=$(folder_of "$inc")
    to_layer=$(layer_of "$to")
    if [[ -n "${torch_header[$inc]:-}" ]] && [[ " $TORCH_FOLDERS " != *" $from "* ]]; then
      report "$f:$line: includes $inc, which pulls in torch; only $TORCH_FOLDERS may"
    fi
    [[ "$to" == "$from" ]] && continue
    if ((to_layer < 0)); then
      report "$f:$line: includes $inc from '$to', which is not a product folder"
    elif ((to_layer > from_layer)); then
      report "$f:$line: $from (layer $from_layer) includes $inc from the higher layer $to ($to_layer)"
    elif ((to_layer == from_layer)) && ! grep -qxF "$from -> $to" <<<"$ALLOWED_SAME_LAYER"; then
      report "$f:$line: $from includes $inc from $to, a folder of its own layer that the allow-list in scripts/check_layers.sh does not name"
    fi
  done < <(grep -nE '^\s*#\s*include\s*"[^"]+"' "$f" || true)
  if grep -qE '^\s*#\s*include\s*<(torch|ATen|c10)/' "$f" && [[ " $TORCH_FOLDERS " != *" $from "* ]]; then
    report "$f: includes torch directly; only $TORCH_FOLDERS may"
  fi
done

if ((violations)); then
  echo "layer check: $violations violation(s); the rule is in docs/ARCHITECTURE.md" >&2
  exit 1
fi
echo "layer check: ${#sources[@]} files, no include breaks the layers"
