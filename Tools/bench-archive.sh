#!/usr/bin/env bash
# Packs the same FULL files with (a) nasdata pack-archive, (b) the obvious Python script
# (Tools/bench-archive.py: torch.load + one h5py gzip+shuffle dataset per tensor) and
# (c) cat to /dev/null, and prints MB/s, ratios, peak RSS and archive sizes.
#
#   Tools/bench-archive.sh [DIR_OF_FULL_FILES] [N_FILES] [N_FILES_FOR_PYTHON]
#
# Without DIR it generates N (default 200) full-size files in /tmp/archive-bench with
# Tools/fixtures/make_full_files.py and deletes them afterwards. Everything runs with the
# input in the page cache (warm: cat first); a cold-disk read rate (O_DIRECT) is printed too,
# since the real 226 GB archive never fits in memory.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${1:-}"
N="${2:-200}"
NPY="${3:-20}"
WORK=/tmp/archive-bench
mkdir -p "$WORK"
CLEAN_INPUT=0
if [ -z "$DIR" ]; then
  DIR="$WORK/full"
  python3 Tools/fixtures/make_full_files.py "$DIR" --indices "0-$((N - 1))"
  CLEAN_INPUT=1
fi
swift build -c release --product nasdata >/dev/null
BIN="$(swift build -c release --show-bin-path)/nasdata"

mapfile -t FILES < <(ls "$DIR"/*-FULL.pth | sort | head -n "$N")
mapfile -t PYFILES < <(printf '%s\n' "${FILES[@]}" | head -n "$NPY")
rm -rf "$WORK/in" "$WORK/inpy"; mkdir -p "$WORK/in" "$WORK/inpy"
for f in "${FILES[@]}"; do ln -s "$(readlink -f "$f")" "$WORK/in/"; done
for f in "${PYFILES[@]}"; do ln -s "$(readlink -f "$f")" "$WORK/inpy/"; done
IN_BYTES=$(du -Lcb "${FILES[@]}" | tail -1 | cut -f1)
PY_BYTES=$(du -Lcb "${PYFILES[@]}" | tail -1 | cut -f1)

now() { date +%s.%N; }
rss() { grep "Maximum resident" "$1" | awk '{print $6}'; }

# (c) cat, warm (also warms the cache for the others)
cat "${FILES[@]}" > /dev/null
t0=$(now); cat "${FILES[@]}" > /dev/null; t1=$(now)
CAT_S=$(echo "$t1 - $t0" | bc -l)
# cold: O_DIRECT read of the first 1 GB of input (bypasses the page cache)
mapfile -t COLDFILES < <(printf '%s\n' "${FILES[@]}" | head -n 64)
COLD_BYTES=$(du -Lcb "${COLDFILES[@]}" | tail -1 | cut -f1)
t0=$(now)
COLD_OK=1
for f in "${COLDFILES[@]}"; do dd if="$f" of=/dev/null bs=4M iflag=direct status=none 2>/dev/null || COLD_OK=0; done
t1=$(now)
COLD="?"
if [ "$COLD_OK" = 1 ]; then COLD=$(echo "scale=0; $COLD_BYTES / 1000000 / ($t1 - $t0)" | bc -l); fi

# (a) nasdata
rm -f "$WORK/nasdata.h5"
t0=$(now); /usr/bin/time -v "$BIN" pack-archive "$WORK/in" -o "$WORK/nasdata.h5" 2> "$WORK/nasdata.time" >/dev/null || { cat "$WORK/nasdata.time"; exit 1; }; t1=$(now)
NAS_S=$(echo "$t1 - $t0" | bc -l)
NAS_OUT=$(stat -c %s "$WORK/nasdata.h5")

# (a') nasdata on the Python subset, for a same-input comparison
rm -f "$WORK/nasdata-small.h5"
t0=$(now); "$BIN" pack-archive "$WORK/inpy" -o "$WORK/nasdata-small.h5" >/dev/null; t1=$(now)
NASPY_S=$(echo "$t1 - $t0" | bc -l)

# (b) Python
rm -f "$WORK/python.h5"
t0=$(now); /usr/bin/time -v python3 Tools/bench-archive.py "$WORK/python.h5" "${PYFILES[@]}" 2> "$WORK/python.time" || { cat "$WORK/python.time"; exit 1; }; t1=$(now)
PY_S=$(echo "$t1 - $t0" | bc -l)
PY_OUT=$(stat -c %s "$WORK/python.h5")

mbps() { echo "scale=1; $1 / 1000000 / $2" | bc -l; }
echo "inputs: ${#FILES[@]} FULL files, $(echo "scale=1; $IN_BYTES/1000000" | bc) MB (python: ${#PYFILES[@]} files, $(echo "scale=1; $PY_BYTES/1000000" | bc) MB); $(nproc) cores"
printf "%-34s %9s %9s %12s %12s\n" "" "MB/s" "seconds" "peak RSS MB" "out/in size"
printf "%-34s %9s %9.2f %12s %12s\n" "(c) cat > /dev/null (warm cache)" "$(mbps "$IN_BYTES" "$CAT_S")" "$CAT_S" "-" "-"
printf "%-34s %9s %9s %12s %12s\n" "    cold read (O_DIRECT, 64 files)" "$COLD" "-" "-" "-"
printf "%-34s %9s %9.2f %12s %12s\n" "(a) nasdata pack-archive" "$(mbps "$IN_BYTES" "$NAS_S")" "$NAS_S" "$(( $(rss "$WORK/nasdata.time") / 1024 ))" "$(echo "scale=3; $NAS_OUT/$IN_BYTES" | bc)"
printf "%-34s %9s %9.2f %12s %12s\n" "(a) nasdata, python's subset" "$(mbps "$PY_BYTES" "$NASPY_S")" "$NASPY_S" "-" "-"
printf "%-34s %9s %9.2f %12s %12s\n" "(b) python torch.load + h5py gzip" "$(mbps "$PY_BYTES" "$PY_S")" "$PY_S" "$(( $(rss "$WORK/python.time") / 1024 ))" "$(echo "scale=3; $PY_OUT/$PY_BYTES" | bc)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
NAS_R=$(echo "$IN_BYTES / 1000000 / $NAS_S" | bc -l); NASPY_R=$(echo "$PY_BYTES / 1000000 / $NASPY_S" | bc -l)
PY_R=$(echo "$PY_BYTES / 1000000 / $PY_S" | bc -l); CAT_R=$(echo "$IN_BYTES / 1000000 / $CAT_S" | bc -l)
echo "ratios: nasdata/python = $(ratio "$NASPY_R" "$PY_R")x on the same files ($(ratio "$NAS_R" "$PY_R")x with nasdata's full-set rate);" \
     "nasdata/cat(warm) = $(ratio "$NAS_R" "$CAT_R"); nasdata/cold-read = $( [ "$COLD" != "?" ] && ratio "$NAS_R" "$COLD" || echo "?");" \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$WORK/in" "$WORK/inpy" "$WORK"/*.h5 "$WORK"/*.time
if [ "$CLEAN_INPUT" = 1 ]; then rm -rf "$DIR"; fi
