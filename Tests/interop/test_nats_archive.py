"""pack-archive on NATS-Bench full files (issue 14 item 3) as users meet it: torch reads the
extracted state dicts equal to what torch read from the original files (full-expected.json,
pack/expected.json, written by Tools/fixtures/make-nats-fixtures.py), `reload --archive` equals
`reload --full-file` on the original .pickle.pbz2 (both spaces) and xautodl's network takes the
result strictly, a kill -9 mid-pack then the same command gives the same archive, bad files are
named."""
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import time

import numpy as np
import pytest

from conftest import FIXTURES

h5py = pytest.importorskip("h5py")
NATS = FIXTURES / "nats"
GEN = NATS / "generated"
FOLDERS = {"tss": "NATS-tss-v1_0-3ffb9-full", "sss": "NATS-sss-v1_0-50262-full"}
EXPECTED = {**json.loads((GEN / "full-expected.json").read_text()), **json.loads((GEN / "pack" / "expected.json").read_text())}


def original(space, index):
    name = "{:06d}.pickle.pbz2".format(index)
    main = GEN / FOLDERS[space] / name
    return main if main.exists() else GEN / "pack" / FOLDERS[space] / name


def make_folder(root, space):
    """A NATS-xxx-full folder as published: three run files and meta.pickle.pbz2."""
    folder = root / FOLDERS[space]
    folder.mkdir(parents=True)
    for index in (0, 11, 284):
        shutil.copy(original(space, index), folder / "{:06d}.pickle.pbz2".format(index))
    shutil.copy(NATS / FOLDERS[space].replace("-full", "-simple") / "meta.pickle.pbz2", folder)
    return folder


def runs_of(space):
    """(index, hp, dataset, seed, expected) of every fixture run of a space."""
    out = []
    for name, runs in EXPECTED.items():
        if name.startswith(FOLDERS[space] + "/"):
            index = int(name.split("/")[1][:6])
            for key, value in runs.items():
                hp, dataset, seed = key.split("/")
                out.append((index, hp, dataset, int(seed), value))
    return out


def torch_digest(sd):
    h = hashlib.sha256()
    for k, t in sd.items():
        h.update("{}|{}|{}|{}\n".format(k, str(t.dtype).replace("torch.", ""), list(t.shape),
                                        hashlib.sha256(t.contiguous().numpy().tobytes()).hexdigest()).encode())
    return h.hexdigest()


def run_sums(path):
    """(arch, hp, dataset, seed) -> stored SHA-256 of every run: the identity of an archive's content."""
    with h5py.File(path, "r") as f:
        r = f["runs"]
        names = [d.decode() if isinstance(d, bytes) else d for d in f.attrs["dataset_names"]]
        keys = zip(r["arch_index"][:], r["hp"][:], r["dataset"][:], r["seed"][:])
        return {(int(a), int(h), names[d], int(s)): bytes(sha).hex() for (a, h, d, s), sha in zip(keys, r["sha256"][:])}


@pytest.fixture(scope="module")
def packed(tmp_path_factory, nasdata):
    root = tmp_path_factory.mktemp("nats-archive")
    out = {}
    for space in FOLDERS:
        folder = make_folder(root / space, space)
        out[space] = root / (space + ".h5")
        report = json.loads(nasdata("pack-archive", folder, "-o", out[space], "--json").stdout)
        assert report["files_packed"] == 3 and report["inputs_seen"] == 4 and not report["problems"]
        assert report["runs_packed"] == len(runs_of(space))
    return out


def test_archive_records_its_space_and_verifies(packed, nasdata):
    for space, path in packed.items():
        info = json.loads(nasdata("archive", "info", path, "--json").stdout)
        assert info["benchmark"] == "nats-bench" and info["search_space"] == space and info["complete"]
        with h5py.File(path, "r") as f:
            assert f.attrs["search_space"] == space and int(f.attrs["nasdata_schema_version"]) == 2
        assert nasdata("verify", path).returncode == 0
        assert nasdata("check-schema", path).returncode == 0


def test_torch_reads_every_extracted_run_as_torch_read_the_original(packed, nasdata, tmp_path, torch_or_skip):
    torch = torch_or_skip
    for space, path in packed.items():
        for index, hp, dataset, seed, expected in runs_of(space):
            out = tmp_path / "w.pth"
            nasdata("archive", "extract", path, "--arch", index, "--dataset", dataset, "--seed", seed, "--hp", hp, "-o", out)
            sd = torch.load(out, weights_only=True)
            assert len(sd) == expected["tensors"]
            assert torch_digest(sd) == expected["digest"], (space, index, hp, dataset, seed)


