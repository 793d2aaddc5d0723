#!/usr/bin/env python3
"""Benchmark: nasdata pack-archive on NATS-Bench full-archive files against (a) the floor of
decompressing the same files with libbz2 (`bzip2 -dc`, one process per core) and (b) the obvious
Python script (bz2 + pickle.load + one h5py gzip+shuffle dataset per tensor).

1. Generates N full-style files `{index:06d}.pickle.pbz2` in DIR/NATS-<space>-...-full (real
   xautodl networks for each architecture of the space, every run of a sample architecture's
   results with a net_state_dict, values NOT rounded: float32 noise compresses as badly under bz2
   as trained weights do), written like the authors' files (nats_bench.api_utils.pickle_save:
   bz2, protocol 4), by 2 processes. Uses Tools/fixtures/make-nats-fixtures.py's helpers.
2. Times (wall, CPU, peak RSS via /usr/bin/time) on the same files, page cache warm:
   `nasdata pack-archive` (release build), `bzip2 -dc` per file with `nproc` parallel processes,
   and the Python script on the first --python-files files.
3. Prints input MB/s of each and the ratios: nasdata / bzip2 floor (goal >= 0.7x) and
   nasdata / Python (goal >= 10x).

Usage: Tools/bench-nats-archive.py [--space tss|sss] [--files 40] [--python-files 8]
       [--dir /tmp/nats-archive-bench] [--nasdata PATH] [--keep] [--generate-only] [--no-generate]
"""
import argparse, collections, copy, importlib.util, multiprocessing, os, pathlib, shutil, subprocess, sys, time

ROOT = pathlib.Path(__file__).resolve().parents[1]
BASES = {"tss": "NATS-tss-v1_0-3ffb9", "sss": "NATS-sss-v1_0-50262"}


def fixtures_module():
    spec = importlib.util.spec_from_file_location("make_nats_fixtures", ROOT / "Tools/fixtures/make-nats-fixtures.py")
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


def generate_one(args):
    space, index, folder = args
    fx = fixtures_module()
    import numpy as np, torch
    from nats_bench.api_utils import ArchResults, pickle_save
    samples = fx.SAMPLES / (fx.SPACES[space] + "-simple")
    meta = fx.load_pbz2(samples / "meta.pickle.pbz2")
    src = fx.load_pbz2(samples / "{:06d}.pickle.pbz2".format(fx.SAMPLE_INDEXES[index % 3]))
    hp2results = fx.perturbed(src, index, meta["meta_archs"][index], np.random.RandomState(index))
    out = collections.OrderedDict()
    for hp, state in hp2results.items():
        arch = ArchResults.create_from_state_dict(copy.deepcopy(state))
        for n, result in enumerate(arch.all_results.values()):
            torch.manual_seed(index * 1000 + n)
            result.net_state_dict = collections.OrderedDict(
                (k, v.clone()) for k, v in fx.network_for(result.arch_config).state_dict().items())
        arch.clear_net_done = False
        out[hp] = arch.state_dict()
    # Written beside the folder, then renamed in: an interrupted generation leaves no partial file.
    temp = folder.parent / "{:06d}.partial.pickle".format(index)
    pickle_save(out, str(temp))
    os.replace(str(temp) + ".pbz2", folder / "{:06d}.pickle.pbz2".format(index))
    return index


def timed(cmd, shell=False):
    full = ["/usr/bin/time", "-f", "__TIME__ %e %M %U %S"] + ([str(c) for c in cmd] if not shell else ["sh", "-c", cmd])
    p = subprocess.run(full, capture_output=True)
    if p.returncode != 0:
        raise SystemExit("failed ({}): {}\n{}".format(p.returncode, " ".join(full), p.stderr.decode()[-3000:]))
    line = [l for l in p.stderr.decode().splitlines() if l.startswith("__TIME__")][-1]
    _, secs, kb, user, system = line.split()
    return float(secs), float(user) + float(system), int(kb) / 1024.0


