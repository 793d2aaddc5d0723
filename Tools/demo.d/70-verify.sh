#!/usr/bin/env bash
# Demo stage "verify": check files, write a manifest of everything the earlier stages made,
# check it, and show that truncation, a flipped byte and a saved Google Drive page are caught.
set -euo pipefail
: "${NASDATA:?}" "${OUT:?}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SPLITS="${NASDATA_SPLITS:-$ROOT/Data/nb201-splits}"   # the official split files, kept in the repository
W="$OUT/verify"
rm -rf "$W"; mkdir -p "$W/splits"
export NASDATA_PROGRESS=0

# 1. The official split files against their published md5 + sha256.
cp "$SPLITS"/*.txt "$W/splits/"
"$NASDATA" verify "$W/splits"

# 2. A manifest of everything the demo wrote so far (sha256sum-compatible) and its check.
"$NASDATA" manifest "$OUT" -o "$W/demo-out.sha256"
"$NASDATA" verify --manifest "$W/demo-out.sha256" --root "$OUT" | tail -1
(cd "$OUT" && sha256sum --check --quiet "$W/demo-out.sha256")

# 3. Every HDF5 file the earlier stages wrote: schema check + per-record checksums recomputed.
mapfile -t H5 < <(find "$OUT" -name '*.h5' -not -path "$W/*" | sort)
if [ "${#H5[@]}" -gt 0 ]; then
  "$NASDATA" verify --json "${H5[@]}" > "$W/outputs.json" || { "$NASDATA" verify "${H5[@]}"; exit 1; }
  "$NASDATA" verify "${H5[@]}"
fi

# 4. Corruptions must fail (non-zero exit) with the reason in the JSON.
mkdir -p "$W/bad"
head -c 1000 "$W/splits/cifar-split.txt" > "$W/bad/cifar-split.txt"                       # truncated
python3 - "$W/splits/ImageNet16-120-split.txt" "$W/bad/ImageNet16-120-split.txt" <<'PY'   # one flipped byte
import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[len(b) // 2] ^= 1; open(sys.argv[2], "wb").write(b)
PY
cp "$ROOT/Tests/Fixtures/verify/gdrive-virus-scan.html" "$W/bad/NAS-Bench-201-v1_0-e61699.pth"  # HTML page
if "$NASDATA" verify --json "$W/bad" > "$W/bad.json"; then
  echo "verify accepted corrupted files" >&2; exit 1
fi
python3 - "$W/bad.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
by = {f["path"].rsplit("/", 1)[-1]: f for f in doc["files"]}
assert doc["summary"]["failed"] == 3, doc["summary"]
assert "truncated" in by["cifar-split.txt"]["detail"]
assert "md5" in by["ImageNet16-120-split.txt"]["detail"]
assert "HTML page" in by["NAS-Bench-201-v1_0-e61699.pth"]["detail"]
for name, f in sorted(by.items()):
    print(f"  caught {name}: {f['detail'][:90]}")
PY
"$NASDATA" verify "$W/bad" || true
