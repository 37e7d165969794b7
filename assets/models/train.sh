#!/usr/bin/env bash
# Re-train the bundled shapes checkpoints of the mini family (vggviz/lab/bundled.py): each of A, B,
# D, E with batch norm on the lab's recipe over 20,000 training images for 4 epochs at a peak
# learning rate of 0.05, seed 0, then
# its batch norms folded into the convs for the plain configuration (the same function). Writes
# <v>_bn_mini.pth and <v>_mini.pth with a JSON log beside each. Runs the variants in parallel,
# one torch thread each (bit-identical on a CPU with the same threads).
#   usage: bash assets/models/train.sh [variant ...]      (default: all four)
set -euo pipefail
cd "$(dirname "$0")/../.."
py=${PYTHON:-.venv/bin/python}
pids=()
for name in ${@:-vgg11_mini vgg13_mini vgg16_mini vgg19_mini}; do
  OMP_NUM_THREADS=1 "$py" -m vggviz.lab.bundled "$name" --out assets/models --threads 1 &
  pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
