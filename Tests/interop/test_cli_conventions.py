"""The CLI conventions (README, "Conventions"), checked over EVERY subcommand:

exit status 0 ok / 1 a check found a problem / 2 input missing, unreadable or wrong / 64 usage /
74 output cannot be written; every error one line on stderr, `nasdata SUBCOMMAND: ...`, naming the
user's file (never the temporary file written beside it), library stack lines only with
--verbose; usage errors show the subcommand's usage; `help UNKNOWN` is an error; an output whose
extension is not a format the command writes is refused, naming the formats; one spelling for
shared options; option defaults printed once."""
import re

import pytest

from conftest import FIXTURES

# Every subcommand (a test below checks this list against `nasdata --help`).
SUBCOMMANDS = ["build-cifar", "build-imagenet16", "preview", "archs", "convert-benchmark", "query", "best", "table",
               "pack-archive", "merge-archive", "archive info", "archive ls", "archive extract", "reload", "forward",
               "verify", "manifest", "check-schema", "inspect", "selftest", "search", "plot"]

M = "/nonexistent-input/missing.bin"        # an input that does not exist
ANY = str(FIXTURES / "network" / "full-file.input.npy")   # an existing file, for commands refused before reading it

# subcommand -> arguments with the missing input M and a writable output OUT (tmp_path)
MISSING_INPUT = {
    "build-cifar": ["--cifar10", M, "--no-splits", "-o", "OUT/x.h5"],
    "build-imagenet16": ["--downsampled", M, "--no-splits", "-o", "OUT/x.h5"],
    "preview": [M, "-o", "OUT/x.png"],
    "convert-benchmark": [M, "-o", "OUT/x.h5"],
    "query": [M, "--index", "1"],
    "best": [M, "--dataset", "cifar10", "--metric", "ori-test"],
    "table": [M, "--dataset", "cifar10", "-o", "OUT/x.csv"],
    "pack-archive": [M, "-o", "OUT/x.h5"],
    "merge-archive": [M, "-o", "OUT/x.h5"],
    "archive info": [M],
    "archive ls": [M],
    "archive extract": [M, "--arch", "1", "--dataset", "cifar10", "--seed", "777", "-o", "OUT/x.pth"],
    "reload": ["--full-file", M, "--arch", "1", "--dataset", "cifar10", "-o", "OUT/x.pth"],
    "forward": ["--weights", M, "--arch", "1", "--classes", "10", "--input", ANY, "-o", "OUT/x.npy"],
    "verify": [M],
    "manifest": [M, "-o", "OUT/x.sha256"],
    "check-schema": [M],
    "inspect": [M],
    "selftest": ["--read", M],
    "search": [M, "--algorithm", "rea", "--dataset", "cifar10", "--runs", "1", "--seed", "1"],
    "plot": [M, "-o", "OUT/fig"],
}

# subcommand -> arguments writing into a folder that does not exist (exit 74), inputs that exist
NO_DIR = "/nonexistent-output-dir"
UNWRITABLE_OUTPUT = {
    "build-cifar": ["--cifar10", FIXTURES / "cifar" / "cifar-10-python.tar.gz", "--no-splits", "--allow-unverified",
                    "-o", f"{NO_DIR}/x.h5"],
    "build-imagenet16": ["--downsampled", FIXTURES / "imagenet16" / "downsampled", "--no-splits", "--allow-unverified",
                         "-o", f"{NO_DIR}/x.h5"],
    "preview": [ANY, "-o", f"{NO_DIR}/x.png"],
    "convert-benchmark": [ANY, "-o", f"{NO_DIR}/x.h5"],
    "table": [ANY, "--dataset", "cifar10", "-o", f"{NO_DIR}/x.csv"],
    "pack-archive": [FIXTURES / "archive", "-o", f"{NO_DIR}/x.h5"],
    "merge-archive": [ANY, "-o", f"{NO_DIR}/x.h5"],
    "archive extract": [ANY, "--arch", "1", "--dataset", "cifar10", "--seed", "777", "-o", f"{NO_DIR}/x.pth"],
    "reload": ["--full-file", FIXTURES / "network" / "013444-FULL.pth", "--arch", "13444", "--dataset", "cifar10-valid",
               "-o", f"{NO_DIR}/x.pth"],
    "forward": ["--weights", ANY, "--arch", "1", "--classes", "10", "--input", ANY, "-o", f"{NO_DIR}/x.npy"],
    "manifest": [FIXTURES / "verify", "-o", f"{NO_DIR}/x.sha256"],
    "inspect": [FIXTURES / "network" / "allops-c8-cifar10.pth", "--export", f"{NO_DIR}/x.safetensors"],
    "selftest": ["-o", f"{NO_DIR}/x.h5"],
    "search": [ANY, "--algorithm", "rea", "--dataset", "cifar10", "-o", f"{NO_DIR}/x.h5"],
    "plot": [ANY, "-o", f"{NO_DIR}/x"],
}

