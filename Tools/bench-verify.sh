#!/usr/bin/env bash
# Hashing speed of `nasdata verify` / `nasdata manifest` against md5sum and sha256sum on
# the same generated file (default 2 GiB, in /tmp/verify-bench, deleted afterwards).
# The file is read once first so every tool hashes from the page cache: this measures
# hashing, not the disk. Prints the median of REPS runs and the ratios (>= 0.95 is the goal
# for md5). Usage: Tools/bench-verify.sh [SIZE_MIB] [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB="${1:-2048}"
REPS="${2:-3}"
swift build -c release --product nasdata >/dev/null
NASDATA="$(swift build -c release --show-bin-path)/nasdata"
DIR=/tmp/verify-bench
rm -rf "$DIR"; mkdir -p "$DIR"
trap 'rm -rf "$DIR"' EXIT
# Name it with its own MD5 suffix so `verify` applies the suffix rule (one MD5 pass).
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom > "$DIR/blob"
MD5="$(md5sum "$DIR/blob" | cut -c1-32)"
FILE="$DIR/NAS-Bench-201-v1_0-${MD5: -6}.pth"
mv "$DIR/blob" "$FILE"
cat "$FILE" > /dev/null

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() {  # prints the median wall seconds of REPS runs of "$@"
  for _ in $(seq "$REPS"); do
    local t0 t1
    t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
  done | median
}

export NASDATA_PROGRESS=0
t_md5=$(timeit md5sum "$FILE")
t_nmd5=$(timeit "$NASDATA" verify --jobs 1 "$FILE")
t_sha=$(timeit sha256sum "$FILE")
mkdir -p "$DIR/m"; ln -f "$FILE" "$DIR/m/"
t_nsha=$(timeit "$NASDATA" manifest "$DIR/m" -o "$DIR/m.sha256" --jobs 1)
"$NASDATA" verify "$FILE" | tail -1

mb=$(echo "$SIZE_MIB * 1.048576" | bc -l)
row() { printf "%-42s %7.2f s  %7.0f MB/s\n" "$1" "$2" "$(echo "$mb / $2" | bc -l)"; }
echo "file: $SIZE_MIB MiB, page-cached, median of $REPS"
row "md5sum" "$t_md5"
row "nasdata verify (md5, suffix rule)" "$t_nmd5"
row "sha256sum" "$t_sha"
row "nasdata manifest (sha256)" "$t_nsha"
printf "ratio md5:    nasdata/md5sum speed    = %.3f\n" "$(echo "$t_md5 / $t_nmd5" | bc -l)"
printf "ratio sha256: nasdata/sha256sum speed = %.3f\n" "$(echo "$t_sha / $t_nsha" | bc -l)"
