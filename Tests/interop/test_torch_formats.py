"""Interop of issue 3: what nasdata reads matches torch/numpy, and what it writes
(torch zip state dicts, safetensors, .npy, protocol-2 pickles) loads in torch,
safetensors, numpy and Python's pickle."""
import hashlib
import json
import pickle

import numpy as np
import pytest

from conftest import FIXTURES

PK = FIXTURES / "pickle"


def le_sha(x):
    import torch
    if isinstance(x, torch.Tensor):
        x = x.contiguous()
        if x.dtype == torch.bfloat16:
            return hashlib.sha256(x.view(torch.int16).numpy().astype("<i2").tobytes()).hexdigest()
        x = x.numpy()
    a = np.ascontiguousarray(x)
    return hashlib.sha256(a.astype(a.dtype.newbyteorder("<") if a.dtype.itemsize > 1 else a.dtype).tobytes()).hexdigest()


def inspect_json(nasdata, path, *extra):
    return json.loads(nasdata("inspect", path, "--json", *extra).stdout)


@pytest.mark.parametrize("name", ["tricky_legacy.pth", "tricky_zip.pth", "state_dict_legacy.pth", "state_dict_zip.pth"])
def test_inspect_hashes_match_torch(nasdata, torch_or_skip, name):
    torch = torch_or_skip
    obj = torch.load(PK / name, weights_only=False)
    doc = inspect_json(nasdata, PK / name)
    assert doc["format"] == ("torch-zip" if "zip" in name else "torch-legacy")
    got = {t["path"]: t for t in doc["tensors"]}
    expected = {}

    def walk(x, path):
        if isinstance(x, (torch.Tensor, np.ndarray)):
            expected[path] = x
        elif isinstance(x, dict):
            for k, v in x.items():
                walk(v, path + "[" + repr(k) + "]")
        elif isinstance(x, (list, tuple)):
            for i, v in enumerate(x):
                walk(v, path + f"[{i}]")
    walk(obj, "")
    assert set(got) == set(expected)
    for path, x in expected.items():
        assert got[path]["sha256"] == le_sha(x), path
        assert got[path]["shape"] == list(x.shape), path


def test_exported_state_dict_loads_strictly_in_torch(nasdata, torch_or_skip, tmp_path):
    torch = torch_or_skip
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, bias=False), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                              torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 10))
    ref = torch.load(PK / "state_dict_legacy.pth", weights_only=True)
    out = tmp_path / "exported.pth"
    nasdata("inspect", PK / "state_dict_legacy.pth", "--export", out)
    sd = torch.load(out, weights_only=True)
    assert list(sd.keys()) == list(ref.keys())
    net.load_state_dict(sd, strict=True)
    for k, v in ref.items():
        assert sd[k].dtype == v.dtype and torch.equal(sd[k], v), k


def test_exported_view_from_checkpoint_and_safetensors_npy(nasdata, torch_or_skip, tmp_path):
    torch = torch_or_skip
    ref = torch.load(PK / "nb201_like_legacy.pth", weights_only=False)
    sel = "full/all_results/(cifar10,888)/net_state_dict"
    nasdata("inspect", PK / "nb201_like_legacy.pth", "--select", sel, "--export", tmp_path / "w.safetensors")
    from safetensors.torch import load_file
    st = load_file(str(tmp_path / "w.safetensors"))
    assert torch.equal(st["w"], ref["full"]["all_results"][("cifar10", 888)]["net_state_dict"]["w"])
    nasdata("inspect", PK / "tricky_zip.pth", "--select", "tensors/transposed", "--export", tmp_path / "t.npy")
    obj = torch.load(PK / "tricky_zip.pth", weights_only=False)
    assert np.array_equal(np.load(tmp_path / "t.npy"), obj["tensors"]["transposed"].numpy())


@pytest.mark.parametrize("name", ["cifar_like_py2.pkl", "cifar_like_py3.pkl", "plain_p2.pkl"])
def test_pickle_writer_output_loads_in_python(nasdata, tmp_path, name):
    out = tmp_path / "re.pkl"
    nasdata("inspect", PK / name, "--export", out)
    raw = out.read_bytes()
    assert raw[:2] == b"\x80\x02"
    got = pickle.loads(raw)  # default encoding: must not need encoding='latin1'
    want = pickle.loads((PK / name).read_bytes(), encoding="latin1")
    if name.startswith("cifar"):
        key = (lambda k: k.decode("latin1") if isinstance(k, bytes) else k)
        got = {key(k): v for k, v in got.items()}
        want = {key(k): v for k, v in want.items()}
        assert np.array_equal(got["data"], want["data"]) and got["data"].dtype == np.uint8
        assert got["labels"] == want["labels"]
    else:
        assert got == want


def test_refuses_code_execution(nasdata, tmp_path):
    class Evil:
        def __reduce__(self):
            import os
            return (os.system, ("touch " + str(tmp_path / "pwned"),))
    bad = tmp_path / "evil.pkl"
    bad.write_bytes(pickle.dumps({"x": Evil()}, protocol=2))
    proc = nasdata("inspect", bad, check=False)
    assert proc.returncode != 0
    assert "posix.system" in proc.stderr or "os.system" in proc.stderr
    assert "byte" in proc.stderr
    assert not (tmp_path / "pwned").exists()
