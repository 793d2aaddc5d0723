"""`nasdata search` against upstream's search scripts (our driver Tools/fixtures/upstream-search.py on the
real nats_bench API) on the fixture benchmarks Tests/Fixtures/search/search-bench.pth.gz (topology space, all
15,625 cells) and search-sss.pickle.pbz2 (NATS-Bench size space, all 32,768 channel configurations).

- random search and REA, both spaces: the committed upstream traces equal nasdata's runs evaluation for
  evaluation; when nats_bench, xautodl and torch are installed, a few traces are recomputed live from upstream.
- REINFORCE and BOHB: upstream's runs, computed once (Tools/fixtures/make_search_distributions.sh) and committed,
  against nasdata's runs of the same settings: two-sample Kolmogorov-Smirnov and Welch t-tests at alpha 0.01 on
  the final test accuracy and the number of evaluations (statistics and p-values printed).
- bad input: one clear line, non-zero exit, no output file.
"""
import gzip
import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import tempfile

import pytest

from conftest import FIXTURES, ROOT

SEARCH = FIXTURES / "search"
DRIVER = ROOT / "Tools" / "fixtures" / "upstream-search.py"
ALPHA = 0.01


def converted(nasdata, source, make_input=None):
    """`source` converted to HDF5 once, cached in the temp directory by the source's size (shared with the
    Swift tests and Tools/bench-search.py); `make_input(path)` writes what convert-benchmark reads, if the
    source is not that itself."""
    cache = pathlib.Path(tempfile.gettempdir()) / "nasdata-test-cache"
    cache.mkdir(exist_ok=True)
    stem = source.name.split(".")[0]
    h5 = cache / "{}-{}.h5".format(stem, source.stat().st_size)
    if not h5.exists():
        if make_input is None:
            nasdata("convert-benchmark", source, "-o", h5)
        else:
            raw = cache / "{}-{}-{}.pth".format(stem, source.stat().st_size, os.getpid())
            make_input(raw)
            try:
                nasdata("convert-benchmark", raw, "-o", h5)
            finally:
                raw.unlink()
    return h5


@pytest.fixture(scope="session")
def bench(nasdata):
    """The topology fixture (a gzip'd meta file) converted to HDF5."""
    gz = SEARCH / "search-bench.pth.gz"
    return converted(nasdata, gz, lambda pth: pth.write_bytes(gzip.decompress(gz.read_bytes())))


@pytest.fixture(scope="session")
def sss_bench(nasdata):
    """The size-space fixture (a NATS single-file benchmark) converted to HDF5."""
    return converted(nasdata, SEARCH / "search-sss.pickle.pbz2")


def committed_traces(name="upstream-traces.json.gz"):
    return json.loads(gzip.decompress((SEARCH / name).read_bytes()))


def nasdata_runs(nasdata, bench, tmp_path, algorithm, dataset, seeds, extra=()):
    out = tmp_path / "{}-{}.json".format(algorithm, dataset)
    nasdata("search", bench, "--algorithm", algorithm, "--dataset", dataset, "--seed", seeds[0],
            "--runs", len(seeds), "-o", out, *extra)
    return json.loads(out.read_text())


@pytest.mark.parametrize("source, traces, datasets", [
    ("search-bench.pth.gz", "upstream-traces.json.gz", "cifar10"),
    ("search-sss.pickle.pbz2", "upstream-sss-traces.json.gz", "cifar100"),
])
def test_upstream_traces_are_what_upstream_computes_today(source, traces, datasets):
    for module in ("nats_bench", "xautodl", "torch"):
        if importlib.util.find_spec(module) is None:
            pytest.skip("{} is not installed".format(module))
    live = subprocess.run([sys.executable, DRIVER, SEARCH / source, "trace", "--algo", "random,rea",
                           "--dataset", datasets, "--seeds", "1,2"], capture_output=True, text=True, check=True)
    live = {(b["algorithm"], b["dataset"], r["seed"]): r for b in json.loads(live.stdout) for r in b["runs"]}
    committed = {(b["algorithm"], b["dataset"], r["seed"]): r for b in committed_traces(traces) for r in b["runs"]}
    assert live
    for key, run in live.items():
        assert run == committed[key], key


@pytest.mark.parametrize("space, traces", [("tss", "upstream-traces.json.gz"), ("sss", "upstream-sss-traces.json.gz")])
def test_random_and_rea_replay_upstream_exactly(nasdata, request, tmp_path, space, traces):
    bench = request.getfixturevalue("bench" if space == "tss" else "sss_bench")
    checked = 0
    for block in committed_traces(traces):
        seeds = [r["seed"] for r in block["runs"]]
        for run in block["runs"]:
            result = nasdata_runs(nasdata, bench, tmp_path, block["algorithm"], block["dataset"], [run["seed"]])
            assert result["search_space"] == space and result["time_budget"] == block["time_budget"]
            ours = result["runs"][0]
            assert [row[:5] for row in ours["evaluations"]] == run["trace"], (block["algorithm"], block["dataset"], run["seed"])
            assert ours["final_test_accuracy"] == run["test_accuracy"]
            assert ours["best_index"] == run["best_index"]
            checked += 1
        assert len(seeds) >= 3
    assert checked >= 18


