"""`nasdata verify` on NATS-Bench files and folders (issue #14 item 5), and bytes after a bz2
pickle's STOP refused by every reader (issue #17): the authors' sample folders, copies with one
file altered by Python's own pickle + bz2 (and torch for the weights), and hostile bz2 files."""
import bz2
import hashlib
import json
import pickle
import shutil

import pytest

from conftest import FIXTURES

NATS = FIXTURES / "nats"
GEN = NATS / "generated"
TSS = "NATS-tss-v1_0-3ffb9"
SSS = "NATS-sss-v1_0-50262"


def _verify(nasdata, *paths):
    proc = nasdata("verify", "--json", *paths, check=False)
    return proc.returncode, json.loads(proc.stdout)


def _by_name(doc):
    return {f["path"].rsplit("/", 1)[-1]: f for f in doc["files"]}


def _load(path):
    return pickle.loads(bz2.decompress(path.read_bytes()))


def _save(obj, path):
    path.write_bytes(bz2.compress(pickle.dumps(obj, protocol=4)))


@pytest.mark.parametrize("folder,count", [(TSS + "-simple", 15625), (SSS + "-simple", 32768)])
def test_sample_folders_three_files_ok_and_folder_incomplete(nasdata, folder, count):
    rc, doc = _verify(nasdata, NATS / folder)
    assert rc == 1
    files = _by_name(doc)
    for name in ("000000.pickle.pbz2", "000011.pickle.pbz2", "000284.pickle.pbz2", "meta.pickle.pbz2"):
        assert files[name]["result"] == "ok", files[name]
    assert "arch_str = index 11's" in files["000011.pickle.pbz2"]["detail"]
    assert f"the {count} canonical" in files["meta.pickle.pbz2"]["detail"]
    line = files[folder]
    assert line["result"] == "failed"
    assert f"{count - 3} of {count} files missing" in line["detail"]
    assert doc["summary"] == {"files": 5, "ok": 4, "failed": 1, "unchecked": 0}


def test_altered_arch_string_names_index_and_strings(nasdata, tmp_path):
    folder = tmp_path / (TSS + "-simple")
    shutil.copytree(NATS / (TSS + "-simple"), folder)
    data = _load(folder / "000011.pickle.pbz2")
    canonical = data["200"]["arch_str"]
    other = _load(folder / "000284.pickle.pbz2")["200"]["arch_str"]
    data["200"]["arch_str"] = other
    _save(data, folder / "000011.pickle.pbz2")
    rc, doc = _verify(nasdata, folder)
    assert rc == 1
    f = _by_name(doc)["000011.pickle.pbz2"]
    assert f["result"] == "failed"
    assert "['200']['arch_str']" in f["detail"] and other in f["detail"] and canonical in f["detail"]
    assert "index 11" in f["detail"] and "it is index 284's" in f["detail"]


def test_file_renamed_to_another_index(nasdata, tmp_path):
    folder = tmp_path / (SSS + "-simple")
    shutil.copytree(NATS / (SSS + "-simple"), folder)
    (folder / "000011.pickle.pbz2").rename(folder / "000012.pickle.pbz2")
    rc, doc = _verify(nasdata, folder)
    f = _by_name(doc)["000012.pickle.pbz2"]
    assert rc == 1 and f["result"] == "failed"
    assert "['arch_index'] is 11, but the file is for index 12" in f["detail"]


