#!/usr/bin/env bash
# Eval forward-pass throughput: nasdata (release build) vs PyTorch CPU on the same network
# (upstream xautodl TinyNetwork C=16 N=5, or for a size-space ARCH C1:C2:C3:C4:C5 NATS-Bench's
# DynamicShapeTinyNet with its fixed cell), the same batch of images and the same number
# of threads (1 and 2), printed side by side with the ratio nasdata / PyTorch.
# Only the forward passes are timed (no file reading). Needs python3 with torch + xautodl.
#
#   Tools/bench-network.sh [ARCH_INDEX_OR_STRING | C1:C2:C3:C4:C5] [BATCH] [REPEATS]
#
# NASDATA=/path/to/nasdata times that binary instead of building this checkout's (to compare
# two builds, alternate them).
set -euo pipefail
cd "$(dirname "$0")/.."
ARCH="${1:-|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|}"
BATCH="${2:-256}"
REPEATS="${3:-4}"
WORK="${TMPDIR:-/tmp}/nasdata-bench-network-$$"
rm -rf "$WORK"; mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT

if [[ -z "${NASDATA:-}" ]]; then
    swift build -c release --product nasdata >/dev/null 2>&1 || swift build -c release --product nasdata
    NASDATA="$(swift build -c release --show-bin-path)/nasdata"
fi
if [[ "$ARCH" =~ ^[0-9]+$ ]]; then ARCH="$("$NASDATA" archs | sed -n "$((ARCH + 1))p")"; fi

python3 - "$ARCH" "$BATCH" "$REPEATS" "$WORK" "$NASDATA" <<'PY'
import json, os, subprocess, sys, time
import numpy as np
import torch
from safetensors.torch import save_file
from xautodl.models import get_cell_based_tiny_net

arch, batch, repeats, work, nasdata = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
torch.manual_seed(0)
if "|" in arch:
    config = {"name": "infer.tiny", "C": 16, "N": 5, "arch_str": arch, "num_classes": 10}
else:  # NATS-Bench size space: per-layer channels on its fixed cell
    config = {"name": "infer.shape.tiny", "channels": arch, "num_classes": 10, "genotype":
              "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"}
net = get_cell_based_tiny_net(config).eval()
save_file({k: v.contiguous() for k, v in net.state_dict().items()}, f"{work}/w.safetensors")
x = torch.randn(batch, 3, 32, 32)
np.save(f"{work}/x.npy", x.numpy())

print(f"arch {arch}\nbatch {batch} images 32x32, {repeats} timed batches after one warm-up, torch {torch.__version__}")
print(f"{'threads':>7} {'PyTorch img/s':>14} {'nasdata img/s':>14} {'ratio':>7}  OpenBLAS kernels")
for threads in (1, 2):
    torch.set_num_threads(threads)
    with torch.no_grad():
        _, ref = net(x)
        start = time.perf_counter()
        for _ in range(repeats):
            net(x)
        torch_rate = batch * repeats / (time.perf_counter() - start)
    out = subprocess.run([nasdata, "forward", "--weights", f"{work}/w.safetensors", "--arch", arch, "--classes", "10",
                          "--input", f"{work}/x.npy", "-o", f"{work}/l.npy", "--threads", str(threads),
                          "--repeat", str(repeats), "--json"], check=True, capture_output=True, text=True)
    summary = json.loads(out.stdout)
    logits = np.load(f"{work}/l.npy")
    err = float(np.abs(logits - ref.numpy()).max() / np.abs(ref.numpy()).max())
    assert err < 1e-4, f"nasdata logits differ from PyTorch's: {err}"
    rate = summary["images_per_second"]
    print(f"{threads:>7} {torch_rate:>14.1f} {rate:>14.1f} {rate / torch_rate:>6.2f}x  {summary['blas_core']}"
          f"  (max rel. logit diff {err:.1e})")
PY
