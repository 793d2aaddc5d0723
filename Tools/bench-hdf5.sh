#!/usr/bin/env bash
# Benchmark: chunked float32 writes with shuffle + deflate (level 4, 256x256 chunks),
# nasdata vs h5py on the same machine. nasdata runs three ways: HDF5's own filter
# pipeline, direct chunk writes of chunks compressed by nasdata on 1 core, and on all
# cores. h5py (its bundled HDF5, filter pipeline) is the peer. Prints MB/s and ratios.
#   Tools/bench-hdf5.sh [MB]      (default 64; temporary files in /tmp/nasdata-bench-hdf5)
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-64}
swift build -c release --product nasdata >/dev/null
NASDATA="$(swift build -c release --show-bin-path)/nasdata"
DIR=/tmp/nasdata-bench-hdf5
rm -rf "$DIR"; mkdir -p "$DIR"
trap 'rm -rf "$DIR"' EXIT

nasdata_out=$("$NASDATA" selftest -o "$DIR/x.h5" --bench-mb "$MB")
echo "$nasdata_out"
h5py_rate=$("${PYTHON:-python3}" - "$DIR" "$MB" <<'PY'
import sys, time, h5py, numpy as np
d, mb = sys.argv[1], int(sys.argv[2])
cols, chunk = 256, 256
rows = max(chunk, mb * 1048576 // (4 * cols) // chunk * chunk)
x = (np.random.default_rng(0).standard_normal((rows, cols)) * 0.05).astype(np.float32)
t = time.perf_counter()
with h5py.File(f"{d}/h5py.h5", "w") as f:
    ds = f.create_dataset("x", shape=x.shape, dtype="f4", chunks=(chunk, cols), compression="gzip",
                          compression_opts=4, shuffle=True)
    for r in range(0, rows, chunk):
        ds[r:r + chunk] = x[r:r + chunk]
s = time.perf_counter() - t
print(f"{x.nbytes / 1048576 / s:.1f}")
PY
)
echo "h5py threads=1 ${h5py_rate} MB/s (h5py $(${PYTHON:-python3} -c 'import h5py; print(h5py.__version__, "HDF5", h5py.version.hdf5_version)'))"
echo "$nasdata_out" | awk -v peer="$h5py_rate" '{ for (i = 1; i <= NF; i++) if ($i == "MB/s") printf "ratio %s %s / h5py: %.2fx\n", $1, $2, $(i-1) / peer }'
