#!/usr/bin/env python3
"""Read throughput of Tools/python/nasdata_torch.py's NASDataSet against its peer, the same
loader over a plain in-memory numpy array.

    python3 Tools/bench-dataset.py [--images 20000] [--workers 2] [--repeat 3]

nasdata builds a synthetic CIFAR-10 (`--images` training images) with `build-cifar --no-splits`;
then one epoch of `DataLoader(batch_size=256, shuffle=True, num_workers=W)` is timed over
`cifar10/train`, for
  - NASDataSet (h5py file opened lazily in each worker, a batch read in index order), and
  - an in-memory Dataset: the whole uint8 array loaded into RAM first (what the README's old
    recipe amounted to), same transform code,
both without augmentation (plain reads) and with NB201's training augmentation. Prints images/s,
median of `--repeat` epochs, and the ratio NASDataSet / in-memory. Needs torch and h5py.
"""
import argparse
import importlib.util
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tools" / "python"))


def nasdata_binary():
    if os.environ.get("NASDATA_BIN"):
        return os.environ["NASDATA_BIN"]
    for config in ("release", "debug"):
        out = subprocess.run(["swift", "build", "-c", config, "--show-bin-path"], cwd=ROOT,
                             capture_output=True, text=True).stdout.strip()
        if out and os.path.exists(os.path.join(out, "nasdata")):
            return os.path.join(out, "nasdata")
    sys.exit("build nasdata first (swift build -c release)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=20000, help="training images (a multiple of 5)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=256)
    args = ap.parse_args()
    import h5py
    import torch
    from nasdata_torch import NASDataSet

    spec = importlib.util.spec_from_file_location("mk", ROOT / "Tools" / "fixtures" / "make_cifar_fixtures.py")
    mk = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mk)

    class InMemory(NASDataSet):
        """The peer: the same items, from a numpy array loaded into RAM up front."""
        def __init__(self, path, name, train=False):
            super().__init__(path, name, train=train, seed=0)
            with h5py.File(path, "r") as f:
                self.images, self.labels = f[name]["images"][:], f[name]["labels"][:]

        def __getitem__(self, i):
            if not hasattr(self, "_rng"):
                self._rng = np.random.default_rng(0)
            return self._transform(self.images[i]), int(self.labels[i])

        def __getitems__(self, indices):
            return [self[i] for i in indices]

        def __getstate__(self):
            return dict(self.__dict__)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        archive = mk.cifar10_archive(tmp / "cifar-10-python.tar.gz", np, args.images // 5, 1000)
        h5 = tmp / "cifar.h5"
        subprocess.run([nasdata_binary(), "build-cifar", "--cifar10", archive, "--no-splits", "--allow-unverified",
                        "-o", h5], check=True, capture_output=True)
        print(f"{args.images} images 32x32, batch {args.batch_size}, {args.workers} workers, "
              f"median of {args.repeat} epochs; torch {torch.__version__}, h5py {h5py.__version__}")

        def epoch_rate(ds):
            loader = torch.utils.data.DataLoader(ds, batch_size=args.batch_size, shuffle=True,
                                                 num_workers=args.workers, persistent_workers=args.workers > 0)
            rates = []
            for _ in range(args.repeat + 1):          # the first epoch starts the workers: not counted
                t = time.perf_counter()
                n = sum(len(y) for _, y in loader)
                rates.append(n / (time.perf_counter() - t))
            return statistics.median(rates[1:])

        print(f"{'':28} {'NASDataSet':>12} {'in-memory':>12} {'ratio':>7}")
        for label, train in (("plain reads", False), ("with NB201 augmentation", True)):
            a = epoch_rate(NASDataSet(h5, "cifar10/train", train=train, seed=0))
            b = epoch_rate(InMemory(h5, "cifar10/train", train=train))
            print(f"{label:28} {a:10.0f}/s {b:10.0f}/s {a / b:6.2f}x")


if __name__ == "__main__":
    main()
