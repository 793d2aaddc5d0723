"""Shared fixtures for the interop tests: they run the freshly built `nasdata`
binary and read what it wrote with the tools users already have (h5py, numpy,
safetensors, torch)."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "Fixtures"
SHARED = ROOT.parent / "shared"


def _binary():
    env = os.environ.get("NASDATA_BIN")
    if env:
        return env
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, check=True)
    return str(pathlib.Path(out.stdout.strip()) / "nasdata")


@pytest.fixture(scope="session")
def nasdata_bin():
    """The path of the nasdata binary under test."""
    binary = _binary()
    assert os.path.exists(binary), f"build nasdata first ({binary} missing)"
    return binary


@pytest.fixture(scope="session")
def nasdata(nasdata_bin):
    """Call as nasdata("subcommand", "arg", ...); returns the CompletedProcess."""
    binary = nasdata_bin

    def run(*args, check=True):
        proc = subprocess.run([binary, *map(str, args)], capture_output=True, text=True)
        if check and proc.returncode != 0:
            raise AssertionError(f"nasdata {' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stderr}")
        return proc
    return run


@pytest.fixture
def torch_or_skip():
    return pytest.importorskip("torch")
