"""pack-archive / archive extract as users meet them: h5py reads the archive with the
documented recipe, torch loads the extracted state dict with strict=True."""
import hashlib
import json
import shutil

import numpy as np
import pytest

from conftest import FIXTURES

h5py = pytest.importorskip("h5py")
ARCHIVE_FIXTURES = FIXTURES / "archive"
EXPECTED = json.loads((ARCHIVE_FIXTURES / "expected.json").read_text())


def recipe_state_dict(path, arch, dataset, seed, hp):
    """The README's h5py recipe, verbatim in spirit: one run -> {name: numpy array}."""
    with h5py.File(path, "r") as f:
        r = f["runs"]
        ds = list(f.attrs["dataset_names"]).index(dataset)
        row = np.flatnonzero((r["arch_index"][:] == arch) & (r["dataset"][:] == ds) & (r["seed"][:] == seed) & (r["hp"][:] == hp))[0]
        off, n, t0, tn = (int(r[k][row]) for k in ("byte_offset", "byte_count", "tensor_start", "tensor_count"))
        blob = f["blob"][off // 4:(off + n) // 4].view(np.uint8)
        names = f["tensor_names"][:].tobytes().decode().split("\n")
        t = f["tensors"]
        dtypes = [d.decode() if isinstance(d, bytes) else d for d in f.attrs["dtype_names"]]
        out = {}
        for i in range(t0, t0 + tn):
            shape = tuple(t["shape"][i, :t["ndim"][i]])
            a, b = t["byte_offset"][i], t["byte_offset"][i] + t["byte_count"][i]
            out[names[t["name"][i]]] = blob[a:b].view(np.dtype(dtypes[t["dtype"][i]])).reshape(shape)
        return out


@pytest.fixture(scope="module")
def packed(tmp_path_factory, nasdata):
    out = tmp_path_factory.mktemp("archive") / "a.h5"
    nasdata("pack-archive", ARCHIVE_FIXTURES, "-o", out, "--chunk-kb", "64")
    return out


def test_h5py_recipe_reads_every_run_bit_exactly(packed):
    for name, f in EXPECTED.items():
        for run in f["runs"]:
            sd = recipe_state_dict(packed, f["arch_index"], run["dataset"], run["seed"], run["hp"])
            assert len(sd) == run["tensors"]
            assert next(iter(sd)) == run["first"]
            h = hashlib.sha256()
            for v in sd.values():
                h.update(np.ascontiguousarray(v).tobytes())
            assert h.hexdigest() == run["tensor_bytes_sha256"], (name, run)


def test_results_and_sources_are_in_the_archive(packed):
    with h5py.File(packed, "r") as f:
        assert f.attrs["nasdata_schema"] == "nb201-archive"
        ends = f["runs/results_json"].shape[0]
        assert ends == f["runs/results_end"][-1]
        first = json.loads(f["runs/results_json"][:f["runs/results_end"][0]].tobytes())
        assert first["epochs"] in (12, 200) and "eval_acc1es" in first
        md5s = {bytes(m).hex() for m in f["sources/md5"][:]}
        assert md5s == {v["md5"] for v in EXPECTED.values()}


def test_extract_loads_into_tinynetwork_strictly(packed, nasdata, tmp_path, torch_or_skip):
    torch = torch_or_skip
    models = pytest.importorskip("xautodl.models")
    from xautodl.config_utils import dict2config
    f = EXPECTED["000025-FULL.pth"]
    out = tmp_path / "w.pth"
    nasdata("archive", "extract", packed, "--arch", 25, "--dataset", "cifar10", "--seed", 777, "--hp", 200, "-o", out)
    sd = torch.load(out, weights_only=True)
    net = models.get_cell_based_tiny_net(dict2config(
        {"name": "infer.tiny", "C": 16, "N": 5, "arch_str": f["arch_str"], "num_classes": 10}, None))
    net.load_state_dict(sd, strict=True)
    original = torch.load(ARCHIVE_FIXTURES / "000025-FULL.pth", weights_only=False)
    ref = original["full"]["all_results"][("cifar10", 777)]["net_state_dict"]
    for k, v in ref.items():
        assert torch.equal(sd[k], v), k


def test_extract_safetensors_and_by_arch_string(packed, nasdata, tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    f = EXPECTED["000003-FULL.pth"]
    out = tmp_path / "w.safetensors"
    nasdata("archive", "extract", packed, "--arch", f["arch_str"], "--dataset", "cifar10-valid",
            "--seed", 777, "--hp", "less", "-o", out)
    sd = st.load_file(str(out))
    ref = recipe_state_dict(packed, 3, "cifar10-valid", 777, 12)
    assert sd.keys() == ref.keys()
    for k in ref:
        assert np.array_equal(sd[k], ref[k]), k


def test_ls_and_info_json(packed, nasdata):
    runs = json.loads(nasdata("archive", "ls", packed, "--json").stdout)
    assert len(runs) == 6 and {r["arch_index"] for r in runs} == {3, 25, 58}
    info = json.loads(nasdata("archive", "info", packed, "--json").stdout)
    assert info["complete"] and info["runs"] == 6 and info["sources"] == 3
    assert info["archive_bytes"] <= info["input_bytes"]


def test_merged_master_file_is_readable_by_h5py(tmp_path, nasdata):
    shards = []
    for k in range(2):
        p = tmp_path / f"s{k}.h5"
        nasdata("pack-archive", ARCHIVE_FIXTURES, "-o", p, "--shard", f"{k}/2", "--chunk-kb", "64")
        shards.append(p)
    nasdata("merge-archive", *shards, "-o", tmp_path / "master.h5", "--links")
    nasdata("merge-archive", *shards, "-o", tmp_path / "copy.h5")
    with h5py.File(tmp_path / "master.h5", "r") as f:
        n = sum(f["shards"][k]["runs/arch_index"].shape[0] for k in f["shards"])
        assert n == 6
    ref = recipe_state_dict(tmp_path / "copy.h5", 58, "cifar10", 777, 200)
    shard_of_58 = shards[58 % 2]
    got = recipe_state_dict(shard_of_58, 58, "cifar10", 777, 200)
    assert all(np.array_equal(ref[k], got[k]) for k in ref)


def test_bad_member_is_named_and_keep_going_reports_it(tmp_path, nasdata):
    src = tmp_path / "in"
    shutil.copytree(ARCHIVE_FIXTURES, src, ignore=shutil.ignore_patterns("*.json", "*.md"))
    (src / "000011-FULL.pth").write_bytes(b"not a checkpoint")
    proc = nasdata("pack-archive", src, "-o", tmp_path / "a.h5", check=False)
    assert proc.returncode != 0 and "000011-FULL.pth" in proc.stderr
    rep = json.loads(nasdata("pack-archive", src, "-o", tmp_path / "b.h5", "--keep-going", "--json").stdout)
    assert rep["files_packed"] == 3 and rep["problems"][0]["member"] == "000011-FULL.pth"


def test_readme_recipe_as_written(packed):
    """The 10-line h5py recipe in the README section, executed verbatim."""
    from conftest import ROOT
    text = (ROOT / "README.md").read_text()
    section = text[text.index("### pack-archive, merge-archive, archive"):]
    block = section[section.index("```python\n") + len("```python\n"):]
    block = block[:block.index("```")]
    assert len(block.strip().splitlines()) <= 10
    scope = {}
    exec(block, scope)
    for f in EXPECTED.values():
        for run in f["runs"]:
            sd = scope["state_dict"](packed, f["arch_index"], run["dataset"], run["seed"], run["hp"])
            h = hashlib.sha256()
            for v in sd.values():
                h.update(np.ascontiguousarray(v).tobytes())
            assert h.hexdigest() == run["tensor_bytes_sha256"]
            assert sd["stem.1.num_batches_tracked"].shape == () and sd["stem.1.num_batches_tracked"].dtype == np.int64
