#!/usr/bin/env bash
# Demo stage 00: the HDF5 foundation. Writes a sample file exercising every feature of
# nasdata's HDF5 layer (every dtype, chunked+compressed and direct-chunk-written data,
# strings, attributes, an external link), verifies it, then checks it against its schema.
# Runs under Tools/demo.sh, which sets $NASDATA (the release binary) and $OUT.
set -euo pipefail
"$NASDATA" selftest -o "$OUT/selftest.h5"
"$NASDATA" check-schema "$OUT/selftest.h5"
"$NASDATA" check-schema "$OUT/selftest.target.h5"
