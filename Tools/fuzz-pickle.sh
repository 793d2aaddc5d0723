#!/usr/bin/env bash
# libFuzzer run over the restricted unpickler: builds Sources/Pickle + Tools/fuzz/FuzzUnpickler.swift
# with -sanitize=fuzzer,address, seeds the corpus with the pickle fixtures (and the data.pkl of the
# zip fixtures), and runs for $SECONDS_TO_RUN seconds (default 120). Prints libFuzzer's final stats.
#   Tools/fuzz-pickle.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-120}"
WORK=/tmp/pickle-fuzz
mkdir -p "$WORK/corpus"
swift build --target Tensors >/dev/null
swiftc -sanitize=fuzzer,address -parse-as-library -O Sources/Pickle/*.swift Tools/fuzz/FuzzUnpickler.swift \
  -module-name FuzzPickle -I .build/debug/Modules .build/debug/Tensors.build/*.o -o "$WORK/fuzz-unpickler" 2>&1 \
  | grep -v "Cannot export local symbol" || true
cp Tests/Fixtures/pickle/*.pkl "$WORK/corpus/"
python3 - "$WORK/corpus" <<'PY'
import sys, zipfile, pathlib
for p in pathlib.Path("Tests/Fixtures/pickle").glob("*_zip.pth"):
    z = zipfile.ZipFile(p)
    for n in z.namelist():
        if n.endswith("data.pkl"):
            (pathlib.Path(sys.argv[1]) / (p.stem + "-data.pkl")).write_bytes(z.read(n))
for p in pathlib.Path("Tests/Fixtures/pickle").glob("*_legacy.pth"):
    (pathlib.Path(sys.argv[1]) / (p.stem + ".pkl")).write_bytes(p.read_bytes()[:65536])
PY
"$WORK/fuzz-unpickler" "$WORK/corpus" -max_total_time="$SECS" -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$WORK/" 2>&1 | grep -E "stat::|ERROR|SUMMARY|crash-|Done" || true
