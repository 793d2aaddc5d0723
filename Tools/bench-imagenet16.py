#!/usr/bin/env python3
"""Benchmark: nasdata build-imagenet16 against the Pillow recipe of the original Downsampled-ImageNet
script (open, convert("RGB"), resize((16, 16), Image.BOX)), on the same generated ILSVRC-style tree.

    python3 Tools/bench-imagenet16.py [--images 5000] [--repeat 3] [--keep] [--nasdata PATH]

Generates N JPEGs of 500x375 (and some 375x500) with Pillow under /tmp/nasdata-bench-imagenet16/
(quality 90, 4:2:0, photo-like content: ~60-110 KB each, like ILSVRC), then times (wall clock, and
CPU time of the process and its children, the steadier per-core figure on a shared machine):
  - Pillow, one process; Pillow, a multiprocessing pool of all cores
  - the decode floor, one process: Pillow decoding alone (the recipe without the resize: open, load,
    convert("RGB") where the mode is not RGB) and libjpeg-turbo decoding alone (a ctypes loop over the
    TurboJPEG library nasdata links: tjDecompressHeader3 + tjDecompress2 to RGB, flags 0, as nasdata
    calls it, file read included). Exact mode cannot beat a full decode, so these rows show how far a
    per-core target can go
  - nasdata --threads 1; nasdata (all cores); nasdata --fast (DCT-scaled decode), all cores
and prints images/s and the ratios (with --repeat N, the median of N rounds per row) and the load
average (only figures measured idle, below ~1.2, are comparable). It also checks that nasdata's exact
mode equals Pillow's pixels on every image. The tree is deleted afterwards unless --keep (a kept tree
of the same --images is reused by the next run).
Needs a release build (swift build -c release); Pillow and numpy (pip-installed if missing).
"""
import argparse
import ctypes
import ctypes.util
import os
import pathlib
import resource
import shutil
import statistics
import subprocess
import sys
import time
from multiprocessing import Pool


sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "fixtures"))
from ensure_packages import ensure  # noqa: E402


ensure("PIL", "pillow")
ensure("numpy")
ensure("h5py")
import h5py  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
BENCH = pathlib.Path("/tmp/nasdata-bench-imagenet16")
CLASSES = 10


