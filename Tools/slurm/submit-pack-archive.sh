#!/usr/bin/env bash
# Submits a pack-archive job array and the merge that waits for it:
#
#   Tools/slurm/submit-pack-archive.sh --shards 16 --shard-dir /shared/shards -o /shared/nb201-weights.h5 \
#       [--cpus 2] [--mem 600M] [--merge-mem 600M] [--time 04:00:00] [--partition P] [--links] \
#       INPUT... [-- PACK-ARCHIVE OPTIONS (e.g. --batch-mb 512 --keep-going)]
#
# INPUT: a directory of FULL files, the archive .tar, or its split parts, as for pack-archive;
# every node must see it, and --shard-dir (the merge job reads all shards). Task K of the array
# writes SHARD_DIR/weights-shard-K-of-N.h5; the merge job (merge-archive, or with --links a master
# file of external links to the shards) starts when every task has succeeded. A requeued task
# resumes its shard. Prints "ARRAY_JOB_ID MERGE_JOB_ID".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/submit-common.sh"
inputs=() pack_args=() merge_args=()
while (($#)); do
  if common_option "$@"; then shift "$consumed"; continue; fi
  case "$1" in
    --links) merge_args+=(--links); shift ;;
    --) shift; pack_args=("$@"); break ;;
    -*) die "unknown option $1 (pack-archive options go after --)" ;;
    *) inputs+=("$(abspath "$1")"); shift ;;
  esac
done
check_common
((${#inputs[@]})) || die "give the input (a directory of FULL files, a .tar or its parts)"
array_args=("${inputs[@]}" ${pack_args[@]+"${pack_args[@]}"})
submit_pipeline pack "$here/pack-archive.sbatch" "$here/merge-archive.sbatch" \
  "${#array_args[@]}" "${array_args[@]}" ${merge_args[@]+"${merge_args[@]}"}