PYTHON_PACKER = r"""
import bz2, pickle, sys
import h5py
import torch  # the pickled tensors need it
out, files = sys.argv[1], sys.argv[2:]
with h5py.File(out, "w") as f:
    for path in files:
        with bz2.open(path, "rb") as fh:
            obj = pickle.load(fh)
        for hp, arch in obj.items():
            index = arch["arch_index"]
            for (dataset, seed), result in arch["all_results"].items():
                group = f.require_group(f"{index}/{hp}/{dataset}/{seed}")
                for name, tensor in result["net_state_dict"].items():
                    data = tensor.numpy()
                    if data.ndim == 0:
                        group.create_dataset(name, data=data)
                    else:
                        group.create_dataset(name, data=data, compression="gzip", shuffle=True)
"""


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--space", choices=["tss", "sss"], default="tss")
    p.add_argument("--files", type=int, default=40)
    p.add_argument("--python-files", type=int, default=8)
    p.add_argument("--dir", default="/tmp/nats-archive-bench")
    p.add_argument("--nasdata")
    p.add_argument("--keep", action="store_true", help="keep the generated files")
    p.add_argument("--generate-only", action="store_true", help="only make the files (kept)")
    p.add_argument("--no-generate", action="store_true", help="measure the files of the set that exist (an interrupted generation)")
    a = p.parse_args()
    work = pathlib.Path(a.dir)
    folder = work / (BASES[a.space] + "-full")
    folder.mkdir(parents=True, exist_ok=True)
    # Evenly spaced indexes over the space, so network sizes vary as they do.
    count = 15625 if a.space == "tss" else 32768
    stride = count // a.files
    indexes = [i * stride for i in range(a.files)]
    missing = [(a.space, i, folder) for i in indexes if not (folder / "{:06d}.pickle.pbz2".format(i)).exists()]
    if a.no_generate:
        indexes = [i for i in indexes if (folder / "{:06d}.pickle.pbz2".format(i)).exists()]
        missing = []
    if missing:
        t0 = time.time()
        with multiprocessing.Pool(2) as pool:
            for n, _ in enumerate(pool.imap_unordered(generate_one, missing), 1):
                print("\rgenerating {}/{}".format(n, len(missing)), end="", file=sys.stderr, flush=True)
        print("\ngenerated {} files in {:.0f} s".format(len(missing), time.time() - t0), file=sys.stderr)
    if a.generate_only:
        return
    files = sorted(folder / "{:06d}.pickle.pbz2".format(i) for i in indexes)
    total = sum(f.stat().st_size for f in files) / 1e6
    pyfiles = files[:a.python_files]
    pytotal = sum(f.stat().st_size for f in pyfiles) / 1e6

    binary = a.nasdata
    if not binary:
        subprocess.run(["swift", "build", "-c", "release", "--product", "nasdata"], cwd=ROOT, check=True, capture_output=True)
        binary = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout.strip() + "/nasdata"
    for f in files:  # warm the page cache: every leg reads the same cached bytes
        f.read_bytes()
    cores = os.cpu_count()

    out = work / "nasdata.h5"
    if out.exists():
        out.unlink()
    nas = timed([binary, "pack-archive", folder, "-o", out])
    bz = timed("ls {}/*.pickle.pbz2 | xargs -P {} -n 1 sh -c 'bzip2 -dc \"$0\" > /dev/null'".format(folder, cores), shell=True)
    py_out = work / "python.h5"
    if py_out.exists():
        py_out.unlink()
    py = timed([sys.executable, "-c", PYTHON_PACKER, py_out] + pyfiles)
    nas_small_out = work / "nasdata-small.h5"
    small = work / "small" / folder.name
    shutil.rmtree(work / "small", ignore_errors=True)
    small.mkdir(parents=True)
    for f in pyfiles:
        os.symlink(f, small / f.name)
    nas_small = timed([binary, "pack-archive", small, "-o", nas_small_out]) if pyfiles else None

    rate = lambda mb, t: mb / max(t[0], 1e-9)
    print("{} {} full-style files, {:.1f} MB of bz2 input ({:.1f} MB a file), {} cores".format(
        len(files), a.space, total, total / len(files), cores))
    print("  nasdata pack-archive : {:7.1f} s wall {:7.1f} s CPU  peak RSS {:6.0f} MB  {:6.1f} MB/s  archive {:.1f} MB".format(
        nas[0], nas[1], nas[2], rate(total, nas), out.stat().st_size / 1e6))
    print("  bzip2 -dc x{}         : {:7.1f} s wall {:7.1f} s CPU  {:6.1f} MB/s".format(cores, bz[0], bz[1], rate(total, bz)))
    if pyfiles:
        print("  Python ({} files)     : {:7.1f} s wall {:7.1f} s CPU  peak RSS {:6.0f} MB  {:6.2f} MB/s".format(
            len(pyfiles), py[0], py[1], py[2], rate(pytotal, py)))
        print("  nasdata ({} files)    : {:7.1f} s wall  {:6.1f} MB/s".format(len(pyfiles), nas_small[0], rate(pytotal, nas_small)))
    print("ratio nasdata / bzip2 -dc floor: {:.2f}x (goal >= 0.7x)".format(rate(total, nas) / rate(total, bz)))
    if pyfiles:
        print("ratio nasdata / Python on the same {} files: {:.1f}x (goal >= 10x)".format(
            len(pyfiles), rate(pytotal, nas_small) / rate(pytotal, py)))
    if not a.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
