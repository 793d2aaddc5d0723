#!/usr/bin/env bash
# The main job on embedded sample data: installs what is missing, builds nasdata in
# release mode, then runs every stage in Tools/demo.d/ in order, writing to demo-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/setup.sh
swift build -c release --product nasdata
export NASDATA="$(swift build -c release --show-bin-path)/nasdata"
export OUT="${OUT:-$PWD/demo-out}"
rm -rf "$OUT"; mkdir -p "$OUT"
for stage in Tools/demo.d/*.sh; do
  echo "== $(basename "$stage" .sh)"
  bash "$stage"
done
echo "demo: all stages passed; outputs in $OUT"
