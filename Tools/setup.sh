#!/usr/bin/env bash
# Installs what nasdata needs and is missing; idempotent and quick when all is present.
#   - Debian packages: the C libraries (with pkg-config, which SwiftPM needs to find them),
#     Slurm with munge for the job-array test (Tools/slurm-cluster.sh starts a local one), and
#     GNU time (/usr/bin/time: peak RSS in the benchmarks and the Slurm job logs)
#   - Python packages for the interop tests (h5py, numpy, safetensors, pytest, pillow,
#     pandas, jsonschema, pyyaml, scipy, nats_bench; with torch also xautodl and nas-bench-201)
#   - torch for the PyTorch interop tests: from a local CPU wheel in /opt/wheels when
#     there is one; otherwise only with NASDATA_INSTALL_TORCH=1 (PyPI's wheel is large).
# Swift itself (6.x) must be on PATH; this script does not install a toolchain.
set -euo pipefail

apt_packages=(pkg-config libhdf5-dev hdf5-tools zlib1g-dev libpng-dev libturbojpeg0-dev
              libjpeg62-turbo-dev libopenblas-dev libssl-dev libbz2-dev
              slurm-wlm munge time)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
# Which of these modules are missing (find_spec only: importing torch takes seconds).
missing_modules() {
  "$PY" - "$@" <<'PYEOF'
import importlib.util, sys
for pair in sys.argv[1:]:
    module, package = pair.split(":")
    if importlib.util.find_spec(module) is None:
        print(package)
PYEOF
}
pip_install() { "$PY" -m pip install -q --disable-pip-version-check "$@"; }

mapfile -t need_py < <(missing_modules h5py:h5py numpy:numpy safetensors:safetensors pytest:pytest \
  PIL:pillow pandas:pandas jsonschema:jsonschema yaml:pyyaml scipy:scipy nats_bench:nats_bench)
if ((${#need_py[@]})); then
  echo "setup: installing Python packages: ${need_py[*]}" >&2
  pip_install "${need_py[@]}"
fi
if [ -n "$(missing_modules torch:torch)" ]; then
  wheel=$(ls /opt/wheels/torch-*cpu*.whl 2>/dev/null | head -n 1 || true)
  if [ -n "$wheel" ]; then
    echo "setup: installing torch from $wheel" >&2
    pip_install "$wheel"
  elif [ "${NASDATA_INSTALL_TORCH:-0}" = 1 ]; then
    pip_install torch
  else
    echo "setup: torch not installed; PyTorch interop tests will fall back to safetensors+numpy checks" >&2
  fi
fi
# Upstream's own code, for the interop tests that compare with it (installed without
# their dependency pins: xautodl pins numpy <= 1.19, which no longer builds; both work
# with current numpy and torch).
if [ -z "$(missing_modules torch:torch)" ]; then
  mapfile -t need_upstream < <(missing_modules xautodl:xautodl nas_201_api:nas-bench-201 nats_bench:nats_bench)
  if ((${#need_upstream[@]})); then
    echo "setup: installing ${need_upstream[*]} (without dependency pins)" >&2
    pip_install --no-deps "${need_upstream[@]}"
  fi
fi
command -v swift >/dev/null || { echo "setup: swift (6.x) is not on PATH" >&2; exit 1; }
