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
secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }

# Runs alternate (tool, nasdata, tool, nasdata, ...) so that load from other processes on a
# shared machine hits both sides alike; the ratio is of the medians.
export NASDATA_PROGRESS=0
mkdir -p "$DIR/m"; ln -f "$FILE" "$DIR/m/"
: > "$DIR/t_md5"; : > "$DIR/t_nmd5"; : > "$DIR/t_sha"; : > "$DIR/t_nsha"
for _ in $(seq "$REPS"); do
  secs md5sum "$FILE" >> "$DIR/t_md5"
  secs "$NASDATA" verify --hash-only --threads 1 "$FILE" >> "$DIR/t_nmd5"
  secs sha256sum "$FILE" >> "$DIR/t_sha"
  secs "$NASDATA" manifest "$DIR/m" -o "$DIR/m.sha256" --threads 1 >> "$DIR/t_nsha"
done
# Parallel hashing: two files (hard links of the same data), one worker vs two.
mkdir -p "$DIR/two"; ln -f "$FILE" "$DIR/two/a"; ln -f "$FILE" "$DIR/two/b"
t_j1=$(secs "$NASDATA" manifest "$DIR/two" -o "$DIR/two.sha256" --threads 1)
t_j2=$(secs "$NASDATA" manifest "$DIR/two" -o "$DIR/two.sha256" --threads 2)
t_md5=$(median < "$DIR/t_md5"); t_nmd5=$(median < "$DIR/t_nmd5")
t_sha=$(median < "$DIR/t_sha"); t_nsha=$(median < "$DIR/t_nsha")
"$NASDATA" verify --hash-only "$FILE" | tail -1

mb=$(echo "$SIZE_MIB * 1.048576" | bc -l)
row() { printf "%-46s %7.2f s  %7.0f MB/s\n" "$1" "$2" "$(echo "$mb / $2" | bc -l)"; }
echo "file: $SIZE_MIB MiB, page-cached, median of $REPS"
row "md5sum" "$t_md5"
row "nasdata verify --hash-only (md5 suffix rule)" "$t_nmd5"
row "sha256sum" "$t_sha"
row "nasdata manifest (sha256)" "$t_nsha"
printf "ratio md5:    nasdata/md5sum speed    = %.3f\n" "$(echo "$t_md5 / $t_nmd5" | bc -l)"
printf "ratio sha256: nasdata/sha256sum speed = %.3f\n" "$(echo "$t_sha / $t_nsha" | bc -l)"
printf "manifest of 2 such files: --threads 1 %.2f s, --threads 2 %.2f s (speed-up %.2fx on %s cores)\n" \
  "$t_j1" "$t_j2" "$(echo "$t_j1 / $t_j2" | bc -l)" "$(nproc)"