def make_image(args):
    path, seed, portrait = args
    rng = np.random.default_rng(seed)
    w, h = (375, 500) if portrait else (500, 375)
    # Smooth shapes plus texture and noise: compresses like a photo, not like flat colour or pure noise.
    small = rng.integers(0, 256, (h // 25 + 1, w // 25 + 1, 3), dtype=np.uint8)
    base = np.asarray(Image.fromarray(small).resize((w, h), Image.BICUBIC), dtype=np.float32)
    yy, xx = np.mgrid[0:h, 0:w]
    texture = 18 * np.sin(xx / (3 + seed % 5)) * np.cos(yy / (4 + seed % 3))
    arr = base + texture[..., None] + rng.normal(0, 9, (h, w, 3))
    Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(path, "JPEG", quality=90)


class Clock:
    """Wall clock and CPU time (this process plus finished children: the pool, nasdata) of one run.
    CPU time is the steadier per-core figure when other jobs share the machine."""

    @staticmethod
    def _cpu():
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), self._cpu()

    def stop(self):
        self.wall, self.cpu = time.perf_counter() - self.wall, self._cpu() - self.cpu
        return self

    @staticmethod
    def median(clocks):
        m = Clock()
        m.wall, m.cpu = statistics.median(c.wall for c in clocks), statistics.median(c.cpu for c in clocks)
        return m


def tree_paths():
    return sorted(str(p) for p in (BENCH / "train").rglob("*.JPEG")) + sorted(str(p) for p in (BENCH / "val").glob("*.JPEG"))


def generate(n):
    marker = BENCH / "devkit" / "generated.txt"
    if marker.exists() and marker.read_text() == f"{n}\n":
        return tree_paths()  # kept by an earlier --keep run with the same --images
    if BENCH.exists():
        shutil.rmtree(BENCH)
    (BENCH / "devkit").mkdir(parents=True)
    (BENCH / "val").mkdir()
    wnids = [f"n0{9000000 + i}" for i in range(CLASSES)]
    (BENCH / "devkit" / "map_clsloc.txt").write_text("".join(f"{w} {i + 1} class_{i + 1}\n" for i, w in enumerate(wnids)))
    jobs = []
    for i in range(n):
        wnid = wnids[i % CLASSES]
        d = BENCH / "train" / wnid
        d.mkdir(parents=True, exist_ok=True)
        jobs.append((d / f"{wnid}_{i}.JPEG", i, i % 4 == 3))
    val_labels = []
    for i in range(1, 21):  # a small val set so the build is complete
        jobs.append((BENCH / "val" / f"ILSVRC2012_val_{i:08d}.JPEG", 10_000_000 + i, False))
        val_labels.append(i % CLASSES + 1)
    (BENCH / "devkit" / "gt.txt").write_text("".join(f"{l}\n" for l in val_labels))
    with Pool(os.cpu_count()) as pool:
        pool.map(make_image, jobs, chunksize=64)
    marker.write_text(f"{n}\n")
    return tree_paths()


def pillow_one(path):
    im = Image.open(path)
    if im.mode != "RGB":
        im = im.convert("RGB")
    return np.asarray(im.resize((16, 16), Image.BOX))


def time_pillow(paths, processes):
    t = Clock()
    if processes == 1:
        out = [pillow_one(p) for p in paths]
    else:
        with Pool(processes) as pool:
            out = pool.map(pillow_one, paths, chunksize=64)
    return t.stop(), out


def time_pillow_decode(paths):
    t = Clock()
    for p in paths:
        im = Image.open(p)
        im.load()
        if im.mode != "RGB":  # the recipe (pillow_one) without the resize
            im = im.convert("RGB")
    return t.stop()


def time_turbojpeg_decode(paths):
    """tjDecompress2 to RGB, flags 0 (accurate IDCT, fancy upsampling): nasdata's exact-mode decode."""
    name = ctypes.util.find_library("turbojpeg")
    if name is None:
        return None
    tj = ctypes.CDLL(name)
    tj.tjInitDecompress.restype = ctypes.c_void_p
    tj.tjDestroy.argtypes = [ctypes.c_void_p]
    intp = ctypes.POINTER(ctypes.c_int)
    tj.tjDecompressHeader3.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_ulong, intp, intp, intp, intp]
    tj.tjDecompress2.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p,
                                 ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int]
    handle = tj.tjInitDecompress()
    w, h, sub, cs = ctypes.c_int(), ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
    buf = ctypes.create_string_buffer(0)
    tjpf_rgb = 0
    t = Clock()
    for p in paths:
        with open(p, "rb") as f:
            data = f.read()
        if tj.tjDecompressHeader3(handle, data, len(data), ctypes.byref(w), ctypes.byref(h), ctypes.byref(sub), ctypes.byref(cs)):
            raise RuntimeError(f"{p}: tjDecompressHeader3 failed")
        if ctypes.sizeof(buf) < w.value * h.value * 3:
            buf = ctypes.create_string_buffer(w.value * h.value * 3)  # reused, as nasdata's workers do
        if tj.tjDecompress2(handle, data, len(data), buf, w.value, 0, h.value, tjpf_rgb, 0):
            raise RuntimeError(f"{p}: tjDecompress2 failed")
    t.stop()
    tj.tjDestroy(handle)
    return t


