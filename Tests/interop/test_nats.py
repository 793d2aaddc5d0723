"""Interop of issue 14 (NATS-Bench): what nasdata reads from NATS-Bench's bz2-compressed protocol-4
pickles (the authors' sample folders and full-archive-style files made with nats_bench + torch) is
what Python's bz2 + pickle + torch read from them, tensor by tensor."""
import bz2
import hashlib
import json
import pickle

import numpy as np
import pytest

from conftest import FIXTURES

NATS = FIXTURES / "nats"
GEN = NATS / "generated"


def walk(x, path, out, torch):
    if isinstance(x, torch.Tensor):
        out[path] = x
    elif isinstance(x, dict):
        for k, v in x.items():
            walk(v, path + "[" + repr(k) + "]", out, torch)
    elif isinstance(x, (list, tuple)):
        for i, v in enumerate(x):
            walk(v, path + f"[{i}]", out, torch)


def sha(t):
    return hashlib.sha256(t.contiguous().numpy().tobytes()).hexdigest()


@pytest.mark.parametrize("name", ["NATS-tss-v1_0-3ffb9-full/000000.pickle.pbz2",
                                  "NATS-sss-v1_0-50262-full/000011.pickle.pbz2",
                                  "pickled-tensors-p4.pkl", "pickled-tensors-p5.pkl"])
def test_inspect_json_matches_torch(nasdata, torch_or_skip, name):
    torch = torch_or_skip
    path = GEN / name
    with (bz2.open(path) if name.endswith(".pbz2") else open(path, "rb")) as f:
        obj = pickle.load(f)
    expected = {}
    walk(obj, "", expected, torch)
    doc = json.loads(nasdata("inspect", path, "--json").stdout)
    assert doc["format"] == ("pickle-bz2" if name.endswith(".pbz2") else "pickle")
    got = {t["path"]: t for t in doc["tensors"]}
    assert len(expected) > 100 or "pickled" in name
    assert set(got) == set(expected)
    for p, t in expected.items():
        assert got[p]["sha256"] == sha(t), p
        assert got[p]["shape"] == list(t.shape), p
        assert got[p]["dtype"] == str(t.dtype).replace("torch.", ""), p


def from_tree(node):
    """nasdata's JSON tree back into Python values (dicts as lists of pairs, to keep order)."""
    if not isinstance(node, dict):
        return node
    kind = node["type"]
    if kind in ("dict", "OrderedDict"):
        return [(from_tree(k), from_tree(v)) for k, v in node["items"]]
    if kind in ("list", "set", "frozenset"):
        return [from_tree(x) for x in node["items"]]
    if kind == "tuple":
        return tuple(from_tree(x) for x in node["items"])
    if kind.startswith("numpy."):
        return node["value"]
    raise AssertionError(f"unexpected node {kind}")


def plain(x):
    if isinstance(x, dict):
        return [(plain(k), plain(v)) for k, v in x.items()]
    if isinstance(x, (list, set)):
        return [plain(v) for v in x]
    if isinstance(x, tuple):
        return tuple(plain(v) for v in x)
    if isinstance(x, np.generic):
        return x.item()
    return x


@pytest.mark.parametrize("folder", ["NATS-tss-v1_0-3ffb9-simple", "NATS-sss-v1_0-50262-simple"])
def test_inspect_sample_files_equal_python_pickle(nasdata, folder):
    """The whole tree of every sample file (values, key order, numpy scalars) equals pickle.load's."""
    for name in ["000000", "000011", "000284", "meta"]:
        path = NATS / folder / f"{name}.pickle.pbz2"
        with bz2.open(path) as f:
            obj = pickle.load(f)
        doc = json.loads(nasdata("inspect", path, "--json").stdout)
        assert doc["format"] == "pickle-bz2"
        assert from_tree(doc["tree"]) == plain(obj), name


def test_bomb_and_damage_are_one_line_errors(nasdata, tmp_path):
    proc = nasdata("inspect", GEN / "hostile" / "bomb-pickle.pbz2", "--max-bytes", "100000", check=False)
    assert proc.returncode != 0
    assert proc.stderr.strip().count("\n") == 0
    assert "decompresses to more than 100000 bytes, the cap" in proc.stderr
    data = (NATS / "NATS-sss-v1_0-50262-simple" / "000284.pickle.pbz2").read_bytes()
    cut = tmp_path / "cut.pickle.pbz2"
    cut.write_bytes(data[: len(data) // 3])
    proc = nasdata("inspect", cut, check=False)
    assert proc.returncode != 0 and str(cut) in proc.stderr and "ends before its end marker" in proc.stderr
    bad = bytearray(data)
    bad[11] ^= 0x40
    crc = tmp_path / "crc.pickle.pbz2"
    crc.write_bytes(bytes(bad))
    proc = nasdata("inspect", crc, check=False)
    assert proc.returncode != 0 and "CRC does not match" in proc.stderr
