#!/usr/bin/env python3
"""Benchmark: upstream nats_bench vs nasdata on generated NATS-Bench single-file benchmarks.

1. Generates single files NATS-<space>-v1_0-*.pickle.pbz2 with N architectures (the authors'
   three sample architectures plus N-3 synthetic ones built from them, see
   Tools/fixtures/make-nats-fixtures.py --extra, which streams the pickle into bz2).
2. Times and measures peak RSS (/usr/bin/time: wall, CPU, max RSS of exactly that process) of
   (a) upstream: nats_bench.create(path, space, fast_mode=False) + one get_more_info (time to the
       first answer), and nats_bench.create(folder, space, fast_mode=True) + the same query on the
       authors' -simple sample folder (fast mode reads one architecture's file on demand);
   (b) nasdata convert-benchmark (once) and then nasdata query on the HDF5 (time to first answer).
   The ratio printed is upstream's first answer vs nasdata's query on the converted file; the
   one-time conversion is printed beside it. Upstream cannot open the full-size single file in
   24 GB, so sizes of 1,000 and 3,000 architectures are measured and upstream is extrapolated
   linearly to the full space (printed as such).

3. With --simple-folder N (N = 15625 / 32768: full size), a generated -simple folder of N
   architectures (make-nats-fixtures.py --simple-folder, resumable, kept in --dir): upstream
   fast_mode=True + the same query against nasdata convert-benchmark of that folder + query.

Usage: Tools/bench-nats-benchmark.py [--space tss|sss] [--archs 1000 3000] [--dir /tmp/nats-bench]
       [--nasdata PATH] (default: the release build, built if missing) [--keep] [--reuse] [--simple-folder N]
"""
import argparse, os, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASES = {"tss": "NATS-tss-v1_0-3ffb9", "sss": "NATS-sss-v1_0-50262"}
FULL = {"tss": 15625, "sss": 32768}
FULL_HP = {"tss": "200", "sss": "90"}


def timed(cmd):
    full = ["/usr/bin/time", "-f", "__TIME__ %e %M %U %S"] + [str(c) for c in cmd]
    p = subprocess.run(full, capture_output=True)
    if p.returncode != 0:
        raise SystemExit("failed ({}): {}\n{}".format(p.returncode, " ".join(full), p.stderr.decode()[-3000:]))
    line = [l for l in p.stderr.decode().splitlines() if l.startswith("__TIME__")][-1]
    _, secs, kb, user, system = line.split()
    return float(secs), float(user) + float(system), int(kb) / 1024.0, p.stdout.decode()


