#!/usr/bin/env bash
# libFuzzer runs over nasdata's parsers (issue 17). Each target is a Tools/fuzz/Fuzz*.swift
# entry point linked against the modules it exercises, all compiled here with swiftc
# -sanitize=fuzzer,address (coverage-guided, AddressSanitizer), seeded with the fixtures.
#
#   Tools/fuzz.sh TARGET [seconds] [extra libFuzzer flags...]    one campaign (default 60 s)
#   Tools/fuzz.sh --smoke [seconds]                               every target briefly (default 3 s)
#   Tools/fuzz.sh --triage TARGET                                 where each stored crash artifact crashes
#   Tools/fuzz.sh --list
#
# Targets: pickle checkpoint npy safetensors tar gzip bz2 hdf5 image.
# Work files: $FUZZ_WORK (default /tmp/nasdata-fuzz): objects, binaries, corpora, crash-* artifacts.
# Prints libFuzzer's final stats (stat::number_of_executed_units ...) and any crash; exit status 1
# if a target crashed, hung or had a sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK="${FUZZ_WORK:-/tmp/nasdata-fuzz}"
TARGETS=(pickle checkpoint npy safetensors tar gzip bz2 hdf5 image)
mkdir -p "$WORK/mods" "$WORK/obj"
# Swift's own crash backtracer would report instead of libFuzzer/ASan (and confuse the triage).
export SWIFT_BACKTRACE=enable=no

HDF5_CFLAGS=$(pkg-config --cflags hdf5 2>/dev/null || echo -I/usr/include/hdf5/serial)
HDF5_LIBS=$(pkg-config --libs-only-L hdf5 2>/dev/null || true)
CINCLUDES=()
for c in Sources/C*/; do CINCLUDES+=(-I "$c"); done
for f in $HDF5_CFLAGS; do CINCLUDES+=(-Xcc "$f"); done
SWIFTC=(swiftc -parse-as-library -O -g -sanitize=fuzzer,address -suppress-warnings -I "$WORK/mods" "${CINCLUDES[@]}")

