#!/usr/bin/env bash
# Builds the release `nasdata` (Swift runtime linked statically, schemas and split files built
# in) and installs it with its shell completions and man page; or removes them again.
#
#   Tools/install.sh                     # into PREFIX=/usr/local (as root, or with sudo)
#   PREFIX=$HOME/.local Tools/install.sh # anywhere else (put $PREFIX/bin on PATH)
#   Tools/install.sh --uninstall         # removes exactly the files listed below
#   Tools/install.sh --prefix DIR        # same as PREFIX=DIR; DESTDIR=... stages a package
#
# Installed:
#   $PREFIX/bin/nasdata
#   $PREFIX/share/man/man1/nasdata.1                         (swift-argument-parser's generate-manual)
#   $PREFIX/share/bash-completion/completions/nasdata
#   $PREFIX/share/zsh/site-functions/_nasdata
#   $PREFIX/share/fish/vendor_completions.d/nasdata.fish
# At run time nasdata needs only the C libraries' Debian runtime packages (README, Install).
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX="${PREFIX:-/usr/local}"
DESTDIR="${DESTDIR:-}"
action=install
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="${2:?--prefix needs a directory}"; shift 2 ;;
    --prefix=*) PREFIX="${1#--prefix=}"; shift ;;
    --uninstall) action=uninstall; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 64 ;;
  esac
done
root="$DESTDIR$PREFIX"
files=("bin/nasdata" "share/man/man1/nasdata.1" "share/bash-completion/completions/nasdata"
       "share/zsh/site-functions/_nasdata" "share/fish/vendor_completions.d/nasdata.fish")

if [ "$action" = uninstall ]; then
  for f in "${files[@]}"; do
    if [ -e "$root/$f" ]; then rm -f "$root/$f" && echo "removed $root/$f"; fi
  done
  exit 0
fi

echo "install.sh: building the release binary (swift build -c release --static-swift-stdlib)" >&2
swift build -c release --static-swift-stdlib --product nasdata >&2
built="$(swift build -c release --static-swift-stdlib --show-bin-path)/nasdata"

staging="$(mktemp -d "${TMPDIR:-/tmp}/nasdata-install.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
for shell in bash zsh fish; do
  "$built" --generate-completion-script "$shell" > "$staging/completion.$shell"
done
# The man page: swift-argument-parser's manual generator (the tool behind its `swift package
# generate-manual` plugin, which would first rebuild the whole package without
# --static-swift-stdlib), built on its own and run on the binary just built.
swift build --product generate-manual >&2
"$(swift build --show-bin-path)/generate-manual" "$built" --output-directory "$staging" \
    --section 1 --authors "the nasdata authors" >&2

install -d "$root/bin" "$root/share/man/man1" "$root/share/bash-completion/completions" \
           "$root/share/zsh/site-functions" "$root/share/fish/vendor_completions.d"
install -m 755 -s "$built" "$root/bin/nasdata"
install -m 644 "$staging/nasdata.1" "$root/share/man/man1/nasdata.1"
install -m 644 "$staging/completion.bash" "$root/share/bash-completion/completions/nasdata"
install -m 644 "$staging/completion.zsh" "$root/share/zsh/site-functions/_nasdata"
install -m 644 "$staging/completion.fish" "$root/share/fish/vendor_completions.d/nasdata.fish"
for f in "${files[@]}"; do echo "installed $root/$f"; done