def test_size_space_defaults_and_all_four_algorithms(nasdata, sss_bench, tmp_path):
    """On the size space: run-all.sh's budgets (ImageNet16-120 60000 s), the 90-epoch reported accuracy,
    and REINFORCE / BOHB searching channel strings."""
    widths = {8, 16, 24, 32, 40, 48, 56, 64}
    for algorithm in ("random", "rea", "reinforce", "bohb"):
        result = nasdata_runs(nasdata, sss_bench, tmp_path, algorithm, "ImageNet16-120", [5, 6])
        assert result["search_space"] == "sss" and result["time_budget"] == 60000, algorithm
        assert result["proxy_hp"] == "12" and result["final_hp"] == "90"
        for run in result["runs"]:
            counted = run["evaluations"][:run["counted"]]
            assert counted[-1][3] >= 60000 and all(row[3] - row[2] < 60000 for row in counted), algorithm
            assert {row[5] for row in counted} <= ({1, 4, 12} if algorithm == "bohb" else {12}), algorithm
        for entry in result["archs"].values():
            parts = entry["arch"].split(":")
            assert len(parts) == 5 and {int(p) for p in parts} <= widths, entry
    proc = nasdata("search", sss_bench, "--algorithm", "rea", "--dataset", "cifar10", "--runs", 1, "--seed", 1,
                   "--hp", "200", check=False)
    assert proc.returncode == 2 and "no hp-200 results for cifar10-valid" in proc.stderr, proc.stderr
    assert "01, 12 and 90" in proc.stderr


def two_sample(name, ours, theirs):
    from scipy import stats
    ks = stats.ks_2samp(ours, theirs)
    welch = stats.ttest_ind(ours, theirs, equal_var=False)
    mean = lambda xs: sum(xs) / len(xs)
    print("{:<40s} nasdata mean {:9.3f} (n={})  upstream mean {:9.3f} (n={})  KS D={:.3f} p={:.3f}  Welch t={:+.3f} p={:.3f}".format(
        name, mean(ours), len(ours), mean(theirs), len(theirs), ks.statistic, ks.pvalue, welch.statistic, welch.pvalue))
    return ks.pvalue, welch.pvalue


@pytest.mark.parametrize("algorithm", ["reinforce", "bohb"])
def test_reinforce_and_bohb_match_upstream_in_distribution(nasdata, bench, tmp_path, algorithm):
    pytest.importorskip("scipy")
    path = SEARCH / "upstream-{}.json".format(algorithm)
    if not path.exists():
        pytest.skip("no committed upstream runs for {}".format(algorithm))
    upstream = json.loads(path.read_text())
    ours = nasdata_runs(nasdata, bench, tmp_path, algorithm, upstream["dataset"], [1000 + k for k in range(100)])
    for quantity, theirs_values, ours_values in (
        ("final test accuracy", [r["test_accuracy"] for r in upstream["runs"]], [r["final_test_accuracy"] for r in ours["runs"]]),
        ("evaluations within the budget", [r["evaluations"] for r in upstream["runs"]], [r["counted"] for r in ours["runs"]]),
    ):
        ks_p, welch_p = two_sample("{} {} {}".format(algorithm, upstream["dataset"], quantity), ours_values, theirs_values)
        assert ks_p > ALPHA and welch_p > ALPHA, (algorithm, quantity, ks_p, welch_p)


@pytest.mark.parametrize("args, message, status", [
    (["--algorithm", "evolution", "--dataset", "cifar10"], "unknown algorithm 'evolution'", 64),
    (["--algorithm", "rea", "--dataset", "cifar1000"], "unknown dataset 'cifar1000'", 64),
    (["--algorithm", "rea", "--dataset", "cifar10", "--time-budget", "5"], "below the cheapest evaluation", 2),
])
def test_bad_input_is_one_line_and_writes_nothing(nasdata, bench, tmp_path, args, message, status):
    # The CLI conventions: a bad option value is a usage error (64, the subcommand's usage follows
    # the one error line); an input that cannot answer the search is 2, one line alone.
    out = tmp_path / "result.h5"
    proc = nasdata("search", bench, *args, "--runs", 2, "--seed", 1, "-o", out, check=False)
    assert proc.returncode == status, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith("nasdata search: ") and message in lines[0], proc.stderr
    assert status == 64 or len(lines) == 1, proc.stderr
    assert not out.exists()
    assert not any(p.name.startswith(".result.h5") for p in tmp_path.iterdir())


def test_summary_and_plot_from_the_results_file(nasdata, bench, tmp_path):
    out = tmp_path / "rea.h5"
    proc = nasdata("search", bench, "--algorithm", "rea", "--dataset", "cifar100", "--runs", 4, "--seed", 1,
                   "-o", out, "--summary")
    assert "| REA | cifar100 | 4 |" in proc.stdout
    assert "conforms to nasdata-search v1" in nasdata("check-schema", out).stdout
    h5py = pytest.importorskip("h5py")
    with h5py.File(out, "r") as f:
        assert list(f["runs/seed"][:]) == [1, 2, 3, 4]
        assert f.attrs["algorithm"] == "rea"
    nasdata("plot", out, "-o", tmp_path / "figure")
    assert (tmp_path / "figure.svg").read_text().startswith("<svg")
    assert (tmp_path / "figure.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
