"""Many machines, for real: pack-archive and build-imagenet16 as Slurm job arrays, end to end.

Starts a single-node Slurm (Tools/slurm-cluster.sh: slurmctld + slurmd + munged of its own),
submits both pipelines with the Tools/slurm/ wrappers and job scripts users submit on a real
cluster, preempts a running packing task with `scontrol requeue` after its first durable point,
waits for the merge jobs (which depend on the arrays with afterok), and checks the results equal
one-process runs: the same runs with the same SHA-256s (and `nasdata verify` recomputing them),
the same image sets with the same content digests. Slurm is stopped whatever happens.

Inputs: generated full-size FULL files (Tools/fixtures/make_full_files.py, real TinyNetwork
shapes), chosen so that shard 3 of 4 packs a small file, then a large one, then a small one;
`--batch-mb 1` makes every file a durable point, so the requeue lands after the first durable
point and the task's second attempt resumes there. And the miniature ILSVRC tree in
Tests/Fixtures/imagenet16. If Slurm cannot start (not root, packages missing) the test fails
with the reason: it is not skipped.
"""
import json
import os
import pathlib
import re
import subprocess
import sys
import time

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOOLS = ROOT / "Tools"
TREE = ROOT / "Tests" / "Fixtures" / "imagenet16" / "ilsvrc"

SHARDS = 4
# index % 4: shard 0 = 0, 4; shard 1 = 5, 9; shard 2 = 6; shard 3 = 3 (1.6 MB), 7 (34.6 MB), 15 (1.6 MB).
INDICES = [0, 3, 4, 5, 6, 7, 9, 15]
PREEMPTED = 3
PACK_ARGS = ["--batch-mb", "1"]
IN16_SHARDS = 2
IN16_ARGS = ["--classes", "5", "--keep-going"]
TIMEOUT = 420


def run(*args, env=None, check=True):
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture
def slurm(tmp_path, nasdata_bin):
    """A running local Slurm; yields the environment for sbatch/squeue/scontrol and the jobs."""
    folder = tmp_path / "slurm"
    start = subprocess.run([TOOLS / "slurm-cluster.sh", "start", folder], capture_output=True, text=True)
    if start.returncode != 0:
        pytest.fail(f"Slurm did not start (Tools/slurm-cluster.sh start):\n{start.stderr}", pytrace=False)
    env = dict(os.environ, SLURM_CONF=str(folder / "slurm.conf"), NASDATA=nasdata_bin)
    try:
        yield env
    finally:
        subprocess.run([TOOLS / "slurm-cluster.sh", "stop", folder], capture_output=True)


def job_state(env, job):
    """JobState of a job or array task (records stay MinJobAge = 600 s after the end)."""
    out = run("scontrol", "show", "job", "-o", job, env=env, check=False).stdout
    states = re.findall(r"JobState=(\S+)", out)
    return states[0] if states else "GONE"


def task_process(shard_path):
    """The running nasdata process writing `shard_path`, as (pid, bytes written), or None."""
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if b"pack-archive" not in argv or str(shard_path).encode() not in argv or b"/usr/bin/time" in argv[0]:
                continue
            io = (entry / "io").read_text()
        except OSError:
            continue
        return int(entry.name), int(re.search(r"wchar: (\d+)", io).group(1))
    return None


def wait_for(env, jobs, logs):
    """Waits until every job has ended; returns their final states."""
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        states = {j: job_state(env, j) for j in jobs}
        if all(s not in ("PENDING", "RUNNING", "REQUEUED", "CONFIGURING", "COMPLETING") for s in states.values()):
            return states
        time.sleep(1)
    pytest.fail(f"jobs {jobs} not done after {TIMEOUT} s: {states}\n{read_logs(logs)}\n{run('squeue', env=env).stdout}")


def read_logs(folder):
    return "\n".join(f"--- {p.name}\n{p.read_text()}" for p in sorted(folder.glob("*.out")))


def runs_of(path):
    """(arch, dataset, seed, hp, sha256) of every run, sorted; and the sources' (name, md5)."""
    h5py = pytest.importorskip("h5py")
    with h5py.File(path, "r") as f:
        r, s = f["runs"], f["sources"]
        runs = sorted(zip(r["arch_index"][:].tolist(), r["dataset"][:].tolist(), r["seed"][:].tolist(),
                          r["hp"][:].tolist(), (bytes(x).hex() for x in r["sha256"][:])))
        sources = sorted(bytes(x).hex() for x in s["md5"][:])
    return runs, sources


def image_sets(path):
    h5py = pytest.importorskip("h5py")
    out = {}
    with h5py.File(path, "r") as f:
        for name in ("train", "ori-test"):
            g = f[f"ImageNet16-5/{name}"]
            out[name] = (g.attrs["digest"], g["images"][:], g["labels"][:])
    return out


def peak_rss_mb(log):
    return [int(kb) / 1024 for kb in re.findall(r"Maximum resident set size \(kbytes\): (\d+)", log)]


