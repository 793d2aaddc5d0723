#!/usr/bin/env bash
# Demo stage 60 (reload, forward): one run's trained weights from an embedded miniature
# FULL file (and one from stage 50's weight archive) into the training network, evaluated on the CIFAR-10 ori-test set built by stage
# 30 (beside the value recorded for the run), exported as .pth + .safetensors + config, then
# run again from the export with `forward` and compared with PyTorch's logits; if torch and
# xautodl are installed, upstream's TinyNetwork loads the export with strict=True. The same for a
# NATS-Bench size-space run (DynamicShapeTinyNet, channels 8:8:8:8:16) from a miniature result file.
set -euo pipefail
: "${NASDATA:?}" "${OUT:?}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
FX="$ROOT/Tests/Fixtures/network"
W="$OUT/reload"
rm -rf "$W"; mkdir -p "$W"
export NASDATA_PROGRESS=0
ARCH='|skip_connect~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|none~1|skip_connect~2|'

evaluate=()
if [[ -f "$OUT/cifar.h5" ]]; then evaluate=(--evaluate "$OUT/cifar.h5" --set ori-test); fi
"$NASDATA" reload --full-file "$FX/013444-FULL.pth" --arch 13444 --dataset cifar10-valid --seed 777 --hp 200 \
  "${evaluate[@]}" -o "$W/013444-cifar10-valid-777.pth" --config "$W/013444-config.json" --fail-on-disagreement
"$NASDATA" reload --full-file "$FX/013444-FULL.pth" --arch "$ARCH" --dataset cifar10-valid \
  -o "$W/013444-cifar10-valid-777.safetensors" --json > "$W/reload.json"
"$NASDATA" forward --weights "$W/013444-cifar10-valid-777.safetensors" --arch 13444 --classes 10 \
  --input "$FX/full-file.input.npy" -o "$W/logits.npy" --features "$W/features.npy"

# The same from the weight archive stage 50 packed (one run of architecture 25).
if [[ -f "$OUT/archive/weights.h5" ]]; then
  "$NASDATA" reload --archive "$OUT/archive/weights.h5" --arch 25 --dataset cifar10 --seed 777 --hp 200 \
    -o "$W/000025-cifar10-777.safetensors" --config "$W/000025-config.json"
fi

# NATS-Bench size space: the run's channels select the network; its arch_config names the cell.
"$NASDATA" reload --full-file "$FX/sss/sss-000001-run.pth" --arch 8:8:8:8:16 --dataset cifar10 --hp 90 \
  -o "$W/sss-000001-cifar10-777.safetensors" --config "$W/sss-000001-config.json"
"$NASDATA" reload --full-file "$FX/sss/sss-000001-run.pth" --arch 1 --space sss --dataset cifar10 --hp 90 \
  -o "$W/sss-000001-cifar10-777.pth"
"$NASDATA" forward --weights "$W/sss-000001-cifar10-777.safetensors" --arch 8:8:8:8:16 --classes 10 \
  --input "$FX/sss/sss-run.input.npy" -o "$W/sss-logits.npy"

python3 - "$W" "$FX" <<'PY'
import json, sys
import numpy as np
w, fx = sys.argv[1], sys.argv[2]
ours, torchs = np.load(f"{w}/logits.npy"), np.load(f"{fx}/full-file.logits.npy")
err = float(np.abs(ours - torchs).max() / np.abs(torchs).max())
assert err < 1e-4 and (ours.argmax(1) == torchs.argmax(1)).all(), err
print(f"forward of the exported weights vs PyTorch: max relative logit difference {err:.1e}, same arg-max labels")
sss_ours, sss_torchs = np.load(f"{w}/sss-logits.npy"), np.load(f"{fx}/sss/sss-run.logits.npy")
sss_err = float(np.abs(sss_ours - sss_torchs).max() / np.abs(sss_torchs).max())
assert sss_err < 1e-4 and (sss_ours.argmax(1) == sss_torchs.argmax(1)).all(), sss_err
print(f"size space 8:8:8:8:16: forward of the export vs PyTorch: max relative logit difference {sss_err:.1e}")
try:
    import torch
    from xautodl.models import get_cell_based_tiny_net
except ImportError:
    print("(torch/xautodl not installed: skipped loading the export into upstream's TinyNetwork)")
    sys.exit(0)
def load_into_upstream(config_file, weights, inputs, expected):
    """Upstream's network from the exported config, the exported .pth loaded strictly: its logits."""
    config = json.load(open(config_file))
    net = get_cell_based_tiny_net(config).eval()
    net.load_state_dict(torch.load(weights, weights_only=True), strict=True)
    with torch.no_grad():
        _, logits = net(torch.from_numpy(np.load(inputs)))
    err = float(np.abs(logits.numpy() - expected).max() / np.abs(expected).max())
    assert err < 1e-6, err
    return config, type(net).__name__, err
_, _, err = load_into_upstream(f"{w}/013444-config.json", f"{w}/013444-cifar10-valid-777.pth",
                               f"{fx}/full-file.input.npy", torchs)
print(f"upstream TinyNetwork loaded the exported .pth with strict=True; logits match (max rel. diff {err:.1e})")
config, name, err = load_into_upstream(f"{w}/sss-000001-config.json", f"{w}/sss-000001-cifar10-777.pth",
                                       f"{fx}/sss/sss-run.input.npy", sss_torchs)
print(f"upstream {name} ({config['channels']}) loaded the exported .pth with strict=True; "
      f"logits match (max rel. diff {err:.1e})")
PY
