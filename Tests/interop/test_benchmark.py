"""The HDF5 benchmark as a pandas/h5py user and an upstream-API user see it: what nasdata
convert-benchmark wrote reads back in h5py with the numbers torch.load sees in the meta file,
and nasdata's query/best/table answers equal NASBench201API's on the same file."""
import csv
import gzip
import hashlib
import itertools
import json
import random
import shutil

import numpy as np
import pytest

from conftest import FIXTURES

h5py = pytest.importorskip("h5py")
BENCH = FIXTURES / "nasbench"
OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]


@pytest.fixture(scope="module")
def converted(tmp_path_factory, nasdata):
    tmp = tmp_path_factory.mktemp("bench")
    pth = tmp / "meta-v1_1-mini.pth"
    with gzip.open(BENCH / "meta-v1_1-mini.pth.gz", "rb") as src, open(pth, "wb") as dst:
        shutil.copyfileobj(src, dst)
    h5 = tmp / "bench.h5"
    out = nasdata("convert-benchmark", pth, "-o", h5, "--json")
    summary = json.loads(out.stdout)
    assert summary["meta_archs"] == 15625 and summary["evaluated"] == 12
    return pth, h5


def test_archs_listing_is_cpython_shuffle(nasdata):
    cells = ["|{}~0|+|{}~0|{}~1|+|{}~0|{}~1|{}~2|".format(*[OPS[i] for i in ops])
             for ops in itertools.product(range(5), repeat=6)]
    random.seed(88)
    random.shuffle(cells)
    listing = nasdata("archs").stdout
    assert listing == "\n".join(cells) + "\n"
    assert hashlib.sha256(listing.encode()).hexdigest() == "b24e2a8b6802be1326de041d81d564998ca8aa923055352f3a95c30d59ce7048"


def test_h5py_reads_the_same_numbers_as_torch(converted):
    torch = pytest.importorskip("torch")
    pth, h5 = converted
    meta = torch.load(pth, map_location="cpu", weights_only=False)
    with h5py.File(h5, "r") as f:
        assert f.attrs["nasdata_schema"] == "nb201-benchmark"
        assert [s.decode() if isinstance(s, bytes) else s for s in f["meta_archs"][:]] == meta["meta_archs"]
        checked = 0
        for index, hp2 in meta["arch2infos"].items():
            for hp, key in (("12", "less"), ("200", "full")):
                for (dataset, seed), run in hp2[key]["all_results"].items():
                    g = f[hp][dataset]
                    start, count = g["row_start"][index], g["row_count"][index]
                    rows = list(range(start, start + count))
                    row = rows[list(g["seed"][start:start + count]).index(seed)]
                    epochs = run["epochs"]
                    acc = g["train/acc1"][row]
                    assert [acc[e] for e in range(epochs)] == [run["train_acc1es"][e] for e in range(epochs)]
                    for name in run["eval_names"]:
                        values, mask = g[f"eval/{name}/acc1"][row], g[f"eval/{name}/present"][row]
                        got = {f"{name}@{e}": values[e] for e in range(epochs) if mask[e] & 1}
                        want = {k: v for k, v in run["eval_acc1es"].items() if k.startswith(name + "@")}
                        assert got == want
                    assert g["params"][row] == float(run["params"]) and g["flop"][row] == run["flop"]
                    checked += 1
        assert checked > 100


def test_final_columns_are_a_two_line_dataframe(converted):
    pd = pytest.importorskip("pandas")
    _, h5 = converted
    with h5py.File(h5, "r") as f:
        g = f["200/cifar10/final"]
        df = pd.DataFrame({k: g[k][:] for k in g})
    assert len(df) == 18 and set(df["arch_index"]) and df["ori-test_acc1"].notna().all()


def test_answers_equal_upstream_api(converted, nasdata, monkeypatch):
    pytest.importorskip("torch")
    api_mod = pytest.importorskip("nas_201_api")
    # Upstream's API calls torch.load without weights_only; the meta file holds numpy
    # scalars, so it needs the pre-2.6 default. Scoped to this test (monkeypatch), so the
    # other interop tests keep torch's strict weights_only=True default.
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    pth, h5 = converted
    api = api_mod.NASBench201API(str(pth), verbose=False)
    for index in api.evaluated_indexes:
        for dataset in ("cifar10-valid", "cifar10", "cifar100", "ImageNet16-120"):
            got = json.loads(nasdata("query", h5, "--index", index, "--dataset", dataset, "--json").stdout)
            info = api.get_more_info(index, dataset, hp="200", is_random=False)
            assert got["datasets"][0]["info"] == pytest.approx({k: float(v) if v is not None else None for k, v in info.items()}, rel=0, abs=0)
            cost = api.get_cost_info(index, dataset, hp="200")
            assert got["datasets"][0]["flops"] == cost["flops"] and got["datasets"][0]["params"] == cost["params"]
    for dataset, metric in (("cifar10", "ori-test"), ("cifar100", "x-valid"), ("ImageNet16-120", "x-test"), ("cifar10", "valid")):
        best, acc = api.find_best(dataset, metric, FLOP_max=100, hp="200")
        got = json.loads(nasdata("best", h5, "--dataset", dataset, "--metric", metric, "--max-flops", 100, "--json").stdout)
        assert (got["index"], got["accuracy"]) == (best, acc)
    miss = nasdata("query", h5, "--arch", "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", check=False)
    assert miss.returncode == 1 and "no results" in miss.stderr


def test_table_csv(converted, nasdata, tmp_path):
    _, h5 = converted
    out = tmp_path / "t.csv"
    nasdata("table", h5, "--dataset", "cifar100", "--hp", "200", "-o", out)
    rows = list(csv.DictReader(open(out)))
    assert len(rows) == 15625
    with h5py.File(h5, "r") as f:
        g = f["200/cifar100"]
        for r in rows:
            i = int(r["index"])
            n = g["row_count"][i]
            if n == 0:
                assert r["seeds"] == "0" and r["x-valid_acc1"] == ""
                continue
            s = g["row_start"][i]
            assert float(r["x-valid_acc1"]) == np.mean(g["final/x-valid_acc1"][s:s + n].tolist())