def test_safetensors_by_string_and_ls(packed, nasdata, tmp_path):
    safetensors = pytest.importorskip("safetensors.numpy")
    # sss index 11 is 8:8:8:16:32; hp as the files spell it (01), 1 accepted.
    for hp in ("01", "1"):
        out = tmp_path / "w{}.safetensors".format(hp)
        nasdata("archive", "extract", packed["sss"], "--arch", "8:8:8:16:32", "--dataset", "cifar100", "--hp", hp, "-o", out)
        raw = out.read_bytes()
        meta = json.loads(raw[8:8 + int.from_bytes(raw[:8], "little")])["__metadata__"]
        assert meta["arch_str"] == "8:8:8:16:32" and meta["hp"] == "01" and meta["search_space"] == "sss"
        assert len(safetensors.load_file(str(out))) == 135
    rows = json.loads(nasdata("archive", "ls", packed["sss"], "--arch", "8:8:8:16:32", "--json").stdout)
    assert {r["hp"] for r in rows} == {1, 12, 90} and all(r["arch_index"] == 11 for r in rows)
    text = nasdata("archive", "ls", packed["sss"], "--arch", "11").stdout
    assert "\n11\t01\tcifar10-valid\t777\t135\t" in text
    # An index or string of the other space is refused, naming it.
    proc = nasdata("archive", "extract", packed["tss"], "--arch", "8:8:8:16:32", "--dataset", "cifar10", "-o", tmp_path / "x.pth", check=False)
    assert proc.returncode != 0 and "8:8:8:16:32" in proc.stderr


@pytest.mark.parametrize("space,index,dataset,hp,seed", [("sss", 11, "cifar100", "90", None), ("tss", 0, "cifar10-valid", "200", 888)])
def test_reload_archive_equals_reload_from_the_original_file(packed, nasdata, tmp_path, torch_or_skip, space, index, dataset, hp, seed):
    torch = torch_or_skip
    xautodl = pytest.importorskip("xautodl.models")
    from xautodl.config_utils import dict2config
    common = ["--arch", index, "--space", space, "--dataset", dataset, "--hp", hp] + (["--seed", seed] if seed else []) + ["--json"]
    a = json.loads(nasdata("reload", "--archive", packed[space], *common, "-o", tmp_path / "a.pth", "--config", tmp_path / "a.json").stdout)
    b = json.loads(nasdata("reload", "--full-file", original(space, index), *common, "-o", tmp_path / "b.pth", "--config", tmp_path / "b.json").stdout)
    for r in (a, b):
        r.pop("source"), r.pop("output"), r.pop("config")
    assert a == b and a["space"] == space and a["arch_index"] == index
    assert (tmp_path / "a.json").read_text() == (tmp_path / "b.json").read_text()
    sa, sb = torch.load(tmp_path / "a.pth", weights_only=True), torch.load(tmp_path / "b.pth", weights_only=True)
    assert list(sa) == list(sb) and all(torch.equal(sa[k], sb[k]) for k in sa)
    config = json.loads((tmp_path / "a.json").read_text())
    assert config["name"] == ("infer.shape.tiny" if space == "sss" else "infer.tiny")
    net = xautodl.get_cell_based_tiny_net(dict2config(config, None))
    net.load_state_dict(sa, strict=True)


