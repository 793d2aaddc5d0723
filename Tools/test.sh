#!/usr/bin/env bash
# The test command (README, and .ci/run): installs what is missing, builds, then runs
# the Swift test suite and the interop tests (h5py / safetensors / torch read what
# nasdata writes).
#
#  1. debug build of every target, tests included, and the release build of the product with
#     the Swift runtime linked statically (--static-swift-stdlib): a compiler warning from a
#     project file in either build log fails the run (dependencies' warnings do not count;
#     an incremental build only shows the files it recompiled, CI's clean build shows all);
#  2. the embedded copies of Schemas/ and Data/nb201-splits/ are current;
#  3. the Swift tests;
#  4. Tools/install.sh into an empty temporary prefix, and the whole interop suite against that
#     installed binary (alone in bin/: no Schemas/, no sources, no Swift runtime beside it),
#     run from another folder; then --uninstall;
#  5. one summary line per suite and a total: `N passed, N failed, N skipped`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
Tools/setup.sh
LOGS="$(mktemp -d "${TMPDIR:-/tmp}/nasdata-test.XXXXXX")"
trap 'rm -rf "$LOGS"' EXIT
PY="${PYTHON:-python3}"

"$PY" Tools/embed-resources.py --check
"$PY" Tools/check-package-map.py

swift build --build-tests 2>&1 | tee "$LOGS/build-debug.log"
swift build -c release --static-swift-stdlib --product nasdata 2>&1 | tee "$LOGS/build-release.log"
warnings=$(grep -hE "^$ROOT/(Sources|Tests|Tools|Package\.swift)[^:]*:[0-9]+:([0-9]+:)? warning:" \
           "$LOGS"/build-*.log | sort -u || true)
if [ -n "$warnings" ]; then
  printf '%s\n' "$warnings" >&2
  echo "test.sh: $(printf '%s\n' "$warnings" | wc -l) compiler warning(s) from project files (above): fix them" >&2
  exit 1
fi

status=0
swift test --skip-build 2>&1 | tee "$LOGS/swift.log" || status=1

# The product as a user gets it: Tools/install.sh into an empty prefix (the binary alone in
# bin/, man page, completions), the whole interop suite run against that copy from elsewhere,
# then --uninstall must leave nothing behind.
PREFIX_DIR="$LOGS/prefix"
PREFIX="$PREFIX_DIR" Tools/install.sh > "$LOGS/install.log"
BIN="$PREFIX_DIR/bin/nasdata"
[ "$(ls "$PREFIX_DIR/bin")" = nasdata ] && [ -s "$PREFIX_DIR/share/man/man1/nasdata.1" ] \
  && grep -q "build-cifar" "$PREFIX_DIR/share/bash-completion/completions/nasdata" \
  && [ -s "$PREFIX_DIR/share/zsh/site-functions/_nasdata" ] && [ -s "$PREFIX_DIR/share/fish/vendor_completions.d/nasdata.fish" ] \
  || { cat "$LOGS/install.log" >&2; echo "test.sh: Tools/install.sh did not install everything" >&2; exit 1; }
if ldd "$BIN" | grep -q 'libswift\|libFoundation\|libdispatch'; then
  ldd "$BIN" >&2; echo "test.sh: the release binary links the Swift runtime dynamically" >&2; exit 1
fi
(unset NASDATA_SCHEMAS; cd "$LOGS" && NASDATA_BIN="$BIN" "$PY" -m pytest -q -p no:cacheprovider \
   --rootdir "$ROOT" --junitxml "$LOGS/interop.xml" "$ROOT/Tests/interop") || status=1
PREFIX="$PREFIX_DIR" Tools/install.sh --uninstall > /dev/null
if [ -n "$(find "$PREFIX_DIR" -type f)" ]; then
  find "$PREFIX_DIR" -type f >&2; echo "test.sh: install.sh --uninstall left files behind" >&2; status=1
fi

# A few seconds of libFuzzer on every parser (issue 17; the first run compiles the instrumented
# modules, a few minutes). NASDATA_SKIP_FUZZ=1 skips it.
if [[ "${NASDATA_SKIP_FUZZ:-0}" != 1 ]]; then
  Tools/fuzz.sh --smoke "${FUZZ_SMOKE_SECONDS:-3}" || { echo "test.sh: the fuzz smoke run failed" >&2; status=1; }
fi

echo
"$PY" Tools/test-summary.py swift="$LOGS/swift.log" "interop (installed release binary)=$LOGS/interop.xml" || status=1
exit $status
