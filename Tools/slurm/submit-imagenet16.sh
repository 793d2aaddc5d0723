#!/usr/bin/env bash
# Submits a build-imagenet16 job array (ILSVRC2012 JPEGs, one label range per task) and the merge
# that waits for it:
#
#   Tools/slurm/submit-imagenet16.sh --shards 8 --shard-dir /shared/in16 -o /shared/imagenet16-120.h5 \
#       --ilsvrc /shared/ILSVRC2012 --class-map devkit/map_clsloc.txt \
#       [--val-labels devkit/ILSVRC2015_clsloc_validation_ground_truth.txt] [--splits SPLITS_DIR] \
#       [--cpus 2] [--mem 600M] [--merge-mem 600M] [--time T] [--partition P] [-- BUILD OPTIONS (e.g. --keep-going)]
#
# Task K writes SHARD_DIR/imagenet16-shard-K-of-N.h5 (build-imagenet16 --shard K/N, K from 0);
# the merge job (build-imagenet16 --merge, with --splits adding x-valid / x-test) starts when
# every task has succeeded. Prints "ARRAY_JOB_ID MERGE_JOB_ID".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/submit-common.sh"
build_args=() merge_args=() extra=()
while (($#)); do
  if common_option "$@"; then shift "$consumed"; continue; fi
  [ $# -ge 2 ] || [ "$1" = -- ] || die "unknown option or missing value: $1"
  case "$1" in
    --ilsvrc|--class-map|--val-labels) build_args+=("$1" "$(abspath "$2")"); shift 2 ;;
    --splits) merge_args+=(--splits "$(abspath "$2")"); shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) die "unknown option $1 (build-imagenet16 options go after --)" ;;
  esac
done
check_common
[[ " ${build_args[*]-} " == *" --ilsvrc "* ]] || die "--ilsvrc DIR is required"
[[ " ${build_args[*]-} " == *" --class-map "* ]] || die "--class-map FILE is required"
array_args=("${build_args[@]}" ${extra[@]+"${extra[@]}"})
submit_pipeline in16 "$here/build-imagenet16.sbatch" "$here/merge-imagenet16.sbatch" \
  "${#array_args[@]}" "${array_args[@]}" ${merge_args[@]+"${merge_args[@]}"}