def test_tar_and_split_parts_pack_the_same_runs(packed, nasdata, tmp_path):
    import tarfile
    folder = make_folder(tmp_path / "src", "sss")
    tar = tmp_path / (FOLDERS["sss"] + ".tar")
    with tarfile.open(tar, "w", format=tarfile.GNU_FORMAT) as t:
        t.add(folder, arcname=folder.name)
    nasdata("pack-archive", tar, "-o", tmp_path / "tar.h5")
    data = tar.read_bytes()
    parts = []
    for i, (a, b) in enumerate([(0, len(data) // 3), (len(data) // 3, 2 * len(data) // 3 + 5), (2 * len(data) // 3 + 5, len(data))]):
        p = tmp_path / (tar.name + "a" + "abc"[i])
        p.write_bytes(data[a:b])
        parts.append(p)
    nasdata("pack-archive", *parts, "-o", tmp_path / "parts.h5")
    assert run_sums(tmp_path / "tar.h5") == run_sums(packed["sss"]) == run_sums(tmp_path / "parts.h5")


def test_damaged_pbz2_stops_with_status_2_or_is_skipped_and_named(nasdata, tmp_path):
    folder = make_folder(tmp_path, "sss")
    good = (folder / "000284.pickle.pbz2").read_bytes()
    (folder / "000284.pickle.pbz2").write_bytes(good[:len(good) // 2])
    proc = nasdata("pack-archive", folder, "-o", tmp_path / "a.h5", check=False)
    assert proc.returncode == 2 and "000284.pickle.pbz2" in proc.stderr and "bz2" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    rep = json.loads(nasdata("pack-archive", folder, "-o", tmp_path / "b.h5", "--keep-going", "--json").stdout)
    assert rep["files_packed"] == 2 and [p["member"] for p in rep["problems"]] == ["000284.pickle.pbz2"]
    info = json.loads(nasdata("archive", "info", tmp_path / "b.h5", "--json").stdout)
    assert "000284.pickle.pbz2" in info["problems"][0]


def test_shards_merge_to_the_one_process_pack_and_spaces_do_not_mix(packed, nasdata, tmp_path):
    folder = make_folder(tmp_path / "src", "tss")
    shards = []
    for k in range(2):
        shards.append(tmp_path / "s{}.h5".format(k))
        nasdata("pack-archive", folder, "-o", shards[-1], "--shard", "{}/2".format(k))
    nasdata("merge-archive", *shards, "-o", tmp_path / "copy.h5")
    assert run_sums(tmp_path / "copy.h5") == run_sums(packed["tss"])
    proc = nasdata("merge-archive", shards[0], packed["sss"], "-o", tmp_path / "bad.h5", check=False)
    assert proc.returncode != 0 and "one benchmark and search space" in proc.stderr
    assert not (tmp_path / "bad.h5").exists()


def test_kill_9_mid_pack_then_the_same_command_gives_the_same_archive(packed, nasdata_bin, tmp_path):
    folder = make_folder(tmp_path / "src", "tss")
    # One thread, small batches: durable points after every file, kills land in every phase.
    cmd = [nasdata_bin, "pack-archive", str(folder), "-o", str(tmp_path / "k.h5"), "--batch-mb", "0.1", "--threads", "1"]
    start = time.time()
    subprocess.run(cmd[:4] + [str(tmp_path / "ref.h5")] + cmd[5:], check=True, capture_output=True)
    duration = time.time() - start
    rng = random.Random(14)
    kills = 0
    for _ in range(6):
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.05, max(0.1, duration * 0.8)))
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
            p.wait()
            kills += 1
        else:
            break
    subprocess.run(cmd, check=True, capture_output=True)
    assert kills >= 1, "the pack took {:.2f} s; no kill landed".format(duration)
    assert run_sums(tmp_path / "k.h5") == run_sums(tmp_path / "ref.h5") == run_sums(packed["tss"])
    with h5py.File(tmp_path / "k.h5", "r") as f:
        assert int(f["progress"][-1]) == 1  # complete


def test_forward_archive_sss_equals_forward_weights(packed, nasdata, tmp_path):
    x = tmp_path / "x.npy"
    np.save(x, np.random.RandomState(0).randn(3, 3, 32, 32).astype(np.float32))
    nasdata("archive", "extract", packed["sss"], "--arch", "284", "--dataset", "cifar10-valid", "--hp", "01", "-o", tmp_path / "w.pth")
    nasdata("forward", "--archive", packed["sss"], "--arch", "284", "--space", "sss", "--dataset", "cifar10-valid", "--hp", "01",
            "--input", x, "-o", tmp_path / "a.npy")
    nasdata("forward", "--weights", tmp_path / "w.pth", "--arch", "8:8:40:32:40", "--classes", "10",
            "--input", x, "-o", tmp_path / "b.npy")
    # Without --space an index means the archive's space.
    nasdata("forward", "--archive", packed["sss"], "--arch", "284", "--dataset", "cifar10-valid", "--hp", "1",
            "--input", x, "-o", tmp_path / "d.npy")
    a, b = np.load(tmp_path / "a.npy"), np.load(tmp_path / "b.npy")
    assert a.shape == (3, 10) and np.array_equal(a, b) and np.array_equal(a, np.load(tmp_path / "d.npy"))
    # A run of the other space than the archive's: one line naming the archive and what it holds.
    for command in ("forward", "reload"):
        out = ["--input", x, "-o", tmp_path / "c.npy"] if command == "forward" else ["-o", tmp_path / "c.pth"]
        proc = nasdata(command, "--archive", packed["tss"], "--arch", "284", "--space", "sss", "--dataset", "cifar10-valid",
                       "--hp", "90", *out, check=False)
        assert proc.returncode != 0 and "holds NATS-Bench tss full files" in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
