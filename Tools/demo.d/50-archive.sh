#!/usr/bin/env bash
# Weight archive: pack the embedded FULL fixtures, extract one run, compare it with the source.
set -euo pipefail
cd "$(dirname "$0")/../.."
FIX=Tests/Fixtures/archive
A="$OUT/archive"
mkdir -p "$A"
"$NASDATA" pack-archive "$FIX" -o "$A/weights.h5" --report "$A/pack-report.json"
"$NASDATA" archive info "$A/weights.h5"
"$NASDATA" archive ls "$A/weights.h5"
# Two shards joined again, both ways.
"$NASDATA" pack-archive "$FIX" -o "$A/shard0.h5" --shard 0/2
"$NASDATA" pack-archive "$FIX" -o "$A/shard1.h5" --shard 1/2
"$NASDATA" merge-archive "$A/shard0.h5" "$A/shard1.h5" -o "$A/merged.h5"
"$NASDATA" merge-archive "$A/shard0.h5" "$A/shard1.h5" -o "$A/master.h5" --links
"$NASDATA" archive extract "$A/weights.h5" --arch 25 --dataset cifar10 --seed 777 --hp 200 -o "$A/arch25-cifar10-777.safetensors"
"$NASDATA" archive extract "$A/master.h5" --arch 25 --dataset cifar10 --seed 777 --hp 200 -o "$A/arch25-cifar10-777.pth"
python3 - "$A" "$FIX" <<'PY'
import hashlib, json, sys
import h5py
import numpy as np
from safetensors.numpy import load_file
out, fix = sys.argv[1], sys.argv[2]
run = next(r for r in json.load(open(f"{fix}/expected.json"))["000025-FULL.pth"]["runs"]
           if r["dataset"] == "cifar10" and r["hp"] == 200)
sd = load_file(f"{out}/arch25-cifar10-777.safetensors")
with h5py.File(f"{out}/weights.h5") as f:   # state-dict order of that run, from the tensor table
    r = f["runs"]
    row = int(np.flatnonzero((r["arch_index"][:] == 25) & (r["hp"][:] == 200))[0])
    t0, tn = int(r["tensor_start"][row]), int(r["tensor_count"][row])
    names = f["tensor_names"][:].tobytes().decode().split("\n")
    order = [names[i] for i in f["tensors/name"][t0:t0 + tn]]
h = hashlib.sha256()
for n in order:
    h.update(np.ascontiguousarray(sd[n]).tobytes())
assert len(sd) == run["tensors"], (len(sd), run["tensors"])
assert h.hexdigest() == run["tensor_bytes_sha256"], "extracted weights differ from the FULL file"
try:
    import torch
except ImportError:
    print("archive demo: extracted run matches the FULL file (torch not installed: .pth not compared)")
    sys.exit(0)
t = torch.load(f"{out}/arch25-cifar10-777.pth", weights_only=True)
assert list(t) == order and all(torch.equal(t[k], torch.from_numpy(sd[k].copy())) for k in sd)
print("archive demo: extracted run matches the FULL file (safetensors, and .pth via the master file)")
PY
