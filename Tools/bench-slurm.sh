#!/usr/bin/env bash
# What a Slurm job array costs against one process on the same data, on a local single-node
# Slurm (Tools/slurm-cluster.sh): packs the same FULL files (a) in one process on all cores and
# (b) as an N-task array (Tools/slurm/submit-pack-archive.sh, 1 CPU a task) plus its merge job,
# then times merge-archive --links on the same shards. Prints wall times, the array's
# scheduling overhead and each job's peak RSS (/usr/bin/time in the job scripts: this Slurm
# keeps no accounting). On one node the array cannot be faster than one process using every
# core: it adds the merge and the scheduling; it pays off only with more nodes.
#
#   Tools/bench-slurm.sh [DIR_OF_FULL_FILES] [N_FILES] [N_TASKS]
#
# Without DIR it generates N_FILES (default 24) full-size files in /tmp/slurm-bench with
# Tools/fixtures/make_full_files.py. N_TASKS defaults to 4. With IN16_TREE=DIR it also compares
# build-imagenet16 on that ILSVRC-style tree (see below). Needs root (the local Slurm).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${1:-}"
N="${2:-24}"
TASKS="${3:-4}"
WORK=/tmp/slurm-bench
rm -rf "$WORK/shards" "$WORK/in16" "$WORK"/*.h5 "$WORK/slurm"
mkdir -p "$WORK"
if [ -z "$DIR" ]; then
  DIR="$WORK/full"
  python3 Tools/fixtures/make_full_files.py "$DIR" --indices "0-$((N - 1))"
fi
swift build -c release --product nasdata >/dev/null
export NASDATA="$(swift build -c release --show-bin-path)/nasdata"
IN_MB=$(du -Lcb "$DIR"/*-FULL.pth | tail -1 | awk '{printf "%.0f", $1 / 1e6}')
FILES=$(ls "$DIR"/*-FULL.pth | wc -l)

eval "$(Tools/slurm-cluster.sh start "$WORK/slurm")"
trap 'Tools/slurm-cluster.sh stop "$WORK/slurm"' EXIT

now() { date +%s.%N; }
rss_mb() { grep -o 'Maximum resident set size[^:]*: [0-9]*' "$1" | awk '{printf "%.0f", $NF / 1024}'; }
elapsed() { grep -o 'elapsed [0-9.]* s' "$1" | awk '{print $2}'; }
cpu_s() { grep -o 'user [0-9.]* s, system [0-9.]* s' "$1" | awk '{print $2 + $5}'; }
# Slurm's own timestamps (whole seconds) of a job or of every task of an array: "START END" lines.
times() { scontrol show job -o "$1" | grep -o 'StartTime=[^ ]* EndTime=[^ ]*' | sed 's/[A-Za-z]*Time=//g' |
          while read -r a b; do echo "$(date -d "$a" +%s) $(date -d "$b" +%s)"; done; }
state() { scontrol show job -o "$1" | grep -o 'JobState=[A-Z]*' | head -n 1 | cut -d= -f2; }
TIMED=(/usr/bin/time -f "Maximum resident set size (kbytes): %M; elapsed %e s, user %U s, system %S s")

# compare NAME SHARD_DIR ONE_OUTPUT -- ONE-PROCESS COMMAND... -- SUBMIT COMMAND...
# Times the one-process command, then the array + merge the submit command queues, and prints both.
compare() {
  local name=$1 dir=$2 one_out=$3; shift 4
  local one=() submit=()
  while [ "$1" != -- ]; do one+=("$1"); shift; done; shift
  submit=("$@")
  local t0 one_s total_s s array merge
  t0=$(now)
  "${TIMED[@]}" "${one[@]}" > /dev/null 2> "$WORK/$name-one.time" || { cat "$WORK/$name-one.time"; exit 1; }
  one_s=$(echo "$(now) - $t0" | bc -l)
  t0=$(now)
  read -r array merge < <("${submit[@]}")
  while :; do
    s=$(state "$merge")
    case "$s" in PENDING|RUNNING|CONFIGURING|COMPLETING) sleep 0.2 ;; *) break ;; esac
  done
  total_s=$(echo "$(now) - $t0" | bc -l)
  [ "$s" = COMPLETED ] || { echo "merge job $merge: $s"; cat "$dir/logs/"*; exit 1; }
  # Each task's and the merge's own times, from their logs.
  local sum=0 cpu=0 rss=() k log mlog merge_s array_s
  for ((k = 0; k < TASKS; k++)); do
    log=$(ls "$dir"/logs/*-"${array}_$k.out")
    sum=$(echo "$sum + $(elapsed "$log")" | bc -l)
    cpu=$(echo "$cpu + $(cpu_s "$log")" | bc -l)
    rss+=("$(rss_mb "$log")")
  done
  mlog=$(ls "$dir"/logs/*-merge-"$merge.out")
  merge_s=$(elapsed "$mlog")
  # The array alone: submission to the last task's end.
  array_s=$(echo "$total_s - $merge_s" | bc -l)
  printf '%s: %d-task array (1 CPU a task) vs one process (all %d cores), release build\n' "$name" "$TASKS" "$(nproc)"
  printf '  one process:                 %6.1f s, CPU %.1f s, peak RSS %s MB\n' "$one_s" "$(cpu_s "$WORK/$name-one.time")" \
    "$(rss_mb "$WORK/$name-one.time")"
  printf '  array + merge (submit->end): %6.1f s = %.2fx one process\n' "$total_s" "$(echo "$total_s / $one_s" | bc -l)"
  printf '    array tasks:               %6.1f s wall (task times sum %.1f s)\n' "$array_s" "$sum"
  printf '    merge job:                 %6.1f s, CPU %.1f s, peak RSS %s MB\n' "$merge_s" "$(cpu_s "$mlog")" "$(rss_mb "$mlog")"
  printf '    CPU of the tasks:          %6.1f s (one process: %.1f s)\n' "$cpu" "$(cpu_s "$WORK/$name-one.time")"
  printf '    task peak RSS:             %s MB\n' "${rss[*]}"
  # Scheduling latency (whole seconds, Slurm's clock): submission to the first task's start,
  # and the last task's end to the merge's start (the dependency being released).
  local first last mstart
  first=$(times "$array" | sort -n | head -n 1 | cut -d' ' -f1)
  last=$(times "$array" | sort -n -k2 | tail -n 1 | cut -d' ' -f2)
  mstart=$(times "$merge" | cut -d' ' -f1)
  printf '    Slurm latency:             submit -> first task %d s, last task -> merge start %d s\n' \
    "$((first - ${t0%.*}))" "$((mstart - last))"
}

# Figures taken on a busy machine are not comparable (other processes' load favours the array,
# which has more runnable processes): the load average is printed before and after.
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$DIR"/*-FULL.pth > /dev/null   # the same warm page cache for both
compare pack-archive "$WORK/shards" "$WORK/one.h5" -- \
  "$NASDATA" pack-archive "$DIR" -o "$WORK/one.h5" -- \
  Tools/slurm/submit-pack-archive.sh --shards "$TASKS" --cpus 1 --shard-dir "$WORK/shards" -o "$WORK/merged.h5" "$DIR"
"$NASDATA" verify "$WORK/merged.h5" > /dev/null
t0=$(now)
"$NASDATA" merge-archive "$WORK"/shards/weights-shard-*-of-"$TASKS".h5 -o "$WORK/links.h5" --links > /dev/null
printf '  merge-archive --links:       %6.1f s (instead of the copy)\n' "$(echo "$(now) - $t0" | bc -l)"
echo "  ($FILES FULL files, $IN_MB MB)"

# build-imagenet16 on an ILSVRC-style tree, when given: IN16_TREE=DIR (train/<wnid>/, val/,
# devkit/map_clsloc.txt and the validation labels in devkit/gt.txt, as Tools/bench-imagenet16.py
# --keep leaves in /tmp/nasdata-bench-imagenet16), IN16_CLASSES (default 10).
if [ -n "${IN16_TREE:-}" ]; then
  classes=${IN16_CLASSES:-10}
  src=(--ilsvrc "$IN16_TREE" --class-map "$IN16_TREE/devkit/map_clsloc.txt" --val-labels "$IN16_TREE/devkit/gt.txt")
  compare build-imagenet16 "$WORK/in16" "$WORK/in16-one.h5" -- \
    "$NASDATA" build-imagenet16 "${src[@]}" --classes "$classes" -o "$WORK/in16-one.h5" -- \
    Tools/slurm/submit-imagenet16.sh --shards "$TASKS" --cpus 1 --shard-dir "$WORK/in16" -o "$WORK/in16.h5" \
      "${src[@]}" -- --classes "$classes"
  echo "  ($(find "$IN16_TREE" -name '*.JPEG' | wc -l) JPEGs)"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