# subcommand -> arguments whose output extension is not a format the command writes, and a
# format the message must name
WRONG_EXTENSION = {
    "preview": ([ANY, "-o", "OUT/a.jpg"], ".png"),
    "build-cifar": (["--cifar10", FIXTURES / "cifar" / "cifar-10-python.tar.gz", "--no-splits", "-o", "OUT/a.csv"], ".h5"),
    "table": ([ANY, "--dataset", "cifar10", "-o", "OUT/a.h5"], ".csv"),
    "reload": (["--full-file", FIXTURES / "network" / "013444-FULL.pth", "--arch", "13444", "--dataset", "cifar10-valid",
                "-o", "OUT/a.txt"], ".safetensors"),
    "forward": (["--weights", ANY, "--arch", "1", "--classes", "10", "--input", ANY, "-o", "OUT/a.txt"], ".npy"),
    "pack-archive": ([FIXTURES / "archive", "-o", "OUT/a.tar"], ".h5"),
    "selftest": (["-o", "OUT/a.json"], ".h5"),
    "search": ([ANY, "--algorithm", "rea", "--dataset", "cifar10", "-o", "OUT/a.csv"], ".json"),
}


def run(nasdata, sub, args, tmp_path=None):
    args = [str(a).replace("OUT/", f"{tmp_path}/") if tmp_path else a for a in args]
    return nasdata(*sub.split(), *args, check=False)


def one_error_line(proc, sub):
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"nasdata {sub}: "), proc.stderr
    return lines[0]


def test_the_list_is_every_subcommand(nasdata):
    listed = re.findall(r"^  ([a-z0-9-]+)", nasdata("--help").stdout.split("SUBCOMMANDS:")[1], re.M)
    assert sorted(listed) == sorted({s.split()[0] for s in SUBCOMMANDS} - {"help"})
    assert sorted(s.split()[1] for s in SUBCOMMANDS if s.startswith("archive ")) == ["extract", "info", "ls"]


@pytest.mark.parametrize("sub", SUBCOMMANDS)
def test_usage_error_is_64_with_the_subcommands_usage(nasdata, sub):
    proc = nasdata(*sub.split(), "--no-such-option", check=False)
    assert proc.returncode == 64, proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith(f"nasdata {sub}: "), proc.stderr
    assert f"Usage: nasdata {sub}" in proc.stderr, proc.stderr


@pytest.mark.parametrize("sub", sorted(MISSING_INPUT))
def test_missing_input_is_2_one_line_naming_it(nasdata, sub, tmp_path):
    proc = run(nasdata, sub, MISSING_INPUT[sub], tmp_path)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "/nonexistent-input/missing.bin" in one_error_line(proc, sub)
    assert list(tmp_path.iterdir()) == []          # nothing written


