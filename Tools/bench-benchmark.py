#!/usr/bin/env python3
"""Benchmark: upstream NASBench201API vs nasdata on a generated full-size NAS-Bench-201 meta file.

1. Generates a meta file in the v1.1 layout with N evaluated architectures (default all 15,625;
   realistic per-epoch metrics for 200 and 12 epochs, 1-3 seeds, the old-format gaps on some
   trials) as torch.save's legacy format would write it, streaming: a protocol-2 pickle emitted
   directly with one continuous memo (like a single Pickler over the whole object, so the
   unpickler sees ~10^8 memo slots as in the real 4.7 GB file), without holding the object in RAM.
2. Times and measures peak RSS (wait4 ru_maxrss) of
   (a) upstream: python -c 'NASBench201API(path); api.get_more_info(...)' (time to first answer),
   (b) nasdata convert-benchmark (once), then nasdata query (time to first answer), nasdata best,
       and nasdata table (all 15,625 rows).
   Upstream needs several times the file size in RAM; it is skipped (and the reason printed) when
   that would not fit, and measured on smaller files instead (--upstream-archs) to extrapolate.

Usage: Tools/bench-benchmark.py [--archs 15625] [--upstream-archs 1000] [--dir /tmp/nasbench-bench]
       [--keep] [--nasdata PATH]  (default: the release build, built if missing)
Needs numpy; torch + nas-bench-201 for the upstream side (installed --no-deps if missing).
"""
import argparse, os, pickle, shutil, struct, subprocess, sys, time
import numpy as np

OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
DATASETS = ["cifar10-valid", "cifar10", "cifar100", "ImageNet16-120"]
CLASSES = {"cifar10-valid": 10, "cifar10": 10, "cifar100": 100, "ImageNet16-120": 120}
EVAL_SETS = {"cifar10-valid": ["x-valid", "ori-test"], "cifar10": ["ori-test"],
             "cifar100": ["x-valid", "x-test", "ori-test"], "ImageNet16-120": ["x-valid", "x-test", "ori-test"]}
OLD_LAST_ONLY = {"cifar10-valid": {"ori-test"}, "cifar10": set(), "cifar100": {"x-valid", "x-test"},
                 "ImageNet16-120": {"x-valid", "x-test"}}


def arch_strings():
    import itertools, random
    cells = ["|{}~0|+|{}~0|{}~1|+|{}~0|{}~1|{}~2|".format(*[OPS[i] for i in ops])
             for ops in itertools.product(range(5), repeat=6)]
    random.seed(88)
    random.shuffle(cells)
    return cells


