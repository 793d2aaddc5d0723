#!/usr/bin/env bash
# Packs the same FULL files with (a) nasdata pack-archive, (b) the obvious Python script
# (Tools/bench-archive.py: torch.load + one h5py gzip+shuffle dataset per tensor) and
# (c) cat to /dev/null, and prints MB/s, ratios, peak RSS and archive sizes.
#
#   Tools/bench-archive.sh [DIR_OF_FULL_FILES] [N_FILES] [N_FILES_FOR_PYTHON]
#
# Without DIR it generates N (default 200) full-size files in /tmp/archive-bench with
# Tools/fixtures/make_full_files.py and deletes them afterwards. cat and nasdata run both
# cold (inputs dropped from the page cache first: the real 226 GB never fits in memory) and
# warm; the checksums the archive must record (MD5 + SHA-256 of every byte), computed alone
# with openssl on all cores, show the CPU floor no packer with those checks can beat.
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

# Drops the inputs from the page cache (posix_fadvise DONTNEED: no root needed), so a
# run reads them from the disk as the real 226 GB input would be read.
evict() {
  python3 -c 'import os, sys
for f in sys.argv[1:]:
    fd = os.open(f, os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)' "$@"
}

# (c) cat: cold (from disk), then warm (page cache; also warms it for what follows)
evict "${FILES[@]}"
t0=$(now); cat "${FILES[@]}" > /dev/null; t1=$(now)
CATCOLD_S=$(echo "$t1 - $t0" | bc -l)
cat "${FILES[@]}" > /dev/null
t0=$(now); cat "${FILES[@]}" > /dev/null; t1=$(now)
CAT_S=$(echo "$t1 - $t0" | bc -l)
# The checksums the issue requires, alone, on every core (warm): each file's MD5 and a
# SHA-256 of its bytes (nasdata hashes each run's tensor bytes, about the same amount).
t0=$(now)
printf '%s\0' "${FILES[@]}" | xargs -0 -n 8 -P "$(nproc)" sh -c 'openssl md5 "$@" >/dev/null && openssl sha256 "$@" >/dev/null' sh
t1=$(now)
HASH_S=$(echo "$t1 - $t0" | bc -l)

# (a) nasdata
rm -f "$WORK/nasdata.h5"
t0=$(now); /usr/bin/time -v "$BIN" pack-archive "$WORK/in" -o "$WORK/nasdata.h5" 2> "$WORK/nasdata.time" >/dev/null || { cat "$WORK/nasdata.time"; exit 1; }; t1=$(now)
NAS_S=$(echo "$t1 - $t0" | bc -l)
NAS_OUT=$(stat -c %s "$WORK/nasdata.h5")

# (a, cold) nasdata reading the inputs from disk
rm -f "$WORK/nasdata-cold.h5"
evict "${FILES[@]}"
t0=$(now); "$BIN" pack-archive "$WORK/in" -o "$WORK/nasdata-cold.h5" >/dev/null; t1=$(now)
NASCOLD_S=$(echo "$t1 - $t0" | bc -l)
cat "${FILES[@]}" > /dev/null

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
printf "%-40s %9s %9s %12s %12s\n" "" "MB/s" "seconds" "peak RSS MB" "out/in size"
printf "%-40s %9s %9.2f %12s %12s\n" "(c) cat > /dev/null, cold (disk)" "$(mbps "$IN_BYTES" "$CATCOLD_S")" "$CATCOLD_S" "-" "-"
printf "%-40s %9s %9.2f %12s %12s\n" "(c) cat > /dev/null, warm (page cache)" "$(mbps "$IN_BYTES" "$CAT_S")" "$CAT_S" "-" "-"
printf "%-40s %9s %9.2f %12s %12s\n" "    MD5 + SHA-256 alone, all cores" "$(mbps "$IN_BYTES" "$HASH_S")" "$HASH_S" "-" "-"
printf "%-40s %9s %9.2f %12s %12s\n" "(a) nasdata pack-archive, cold" "$(mbps "$IN_BYTES" "$NASCOLD_S")" "$NASCOLD_S" "-" "-"
printf "%-40s %9s %9.2f %12s %12s\n" "(a) nasdata pack-archive, warm" "$(mbps "$IN_BYTES" "$NAS_S")" "$NAS_S" "$(( $(rss "$WORK/nasdata.time") / 1024 ))" "$(echo "scale=3; $NAS_OUT/$IN_BYTES" | bc)"
printf "%-40s %9s %9.2f %12s %12s\n" "(a) nasdata, python's subset, warm" "$(mbps "$PY_BYTES" "$NASPY_S")" "$NASPY_S" "-" "-"
printf "%-40s %9s %9.2f %12s %12s\n" "(b) python torch.load + h5py gzip, warm" "$(mbps "$PY_BYTES" "$PY_S")" "$PY_S" "$(( $(rss "$WORK/python.time") / 1024 ))" "$(echo "scale=3; $PY_OUT/$PY_BYTES" | bc)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rate() { echo "$1 / 1000000 / $2" | bc -l; }
NAS_R=$(rate "$IN_BYTES" "$NAS_S"); NASPY_R=$(rate "$PY_BYTES" "$NASPY_S"); PY_R=$(rate "$PY_BYTES" "$PY_S")
CAT_R=$(rate "$IN_BYTES" "$CAT_S"); CATCOLD_R=$(rate "$IN_BYTES" "$CATCOLD_S"); NASCOLD_R=$(rate "$IN_BYTES" "$NASCOLD_S")
HASH_R=$(rate "$IN_BYTES" "$HASH_S")
echo "ratios: nasdata/python = $(ratio "$NASPY_R" "$PY_R")x on the same files ($(ratio "$NAS_R" "$PY_R")x with nasdata's full-set rate)"
echo "        nasdata/cat: cold $(ratio "$NASCOLD_R" "$CATCOLD_R"), warm $(ratio "$NAS_R" "$CAT_R");" \
     "the required checksums alone reach $(ratio "$HASH_R" "$CATCOLD_R") of cold cat, $(ratio "$HASH_R" "$CAT_R") of warm cat;" \
     "nasdata runs at $(ratio "$NAS_R" "$HASH_R") of the checksum-only rate"
echo "        $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$WORK/in" "$WORK/inpy" "$WORK"/*.h5 "$WORK"/*.time
if [ "$CLEAN_INPUT" = 1 ]; then rm -rf "$DIR"; fi