@pytest.mark.parametrize("sub", sorted(UNWRITABLE_OUTPUT))
def test_unwritable_output_is_74_naming_the_users_path(nasdata, sub):
    proc = run(nasdata, sub, UNWRITABLE_OUTPUT[sub])
    assert proc.returncode == 74, (proc.returncode, proc.stderr)
    line = one_error_line(proc, sub)
    assert NO_DIR + "/x." in line and ".partial" not in line, line


@pytest.mark.parametrize("sub", sorted(WRONG_EXTENSION))
def test_output_extension_must_match_the_format(nasdata, sub, tmp_path):
    args, allowed = WRONG_EXTENSION[sub]
    proc = run(nasdata, sub, args, tmp_path)
    assert proc.returncode == 64, (proc.returncode, proc.stderr)
    assert allowed in proc.stderr.splitlines()[0], proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_help_unknown_is_an_error(nasdata):
    proc = nasdata("help", "frobnicate", check=False)
    assert proc.returncode == 64 and "frobnicate" in proc.stderr and proc.stdout == ""
    assert nasdata("help", "archive", "ls").returncode == 0
    assert nasdata("help", "archive", "bogus", check=False).returncode == 64


@pytest.mark.parametrize("sub", SUBCOMMANDS)
def test_help_prints_each_default_once_and_one_name_for_workers(nasdata, sub):
    text = nasdata(*sub.split(), "--help").stdout
    joined = re.sub(r"\n\s+", " ", text)                 # wrapped help lines joined
    for option in re.split(r"\s(?=--?[a-z])", joined):
        assert option.count("(default:") <= 1, option
    assert "--jobs" not in text and "--workers" not in text, "parallel workers are --threads everywhere"


def test_library_stack_lines_only_with_verbose(nasdata, tmp_path):
    bad = tmp_path / "truncated.h5"
    good = (FIXTURES / "hdf5").glob("*.h5")
    src = next(iter(sorted(good)), None)
    if src is None:
        pytest.skip("no HDF5 fixture")
    bad.write_bytes(src.read_bytes()[:3000])
    quiet = nasdata("query", bad, "--index", "1", check=False)
    assert quiet.returncode == 2
    assert "HDF5:" not in quiet.stderr and str(bad) in one_error_line(quiet, "query")
    loud = nasdata("query", bad, "--index", "1", "--verbose", check=False)
    assert loud.returncode == 2 and loud.stderr.startswith("nasdata query: ")


def test_exit_statuses_are_documented_once_in_help_and_readme(nasdata):
    from conftest import ROOT
    readme = (ROOT / "README.md").read_text()
    for code in ("0", "1", "2", "64", "74"):
        assert re.search(rf"^\| {code} \|", readme, re.M), code
    assert "74" in nasdata("--help").stdout


def test_forward_refuses_weights_whose_metadata_records_another_network(nasdata, tmp_path):
    net = FIXTURES / "network"
    nasdata("reload", "--full-file", net / "013444-FULL.pth", "--arch", "13444", "--dataset", "cifar10-valid",
            "-o", tmp_path / "w.safetensors")
    args = ["forward", "--weights", tmp_path / "w.safetensors", "--classes", "10",
            "--input", net / "full-file.input.npy", "-o", tmp_path / "l.npy"]
    # Architecture 25's cells have the same parameter keys: only the metadata tells them apart.
    proc = nasdata(*args, "--arch", "25", check=False)
    assert proc.returncode == 2, proc.stderr
    line = one_error_line(proc, "forward")
    assert "13444" in line and "25" in line and "--ignore-metadata" in line, line
    assert not (tmp_path / "l.npy").exists()
    assert nasdata(*args, "--arch", "25", "--ignore-metadata").returncode == 0
    assert nasdata(*args, "--arch", "13444").returncode == 0
    # The data set the weights were trained on: cifar10-valid and cifar10 share their class count.
    base = [a for a in args if a not in ("--classes", "10")]
    proc = nasdata(*base, "--arch", "13444", "--dataset", "cifar10", check=False)
    assert proc.returncode == 2, proc.stderr
    line = one_error_line(proc, "forward")
    assert "data set cifar10-valid, not the requested cifar10" in line and "--ignore-metadata" in line, line
    assert nasdata(*base, "--arch", "13444", "--dataset", "cifar10", "--ignore-metadata").returncode == 0
    assert nasdata(*base, "--arch", "13444", "--dataset", "cifar10-valid").returncode == 0
    proc = nasdata(*base, "--arch", "13444", "--dataset", "cifar100", "--classes", "10", check=False)
    assert proc.returncode == 64 and "contradicts" in proc.stderr, proc.stderr


