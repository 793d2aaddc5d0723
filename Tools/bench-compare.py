#!/usr/bin/env python3
"""Two nasdata binaries, side by side, on the four heavy paths: did a change cost speed?

    python3 Tools/bench-compare.py OLD_BIN NEW_BIN [--rounds 3] [--work /tmp/nasdata-bench-compare]

Runs, for each binary, alternating OLD/NEW and NEW/OLD from round to round (so drift on a shared
machine hits both alike), and prints the median wall and CPU (user + sys) time per workload and
the ratio NEW / OLD (< 1.10 is "within 10%"):

  forward     eval forward pass, TinyNetwork C=16 N=5 (three 3x3 edges), 256 images x 4 batches,
              2 threads (weights made by xautodl, as Tools/bench-network.sh does)
  pack        pack-archive of 60 generated full-size FULL files (Tools/fixtures/make_full_files.py)
  cifar       build-cifar from full-size synthetic CIFAR-10/100 python archives (Tools/bench-cifar.py's)
  imagenet16  build-imagenet16 from 2,000 generated 500x375 JPEGs (Tools/bench-imagenet16.py's), exact

Inputs are generated once under --work and kept for the next call (delete the folder to remake).
Needs torch + xautodl (the same packages Tools/setup.sh installs for the interop tests).
Extra arguments a binary needs (a CLI that changed between OLD and NEW) go after --old-args /
--new-args, applied to every command of that binary.
"""
import argparse
import importlib.util
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # so multiprocessing workers can find its functions
    spec.loader.exec_module(mod)
    return mod


def splits_dir():
    """The official split files, this repository's copy (given to both binaries: older ones had none built in)."""
    cand = ROOT / "Data" / "nb201-splits"
    if not (cand / "cifar-split.txt").exists():
        sys.exit("bench-compare: no official split files in Data/nb201-splits")
    return cand


def prepare(work):
    work.mkdir(parents=True, exist_ok=True)
    inputs = {}
    # forward: weights and a batch
    fw = work / "forward"
    if not (fw / "x.npy").exists():
        fw.mkdir(exist_ok=True)
        import numpy as np
        import torch
        from safetensors.torch import save_file
        from xautodl.models import get_cell_based_tiny_net
        torch.manual_seed(0)
        net = get_cell_based_tiny_net({"name": "infer.tiny", "C": 16, "N": 5, "arch_str": ARCH, "num_classes": 10}).eval()
        save_file({k: v.contiguous() for k, v in net.state_dict().items()}, str(fw / "w.safetensors"))
        np.save(fw / "x.npy", torch.randn(256, 3, 32, 32).numpy())
    inputs["forward"] = fw
    # pack: 60 FULL files
    full = work / "full"
    if len(list(full.glob("*-FULL.pth"))) < 60:
        subprocess.run([sys.executable, str(ROOT / "Tools" / "fixtures" / "make_full_files.py"), str(full),
                        "--indices", "0-59"], check=True)
    inputs["pack"] = full
    # cifar: the synthetic full-size archives of bench-cifar.py
    cifar = work / "cifar"
    cifar.mkdir(exist_ok=True)
    bench_cifar = load_module("bench_cifar", ROOT / "Tools" / "bench-cifar.py")
    import numpy as np
    c10, c100 = bench_cifar.generate(cifar, np, bench_cifar.fixtures_module())
    inputs["cifar"] = (str(c10), str(c100))
    # imagenet16: 2,000 JPEGs in bench-imagenet16.py's tree
    bench_in = load_module("bench_imagenet16", ROOT / "Tools" / "bench-imagenet16.py")
    bench_in.generate(2000)
    inputs["imagenet16"] = bench_in
    return inputs


def command(workload, binary, inputs, out, extra):
    if workload == "forward":
        fw = inputs["forward"]
        return [binary, "forward", "--weights", str(fw / "w.safetensors"), "--arch", ARCH, "--classes", "10",
                "--input", str(fw / "x.npy"), "-o", str(out.with_suffix(".npy")), "--threads", "2", "--repeat", "4", *extra]
    if workload == "pack":
        return [binary, "pack-archive", str(inputs["pack"]), "-o", str(out), *extra]
    if workload == "cifar":
        c10, c100 = inputs["cifar"]
        return [binary, "build-cifar", "--cifar10", c10, "--cifar100", c100, "--splits", str(splits_dir()),
                "--allow-unverified", "-o", str(out), *extra]
    bench = inputs["imagenet16"].BENCH
    return [binary, "build-imagenet16", "--ilsvrc", str(bench), "--class-map", str(bench / "devkit" / "map_clsloc.txt"),
            "--val-labels", str(bench / "devkit" / "gt.txt"), "--classes", str(inputs["imagenet16"].CLASSES),
            "-o", str(out), *extra]


def timed(cmd, out):
    for p in (out, out.with_suffix(".npy")):
        if p.exists():
            p.unlink()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"bench-compare: {' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--work", default="/tmp/nasdata-bench-compare")
    ap.add_argument("--only", default="forward,pack,cifar,imagenet16")
    ap.add_argument("--old-args", nargs=argparse.REMAINDER, default=[])
    ap.add_argument("--new-args", nargs=argparse.REMAINDER, default=[])
    args = ap.parse_args()
    work = pathlib.Path(args.work)
    inputs = prepare(work)
    binaries = {"old": (args.old, args.old_args), "new": (args.new, args.new_args)}
    workloads = args.only.split(",")
    results = {(w, b): [] for w in workloads for b in binaries}
    load_before = os.getloadavg()[0]
    for r in range(args.rounds):
        order = ["old", "new"] if r % 2 == 0 else ["new", "old"]
        for w in workloads:
            for b in order:
                binary, extra = binaries[b]
                out = work / f"out-{b}.h5"
                results[(w, b)].append(timed(command(w, binary, inputs, out, extra), out))
    load_after = os.getloadavg()[0]
    print(f"old: {args.old}\nnew: {args.new}\n{args.rounds} rounds, alternating; load average {load_before:.1f} before, {load_after:.1f} after")
    print(f"{'workload':<11} {'old wall':>9} {'new wall':>9} {'new/old':>8} {'old CPU':>9} {'new CPU':>9} {'new/old':>8}")
    for w in workloads:
        ow = statistics.median(x[0] for x in results[(w, 'old')]); nw = statistics.median(x[0] for x in results[(w, 'new')])
        oc = statistics.median(x[1] for x in results[(w, 'old')]); nc = statistics.median(x[1] for x in results[(w, 'new')])
        print(f"{w:<11} {ow:>8.2f}s {nw:>8.2f}s {nw / ow:>7.2f}x {oc:>8.2f}s {nc:>8.2f}s {nc / oc:>7.2f}x")
    for p in work.glob("out-*"):
        p.unlink()


if __name__ == "__main__":
    main()