def test_meta_list_out_of_order(nasdata, tmp_path):
    folder = tmp_path / (TSS + "-simple")
    shutil.copytree(NATS / (TSS + "-simple"), folder)
    meta = _load(folder / "meta.pickle.pbz2")
    meta["meta_archs"][5], meta["meta_archs"][6] = meta["meta_archs"][6], meta["meta_archs"][5]
    _save(meta, folder / "meta.pickle.pbz2")
    rc, doc = _verify(nasdata, folder)
    f = _by_name(doc)["meta.pickle.pbz2"]
    assert rc == 1 and f["result"] == "failed" and "meta_archs[5]" in f["detail"]


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("space,name", [(TSS, "000000.pickle.pbz2"), (SSS, "000011.pickle.pbz2")])
def test_full_files_pass_and_damaged_state_dicts_are_named(nasdata, tmp_path, torch, space, name):
    rc, doc = _verify(nasdata, GEN / (space + "-full") / name)
    assert doc["files"][0]["result"] == "ok", doc["files"][0]
    assert "have exactly the network's keys and shapes" in doc["files"][0]["detail"]

    data = _load(GEN / (space + "-full") / name)
    hp = list(data)[0]
    run_key = list(data[hp]["all_results"])[0]
    sd = data[hp]["all_results"][run_key]["net_state_dict"]
    dropped = [k for k in sd if k.endswith("weight")][3]
    reshaped = "classifier.weight"

    folder = tmp_path / "dropped" / (space + "-full")
    folder.mkdir(parents=True)
    broken = dict(data)
    del sd[dropped]
    _save(broken, folder / name)
    rc, doc = _verify(nasdata, folder / name)
    f = doc["files"][0]
    assert rc == 1 and f["result"] == "failed"
    assert "1 missing" in f["detail"] and dropped in f["detail"] and f"[('{run_key[0]}', {run_key[1]})]" in f["detail"]

    data = _load(GEN / (space + "-full") / name)
    sd = data[hp]["all_results"][run_key]["net_state_dict"]
    shape = list(sd[reshaped].shape)
    sd[reshaped] = torch.zeros(shape[0], shape[1] + 1)
    folder = tmp_path / "reshaped" / (space + "-full")
    folder.mkdir(parents=True)
    _save(data, folder / name)
    rc, doc = _verify(nasdata, folder / name)
    f = doc["files"][0]
    assert rc == 1 and f["result"] == "failed"
    assert "wrong shape" in f["detail"] and reshaped in f["detail"]


def test_full_folder_without_weights_fails(nasdata, tmp_path):
    folder = tmp_path / (TSS + "-full")
    folder.mkdir()
    shutil.copy(NATS / (TSS + "-simple") / "000000.pickle.pbz2", folder)
    rc, doc = _verify(nasdata, folder / "000000.pickle.pbz2")
    assert rc == 1 and "carry no weights" in doc["files"][0]["detail"]