def test_job_arrays_with_a_requeued_task_equal_one_process_runs(slurm, tmp_path, nasdata, nasdata_bin, capsys):
    env = slurm
    full = tmp_path / "full"
    run(sys.executable, TOOLS / "fixtures" / "make_full_files.py", full, "--indices", ",".join(map(str, INDICES)))
    shards, in16 = tmp_path / "shards", tmp_path / "in16"
    merged, merged16 = tmp_path / "merged.h5", tmp_path / "imagenet16.h5"

    t0 = time.time()
    pack_ids = run(TOOLS / "slurm" / "submit-pack-archive.sh", "--shards", SHARDS, "--shard-dir", shards,
                   "-o", merged, "--cpus", 1, full, "--", *PACK_ARGS, env=env).stdout.split()
    in16_ids = run(TOOLS / "slurm" / "submit-imagenet16.sh", "--shards", IN16_SHARDS, "--shard-dir", in16,
                   "-o", merged16, "--cpus", 1, "--ilsvrc", TREE, "--class-map", TREE / "devkit" / "map_clsloc.txt",
                   "--val-labels", TREE / "devkit" / "ILSVRC2015_clsloc_validation_ground_truth.txt",
                   "--", *IN16_ARGS, env=env).stdout.split()
    array, merge = pack_ids
    task = f"{array}_{PREEMPTED}"

    # Preempt task 3 once it is past its first durable point: the small first file (about 1.3 MB
    # of archive) is committed before the large second one is written, so more than 6 MB
    # written means the task is inside the second file.
    shard_path = shards / f"weights-shard-{PREEMPTED}-of-{SHARDS}.h5"
    deadline = time.time() + TIMEOUT
    written = 0
    while True:
        assert time.time() < deadline, f"task {task} never got going:\n{read_logs(shards / 'logs')}"
        state = job_state(env, task)
        assert state in ("PENDING", "CONFIGURING", "RUNNING"), f"task {task} is {state} before it could be preempted:\n{read_logs(shards / 'logs')}"
        found = task_process(shard_path) if state == "RUNNING" else None
        if found and found[1] > 6 << 20:
            written = found[1]
            run("scontrol", "requeue", task, env=env)
            break
        time.sleep(0.05)

    states = wait_for(env, [merge, in16_ids[1]], shards / "logs")
    slurm_seconds = time.time() - t0
    logs = read_logs(shards / "logs") + read_logs(in16 / "logs")
    assert states == {merge: "COMPLETED", in16_ids[1]: "COMPLETED"}, f"{states}\n{logs}"
    # The requeued task: killed once by the requeue, run again, resumed after its first durable point.
    log = (shards / "logs" / f"pack-{array}_{PREEMPTED}.out").read_text()
    assert "DUE TO JOB REQUEUE" in log and "attempt 2" in log, log
    resumed = re.search(r"resumed after input (\d+)", log)
    assert resumed and int(resumed.group(1)) >= 1, f"the requeued task did not resume from a durable point:\n{log}"

    # One process, same inputs and settings.
    t1 = time.time()
    nasdata("pack-archive", full, "-o", tmp_path / "reference.h5", "--threads", 1, *PACK_ARGS)
    one_seconds = time.time() - t1
    assert runs_of(merged) == runs_of(tmp_path / "reference.h5")
    assert len(runs_of(merged)[0]) > 0
    listing = [json.loads(nasdata("archive", "ls", p, "--json").stdout) for p in (merged, tmp_path / "reference.h5")]
    key = lambda r: (r["arch_index"], r["dataset"], r["seed"], r["hp"])  # noqa: E731
    assert sorted(listing[0], key=key) == sorted(listing[1], key=key)
    verdict = json.loads(nasdata("verify", merged, "--json").stdout)
    assert verdict["summary"]["ok"] == 1 and verdict["summary"]["failed"] == 0, verdict

    nasdata("build-imagenet16", "--ilsvrc", TREE, "--class-map", TREE / "devkit" / "map_clsloc.txt",
            "--val-labels", TREE / "devkit" / "ILSVRC2015_clsloc_validation_ground_truth.txt",
            *IN16_ARGS, "-o", tmp_path / "imagenet16-one.h5")
    a, b = image_sets(merged16), image_sets(tmp_path / "imagenet16-one.h5")
    for name in a:
        assert a[name][0] == b[name][0], name
        assert np.array_equal(a[name][1], b[name][1]) and np.array_equal(a[name][2], b[name][2]), name

    rss = peak_rss_mb(read_logs(shards / "logs"))
    with capsys.disabled():
        print(f"\n  slurm: {SHARDS}-task pack array + merge and {IN16_SHARDS}-task imagenet16 array + merge in "
              f"{slurm_seconds:.0f} s (one process packs the same files in {one_seconds:.0f} s); task {PREEMPTED} "
              f"requeued after {written >> 20} MB written, resumed after input {resumed.group(1)}; "
              f"peak RSS of the pack jobs {min(rss, default=0):.0f}-{max(rss, default=0):.0f} MB")