UPSTREAM = r"""
import sys, time
t0 = time.perf_counter()
import nats_bench
api = nats_bench.create(sys.argv[1], sys.argv[2], fast_mode=sys.argv[3] == "fast", verbose=False)
info = api.get_more_info(int(sys.argv[4]), "cifar10", hp=sys.argv[5], is_random=False)
print("first-answer %.3f %r" % (time.perf_counter() - t0, info["test-accuracy"]))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--space", choices=["tss", "sss"], default="tss")
    ap.add_argument("--archs", type=int, nargs="*", default=[1000, 3000], help="single-file sizes (none: only the folder legs)")
    ap.add_argument("--dir", default="/tmp/nats-bench")
    ap.add_argument("--nasdata", default=None)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--reuse", action="store_true", help="use generated files already in --dir (DIR/n<N>/...) instead of generating them")
    ap.add_argument("--simple-folder", type=int, metavar="N", help="also a generated -simple folder of N archs")
    a = ap.parse_args()
    nasdata = a.nasdata
    if nasdata is None:
        subprocess.run(["swift", "build", "-c", "release", "--product", "nasdata"], cwd=ROOT, check=True)
        nasdata = os.path.join(subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT,
                                              capture_output=True, text=True, check=True).stdout.strip(), "nasdata")
    os.makedirs(a.dir, exist_ok=True)
    hp = FULL_HP[a.space]
    rows = []
    for n in a.archs:
        out = os.path.join(a.dir, "n%d" % n)
        t0 = time.perf_counter()
        path = os.path.join(out, BASES[a.space] + ".pickle.pbz2")
        if a.reuse and os.path.exists(path):
            print("reusing %s: %d archs, %.1f MB" % (path, n, os.path.getsize(path) / 2**20), flush=True)
        else:
            subprocess.run([sys.executable, os.path.join(ROOT, "Tools/fixtures/make-nats-fixtures.py"), out, "--extra", str(n - 3),
                            "--space", a.space, "--single-only"], check=True, capture_output=True)
            print("generated %s: %d archs, %.1f MB, in %.0f s" % (path, n, os.path.getsize(path) / 2**20, time.perf_counter() - t0), flush=True)
        h5 = os.path.join(out, "bench.h5")
        conv = timed([nasdata, "convert-benchmark", path, "-o", h5])
        query = timed([nasdata, "query", h5, "--index", 11, "--dataset", "cifar10", "--hp", hp, "--json"])
        up = timed([sys.executable, "-c", UPSTREAM, path, a.space, "slow", 11, hp])
        rows.append((n, up, conv, query))
        print("  %d archs: upstream create+query wall %.1f s (cpu %.1f), %.0f MB | nasdata convert %.1f s, %.0f MB; query %.3f s, %.1f MB"
              % (n, up[0], up[1], up[2], conv[0], conv[2], query[0], query[2]), flush=True)
        if not a.keep:
            os.remove(h5)
            if not a.reuse:
                os.remove(path)
    folder = os.path.join(ROOT, "Tests/Fixtures/nats", BASES[a.space] + "-simple")
    fast = timed([sys.executable, "-c", UPSTREAM, folder, a.space, "fast", 11, hp])
    print("upstream fast_mode=True on the -simple folder + one query: wall %.2f s, %.0f MB" % (fast[0], fast[2]))
    big = None
    if a.simple_folder:
        out = os.path.join(a.dir, "simple%d" % a.simple_folder)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, os.path.join(ROOT, "Tools/fixtures/make-nats-fixtures.py"), out,
                        "--simple-folder", str(a.simple_folder), "--space", a.space], check=True, capture_output=True)
        generated = os.path.join(out, BASES[a.space] + "-simple")
        print("generated %s (%d archs) in %.0f s" % (generated, a.simple_folder, time.perf_counter() - t0), flush=True)
        h5 = os.path.join(out, "bench.h5")
        big = (timed([sys.executable, "-c", UPSTREAM, generated, a.space, "fast", 11, hp]),
               timed([nasdata, "convert-benchmark", generated, "-o", h5]),
               timed([nasdata, "query", h5, "--index", 11, "--dataset", "cifar10", "--hp", hp, "--json"]))
        os.remove(h5)
    print("\n%-44s %12s %12s" % ("", "1st answer", "peak RSS"))
    for n, up, conv, query in rows:
        print("%-44s %11.2fs %10.0fMB" % ("upstream create(fast_mode=False), %d archs" % n, up[0], up[2]))
        print("%-44s %11.3fs %10.1fMB" % ("nasdata query on the converted file", query[0], query[2]))
        print("%-44s %11.0fx %11.0fx" % ("ratio", up[0] / query[0], up[2] / query[2]))
        print("%-44s %11.2fs %10.0fMB" % ("(nasdata convert-benchmark, once)", conv[0], conv[2]))
    if len(rows) >= 2:
        (n1, u1, c1, _), (n2, u2, c2, _) = rows[0], rows[-1]
        per_s, per_mb = (u2[0] - u1[0]) / (n2 - n1), (u2[2] - u1[2]) / (n2 - n1)
        full = FULL[a.space]
        est_s, est_mb = u2[0] + per_s * (full - n2), u2[2] + per_mb * (full - n2)
        q = rows[-1][3]
        print("upstream extrapolated linearly to %d archs (not measured): %.0f s, %.0f MB -> %.0fx / %.0fx nasdata's query"
              % (full, est_s, est_mb, est_s / q[0], est_mb / q[2]))
        # Wall time on a shared machine is noisy (a smaller size can take longer): CPU time too.
        cpu = u2[1] + (u2[1] - u1[1]) / (n2 - n1) * (full - n2)
        print("upstream CPU time extrapolated to %d archs: %.0f s -> %.0fx nasdata's query wall" % (full, cpu, cpu / q[0]))
        cper_mb = (c2[2] - c1[2]) / (n2 - n1)
        print("nasdata convert-benchmark extrapolated to %d archs: %.0f s, %.0f MB peak"
              % (full, c2[0] + (c2[0] - c1[0]) / (n2 - n1) * (full - n2), c2[2] + cper_mb * (full - n2)))
    print("%-44s %11.2fs %10.0fMB" % ("upstream fast_mode=True, -simple folder", fast[0], fast[2]))
    if big:
        up, conv, query = big
        print("%-44s %11.2fs %10.0fMB" % ("upstream fast_mode=True, %d-arch folder" % a.simple_folder, up[0], up[2]))
        print("%-44s %11.3fs %10.1fMB" % ("nasdata query on that folder converted", query[0], query[2]))
        print("%-44s %11.0fx %11.0fx" % ("ratio", up[0] / query[0], up[2] / query[2]))
        print("%-44s %11.2fs %10.0fMB" % ("(nasdata convert-benchmark of the folder, once)", conv[0], conv[2]))


if __name__ == "__main__":
    main()