def _hostile_folder(tmp_path):
    """A -simple folder whose files are damaged in each way, with the decompressed offset
    where each stream-level problem starts."""
    src = NATS / (TSS + "-simple") / "000011.pickle.pbz2"
    good = src.read_bytes()
    plain = bz2.decompress(good)
    folder = tmp_path / (TSS + "-simple")
    folder.mkdir()
    (folder / "000000.pickle.pbz2").write_bytes(good[: len(good) // 2])              # truncated
    flipped = bytearray(good); flipped[len(good) // 2] ^= 0x10
    (folder / "000001.pickle.pbz2").write_bytes(bytes(flipped))                     # bad CRC
    shutil.copy(GEN / "hostile" / "bomb.pbz2", folder / "000002.pickle.pbz2")
    shutil.copy(GEN / "hostile" / "bomb-pickle.pbz2", folder / "000003.pickle.pbz2")
    (folder / "000004.pickle.pbz2").write_bytes(good + bz2.compress(pickle.dumps(1)))  # second stream
    (folder / "000005.pickle.pbz2").write_bytes(bz2.compress(plain + b"\x00\x00\x00"))  # trailing bytes
    return folder, len(plain)


def test_hostile_files_fail_with_reason_and_offset(nasdata, tmp_path):
    folder, stop = _hostile_folder(tmp_path)
    rc, doc = _verify(nasdata, folder)
    assert rc == 1
    files = _by_name(doc)
    reasons = {name: files[name]["detail"] for name in files}
    assert all(files[f"00000{i}.pickle.pbz2"]["result"] == "failed" for i in range(6))
    assert "bz2 stream ends before its end marker" in reasons["000000.pickle.pbz2"]
    assert "corrupt bz2 data" in reasons["000001.pickle.pbz2"]
    assert "unknown pickle opcode 0x0" in reasons["000002.pickle.pbz2"]       # 256 MiB of zeros: not a pickle
    assert "the cap (a bz2 bomb" in reasons["000003.pickle.pbz2"]
    second = pickle.dumps(1)
    assert f"at byte {stop}: {len(second)} byte(s) after the pickle's STOP" in reasons["000004.pickle.pbz2"]
    assert f"at byte {stop}: 3 byte(s) after the pickle's STOP" in reasons["000005.pickle.pbz2"]


def test_hostile_pbz2_by_content(nasdata):
    rc, doc = _verify(nasdata, GEN / "hostile")
    files = _by_name(doc)
    assert rc == 1
    assert files["multistream.pbz2"]["result"] == "failed"
    assert "after the pickle's STOP" in files["multistream.pbz2"]["detail"]
    assert files["bomb-pickle.pbz2"]["result"] == "failed" and "cap" in files["bomb-pickle.pbz2"]["detail"]


def test_every_reader_refuses_bytes_after_stop(nasdata, tmp_path):
    folder, stop = _hostile_folder(tmp_path)
    for f in list(folder.iterdir()):
        if f.name not in ("000004.pickle.pbz2", "000005.pickle.pbz2"):
            f.unlink()
    shutil.copy(NATS / (TSS + "-simple") / "meta.pickle.pbz2", folder)
    second = folder / "000004.pickle.pbz2"
    for args in (("inspect", second),
                 ("convert-benchmark", folder, "-o", tmp_path / "out.h5"),
                 ("reload", "--full-file", second, "--arch", "4", "--dataset", "cifar10", "-o", tmp_path / "w.pth")):
        proc = nasdata(*args, check=False)
        assert proc.returncode == 2, (args, proc.stderr)
        assert f"{second} (byte {stop}): " in proc.stderr or f"(byte {stop})" in proc.stderr, proc.stderr
        assert "after the pickle's STOP" in proc.stderr
    assert not (tmp_path / "out.h5").exists() and not (tmp_path / "w.pth").exists()
    # The single-file form too.
    single = tmp_path / (TSS + ".pickle.pbz2")
    good = (GEN / (TSS + ".pickle.pbz2")).read_bytes()
    single.write_bytes(good + bz2.compress(b"N."))
    proc = nasdata("convert-benchmark", single, "-o", tmp_path / "single.h5", check=False)
    assert proc.returncode == 2 and f"(byte {len(bz2.decompress(good))})" in proc.stderr, proc.stderr


def test_single_file_benchmark_structure(nasdata, tmp_path):
    good = (GEN / (TSS + ".pickle.pbz2")).read_bytes()
    # Named with its own md5 suffix, so only the structure speaks.
    named = tmp_path / f"NATS-tss-v1_0-{hashlib.md5(good).hexdigest()[-5:]}.pickle.pbz2"
    named.write_bytes(good)
    rc, doc = _verify(nasdata, named)
    f = doc["files"][0]
    assert rc == 1 and f["rule"].endswith("+ structure")
    assert "ends with" in f["detail"]
    assert "arch2infos holds 3 of the 15625 architectures (15622 missing); the 3 present are consistent" in f["detail"]

    data = _load(GEN / (TSS + ".pickle.pbz2"))
    data["arch2infos"][284]["12"]["arch_index"] = 285
    blob = bz2.compress(pickle.dumps(data, protocol=4))
    named = tmp_path / f"NATS-tss-v1_0-{hashlib.md5(blob).hexdigest()[-5:]}.pickle.pbz2"
    named.write_bytes(blob)
    rc, doc = _verify(nasdata, named)
    # Streamed, an entry is known by its own arch_index: its arch_str is then index 284's, not 285's.
    detail = doc["files"][0]["detail"]
    assert rc == 1 and "arch2infos[285]['12']['arch_str']" in detail and "(it is index 284's)" in detail