class Emitter:
    """Protocol-2 opcodes with one memo numbering for the whole stream."""

    def __init__(self, out):
        self.out = out
        self.memo = 0
        self.interned = {}  # strings shared by every record (attribute names): memoised once
        self.rec = np.dtype([("op", "S1"), ("idx", "<u4"), ("g", "S1"), ("v", ">f8")])
        self.trec = np.dtype([("op", "S1"), ("k", "u1"), ("g", "S1"), ("v", ">f8")])
        self.globals = {}

    def w(self, b):
        self.out.write(b)

    def put(self):
        m = self.memo
        self.memo += 1
        return (b"q" + bytes([m])) if m < 256 else (b"r" + struct.pack("<I", m))

    @staticmethod
    def get(i):
        return (b"h" + bytes([i])) if i < 256 else (b"j" + struct.pack("<I", i))

    def string(self, s):
        b = s.encode("utf-8")
        self.w(b"X" + struct.pack("<I", len(b)) + b + self.put())

    def name(self, s):
        """An interned string (attribute names, dict keys of every record)."""
        if s in self.interned:
            self.w(self.get(self.interned[s]))
        else:
            self.interned[s] = self.memo
            self.string(s)

    def int(self, i):
        if 0 <= i < 256:
            self.w(b"K" + bytes([i]))
        elif 0 <= i < 65536:
            self.w(b"M" + struct.pack("<H", i))
        else:
            self.w(b"J" + struct.pack("<i", i))

    def float(self, x):
        self.w(b"G" + struct.pack(">d", x))

    def glob(self, module, name):
        key = (module, name)
        if key in self.globals:
            self.w(self.get(self.globals[key]))
        else:
            self.w(b"c" + module.encode() + b"\n" + name.encode() + b"\n")
            self.globals[key] = self.memo
            self.w(self.put())

    def np_float64(self, x):
        """np.float64(x) as numpy 1.x pickles it (scalar(dtype('f8'), bytes))."""
        self.glob("numpy.core.multiarray", "scalar")
        if "dtype" in self.globals:
            self.w(self.get(self.globals["dtype"]))
        else:
            self.glob("numpy", "dtype")
            self.string("f8")
            self.w(b"\x89\x88\x87" + self.put() + b"R")
            self.globals["dtype"] = self.memo
            self.w(self.put() + b"(K\x03")
            self.string("<")
            self.w(b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00t" + self.put() + b"b")
        self.glob("_codecs", "encode")
        self.string(struct.pack("<d", x).decode("latin1"))
        self.name("latin1")
        self.w(b"\x86" + self.put() + b"R" + self.put() + b"\x86" + self.put() + b"R" + self.put())

    def epoch_dict(self, values):
        """{0: v0, 1: v1, ...} with float values (BININT1 keys: < 256 epochs)."""
        self.w(b"}" + self.put())
        n = len(values)
        recs = np.empty(n, dtype=self.trec)
        recs["op"], recs["k"], recs["g"], recs["v"] = b"K", np.arange(n), b"G", values
        self.w(b"(" + recs.tobytes() + b"u")

    def eval_dicts(self, sets, epochs, acc, loss, times, present):
        """eval_acc1es, eval_times, eval_losses sharing their 'set@epoch' key objects."""
        keys = {}
        self.w(b"}" + self.put())
        parts = [b"("]
        for s in sets:
            for e in present[s]:
                k = "{}@{}".format(s, e).encode()
                keys[(s, e)] = self.memo
                parts.append(b"X" + struct.pack("<I", len(k)) + k + self.put() + b"G" + struct.pack(">d", acc[s][e]))
        self.w(b"".join(parts) + b"u")
        for field, table in (("eval_times", times), ("eval_losses", loss)):
            self.name(field)
            self.w(b"}" + self.put())
            items = [(keys[(s, e)], table[s][e]) for s in sets for e in present[s] if table is not None and s in table]
            if items:
                recs = np.empty(len(items), dtype=self.rec)
                recs["op"], recs["g"] = b"j", b"G"
                recs["idx"] = [i for i, _ in items]
                recs["v"] = [v for _, v in items]
                self.w(b"(" + recs.tobytes() + b"u")


def emit_run(em, rng, arch, dataset, seed, epochs, old):
    E = epochs
    top = {"cifar10-valid": 91, "cifar10": 94, "cifar100": 73, "ImageNet16-120": 46}[dataset] * (0.7 + 0.3 * rng.random())
    t = np.arange(E) / max(E - 1, 1)
    shape = (1 - np.exp(-4.5 * t)) / (1 - np.exp(-4.5))

    def acc_curve(final, size):
        v = np.clip(15 + (final - 15) * shape + rng.normal(0, 0.7, E), 1, 99.99)
        return np.round(v * size / 100) * 100.0 / size

    def loss_curve(final):
        return np.clip(2.3 + (final - 2.3) * shape + rng.normal(0, 0.02, E), 0.001, None).astype(np.float32).astype(np.float64)

    em.w(b"}" + em.put() + b"(")
    em.name("name"); em.string(dataset)
    em.name("net_state_dict"); em.w(b"N")
    em.name("train_acc1es"); tr = acc_curve(min(top + 8, 99.9), 50000); em.epoch_dict(tr)
    em.name("train_acc5es")
    if old: em.w(b"N")
    else: em.epoch_dict(np.minimum(100.0, tr + 5))
    em.name("train_losses"); em.epoch_dict(loss_curve(0.05 + (100 - top) / 60))
    em.name("train_times")
    per_epoch = float(np.float32(5 + 20 * rng.random()))
    if old: em.w(b"N")
    else: em.epoch_dict(np.full(E, per_epoch))
    em.name("arch_config"); em.w(b"}" + em.put() + b"(")
    em.name("channel"); em.int(16); em.name("num_cells"); em.int(5)
    em.name("arch_str"); em.string(arch); em.name("class_num"); em.int(CLASSES[dataset]); em.w(b"u")
    em.name("params"); em.np_float64(0.1 + rng.random())
    em.name("flop"); em.float(10 + 200 * rng.random())
    em.name("seed"); em.string("{:04d}".format(seed))
    em.name("epochs"); em.int(E)
    em.name("latency")
    if old: em.w(b"N")
    else:
        em.w(b"]" + em.put()); em.float(float(np.float32(0.01 + 0.005 * rng.random()))); em.w(b"a")
    sets = EVAL_SETS[dataset]
    em.name("eval_names"); em.w(b"]" + em.put())
    if len(sets) == 1:
        em.string(sets[0]); em.w(b"a")
    else:
        em.w(b"(")
        for s in sets: em.string(s)
        em.w(b"e")
    present = {s: ([E - 1] if (old and s in OLD_LAST_ONLY[dataset]) else list(range(E))) for s in sets}
    acc = {s: acc_curve(top - 1.5 * rng.random(), 10000) for s in sets}
    loss = {s: loss_curve(0.3 + (100 - top) / 50) for s in sets}
    times = None if old else {s: np.full(E, float(np.float32(1 + 3 * rng.random()))) for s in sets}
    em.name("eval_acc1es")
    # keys: acc1es defines them; then eval_times and eval_losses (the ResultsCount __dict__ order)
    em.eval_dicts(sets, E, acc, loss, times, present)
    em.w(b"u")


def emit_arch_results(em, rng, index, arch, hp, k):
    epochs = 200 if hp == "full" else 12
    em.w(b"}" + em.put() + b"(")
    em.name("arch_index"); em.int(index)
    em.name("arch_str"); em.string(arch)
    em.name("all_results"); em.w(b"}" + em.put() + b"(")
    seeds_of = {}
    for dataset in DATASETS:
        if hp == "less":
            seeds = [777, 888] if dataset == "cifar10-valid" else [777]
        else:
            seeds = [[777, 888, 999], [777, 888], [777], [777, 888, 999], [888, 999]][k % 5]
        seeds_of[dataset] = seeds
        for seed in seeds:
            em.string(dataset); em.int(seed); em.w(b"\x86" + em.put())
            emit_run(em, rng, arch, dataset, seed, epochs, old=(hp == "full" and k % 7 == 3 and seed == seeds[0]))
    em.w(b"u")
    em.name("dataset_seed"); em.w(b"}" + em.put() + b"(")
    for dataset, seeds in seeds_of.items():
        em.string(dataset); em.w(b"]" + em.put())
        if len(seeds) == 1:
            em.int(seeds[0]); em.w(b"a")
        else:
            em.w(b"(")
            for s in seeds: em.int(s)
            em.w(b"e")
    em.w(b"u")
    em.name("clear_net_done"); em.w(b"\x89")
    em.w(b"u")


def generate(path, n_archs):
    archs = arch_strings()
    rng = np.random.default_rng(201)
    evaluated = sorted(rng.choice(len(archs), size=n_archs, replace=False).tolist())
    with open(path, "wb", buffering=1 << 22) as f:
        # torch.save legacy header: magic number, protocol version, sys_info (protocol 2 pickles)
        f.write(pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2))
        f.write(pickle.dumps(1001, protocol=2))
        f.write(pickle.dumps(dict(protocol_version=1001, little_endian=True, type_sizes=dict(short=2, int=4, long=4)), protocol=2))
        em = Emitter(f)
        em.w(b"\x80\x02}" + em.put() + b"(")
        em.name("meta_archs"); em.w(b"]" + em.put())
        for i in range(0, len(archs), 1000):
            em.w(b"(")
            for a in archs[i:i + 1000]: em.string(a)
            em.w(b"e")
        em.name("total_archs"); em.int(len(archs))
        em.name("arch2infos"); em.w(b"}" + em.put())
        for b in range(0, len(evaluated), 1000):
            em.w(b"(")
            for k, index in enumerate(evaluated[b:b + 1000], start=b):
                em.int(index)
                em.w(b"}" + em.put() + b"(")
                for hp in ("less", "full"):
                    em.name(hp)
                    emit_arch_results(em, rng, index, archs[index], hp, k)
                em.w(b"u")
            em.w(b"u")
        em.name("evaluated_indexes"); em.w(b"]" + em.put())
        for i in range(0, len(evaluated), 1000):
            em.w(b"(")
            for x in evaluated[i:i + 1000]: em.int(x)
            em.w(b"e")
        em.w(b"u.")
        f.write(pickle.dumps([], protocol=2))  # storage keys: none
    return evaluated, em.memo


