#!/usr/bin/env bash
# Demo stage 10: reading pickles and torch checkpoints without Python. Shows the tree of a
# legacy NB201-shaped checkpoint, lists every tensor of a zip checkpoint with its sha256,
# exports one run's state dict from the legacy file to torch zip / safetensors and reads
# them back, and shows that a pickle calling os.system is refused, not run.
# Runs under Tools/demo.sh, which sets $NASDATA (the release binary) and $OUT.
set -euo pipefail
FIX="$(cd "$(dirname "$0")/../.." && pwd)/Tests/Fixtures/pickle"
D="$OUT/inspect"
mkdir -p "$D"

"$NASDATA" inspect "$FIX/nb201_like_legacy.pth" --depth 4 --items 4 | tee "$D/nb201_like.txt"
"$NASDATA" inspect "$FIX/state_dict_zip.pth" --json > "$D/state_dict_zip.json"
"$NASDATA" inspect "$FIX/state_dict_legacy.pth" --json > "$D/state_dict_legacy.json"
# The same weights saved in both torch formats have identical tensor digests.
python3 - "$D/state_dict_zip.json" "$D/state_dict_legacy.json" <<'PY'
import json, sys
a, b = (json.load(open(p))["tensors"] for p in sys.argv[1:3])
assert [(t["path"], t["sha256"]) for t in a] == [(t["path"], t["sha256"]) for t in b]
print(f"legacy and zip checkpoints: {len(a)} tensors, identical sha256")
PY

SEL="full/all_results/(cifar10,777)/net_state_dict"
"$NASDATA" inspect "$FIX/nb201_like_legacy.pth" --select "$SEL" --export "$D/run.pth"
"$NASDATA" inspect "$FIX/nb201_like_legacy.pth" --select "$SEL" --export "$D/run.safetensors"
"$NASDATA" inspect "$D/run.pth"
"$NASDATA" inspect "$D/run.safetensors"
"$NASDATA" inspect "$FIX/cifar_like_py2.pkl" --stats

# A pickle whose unpickling would run a shell command is refused with the global's name.
python3 -c "
import pickle, os, sys
class Evil:
    def __reduce__(self): return (os.system, ('echo pwned',))
open(sys.argv[1], 'wb').write(pickle.dumps(Evil(), protocol=2))" "$D/evil.pkl"
if "$NASDATA" inspect "$D/evil.pkl" 2> "$D/evil.err"; then
  echo "evil pickle was accepted" >&2; exit 1
fi
cat "$D/evil.err"
grep -q "refused global" "$D/evil.err"
