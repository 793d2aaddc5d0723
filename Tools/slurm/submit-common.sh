# Shared by the submit-*.sh wrappers (sourced, not run): the options every wrapper takes, and
# the submission of an array plus a merge job that depends on it. Options:
#   --shards N        array size: tasks 0..N-1, task K runs --shard K/N
#   --shard-dir DIR   where the shards and the job logs (DIR/logs) go: on a file system every
#                     node sees (the merge job reads all shards)
#   -o OUT            the merged result
#   --cpus C          CPUs per task (default 2; refused if no node of the partition has that many)
#   --mem M           memory per array task (sbatch --mem syntax; default 600M: about 2.5x the
#                     largest peak RSS measured for either command, README "Many machines (Slurm)")
#   --merge-mem M     memory of the merge job (default 600M)
#   --time T          time limit per job (sbatch --time syntax)
#   --partition P
#   --after KIND      how the merge waits for the array: afterok (default) or afterany
shards="" shard_dir="" out="" cpus=2 mem=600M merge_mem=600M time_limit="" partition="" after=afterok

die() { echo "$(basename "$0"): $*" >&2; exit 2; }
abspath() { realpath -m -- "$1"; }

# Takes one common option from "$@"; sets `consumed` to how many words it used (0: not ours).
common_option() {
  consumed=0
  case "$1" in
    --shards|--shard-dir|-o|--output|--cpus|--mem|--merge-mem|--time|--partition|--after) ;;
    *) return 1 ;;
  esac
  [ $# -ge 2 ] || die "$1 needs a value"
  consumed=2
  case "$1" in
    --shards) shards=$2 ;;
    --shard-dir) shard_dir=$(abspath "$2") ;;
    -o|--output) out=$(abspath "$2") ;;
    --cpus) cpus=$2 ;;
    --mem) mem=$2 ;;
    --merge-mem) merge_mem=$2 ;;
    --time) time_limit=$2 ;;
    --partition) partition=$2 ;;
    --after) after=$2 ;;
  esac
}

check_common() {
  [[ "$shards" =~ ^[1-9][0-9]*$ ]] || die "--shards N (N >= 1) is required"
  [ -n "$shard_dir" ] || die "--shard-dir DIR is required"
  [ -n "$out" ] || die "-o OUT is required"
  [[ "$cpus" =~ ^[1-9][0-9]*$ ]] || die "--cpus must be a positive number"
  [[ "$after" =~ ^(afterok|afterany)$ ]] || die "--after must be afterok or afterany"
  command -v sbatch >/dev/null || die "sbatch not found (is this a Slurm login node?)"
  # CPUs per task never exceed a node's: said here, with the largest node's count.
  local largest
  largest=$(sinfo -h ${partition:+-p "$partition"} -o '%c' | tr -d '+' | sort -n | tail -n 1) \
    || die "sinfo failed: is the Slurm controller reachable (SLURM_CONF)?"
  if [ -n "$largest" ] && [ "$cpus" -gt "$largest" ]; then
    die "--cpus $cpus: no node${partition:+ of partition $partition} has more than $largest CPUs"
  fi
  mkdir -p "$shard_dir/logs"
}

# submit_pipeline NAME ARRAY.sbatch MERGE.sbatch ARRAY_ARGS_COUNT ARRAY_ARGS... MERGE_ARGS...
# Prints "ARRAY_JOB_ID MERGE_JOB_ID" on stdout.
submit_pipeline() {
  local name=$1 array_script=$2 merge_script=$3 count=$4; shift 4
  local array_args=("${@:1:count}") merge_args=("${@:count+1}")
  local common=(--parsable)
  [ -n "$partition" ] && common+=(--partition="$partition")
  [ -n "$time_limit" ] && common+=(--time="$time_limit")
  local array_id merge_id
  array_id=$(sbatch "${common[@]}" --array="0-$((shards - 1))" --cpus-per-task="$cpus" --mem="$mem" \
             --output="$shard_dir/logs/$name-%A_%a.out" "$array_script" "$shard_dir" "$shards" ${array_args[@]+"${array_args[@]}"})
  array_id=${array_id%%;*}
  # The merge waits for every task of the array; if one fails for good, Slurm cancels the merge
  # (--kill-on-invalid-dep) instead of leaving it pending forever.
  merge_id=$(sbatch "${common[@]}" --dependency="$after:$array_id" --kill-on-invalid-dep=yes \
             --cpus-per-task="$cpus" --mem="$merge_mem" --output="$shard_dir/logs/$name-merge-%j.out" \
             "$merge_script" "$shard_dir" "$shards" "$out" ${merge_args[@]+"${merge_args[@]}"})
  merge_id=${merge_id%%;*}
  echo "$(basename "$0"): array job $array_id ($shards tasks, $cpus CPUs, $mem each), merge job $merge_id ($after); logs in $shard_dir/logs" >&2
  echo "$array_id $merge_id"
}
