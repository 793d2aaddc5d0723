#!/usr/bin/env bash
# Demo stage 40: ImageNet16-120 both ways on the committed miniature inputs:
#  1. from an ILSVRC-style JPEG tree (greyscale, CMYK, a PNG named .JPEG, a truncated file that
#     --keep-going skips and lists), in two shards merged back, and checked against its schema;
#  2. from Downsampled-ImageNet batch pickles with the official-format split, plus the
#     --format autodl batch files for upstream's loader;
#  then a preview PNG of the result (when the preview command is present).
set -euo pipefail
: "${NASDATA:?}" "${OUT:?}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
FX="$ROOT/Tests/Fixtures/imagenet16"
W="$OUT/imagenet16"
rm -rf "$W"; mkdir -p "$W"
export NASDATA_PROGRESS=0
TREE="$FX/ilsvrc"
common=(--ilsvrc "$TREE" --class-map "$TREE/devkit/map_clsloc.txt"
        --val-labels "$TREE/devkit/ILSVRC2015_clsloc_validation_ground_truth.txt" --classes 5 --keep-going)

# 1. From JPEGs: whole, and as 2 shards + merge; the merged sets carry the same digests.
"$NASDATA" build-imagenet16 "${common[@]}" -o "$W/ilsvrc.h5"
"$NASDATA" build-imagenet16 "${common[@]}" --shard 0/2 -o "$W/shard0.h5"
"$NASDATA" build-imagenet16 "${common[@]}" --shard 1/2 -o "$W/shard1.h5"
"$NASDATA" build-imagenet16 --merge "$W/shard1.h5" "$W/shard0.h5" -o "$W/merged.h5" --json > "$W/merged.json"
"$NASDATA" build-imagenet16 "${common[@]}" -o "$W/ilsvrc-again.h5" --threads 1 > /dev/null
cmp "$W/ilsvrc.h5" "$W/ilsvrc-again.h5" && echo "two builds (all threads / 1 thread) are byte-identical"
"$NASDATA" check-schema "$W/ilsvrc.h5"
"$NASDATA" check-schema "$W/merged.h5"

# A truncated image without --keep-going stops the build and leaves no output.
if "$NASDATA" build-imagenet16 "${common[@]:0:8}" -o "$W/stopped.h5" 2> "$W/stopped.err"; then
  echo "expected the truncated image to stop the build" >&2; exit 1
fi
grep -q "n02110185_truncated.JPEG" "$W/stopped.err" && [ ! -e "$W/stopped.h5" ] && echo "truncated image: build stopped cleanly: $(cat "$W/stopped.err")"

# 2. From the Downsampled-ImageNet batches (synthetic miniatures: their MD5s are not the
#    published ones, hence --allow-unverified), with x-valid / x-test and the autodl files.
"$NASDATA" build-imagenet16 --downsampled "$FX/downsampled" --splits "$FX/downsampled/splits" --allow-unverified \
  --format autodl --autodl-dir "$W/ImageNet16" -o "$W/downsampled.h5"
"$NASDATA" check-schema "$W/downsampled.h5"
ls "$W/ImageNet16"

# 3. A look at the result.
if "$NASDATA" --help | grep -qw preview; then
  "$NASDATA" preview "$W/ilsvrc.h5" --set ImageNet16-5/train --count 16 -o "$W/preview-train.png"
  echo "preview: $W/preview-train.png"
fi
rm -f "$W/ilsvrc-again.h5"
