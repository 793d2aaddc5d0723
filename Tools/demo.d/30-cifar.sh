#!/usr/bin/env bash
# Stage 30 (build-cifar, preview): the NB201 CIFAR data sets from synthetic archives in
# the original layout (Tests/Fixtures/cifar: python pickles and binary records, small),
# schema check, a contact sheet, and the same build from the binary archives giving the
# same content digests. With the real archives: --cifar10 cifar-10-python.tar.gz etc.,
# and without --allow-unverified (their MD5s are checked).
set -euo pipefail
F=Tests/Fixtures/cifar
"$NASDATA" build-cifar --cifar10 "$F/cifar-10-python.tar.gz" --cifar100 "$F/cifar-100-python.tar.gz" \
  --splits "$F/splits" --allow-unverified -o "$OUT/cifar.h5"
"$NASDATA" check-schema "$OUT/cifar.h5"
"$NASDATA" preview "$OUT/cifar.h5" --set cifar10-valid/x-valid --count 36 -o "$OUT/cifar10-valid-x-valid.png"
"$NASDATA" build-cifar --cifar10 "$F/cifar-10-binary.tar.gz" --cifar100 "$F/cifar-100-binary.tar.gz" \
  --splits "$F/splits" --allow-unverified -o "$OUT/cifar-from-binary.h5" --json > "$OUT/cifar-from-binary.json"
"$NASDATA" build-cifar --cifar10 "$F/cifar-10-python.tar.gz" --cifar100 "$F/cifar-100-python.tar.gz" \
  --splits "$F/splits" --allow-unverified -o "$OUT/cifar-check.h5" --json > "$OUT/cifar.json"
python3 - "$OUT/cifar.json" "$OUT/cifar-from-binary.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
digests = lambda r: {s["set"]: s["digest"] for s in r["sets"]}
assert digests(a) == digests(b), "python and binary archives gave different content"
print(f"python and binary CIFAR archives: identical content digests for all {len(digests(a))} sets")
PY
rm -f "$OUT/cifar-check.h5"