def test_reload_refuses_a_file_of_another_architecture_unless_told(nasdata, tmp_path):
    full = FIXTURES / "network" / "013444-FULL.pth"
    args = ["reload", "--full-file", full, "--dataset", "cifar10-valid", "-o", tmp_path / "w.safetensors"]
    proc = nasdata(*args, "--arch", "25", check=False)
    assert proc.returncode == 2, proc.stderr
    line = one_error_line(proc, "reload")
    assert "13444" in line and "not the requested" in line and "--ignore-metadata" in line, line
    assert not (tmp_path / "w.safetensors").exists()
    # Told to: a warning naming both, and the requested architecture's network (the cells share
    # parameter keys, so the strict load passes); the export records what was asked for.
    proc = nasdata(*args, "--arch", "25", "--ignore-metadata", "--json")
    assert "13444" in proc.stderr and "ignored" in proc.stderr, proc.stderr
    import json
    report = json.loads(proc.stdout)
    assert report["arch_index"] == 25 and any("13444" in w for w in report["warnings"]), report


# subcommand -> arguments whose output (OUT/...) grows past a few KB: with the file-size limit
# below, the disk "fills up" in the middle of the job (EFBIG, as ENOSPC would).
FILLS_THE_DISK = {
    "build-cifar": ["--cifar10", FIXTURES / "cifar" / "cifar-10-python.tar.gz", "--no-splits", "--allow-unverified",
                    "-o", "OUT/x.h5"],
    "convert-benchmark": [FIXTURES / "nats" / "generated" / "NATS-tss-v1_0-3ffb9.pickle.pbz2", "-o", "OUT/x.h5"],
    "pack-archive": [FIXTURES / "archive", "-o", "OUT/x.h5"],
    "selftest": ["-o", "OUT/x.h5"],
}


@pytest.mark.parametrize("sub", sorted(FILLS_THE_DISK))
def test_disk_full_in_the_middle_of_a_job_is_74_and_leaves_nothing(nasdata_bin, sub, tmp_path):
    import resource
    import signal
    import subprocess

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)     # write() then fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (8 * 1024, 8 * 1024))

    args = [str(a).replace("OUT/", f"{tmp_path}/") for a in FILLS_THE_DISK[sub]]
    proc = subprocess.run([nasdata_bin, *sub.split(), *args], capture_output=True, text=True, preexec_fn=small_disk)
    assert proc.returncode == 74, (proc.returncode, proc.stderr)
    line = one_error_line(proc, sub)
    assert str(tmp_path / "x.h5") in line and ".partial" not in line, line
    if sub != "pack-archive":
        assert list(tmp_path.iterdir()) == []       # the temporary file is gone too
    else:
        # pack-archive writes its archive in place, crash-safe: what it left is the durable point
        # the same command resumes from once the disk has room.
        again = subprocess.run([nasdata_bin, *sub.split(), *args], capture_output=True, text=True)
        assert again.returncode == 0, again.stderr
        assert subprocess.run([nasdata_bin, "verify", args[-1]], capture_output=True).returncode == 0


@pytest.mark.parametrize("sub", SUBCOMMANDS)
def test_every_subcommand_documents_verbose(nasdata, sub):
    text = nasdata(*sub.split(), "--help").stdout
    assert "--verbose" in text.split("OPTIONS:")[1], text
