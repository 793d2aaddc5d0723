"""`nasdata verify` / `nasdata manifest` against the tools users already have:
GNU sha256sum/md5sum read nasdata's manifests, nasdata reads theirs, and Python's
hashlib agrees with every digest nasdata reports."""
import hashlib
import json
import shutil
import subprocess

import pytest

from conftest import FIXTURES, ROOT, SPLITS


def _tree(tmp_path):
    root = tmp_path / "data"
    (root / "sub").mkdir(parents=True)
    (root / "a.bin").write_bytes(bytes(range(256)) * 300)
    (root / "sub" / "b.txt").write_bytes(b"nasdata\n" * 1000)
    (root / "with space.dat").write_bytes(b"x" * 12345)
    return root


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="sha256sum not installed")
def test_sha256sum_checks_nasdata_manifest(nasdata, tmp_path):
    root = _tree(tmp_path)
    manifest = tmp_path / "m.sha256"
    nasdata("manifest", root, "-o", manifest)
    subprocess.run(["sha256sum", "--check", "--strict", manifest], cwd=root, check=True, capture_output=True)
    lines = [l for l in manifest.read_text().splitlines() if not l.startswith("#")]
    for line in lines:
        digest, name = line.split("  ", 1)
        assert digest == hashlib.sha256((root / name).read_bytes()).hexdigest()
    sizes = [l.split(" ", 3) for l in manifest.read_text().splitlines() if l.startswith("# size ")]
    assert {name: int(n) for _, _, n, name in sizes} == {
        "a.bin": 76800, "sub/b.txt": 8000, "with space.dat": 12345}


@pytest.mark.skipif(shutil.which("md5sum") is None, reason="md5sum not installed")
def test_nasdata_checks_md5sum_output(nasdata, tmp_path):
    root = _tree(tmp_path)
    out = subprocess.run(["md5sum", "a.bin", "sub/b.txt", "with space.dat"], cwd=root,
                         check=True, capture_output=True, text=True).stdout
    manifest = root / "MD5SUMS"
    manifest.write_text(out)
    doc = json.loads(nasdata("verify", "--json", "--manifest", manifest).stdout)
    assert doc["summary"] == {"files": 3, "ok": 3, "failed": 0, "unchecked": 0}
    # Flip one byte: non-zero exit, the file named.
    data = bytearray((root / "a.bin").read_bytes()); data[7] ^= 0xFF; (root / "a.bin").write_bytes(data)
    proc = nasdata("verify", "--json", "--manifest", manifest, check=False)
    assert proc.returncode == 1
    failed = [f for f in json.loads(proc.stdout)["files"] if f["result"] == "failed"]
    assert [f["path"] for f in failed] == ["a.bin"]
    assert failed[0]["md5"] == hashlib.md5(bytes(data)).hexdigest()


def test_split_files_digests_agree_with_hashlib(nasdata):
    doc = json.loads(nasdata("verify", "--json", SPLITS).stdout)
    txt = [f for f in doc["files"] if f["path"].endswith(".txt")]
    assert len(txt) == 4
    for f in txt:
        raw = open(f["path"], "rb").read()
        assert f["result"] == "ok"
        assert f["md5"] == hashlib.md5(raw).hexdigest()
        assert f["sha256"] == hashlib.sha256(raw).hexdigest()


def test_html_page_named_as_benchmark_fails(nasdata, tmp_path):
    page = tmp_path / "NAS-Bench-201-v1_0-e61699.pth"
    shutil.copy(FIXTURES / "verify" / "gdrive-quota.html", page)
    proc = nasdata("verify", page, check=False)
    assert proc.returncode == 1
    assert "HTML page" in proc.stdout and "Google Drive" in proc.stdout


# Issue 17: every file gets a verdict, and every damaged one makes `verify` exit 1.

def _damaged_cases(tmp_path):
    """(name, bytes) of damaged copies of the fixtures, each under a user's own name."""
    zip_pth = (FIXTURES / "pickle" / "state_dict_zip.pth").read_bytes()
    legacy = (FIXTURES / "network" / "allops-c8-cifar10.legacy.pth").read_bytes()
    page = (FIXTURES / "verify" / "gdrive-quota.html").read_bytes()
    h5 = (FIXTURES / "verify" / "content" / "gzip-chunks.h5").read_bytes()

    def flip(b, i, mask=0x01):
        b = bytearray(b)
        b[i] ^= mask
        return bytes(b)

    import h5py
    with h5py.File(FIXTURES / "verify" / "content" / "gzip-chunks.h5", "r") as f:
        info = f["weights"].id.get_chunk_info(1)
    return [
        ("truncated-zip.pth", zip_pth[:5000]),
        ("bitflip-zip.pth", flip(zip_pth, len(zip_pth) // 2)),
        ("cut-in-pickle.pth", legacy[:300]),
        ("cut-in-storage.pth", legacy[:-1000]),
        ("badmagic.pth", flip(legacy, 8, 0xFF)),
        ("trailing.pkl", (FIXTURES / "pickle" / "plain_p2.pkl").read_bytes() + b"junk"),
        ("cut.npy", (FIXTURES / "network" / "full-file.logits.npy").read_bytes()[:-4]),
        ("flipped-chunk.h5", flip(h5, info.byte_offset + info.size // 2, 0x10)),
        ("cut.tar.gz", (FIXTURES / "cifar" / "cifar-100-binary.tar.gz").read_bytes()[:20000]),
        ("data_batch_1", page),
        ("train_data_batch_1", page),
        ("cifar-split.txt", page),
    ]


@pytest.mark.parametrize("index", range(12))
def test_each_damaged_file_fails_with_exit_status_1(nasdata, tmp_path, index):
    name, data = _damaged_cases(tmp_path)[index]
    path = tmp_path / "elsewhere" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    proc = nasdata("verify", "--json", path, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)["files"][0]
    assert report["result"] == "failed", report
    assert str(path) in report["detail"] or "HTML page" in report["detail"] or "/weights" in report["detail"], report


def test_foreign_hdf5_with_missing_filter_is_unchecked_and_strict_fails(nasdata, tmp_path):
    path = tmp_path / "lzf.h5"
    path.write_bytes((FIXTURES / "verify" / "content" / "lzf.h5").read_bytes())
    proc = nasdata("verify", "--json", path, check=False)
    assert proc.returncode == 0, proc.stdout
    report = json.loads(proc.stdout)["files"][0]
    assert report["result"] == "unchecked" and "lzf (32000)" in report["detail"], report
    assert nasdata("verify", "--strict", path, check=False).returncode == 1


def test_hdf5_file_that_crashed_libhdf5_under_asan_fails_in_the_isolated_child(nasdata, tmp_path):
    path = tmp_path / "x.h5"
    path.write_bytes((FIXTURES / "verify" / "content" / "fuzz-hdf5-crash-1.h5").read_bytes())
    proc = nasdata("verify", "--json", path, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["files"][0]["result"] == "failed"
