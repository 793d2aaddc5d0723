#!/usr/bin/env python3
"""Benchmark: `nasdata build-cifar` vs the equivalent torchvision-style Python script.

    python3 Tools/bench-cifar.py [--nasdata PATH] [--work /tmp/cifar-bench] [--keep]

Generates full-size synthetic CIFAR-10 and CIFAR-100 python archives (50,000 + 10,000
random images each, the real member layout and Python-2 pickles; ~180 MB each) in
--work, then builds the NAS-Bench-201 sets from them with the official split files:

  nasdata   nasdata build-cifar --cifar10 A --cifar100 B --splits DIR --allow-unverified
            (release build; the synthetic archives are not the published ones, so it also
            runs its record-counting pass, which a verified original skips)
  python    what torchvision.datasets.CIFAR10/100 do (tarfile extractall, then
            pickle.load(latin1) of each batch, vstack, reshape, transpose) + numpy fancy
            indexing by the split files + h5py writes of the same datasets and chunks
            (no content digest: nasdata computes one per set on top)

Prints wall time, peak RSS and the ratio, checks both outputs hold the same images, and
deletes the generated files unless --keep. Needs numpy and h5py.
"""
import argparse
import importlib.util
import os
import pathlib
import resource
import shutil
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def fixtures_module():
    spec = importlib.util.spec_from_file_location("mk", ROOT / "Tools" / "fixtures" / "make_cifar_fixtures.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def official_splits():
    """The official split files, kept in the repository (nasdata embeds the same bytes)."""
    return ROOT / "Data" / "nb201-splits"


def generate(work, np, mk):
    rng = np.random.default_rng(0)
    c10, c100 = work / "cifar-10-python.tar.gz", work / "cifar-100-python.tar.gz"
    if not c10.exists():
        files = {}
        for k in range(1, 6):
            files[f"data_batch_{k}"] = mk.Py2Pickler().dumps({
                "batch_label": f"training batch {k} of 5", "labels": [int(x) for x in rng.integers(0, 10, 10000)],
                "data": rng.integers(0, 256, (10000, 3072), dtype=np.uint8), "filenames": [f"f{i}.png" for i in range(10000)]})
        files["test_batch"] = mk.Py2Pickler().dumps({
            "batch_label": "testing batch 1 of 1", "labels": [int(x) for x in rng.integers(0, 10, 10000)],
            "data": rng.integers(0, 256, (10000, 3072), dtype=np.uint8), "filenames": [f"t{i}.png" for i in range(10000)]})
        files["batches.meta"] = mk.Py2Pickler().dumps({"num_cases_per_batch": 10000, "label_names": mk.CIFAR10_NAMES, "num_vis": 3072})
        files["readme.html"] = b"<html></html>\n"
        order = ["data_batch_4", "readme.html", "test_batch", "data_batch_3", "batches.meta", "data_batch_2", "data_batch_5", "data_batch_1"]
        mk.tar_members(str(c10), "cifar-10-batches-py", [(n, files[n]) for n in order])
    if not c100.exists():
        def batch(n, label):
            fine = [int(x) for x in rng.integers(0, 100, n)]
            return mk.Py2Pickler().dumps({"filenames": [f"x{i}.png" for i in range(n)], "batch_label": label,
                                          "fine_labels": fine, "coarse_labels": [f // 5 for f in fine],
                                          "data": rng.integers(0, 256, (n, 3072), dtype=np.uint8)})
        files = {"train": batch(50000, "training batch 1 of 1"), "test": batch(10000, "testing batch 1 of 1"),
                 "meta": mk.Py2Pickler().dumps({"fine_label_names": mk.CIFAR100_FINE, "coarse_label_names": mk.CIFAR100_COARSE}),
                 "file.txt~": b""}
        mk.tar_members(str(c100), "cifar-100-python", [(n, files[n]) for n in ["file.txt~", "train", "test", "meta"]])
    return c10, c100


PYTHON_PEER = r'''
import json, pickle, sys, tarfile, tempfile, os
import numpy as np, h5py
c10, c100, splits, out = sys.argv[1:5]
def load(root, folder, names, key):
    data, labels = [], []
    for n in names:
        with open(os.path.join(root, folder, n), "rb") as f:
            e = pickle.load(f, encoding="latin1")
        data.append(e["data"]); labels.extend(e[key])
    return np.vstack(data).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), np.array(labels, dtype=np.int64)
def split(name):
    with open(os.path.join(splits, name)) as f:
        return {k: np.array([int(x) for x in v[1]]) for k, v in json.load(f).items()}
with tempfile.TemporaryDirectory(dir=os.path.dirname(out)) as tmp:
    for a in (c10, c100):
        with tarfile.open(a, "r:gz") as t:
            t.extractall(tmp, filter="data")
    tr10, y10 = load(tmp, "cifar-10-batches-py", [f"data_batch_{k}" for k in range(1, 6)], "labels")
    te10, yt10 = load(tmp, "cifar-10-batches-py", ["test_batch"], "labels")
    tr100, y100 = load(tmp, "cifar-100-python", ["train"], "fine_labels")
    te100, yt100 = load(tmp, "cifar-100-python", ["test"], "fine_labels")
s10, s100 = split("cifar-split.txt"), split("cifar100-test-split.txt")
every = lambda a: np.arange(len(a))
sets = {"cifar10-valid/train": (tr10, y10, s10["train"]), "cifar10-valid/x-valid": (tr10, y10, s10["valid"]),
        "cifar10-valid/ori-test": (te10, yt10, every(te10)), "cifar10/train": (tr10, y10, every(tr10)),
        "cifar10/ori-test": (te10, yt10, every(te10)), "cifar100/train": (tr100, y100, every(tr100)),
        "cifar100/x-valid": (te100, yt100, s100["xvalid"]), "cifar100/x-test": (te100, yt100, s100["xtest"]),
        "cifar100/ori-test": (te100, yt100, every(te100))}
with h5py.File(out, "w") as f:
    for name, (x, y, idx) in sets.items():
        g = f.create_group(name)
        g.create_dataset("images", data=x[idx], chunks=(256, 32, 32, 3), maxshape=(None, 32, 32, 3))
        g.create_dataset("labels", data=y[idx], chunks=(256,), maxshape=(None,))
        g.create_dataset("indices", data=idx.astype(np.int64), chunks=(256,), maxshape=(None,))
'''


def timed(cmd):
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of a child process.
    CPU time is the steadier figure on a shared machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{proc.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return dt, cpu, after.ru_maxrss / 1024, proc.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nasdata", default=None)
    ap.add_argument("--work", default="/tmp/cifar-bench")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    nasdata = args.nasdata or str(pathlib.Path(subprocess.run(
        ["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()) / "nasdata")
    mk = fixtures_module()
    np = mk.ensure("numpy")
    import h5py
    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    splits = official_splits()
    try:
        t = time.perf_counter()
        c10, c100 = generate(work, np, mk)
        print(f"archives: {c10.stat().st_size / 1e6:.0f} MB + {c100.stat().st_size / 1e6:.0f} MB (generated in {time.perf_counter() - t:.0f} s)")
        n_out, p_out = work / "nasdata.h5", work / "python.h5"
        rows = []
        # ru_maxrss of children is a running maximum: measure nasdata first, python after.
        for label, cmd in [("nasdata", [nasdata, "build-cifar", "--cifar10", c10, "--cifar100", c100, "--splits", splits,
                                        "--allow-unverified", "-o", n_out, "--json"]),
                           ("python", [sys.executable, "-c", PYTHON_PEER, c10, c100, splits, p_out])]:
            times, cpus, peak = [], [], 0
            for _ in range(args.runs):
                dt, cpu, rss, _ = timed(list(map(str, cmd)))
                times.append(dt)
                cpus.append(cpu)
                peak = max(peak, rss)
            med = lambda xs: sorted(xs)[len(xs) // 2]
            rows.append((label, med(times), med(cpus), peak))
            print(f"{label:8s} median of {args.runs}: wall {rows[-1][1]:6.2f} s, CPU {rows[-1][2]:6.2f} s"
                  f"  (peak RSS of children so far {peak:.0f} MB)")
        print(f"nasdata vs Python: {rows[1][1] / rows[0][1]:.2f}x faster (wall), {rows[1][2] / rows[0][2]:.2f}x less CPU time")
        print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        with h5py.File(n_out) as a, h5py.File(p_out) as b:
            for name in ["cifar10-valid/x-valid", "cifar100/x-test", "cifar10/train"]:
                assert (a[name]["images"][()] == b[name]["images"][()]).all() and (a[name]["labels"][()] == b[name]["labels"][()]).all(), name
        print("outputs agree (images and labels of cifar10-valid/x-valid, cifar100/x-test, cifar10/train)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