def timed(cmd, env=None):
    """/usr/bin/time -f: wall seconds and max RSS (KB) of exactly that process; its CPU seconds
    (user + sys) are printed too, since wall time on a shared machine depends on the neighbours."""
    full = ["/usr/bin/time", "-f", "__TIME__ %e %M %U %S"] + [str(c) for c in cmd]
    p = subprocess.run(full, capture_output=True, env=env)
    if p.returncode != 0:
        raise SystemExit("failed ({}): {}\n{}".format(p.returncode, " ".join(full), p.stderr.decode()[-3000:]))
    line = [l for l in p.stderr.decode().splitlines() if l.startswith("__TIME__")][-1]
    _, secs, kb, user, system = line.split()
    print("  [%s: wall %s s, cpu %.2f s, max RSS %.0f MB]" % (os.path.basename(str(cmd[1] if cmd[0] == sys.executable else cmd[0])) + " " + str(cmd[1] if cmd[0] != sys.executable else "upstream"),
                                                         secs, float(user) + float(system), int(kb) / 1024.0), flush=True)
    return float(secs), int(kb) / 1024.0, p.stdout.decode()


UPSTREAM = r"""
import os, sys, time
os.environ.setdefault("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
t0 = time.perf_counter()
from nas_201_api import NASBench201API
api = NASBench201API(sys.argv[1], verbose=False)
info = api.get_more_info(int(sys.argv[2]), "cifar10", hp="200", is_random=False)
print("first-answer %.3f %r" % (time.perf_counter() - t0, info["test-accuracy"]))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--archs", type=int, default=15625)
    ap.add_argument("--upstream-archs", type=int, default=None, help="evaluated archs of the file upstream is timed on (default: same file if it fits in RAM)")
    ap.add_argument("--dir", default="/tmp/nasbench-bench")
    ap.add_argument("--nasdata", default=None)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--skip-upstream", action="store_true")
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    nasdata = args.nasdata
    if nasdata is None:
        subprocess.run(["swift", "build", "-c", "release", "--product", "nasdata"], cwd=root, check=True)
        nasdata = os.path.join(subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=root,
                                              capture_output=True, text=True, check=True).stdout.strip(), "nasdata")
    os.makedirs(args.dir, exist_ok=True)
    free = shutil.disk_usage(args.dir).free / 2**30
    need = 0.3 * args.archs / 1000 * 2.2
    if free < need:
        raise SystemExit("need ~%.1f GB free in %s, have %.1f" % (need, args.dir, free))
    meta = os.path.join(args.dir, "meta-%d.pth" % args.archs)
    t0 = time.perf_counter()
    evaluated, memo = generate(meta, args.archs)
    gen = time.perf_counter() - t0
    size = os.path.getsize(meta) / 2**30
    print("generated %s: %d evaluated archs, %.2f GB, %d memo slots, in %.0f s" % (meta, len(evaluated), size, memo, gen))
    h5 = os.path.join(args.dir, "bench-%d.h5" % args.archs)
    conv_s, conv_mb, _ = timed([nasdata, "convert-benchmark", meta, "-o", h5])
    h5_size = os.path.getsize(h5) / 2**30
    probe = evaluated[len(evaluated) // 2]
    query_s, query_mb, _ = timed([nasdata, "query", h5, "--index", probe, "--dataset", "cifar10", "--json"])
    best_s, best_mb, _ = timed([nasdata, "best", h5, "--dataset", "cifar10", "--metric", "ori-test", "--json"])
    csv = os.path.join(args.dir, "table.csv")
    table_s, table_mb, _ = timed([nasdata, "table", h5, "--dataset", "cifar100", "--hp", "200", "-o", csv])
    print("nasdata convert-benchmark: %.1f s, peak RSS %.0f MB, HDF5 %.2f GB" % (conv_s, conv_mb, h5_size))
    print("nasdata query  (first answer): %.3f s, peak RSS %.1f MB" % (query_s, query_mb))
    print("nasdata best   (15,625 archs): %.3f s, peak RSS %.1f MB" % (best_s, best_mb))
    print("nasdata table  (15,625 rows):  %.3f s, peak RSS %.1f MB" % (table_s, table_mb))
    up = None
    if not args.skip_upstream:
        up_archs = args.upstream_archs or args.archs
        up_meta = meta
        if up_archs != args.archs:
            up_meta = os.path.join(args.dir, "meta-%d.pth" % up_archs)
            up_eval, _ = generate(up_meta, up_archs)
        else:
            up_eval = evaluated
        avail = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemAvailable:")) / 2**20
        up_size = os.path.getsize(up_meta) / 2**30
        if up_size * 7 > avail * 0.8:
            print("upstream skipped on %.2f GB: it needs ~%.0f GB RAM, %.0f GB available; rerun with --upstream-archs N" % (up_size, up_size * 7, avail))
        else:
            up_s, up_mb, out = timed([sys.executable, "-c", UPSTREAM, up_meta, up_eval[len(up_eval) // 2]])
            print("upstream NASBench201API + get_more_info on %d archs (%.2f GB): %.1f s, peak RSS %.0f MB" % (up_archs, up_size, up_s, up_mb))
            scale = args.archs / up_archs
            up = (up_s * scale, up_mb * scale) if scale != 1 else (up_s, up_mb)
            if scale != 1:
                print("  extrapolated linearly to %d archs: %.0f s, %.0f MB" % (args.archs, up[0], up[1]))
            if up_meta != meta and not args.keep:
                os.remove(up_meta)
    if up:
        print("\n%-34s %12s %12s" % ("", "time to 1st", "peak RSS"))
        print("%-34s %11.2fs %10.0fMB" % ("upstream API (load + query)", up[0], up[1]))
        print("%-34s %11.3fs %10.1fMB" % ("nasdata query (converted file)", query_s, query_mb))
        print("%-34s %11.0fx %11.0fx" % ("ratio", up[0] / query_s, up[1] / query_mb))
        print("(conversion is once: %.1f s, %.0f MB peak)" % (conv_s, conv_mb))
    if not args.keep:
        for p in (meta, h5, csv):
            if os.path.exists(p): os.remove(p)


if __name__ == "__main__":
    main()
