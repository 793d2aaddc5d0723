#!/usr/bin/env bash
# Demo stage 80: the papers' query-based NAS comparison. Converts the search fixture (all 15,625 cells,
# NB201 v1.1 layout, made with upstream's classes), runs random search, REA, REINFORCE and BOHB 100 times
# each on cifar10 under upstream's 20000 s budget, prints the papers' table and draws the figure.
# Runs under Tools/demo.sh, which sets $NASDATA (the release binary) and $OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."
gunzip -c Tests/Fixtures/search/search-bench.pth.gz > "$OUT/search-bench.pth"
"$NASDATA" convert-benchmark "$OUT/search-bench.pth" -o "$OUT/search-bench.h5"
rm "$OUT/search-bench.pth"
for algorithm in random rea reinforce bohb; do
  "$NASDATA" search "$OUT/search-bench.h5" --algorithm "$algorithm" --dataset cifar10 --runs 100 --seed 1 \
    -o "$OUT/search-$algorithm.h5" --summary
  "$NASDATA" check-schema "$OUT/search-$algorithm.h5"
done
"$NASDATA" plot "$OUT"/search-{random,rea,reinforce,bohb}.h5 -o "$OUT/search-cifar10" --summary
# Bad input: one line, non-zero exit, nothing written.
if "$NASDATA" search "$OUT/search-bench.h5" --algorithm rea --dataset cifar10 --time-budget 5 -o "$OUT/never.h5"; then
  exit 1
fi
test ! -e "$OUT/never.h5"