# Compiles Sources/$1 into $WORK/obj/$1.o + its module, unless up to date. modules_for lists a
# target's modules in dependency order (Package.swift's map).
build_module() {
  local m=$1 obj="$WORK/obj/$1.o"
  if [[ -f $obj ]] && [[ -z $(find "Sources/$m" -name '*.swift' -newer "$obj" | head -1) ]]; then return; fi
  echo "compiling $m (instrumented)" >&2
  "${SWIFTC[@]}" -wmo -c -module-name "$m" -emit-module -emit-module-path "$WORK/mods/$m.swiftmodule" \
    Sources/"$m"/*.swift -o "$obj"
}

modules_for() {
  case $1 in
    pickle) echo Tensors Concurrency Compression NASDataIO Pickle ;;
    checkpoint|npy|safetensors) echo Tensors Concurrency Compression NASDataIO Pickle Checksums TorchFormats ;;
    tar|gzip|bz2) echo Concurrency Compression NASDataIO ;;
    hdf5) echo Tensors HDF5 ;;
    image) echo "" ;;
  esac
}

entry_for() {
  case $1 in
    pickle) echo Tools/fuzz/FuzzUnpickler.swift ;;
    checkpoint) echo Tools/fuzz/FuzzCheckpoint.swift ;;
    npy) echo Tools/fuzz/FuzzNPY.swift ;;
    safetensors) echo Tools/fuzz/FuzzSafetensors.swift ;;
    tar) echo Tools/fuzz/FuzzTar.swift ;;
    gzip) echo Tools/fuzz/FuzzGzip.swift ;;
    bz2) echo Tools/fuzz/FuzzBzip2.swift ;;
    hdf5) echo Tools/fuzz/FuzzHDF5.swift ;;
    image) echo "Tools/fuzz/FuzzImage.swift Sources/ImageCodecs/ImageDecoder.swift Sources/ImageCodecs/ImageDecoderPNG.swift" ;;
  esac
}

# Largest input libFuzzer generates, per target (seeds larger than this are cut).
max_len_for() {
  case $1 in
    checkpoint|tar|gzip|hdf5) echo 131072 ;;
    image) echo 65536 ;;
    *) echo 65536 ;;
  esac
}

seed() {
  local t=$1 dir="$WORK/corpus-$1"
  mkdir -p "$dir"
  case $t in
    pickle)
      cp Tests/Fixtures/pickle/*.pkl "$dir/"
      python3 - "$dir" <<'PY'
import sys, zipfile, pathlib
for p in pathlib.Path("Tests/Fixtures/pickle").glob("*_zip.pth"):
    for n in zipfile.ZipFile(p).namelist():
        if n.endswith("data.pkl"):
            (pathlib.Path(sys.argv[1]) / (p.stem + "-data.pkl")).write_bytes(zipfile.ZipFile(p).read(n))
for p in pathlib.Path("Tests/Fixtures/pickle").glob("*_legacy.pth"):
    (pathlib.Path(sys.argv[1]) / (p.stem + ".pkl")).write_bytes(p.read_bytes()[:65536])
PY
      ;;
    checkpoint) cp Tests/Fixtures/pickle/*.pth "$dir/" ;;
    npy) cp Tests/Fixtures/pickle/*.npy Tests/Fixtures/network/*logits.npy Tests/Fixtures/network/*features.npy "$dir/" ;;
    safetensors) cp Tests/Fixtures/pickle/*.safetensors "$dir/" ;;
    tar) cp Tests/Fixtures/cifar/streams/*.tar "$dir/" ;;
    gzip) cp Tests/Fixtures/verify/content/plain.gz Tests/Fixtures/cifar/cifar-100-binary.tar.gz "$dir/" ;;
    bz2) cp Tests/Fixtures/verify/content/plain.bz2 "$dir/" ;;
    hdf5) cp Tests/Fixtures/hdf5/*.h5 Tests/Fixtures/verify/content/*.h5 "$dir/" ;;
    image) cp Tests/Fixtures/verify/content/image.* "$dir/" ;;
  esac
}

build_target() {
  local t=$1 bin="$WORK/fuzz-$1"
  local mods; mods=$(modules_for "$t")
  local objs=()
  for m in $mods; do build_module "$m"; objs+=("$WORK/obj/$m.o"); done
  # shellcheck disable=SC2046
  local sources=($(entry_for "$t") Tools/fuzz/FuzzSupport.swift)
  local newest; newest=$(ls -t "${sources[@]}" "${objs[@]}" 2>/dev/null | head -1)
  if [[ -f $bin && $bin -nt $newest ]]; then return; fi
  echo "linking fuzz-$t" >&2
  "${SWIFTC[@]}" -module-name "Fuzz_$t" "${sources[@]}" "${objs[@]}" $HDF5_LIBS -o "$bin" 2>&1 \
    | grep -v "Cannot export local symbol" >&2 || true
  [[ -x $bin ]]
}

# Targets over C libraries known to crash on crafted input (libhdf5 1.10, see README):
# run in fork mode, so that the campaign goes on past a crash inside the library.
keeps_going() { [[ $1 == hdf5 || $1 == image ]]; }

run_target() {
  local t=$1 secs=$2; shift 2
  build_target "$t"
  seed "$t"
  local log="$WORK/$t.log" mark="$WORK/.start-$t"
  touch "$mark"
  local extra=()
  if keeps_going "$t"; then extra=(-fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1); fi
  set +e
  "$WORK/fuzz-$t" "$WORK/corpus-$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
    -max_len="$(max_len_for "$t")" -print_final_stats=1 -artifact_prefix="$WORK/$t-" "${extra[@]}" "$@" >"$log" 2>&1
  local rc=$?
  set -e
  local execs; execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  # Fork mode prints no final stats: take its last progress line.
  [[ -n $execs ]] || execs=$(grep -oE '^#[0-9]+' "$log" | tr -d '#' | sort -n | tail -1 || true)
  local artifacts; artifacts=$(find "$WORK" -maxdepth 1 -name "$t-*" -newer "$mark" -type f | sort)
  if [[ $rc -eq 0 && -z $artifacts ]] || { keeps_going "$t" && [[ -z $artifacts ]]; }; then
    echo "$t: ${execs:-?} executions in ${secs}s, no crash"
    return 0
  fi
  echo "$t: ${execs:-?} executions in ${secs}s (libFuzzer exit $rc); artifacts:"
  triage "$t" $artifacts
}

# Sorts crash artifacts of target $1 (files $2...): nasdata's frames fail, C-library frames are
# reported as known limits. `Tools/fuzz.sh --triage TARGET` re-triages every stored artifact.
triage() {
  local t=$1; shift
  local ours=0 a frame
  for a in "$@"; do
    # A timeout found while the machine is loaded (campaigns run at nice 19) may be CPU
    # starvation: run the input alone; if it finishes well within the limit, say so.
    if [[ $(basename "$a") == "$t"-timeout-* ]] && "$WORK/fuzz-$t" -timeout=10 -rss_limit_mb=2048 "$a" >/dev/null 2>&1; then
      echo "  $(basename "$a"): not reproducible: it runs in $(alone_ms "$t" "$a") ms alone (the machine was starved)"
      continue
    fi
    frame=$(locate_crash "$t" "$a")
    case $frame in
      *lib*.so*) echo "  $(basename "$a"): inside a C library: $frame (known limit, verify isolates it)" ;;
      no\ stack*)
        # Over libhdf5 / the image decoders (fork mode), an artifact that gives no stack when run
        # alone is a library hang, leak or out-of-memory on crafted input: the same known limit.
        # Over nasdata's own parsers it is a hang of ours.
        if keeps_going "$t"; then
          echo "  $(basename "$a"): $frame, C-library target (known limit, verify isolates it)"
        else
          echo "  $(basename "$a"): $frame"; ours=1
        fi ;;
      *) echo "  $(basename "$a"): $frame"; ours=1 ;;
    esac
  done
  [[ $# -gt 0 ]] || ours=1   # a failure without an artifact: see the log
  [[ $ours -eq 0 ]] || { echo "  see $WORK/$t.log"; return 1; }
}

# How long input $2 takes through target $1, run alone (libFuzzer's "Executed ... in N ms").
alone_ms() {
  "$WORK/fuzz-$1" -timeout=10 "$2" 2>&1 | grep -oE 'in [0-9]+ ms' | grep -oE '[0-9]+' | tail -1
}

# The first stack frame of artifact $2 outside the sanitizer runtime and libc: nasdata's
# code (Sources/...) or a C library such as libhdf5.
locate_crash() {
  local frame
  frame=$("$WORK/fuzz-$1" -timeout=10 -rss_limit_mb=2048 "$2" 2>&1 | grep -E '^ +#[0-9]+ 0x' \
    | grep -vE 'compiler-rt|libc\.so|libFuzzer|asan_|sanitizer_|LLVMFuzzer|libswiftCore|libstdc|compiler-generated' \
    | grep -E 'Sources/|Tools/fuzz|\.so' | head -1 \
    | sed -E 's/^ +#[0-9]+ 0x[0-9a-f]+ in //' || true)
  echo "${frame:-no stack (timeout or out of memory)}"
}

case "${1:-}" in
  --list) printf '%s\n' "${TARGETS[@]}" ;;
  --triage)
    t=${2:?target}
    build_target "$t"
    # shellcheck disable=SC2046
    triage "$t" $(find "$WORK" -maxdepth 1 \( -name "$t-crash-*" -o -name "$t-timeout-*" \) | sort) ;;
  --smoke)
    secs="${2:-3}"
    status=0
    for t in "${TARGETS[@]}"; do run_target "$t" "$secs" || status=1; done
    exit $status ;;
  ""|-h|--help) sed -n 2,12p "$0"; exit 64 ;;
  *)
    t=$1; shift
    [[ " ${TARGETS[*]} " == *" $t "* ]] || { echo "unknown target $t (try --list)" >&2; exit 64; }
    run_target "$t" "${1:-60}" "${@:2}" ;;
esac
