#!/usr/bin/env bash
# Demo stage 20: the benchmark. Regenerates the canonical architecture list (checked against
# its published sha256), converts the embedded miniature v1.1 meta file (real layout, made with
# upstream's API) into an HDF5 benchmark, checks its schema, and asks it the questions a NAS
# user asks: one architecture, the best one under a FLOP budget, a full table.
# Runs under Tools/demo.sh, which sets $NASDATA (the release binary) and $OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."
"$NASDATA" archs > "$OUT/archs.txt"
echo "b24e2a8b6802be1326de041d81d564998ca8aa923055352f3a95c30d59ce7048  $OUT/archs.txt" | sha256sum -c -
gunzip -c Tests/Fixtures/nasbench/meta-v1_1-mini.pth.gz > "$OUT/NAS-Bench-201-mini.pth"
"$NASDATA" convert-benchmark "$OUT/NAS-Bench-201-mini.pth" -o "$OUT/nb201-mini.h5"
"$NASDATA" check-schema "$OUT/nb201-mini.h5"
"$NASDATA" query "$OUT/nb201-mini.h5" --arch "$(sed -n 2p "$OUT/archs.txt")" --dataset cifar100
"$NASDATA" query "$OUT/nb201-mini.h5" --index 1 --dataset cifar10 --seed 777 --epoch 100 --json
"$NASDATA" best "$OUT/nb201-mini.h5" --dataset cifar10 --metric ori-test --max-flops 100
"$NASDATA" table "$OUT/nb201-mini.h5" --dataset ImageNet16-120 --hp 200 -o "$OUT/nb201-mini-ImageNet16-120.csv"
test "$(wc -l < "$OUT/nb201-mini-ImageNet16-120.csv")" -eq 15626
rm "$OUT/NAS-Bench-201-mini.pth"
