#!/usr/bin/env bash
# Re-train the bundled shapes checkpoints of the mini family on today's shapes world (12 classes;
# filled, textured, outlined and sketched shapes; vggviz/data/shapes.py) with vggviz.lab.bundled: a
# budget of steps on a stream of fresh images (never one image twice), SGD momentum 0.9, weight
# decay 5e-4, learning rate warmed up over 5 % of the steps then decayed to zero on a half cosine,
# random flips, seed 0; the final weights are kept and scored on shapes.heldout() (5,000 images).
# Each run starts from the checkpoint of the same variant trained on the first, eight-class world
# (commit 24774cd, recipe in that commit's train.sh): every conv and FC layer copied, fc8's rows for
# the eight old classes kept, the four new rows new. Each run's log is kept beside its checkpoint
# as JSON. On a CUDA GPU (auto-detected) with 3 image-drawing processes per run, the four run in
# parallel in a few minutes; on 2 shared CPU cores it takes hours (the images are drawn on the CPU:
# 3000 steps × 128 images, ~0.17 s of CPU per step to draw, plus the network's steps).
# Measured on 2 CPU cores (batch 32): at lr 0.01 A, B and E collapsed to chance within 250 steps
# (D reached 56 % at 400 steps), and A at lr 0.003 too (100 steps): watch each log's curve.
#   usage: bash assets/models/train.sh [variant ...]      (default: all four, in parallel)
set -euo pipefail
cd "$(dirname "$0")/../.."
py=${PYTHON:-.venv/bin/python}
FIRST_WORLD=24774cd
STEPS=${STEPS:-3000} BATCH=${BATCH:-128} LR=${LR:-0.003} WORKERS=${WORKERS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pids=()
for name in ${@:-vgg11_mini vgg13_mini vgg16_mini vgg19_mini}; do
  # the first world's checkpoint: from git, or the file in place while it still is that one
  if ! git show "$FIRST_WORLD:assets/models/$name.pth" > "$tmp/$name.pth" 2>/dev/null; then
    "$py" -c "import sys, torch; ck = torch.load(sys.argv[1], weights_only=True); sys.exit(len(ck['classes']) != 8)" \
      "assets/models/$name.pth" || { echo "train.sh: need the eight-class $name.pth of commit $FIRST_WORLD" >&2; exit 2; }
    cp "assets/models/$name.pth" "$tmp/$name.pth"
  fi
done
for name in ${@:-vgg11_mini vgg13_mini vgg16_mini vgg19_mini}; do
  OMP_NUM_THREADS=1 "$py" -m vggviz.lab.bundled "$name" --steps "$STEPS" --batch "$BATCH" --lr "$LR" \
    --workers "$WORKERS" --eval-every 500 --init "$tmp/$name.pth" --out "assets/models/$name.pth" \
    > /dev/null 2> "$tmp/$name.log" &
  pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
tail -n 3 "$tmp"/*.log
exit $status
