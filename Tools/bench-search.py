#!/usr/bin/env python3
"""Speed of `nasdata search` against upstream: the same N REA runs on cifar10 (seeds 1..N, run-all.sh's budget),
upstream's way (our driver of AutoDL-Projects' regularized_ea.py on the nats_bench API, benchmark opened once)
and nasdata's (one process: benchmark opened once, runs on all cores). Prints both wall times and the ratio.

    python3 Tools/bench-search.py [--runs 500] [--bench Tests/Fixtures/search/search-bench.pth.gz]

The HDF5 benchmark is converted once (not timed) next to the temp dir cache the tests use. Upstream's time
includes opening its API on the .pth (as the script does once per invocation); nasdata's includes opening
the HDF5 file. Both give the same runs (the interop test checks the traces).
"""
import argparse, gzip, json, os, pathlib, subprocess, sys, tempfile, time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--bench", default=str(ROOT / "Tests" / "Fixtures" / "search" / "search-bench.pth.gz"))
    parser.add_argument("--nasdata", default=None, help="binary (default: the release build)")
    args = parser.parse_args()
    binary = args.nasdata or str(ROOT / ".build" / "release" / "nasdata")
    gz = pathlib.Path(args.bench)
    cache = pathlib.Path(tempfile.gettempdir()) / "nasdata-test-cache"
    cache.mkdir(exist_ok=True)
    h5 = cache / "search-bench-{}.h5".format(gz.stat().st_size)
    if not h5.exists():
        pth = cache / "bench-{}.pth".format(os.getpid())
        pth.write_bytes(gzip.decompress(gz.read_bytes()))
        subprocess.run([binary, "convert-benchmark", str(pth), "-o", str(h5)], check=True, capture_output=True)
        pth.unlink()

    start = time.time()
    out = cache / "bench-rea-{}.h5".format(os.getpid())
    subprocess.run([binary, "search", str(h5), "--algorithm", "rea", "--dataset", "cifar10", "--runs", str(args.runs),
                    "--seed", "1", "-o", str(out), "--summary"], check=True, capture_output=True)
    ours = time.time() - start
    out.unlink()

    start = time.time()
    proc = subprocess.run([sys.executable, str(ROOT / "Tools" / "fixtures" / "upstream-search.py"), str(gz), "time",
                           "--algo", "rea", "--dataset", "cifar10", "--runs", str(args.runs), "--first-seed", "1"],
                          check=True, capture_output=True, text=True)
    theirs = time.time() - start
    inner = json.loads(proc.stdout)["seconds"]
    print("{} REA runs on cifar10 (budget 20000 s, fixture benchmark of 15,625 cells)".format(args.runs))
    print("  upstream (nats_bench API, regularized_ea.py logic): {:8.2f} s wall ({:.2f} s after opening the API)".format(theirs, inner))
    print("  nasdata search (release, {} cores):                 {:8.2f} s wall".format(os.cpu_count(), ours))
    print("  ratio: {:.1f}x (target >= 100x)".format(theirs / ours))


if __name__ == "__main__":
    main()
