#!/usr/bin/env bash
# Re-train the bundled shapes checkpoints of the mini family on today's shapes world (12 classes;
# filled, textured, outlined and sketched shapes; vggviz/data/shapes.py) with vggviz.lab.bundled: a
# budget of steps on a stream of fresh images (never one image twice), SGD momentum 0.9, weight
# decay 5e-4, learning rate warmed up over 5 % of the steps then decayed to zero on a half cosine,
# random flips, seed 0; the final weights are kept and scored on shapes.heldout() (5,000 images).
# Each run starts from the checkpoint of the same variant trained on the first, eight-class world
# (commit 24774cd, recipe in that commit's train.sh): every conv and FC layer copied, fc8's rows for
# the eight old classes kept, the four new rows new. Seeded: the same run on every machine (up to the
# floating-point order of the CPU's kernels). Each run's log is kept beside its checkpoint as JSON.
#   usage: bash assets/models/train.sh [variant ...]      (default: all four; they run in parallel)
set -euo pipefail
cd "$(dirname "$0")/../.."
py=${PYTHON:-.venv/bin/python}
FIRST_WORLD=24774cd
declare -A STEPS=([vgg11_mini]=600 [vgg13_mini]=500 [vgg16_mini]=400 [vgg19_mini]=400)
tmp=$(mktemp -d)
pids=()
trap 'rm -rf "$tmp"' EXIT
for name in ${@:-vgg11_mini vgg13_mini vgg16_mini vgg19_mini}; do
  git show "$FIRST_WORLD:assets/models/$name.pth" > "$tmp/$name.pth"
  OMP_NUM_THREADS=1 "$py" -m vggviz.lab.bundled "$name" --steps "${STEPS[$name]}" --batch 32 --lr 0.01 \
    --init "$tmp/$name.pth" --out "assets/models/$name.pth" > /dev/null &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
