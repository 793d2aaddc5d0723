#!/usr/bin/env bash
# Demo stage 25: NATS-Bench. Inspects the authors' own sample files (bz2-compressed protocol-4
# pickles) and a full-archive-style file with pickled tensors, shows the bz2-bomb guard, lists
# the size space (checked against the sha256 of the authors' 32,768-entry list), converts both
# spaces from the forms they are published in (-simple folder, -simple.tar, single file) and
# queries them. Runs under Tools/demo.sh, which sets $NASDATA (the release binary) and $OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=Tests/Fixtures/nats
"$NASDATA" inspect "$N/NATS-sss-v1_0-50262-simple/000011.pickle.pbz2" --depth 2 --items 3
"$NASDATA" inspect "$N/generated/NATS-tss-v1_0-3ffb9-full/000000.pickle.pbz2" --json > "$OUT/nats-full-000000.json"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(len(d['tensors']), 'tensors with sha256')" "$OUT/nats-full-000000.json"
if "$NASDATA" inspect "$N/generated/hostile/bomb-pickle.pbz2" --max-bytes 1000000 2> "$OUT/bomb.txt"; then exit 1; fi
cat "$OUT/bomb.txt"
"$NASDATA" archs --space sss > "$OUT/sss-archs.txt"
echo "5f44ac682201a4932904284a4b8e05a2e6f884481c009e1aa655ae7bd378b1df  $OUT/sss-archs.txt" | sha256sum -c -
"$NASDATA" convert-benchmark "$N/NATS-tss-v1_0-3ffb9-simple" -o "$OUT/nats-tss.h5"
"$NASDATA" convert-benchmark "$N/generated/NATS-sss-v1_0-50262-simple.tar" -o "$OUT/nats-sss.h5"
"$NASDATA" convert-benchmark "$N/generated/NATS-sss-v1_0-50262.pickle.pbz2" -o "$OUT/nats-sss-single.h5"
"$NASDATA" check-schema "$OUT/nats-sss.h5"
"$NASDATA" query "$OUT/nats-tss.h5" --index 11 --hp 12 --dataset cifar10-valid --seed 111
"$NASDATA" query "$OUT/nats-sss.h5" --arch 8:8:8:16:32 --dataset cifar100
"$NASDATA" best "$OUT/nats-sss-single.h5" --dataset ImageNet16-120 --metric x-test --hp 01
"$NASDATA" table "$OUT/nats-sss.h5" --dataset cifar10 -o "$OUT/nats-sss-cifar10.csv"
test "$(wc -l < "$OUT/nats-sss-cifar10.csv")" -eq 32769
