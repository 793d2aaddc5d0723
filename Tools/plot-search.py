#!/usr/bin/env python3
"""The papers' search figure with matplotlib, from `nasdata search -o RESULT.h5` files (schema nasdata-search v1):
test accuracy of each run's best architecture so far against simulated time, mean over runs and a mean ± std
band, one line per results file (algorithm). The same curves `nasdata plot` draws.

    python3 Tools/plot-search.py random.h5 rea.h5 reinforce.h5 bohb.h5 -o search-cifar10.png
"""
import argparse
import warnings

import h5py
import numpy as np


def curves(path, ticks):
    with h5py.File(path, "r") as f:
        label = {"random": "RANDOM", "rea": "REA", "reinforce": "REINFORCE", "bohb": "BOHB"}[f.attrs["algorithm"]]
        accuracy = dict(zip(f["archs/index"][:], f["archs/test_accuracy"][:]))
        total, best = f["evaluations/total_time"][:], f["evaluations/best_index"][:]
        runs = []
        for start, counted in zip(f["runs/eval_start"][:], f["runs/counted"][:]):
            t, b = total[start:start + counted], best[start:start + counted]
            k = np.searchsorted(t, ticks, side="right") - 1   # last evaluation finished by each tick
            runs.append(np.where(k >= 0, [accuracy[b[max(i, 0)]] for i in k], np.nan))
        runs = np.array(runs)
        return label, len(runs), f.attrs["dataset"], np.nanmean(runs, axis=0), np.nanstd(runs, axis=0), f.attrs["time_budget"]


def main():
    warnings.filterwarnings("ignore", category=RuntimeWarning)  # ticks before any run's first evaluation
    parser = argparse.ArgumentParser()
    parser.add_argument("results", nargs="+")
    parser.add_argument("-o", "--output", default="search.png")
    args = parser.parse_args()
    import matplotlib
    matplotlib.use("agg")
    import matplotlib.pyplot as plt
    horizon = max(float(h5py.File(p, "r").attrs["time_budget"]) for p in args.results)
    ticks = np.linspace(horizon / 150, horizon, 150)
    names = {"cifar10": "CIFAR-10", "cifar100": "CIFAR-100", "ImageNet16-120": "ImageNet-16-120"}
    fig, ax = plt.subplots(figsize=(8, 5.2))
    for path in args.results:
        label, n, dataset, mean, std, _ = curves(path, ticks)
        line, = ax.plot(ticks, mean, label="{} ({} runs)".format(label, n))
        ax.fill_between(ticks, mean - std, mean + std, color=line.get_color(), alpha=0.18, linewidth=0)
    ax.set_xlabel("Simulated search time (seconds)")
    ax.set_ylabel("Test accuracy on {} (%)".format(names[dataset]))
    ax.set_title("Searching results on {}".format(names[dataset]))
    ax.set_xlim(0, horizon)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.savefig(args.output, dpi=200, bbox_inches="tight")
    print("wrote", args.output)


if __name__ == "__main__":
    main()
