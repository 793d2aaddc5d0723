#!/usr/bin/env bash
# Benchmark (issue 3, item 8): parse time and peak RSS of a >= 1 GB legacy torch checkpoint,
# torch.load versus nasdata, side by side, printed as ratios. The checkpoint is NB201-shaped:
# RUNS runs, each a results record (200 epochs of train/eval dicts, 'x-valid@199'-style keys,
# np.float64 params) plus a ~0.5 MB state dict. Everything lives in /tmp/pickle-bench and is
# deleted afterwards. Rows:
#   torch.load     torch.load(weights_only=False): whole object, every storage read (incl. ~4 s of import torch)
#   nasdata-stats  inspect --stats: streaming parse, every dict item counted and dropped, no tensor bytes read
#   nasdata-tree   inspect --depth 0: the whole object tree in memory, tensors lazy (not read)
#   nasdata-json   inspect --json: whole tree + every tensor read and sha256-hashed + the JSON rendering
#   Tools/bench-pickle.sh            # RUNS=2000 (~1.1 GB)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-2000}"
WORK=/tmp/pickle-bench
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
swift build -c release --product nasdata >/dev/null
NASDATA="$(swift build -c release --show-bin-path)/nasdata"
FILE="$WORK/bench_legacy.pth"

python3 - "$FILE" "$RUNS" <<'PY'
import collections, sys, numpy as np, torch
path, runs = sys.argv[1], int(sys.argv[2])
torch.manual_seed(0)
obj = {"meta_archs": [f"arch-{i}" for i in range(runs)], "total_archs": runs, "arch2infos": {}}
for i in range(runs):
    sd = collections.OrderedDict()
    sd["stem.0.weight"] = torch.randn(16, 3, 3, 3)
    sd["cells.0.weight"] = torch.randn(128, 1000)         # 512 KB
    sd["bn.running_mean"] = torch.randn(16)
    sd["bn.num_batches_tracked"] = torch.tensor(196, dtype=torch.int64)
    rc = {"name": "cifar10", "seed": "0777", "epochs": 200, "params": np.float64(0.8), "flop": 78.5,
          "train_acc1es": {e: float(e) for e in range(200)}, "train_losses": {e: 1.0 / (e + 1) for e in range(200)},
          "eval_acc1es": {f"x-valid@{e}": 50.0 + e / 10 for e in range(200)} | {f"ori-test@{e}": 60.0 for e in range(200)},
          "eval_losses": {f"x-valid@{e}": 0.5 for e in range(200)} | {f"ori-test@{e}": 0.4 for e in range(200)},
          "net_state_dict": sd}
    obj["arch2infos"][i] = {"full": {"arch_index": i, "all_results": {("cifar10", 777): rc}}}
torch.save(obj, path, _use_new_zipfile_serialization=False)
PY
SIZE=$(stat -c %s "$FILE")
echo "checkpoint: $FILE, $SIZE bytes, $RUNS runs"

measure() {  # label, command...: prints "label seconds peak_kB"
  local label=$1; shift
  sync; /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" >/dev/null
  read -r secs kb < "$WORK/time.txt"
  echo "$label $secs $kb"
}

{
measure torch.load python3 -c "import sys, torch; torch.load(sys.argv[1], weights_only=False)" "$FILE"
measure nasdata-stats "$NASDATA" inspect "$FILE" --stats
measure nasdata-tree "$NASDATA" inspect "$FILE" --depth 0
measure nasdata-json "$NASDATA" inspect "$FILE" --json
} > "$WORK/results.txt"

python3 - "$WORK/results.txt" "$SIZE" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
size = int(sys.argv[2])
res = {r[0]: (float(r[1]), int(r[2])) for r in rows}
print(f"{'':34s} {'seconds':>8s} {'peak RSS MB':>12s} {'MB/s':>8s}")
for name, (s, kb) in res.items():
    print(f"{name:34s} {s:8.2f} {kb/1024:12.0f} {size/1e6/max(s,1e-3):8.0f}")
t_s, t_kb = res["torch.load"]
for name in ("nasdata-stats", "nasdata-tree", "nasdata-json"):
    s, kb = res[name]
    print(f"{name}: {t_s/max(s,1e-3):.1f}x faster than torch.load, {t_kb/max(kb,1):.1f}x less peak memory")
PY
