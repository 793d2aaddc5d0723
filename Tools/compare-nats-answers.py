#!/usr/bin/env python3
"""Compares nasdata's answers with the upstream nats_bench API's on a large generated NATS-Bench
benchmark (the interop suite does the same on the small committed fixtures).

  Tools/compare-nats-answers.py SOURCE [--space tss|sss] [--samples 50] [--seed 0] [--nasdata PATH] [--h5 CONVERTED]

SOURCE is a generated single file (NATS-<space>-v1_0-*.pickle.pbz2, opened upstream with
fast_mode=False) or a generated -simple folder (fast_mode=True: upstream reads each architecture's
file on demand, so a full-size folder works in little memory). nasdata converts SOURCE once
(convert-benchmark) and answers with query / best / archs on the HDF5 file. For --samples random
evaluated indexes (plus the first and the last), every hp and data set:
  get_more_info (mean, is_random=False, and every seed), get_cost_info, get_latency,
  query_by_index (the seeds, in the file's order), simulate_train_eval for each seed
  (valid accuracy, latency, time), arch / query_index_by_arch;
and, for a single file only (upstream holds every architecture in memory), find_best for every hp,
data set / metric pair, with and without a FLOP limit. Where upstream raises because an
architecture's seeds disagree on FLOPs or params and none is 888 (nats_bench's legacy fix; the
generator's jittered costs do this), nasdata's query must give no costs and that reason, and
best --max-flops must refuse. Prints what it
compared; exit 1 on the first difference, with the answer of each side.

Tools/generate: Tools/fixtures/make-nats-fixtures.py OUT --extra N (single file) or
--simple-folder N (folder); Tools/bench-nats-benchmark.py writes the same files.
"""
import argparse, json, os, random, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HPS = {"tss": ["12", "200"], "sss": ["01", "12", "90"]}
DATASETS = ["cifar10-valid", "cifar10", "cifar100", "ImageNet16-120"]
BEST = [("cifar10", "ori-test"), ("cifar10-valid", "x-valid"), ("cifar100", "x-valid"), ("cifar100", "x-test"),
        ("ImageNet16-120", "x-test"), ("cifar10", "valid")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("--space", choices=["tss", "sss"], default="tss")
    ap.add_argument("--samples", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--nasdata", default=os.path.join(ROOT, ".build/release/nasdata"))
    ap.add_argument("--h5", help="SOURCE already converted (by convert-benchmark) to this file: do not convert again")
    a = ap.parse_args()
    import nats_bench

    def nasdata(*args, check=True):
        p = subprocess.run([a.nasdata, *map(str, args)], capture_output=True, text=True)
        if check and p.returncode != 0:
            sys.exit("nasdata %s failed (%d): %s" % (" ".join(map(str, args)), p.returncode, p.stderr.strip()))
        return p

    def query(*args):
        return json.loads(nasdata("query", h5, *args, "--json").stdout)

    def same(what, mine, theirs):
        if mine != theirs:
            sys.exit("DIFFERENT %s:\n  nasdata  %r\n  upstream %r" % (what, mine, theirs))
        counts[what.split(" ")[0]] = counts.get(what.split(" ")[0], 0) + 1

    def plain(info):
        return {k: (float(v) if v is not None else None) for k, v in info.items() if k != "comment"}

    folder = os.path.isdir(a.source)
    work = tempfile.mkdtemp(prefix="nasdata-compare-")
    h5 = a.h5 or os.path.join(work, "benchmark.h5")
    if not a.h5:
        t0 = time.perf_counter()
        nasdata("convert-benchmark", a.source, "-o", h5)
        print("nasdata convert-benchmark: %.0f s" % (time.perf_counter() - t0), flush=True)
    t0 = time.perf_counter()
    api = nats_bench.create(a.source, a.space, fast_mode=folder, verbose=False)
    print("upstream create(fast_mode=%s): %.0f s" % (folder, time.perf_counter() - t0), flush=True)
    counts = {}
    evaluated = sorted(api.evaluated_indexes)
    if folder and not evaluated:   # a fast-mode API knows the files only as it reads them
        evaluated = sorted(int(f.split(".")[0]) for f in os.listdir(a.source) if f[0].isdigit() and f.endswith(".pickle.pbz2"))
    rng = random.Random(a.seed)
    indexes = sorted(set(rng.sample(evaluated, min(a.samples, len(evaluated))) + [evaluated[0], evaluated[-1]]))
    real_choice = random.choice
    def upstream(call):
        """upstream's answer, or the ValueError its cost rule raises (seeds disagree, none is 888)."""
        try:
            return call(), None
        except ValueError as e:
            if "888" not in str(e):
                raise
            return None, e

    def refused(args, what):
        """nasdata must refuse where upstream raised: non-zero exit, the seed-888 reason."""
        p = nasdata(*args, check=False)
        same("refused " + what, (p.returncode != 0, "no seed 888" in p.stderr), (True, True))

    for n, index in enumerate(indexes):
        arch = api.arch(index)
        same("arch", query("--arch", arch, "--hp", HPS[a.space][-1])["index"], api.query_index_by_arch(arch))
        for hp in HPS[a.space]:
            for dataset in DATASETS:
                where = "(index %d, hp %s, %s)" % (index, hp, dataset)
                mine = query("--index", index, "--hp", hp, "--dataset", dataset)["datasets"][0]
                same("get_more_info " + where, mine["info"], plain(api.get_more_info(index, dataset, hp=hp, is_random=False)))
                cost, raised = upstream(lambda: api.get_cost_info(index, dataset, hp=hp))
                if raised:   # no costs: nasdata's query says why, and still answers the rest
                    same("get_cost_info-raises " + where, (mine["flops"], mine["params"], mine["latency"],
                         "no seed 888" in mine.get("costs_unavailable", "")), (None, None, None, True))
                else:
                    same("get_cost_info " + where, (mine["flops"], mine["params"], mine["latency"]),
                         (cost["flops"], cost["params"], cost["latency"]))
                    same("get_latency " + where, mine["latency"], api.get_latency(index, dataset, hp=hp))
                runs = api.query_by_index(index, dataset, hp=hp)
                same("query_by_index " + where, mine["seeds"], list(runs.keys()))
                for seed in runs:
                    info = query("--index", index, "--hp", hp, "--dataset", dataset, "--seed", seed)["datasets"][0]["info"]
                    same("get_more_info(is_random=seed) " + where, info,
                         plain(api.get_more_info(index, dataset, hp=hp, is_random=seed)))
                    if dataset == "cifar10":
                        continue   # simulate_train_eval reads cifar10 from cifar10-valid
                    target = "cifar10" if dataset == "cifar10-valid" else dataset
                    random.choice = lambda seeds, s=seed: s
                    try:
                        api.reset_time()
                        sim, raised = upstream(lambda: api.simulate_train_eval(arch, target, hp=hp))
                    finally:
                        random.choice = real_choice
                    if raised:   # the target's latency (cifar10's, for cifar10-valid) has no answer
                        unavailable = query("--index", index, "--hp", hp, "--dataset", target)["datasets"][0].get("costs_unavailable", "")
                        same("simulate_train_eval-raises " + where, "no seed 888" in unavailable, True)
                        continue
                    acc, latency, time_cost, _ = sim
                    mine_sim = (info["valid-accuracy"] if "valid-accuracy" in info else info["valtest-accuracy"],
                                info["train-all-time"] + info["valid-per-time"])
                    target_latency = query("--index", index, "--hp", hp, "--dataset", target)["datasets"][0]["latency"]
                    same("simulate_train_eval " + where, (mine_sim, target_latency), ((acc, time_cost), latency))
        if folder:
            getattr(api, "arch2infos_dict", {}).pop(index, None)   # fast mode keeps what it read: keep it small
        if n % 10 == 9:
            print("  %d of %d indexes" % (n + 1, len(indexes)), flush=True)
    if not folder:
        for hp in HPS[a.space]:
            for dataset, metric in BEST:
                for flop_max in (None, 30):
                    args = ["best", h5, "--dataset", dataset, "--metric", metric, "--hp", hp, "--json"]
                    args += ["--max-flops", flop_max] if flop_max is not None else []
                    what = "find_best (hp %s, %s, %s, flop_max %s)" % (hp, dataset, metric, flop_max)
                    found, raised = upstream(lambda: api.find_best(dataset, metric, flop_max=flop_max, hp=hp))
                    if raised:
                        if flop_max is None:   # upstream computes every cost even unasked; nasdata needs none
                            counts["find_best-upstream-raises-unasked"] = counts.get("find_best-upstream-raises-unasked", 0) + 1
                        else:
                            refused(args, what)
                        continue
                    best, acc = found
                    p = nasdata(*args, check=False)
                    if best == -1:
                        same(what, p.returncode != 0, True)
                    else:
                        got = json.loads(p.stdout)
                        same(what, (got["index"], got["accuracy"]), (best, acc))
    listing = nasdata("archs", "--space", a.space).stdout.splitlines()
    same("archs", listing, [api.arch(i) for i in range(len(api))])
    if not a.h5:
        os.remove(h5)
    os.rmdir(work)
    print("equal: %s (%d indexes of %d evaluated, %s)" % (
        ", ".join("%s %d" % kv for kv in sorted(counts.items())), len(indexes), len(evaluated),
        "fast_mode=True folder" if folder else "fast_mode=False single file"))


if __name__ == "__main__":
    main()
