#!/usr/bin/env bash
# Regenerate the shapes lab's reference results, assets/experiments/{depth,kernel,init,c_lrn}.json:
# every arm of every experiment over SEEDS paired seeds (0 … SEEDS − 1) at the lab's full budget
# (vggviz.lab.experiments.BUDGET), on the CPU, WORKERS processes of one torch thread each (an
# arm-seed shared by two experiments is trained once). Every arm-seed's result is kept in CACHE,
# so an interrupted run resumes where it stopped; delete CACHE to start afresh.
#
#   bash assets/experiments/make.sh                      # SEEDS=5 WORKERS=2
#   SEEDS=8 WORKERS=16 bash assets/experiments/make.sh   # a bigger machine
#
# The results are bit-identical on one machine (same torch, same CPU kernels, one thread per
# run): each arm's "reproduce" command retrains one of its seeds and prints the same
# final_accuracy. Another CPU model may differ in the last bits of its floating-point sums.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python}
SEEDS=${SEEDS:-5}
WORKERS=${WORKERS:-2}
CACHE=${CACHE:-.cache/experiments}
start=$(date +%s)
nice -n 5 "$PYTHON" -m vggviz experiment all --seeds "$SEEDS" --workers "$WORKERS" --threads 1 --device cpu \
    --cache "$CACHE" --out assets/experiments
echo "assets/experiments: $SEEDS seeds per arm in $(( $(date +%s) - start )) s" >&2
