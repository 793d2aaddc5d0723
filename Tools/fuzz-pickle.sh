#!/usr/bin/env bash
# Kept for old instructions: the unpickler's libFuzzer run is now one target of Tools/fuzz.sh.
#   Tools/fuzz-pickle.sh [seconds]   =   Tools/fuzz.sh pickle [seconds]
exec "$(dirname "$0")/fuzz.sh" pickle "${1:-120}"
