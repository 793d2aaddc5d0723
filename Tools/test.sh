#!/usr/bin/env bash
# The test command (README, and .ci/run): installs what is missing, builds, then runs
# the Swift test suite and the interop tests (h5py / safetensors / torch read what
# nasdata writes) against the freshly built `nasdata` binary.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/setup.sh
"${PYTHON:-python3}" Tools/check-package-map.py
swift build --build-tests
swift test --skip-build --parallel
export NASDATA_BIN="$(swift build --show-bin-path)/nasdata"
"${PYTHON:-python3}" -m pytest -q Tests/interop