def time_nasdata(binary, out, *extra):
    cmd = [binary, "build-imagenet16", "--ilsvrc", str(BENCH), "--class-map", str(BENCH / "devkit" / "map_clsloc.txt"),
           "--val-labels", str(BENCH / "devkit" / "gt.txt"), "--classes", str(CLASSES), "--no-splits", "-o", str(out), *extra]
    t = Clock()
    subprocess.run(cmd, check=True, capture_output=True)
    return t.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=5000)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--nasdata", default=None)
    ap.add_argument("--repeat", type=int, default=1, help="rounds of all runs; each row reports its median")
    args = ap.parse_args()
    binary = args.nasdata or str(pathlib.Path(subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT,
                                                             capture_output=True, text=True, check=True).stdout.strip()) / "nasdata")
    cores = os.cpu_count()
    try:
        t = time.perf_counter()
        paths = generate(args.images)
        size = sum(os.path.getsize(p) for p in paths)
        print(f"generated {len(paths)} JPEGs ({size / len(paths) / 1024:.0f} KB avg) in {time.perf_counter() - t:.1f} s; {cores} cores")
        n = len(paths)
        # Warm the page cache once so every run reads from memory.
        for p in paths:
            with open(p, "rb") as f:
                f.read()
        load_before = os.getloadavg()[0]
        out = BENCH / "out.h5"
        runs = {}  # row -> [Clock per round]; the rows of one round run back to back, rounds repeat
        for _ in range(args.repeat):
            def add(name, clock):
                runs.setdefault(name, []).append(clock)
            clock, ref = time_pillow(paths, 1)
            add("pillow, 1 process", clock)
            add(f"pillow, {cores} processes", time_pillow(paths, cores)[0])
            add("pillow decode alone, 1 process", time_pillow_decode(paths))
            turbo = time_turbojpeg_decode(paths)
            if turbo is not None:
                add("libjpeg-turbo decode alone, 1 p", turbo)
            add("nasdata exact, 1 thread", time_nasdata(binary, out, "--threads", "1"))
            add(f"nasdata exact, {cores} threads", time_nasdata(binary, out))
            add(f"nasdata fast, {cores} threads", time_nasdata(binary, BENCH / "fast.h5", "--fast"))
        results = {name: Clock.median(clocks) for name, clocks in runs.items()}
        # Exactness on every image: nasdata's order is label then file name, as `paths` sorted per class.
        with h5py.File(out, "r") as f:
            train = f[f"ImageNet16-{CLASSES}/train/images"][:]
            val = f[f"ImageNet16-{CLASSES}/ori-test/images"][:]
        order = sorted(range(n - 20), key=lambda i: (int(pathlib.Path(paths[i]).parent.name[1:]), pathlib.Path(paths[i]).name.encode()))
        exact = all(np.array_equal(train[k], ref[i]) for k, i in enumerate(order))
        with h5py.File(BENCH / "fast.h5", "r") as f:
            fast = f[f"ImageNet16-{CLASSES}/train/images"][:]
        diff = np.abs(fast.astype(int) - train.astype(int))
        print(f"median of {args.repeat} round(s); load average before the runs: {load_before:.2f}, after: {os.getloadavg()[0]:.2f} (figures are only comparable idle, < ~1.2)")
        print(f"{'run':32s} {'wall s':>7s} {'images/s':>9s} {'ms/img':>7s} {'vs pillow 1p':>12s} {'CPU ms/img':>10s}")
        base = n / results["pillow, 1 process"].wall
        for name, r in results.items():
            print(f"{name:32s} {r.wall:7.2f} {n / r.wall:9.0f} {r.wall / n * 1000:7.3f} {n / r.wall / base:11.2f}x {r.cpu / n * 1000:10.3f}")
        one, pil = results["nasdata exact, 1 thread"], results["pillow, 1 process"]
        print(f"per core: nasdata exact {pil.wall / one.wall:.2f}x Pillow (wall clock), {pil.cpu / one.cpu:.2f}x (CPU time)")
        ms = {k: v.wall / n * 1000 for k, v in results.items()}
        floor = f"; libjpeg-turbo decode alone takes {ms['libjpeg-turbo decode alone, 1 p']:.2f} ms/img" if turbo is not None else \
            " (libturbojpeg not found for the decode-alone row)"
        print(f"2x Pillow per core would need {ms['pillow, 1 process'] / 2:.2f} ms/img; nasdata exact takes "
              f"{ms['nasdata exact, 1 thread']:.2f} ms/img{floor}; Pillow decode alone takes {ms['pillow decode alone, 1 process']:.2f} ms/img")
        all_p, all_n = results[f"pillow, {cores} processes"], results[f"nasdata exact, {cores} threads"]
        print(f"all cores: nasdata exact {all_p.wall / all_n.wall:.2f}x Pillow ({cores} processes)")
        print(f"exact mode equals Pillow on all {n - 20} train images: {exact}")
        print(f"fast mode vs exact: max |diff| {diff.max()}, mean |diff| {diff.mean():.2f} levels")
    finally:
        if not args.keep and BENCH.exists():
            shutil.rmtree(BENCH)


if __name__ == "__main__":
    main()
