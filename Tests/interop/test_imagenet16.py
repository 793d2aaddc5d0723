"""build-imagenet16 read back by the tools users have: h5py/numpy for the HDF5 file, Pillow for
the pixels, and xautodl's ImageNet16 loader (or plain pickle) for the --format autodl batches."""
import json
import pickle

import numpy as np
import pytest

from conftest import FIXTURES

FX = FIXTURES / "imagenet16"


def build_ilsvrc(nasdata, out, *extra):
    tree = FX / "ilsvrc"
    return nasdata("build-imagenet16", "--ilsvrc", tree, "--class-map", tree / "devkit" / "map_clsloc.txt",
                   "--val-labels", tree / "devkit" / "ILSVRC2015_clsloc_validation_ground_truth.txt",
                   "--classes", "5", "--keep-going", "-o", out, "--json", *extra)


def test_ilsvrc_build_matches_pillow(nasdata, tmp_path):
    h5py = pytest.importorskip("h5py")
    out = tmp_path / "in16.h5"
    report = json.loads(build_ilsvrc(nasdata, out).stdout)
    assert [s["count"] for s in report["sets"]] == [16, 12]
    assert [s["path"] for s in report["skipped"]] == ["train/n02110185/n02110185_truncated.JPEG"]
    expected = json.loads((FX / "ilsvrc" / "expected.json").read_text())
    with h5py.File(out, "r") as f:
        assert f.attrs["nasdata_schema"] == "nb201-dataset"
        g = f["ImageNet16-5"]
        assert [s.decode() if isinstance(s, bytes) else s for s in g["wnids"][:]][:3] == ["n02119789", "n02100735", "n02110185"]
        train = g["train"]
        assert train["images"].shape == (16, 16, 16, 3)
        want = np.stack([np.frombuffer(bytes.fromhex(e["rgb16"]), np.uint8).reshape(16, 16, 3) for e in expected["train"]])
        assert np.array_equal(train["images"][:], want)
        assert list(train["labels"][:]) == [e["label"] - 1 for e in expected["train"]]


def test_pillow_resize_of_the_same_jpeg(nasdata, tmp_path):
    """The end-to-end recipe against the installed Pillow, not only the committed references."""
    Image = pytest.importorskip("PIL.Image")
    h5py = pytest.importorskip("h5py")
    out = tmp_path / "in16.h5"
    build_ilsvrc(nasdata, out)
    with h5py.File(out, "r") as f:
        got = f["ImageNet16-5/train/images"][0]
    first = sorted((FX / "ilsvrc" / "train" / "n02119789").iterdir(), key=lambda p: p.name.encode())[0]
    ref = np.asarray(Image.open(first).convert("RGB").resize((16, 16), Image.BOX))
    assert np.array_equal(got, ref)


def test_shards_and_merge(nasdata, tmp_path):
    h5py = pytest.importorskip("h5py")
    whole = tmp_path / "whole.h5"
    build_ilsvrc(nasdata, whole)
    shards = []
    for k in (0, 1):  # K counts from 0, as pack-archive's --shard
        p = tmp_path / f"s{k}.h5"
        build_ilsvrc(nasdata, p, "--shard", f"{k}/2")
        shards.append(p)
    merged = tmp_path / "merged.h5"
    nasdata("build-imagenet16", "--merge", *shards, "-o", merged)
    with h5py.File(whole, "r") as a, h5py.File(merged, "r") as b:
        for s in ("train", "ori-test"):
            assert np.array_equal(a[f"ImageNet16-5/{s}/images"][:], b[f"ImageNet16-5/{s}/images"][:])
            assert a[f"ImageNet16-5/{s}"].attrs["digest"] == b[f"ImageNet16-5/{s}"].attrs["digest"]


def test_shard_k_counts_from_zero(nasdata, tmp_path):
    tree = FX / "ilsvrc"
    out = tmp_path / "s.h5"
    proc = nasdata("build-imagenet16", "--ilsvrc", tree, "--class-map", tree / "devkit" / "map_clsloc.txt",
                   "--classes", "5", "--shard", "2/2", "-o", out, check=False)
    assert proc.returncode != 0
    assert "0 <= K < N" in proc.stderr and "2/2" in proc.stderr
    assert not out.exists()


def test_truncated_image_stops_without_keep_going(nasdata, tmp_path):
    tree = FX / "ilsvrc"
    out = tmp_path / "x.h5"
    proc = nasdata("build-imagenet16", "--ilsvrc", tree, "--class-map", tree / "devkit" / "map_clsloc.txt",
                   "--val-labels", tree / "devkit" / "ILSVRC2015_clsloc_validation_ground_truth.txt",
                   "--classes", "5", "-o", out, check=False)
    assert proc.returncode != 0
    assert "n02110185_truncated.JPEG" in proc.stderr
    assert not out.exists()
    assert not list(tmp_path.glob(".*partial*"))


def test_downsampled_and_autodl_batches(nasdata, tmp_path):
    h5py = pytest.importorskip("h5py")
    src = FX / "downsampled"
    out = tmp_path / "d.h5"
    nasdata("build-imagenet16", "--downsampled", src, "--splits", src / "splits", "--allow-unverified",
            "--format", "autodl", "--autodl-dir", tmp_path / "ImageNet16", "-o", out)
    expected = json.loads((src / "expected.json").read_text())
    with h5py.File(out, "r") as f:
        g = f["ImageNet16-120"]
        assert list(g["train/labels"][:]) == expected["train_labels"]
        assert list(g["x-valid/indices"][:]) == expected["xvalid"]
        chw = g["train/images"][:].transpose(0, 3, 1, 2).reshape(len(expected["train_labels"]), -1)
        import hashlib
        assert hashlib.md5(chw.tobytes()).hexdigest() == expected["train_md5"]

    # Plain pickle/numpy check of the batch files.
    batch = pickle.load(open(tmp_path / "ImageNet16" / "train_data_batch_1", "rb"), encoding="latin1")
    assert batch["data"].dtype == np.uint8 and batch["data"].shape[1] == 768
    assert batch["mean"].shape == (768,)
    assert all(1 <= l <= 120 for l in batch["labels"])

    # Upstream's reader (its MD5 check is for the published files, which a rebuild never matches).
    try:
        from xautodl.datasets.DownsampledImageNet import ImageNet16
    except Exception:  # xautodl (or torch under it) missing: the pickle check above stands
        return
    ImageNet16._check_integrity = lambda self: True
    train = ImageNet16(str(tmp_path / "ImageNet16"), True, None, 120)
    valid = ImageNet16(str(tmp_path / "ImageNet16"), False, None, 120)
    assert len(train) == len(expected["train_labels"]) and len(valid) == len(expected["val_labels"])
    img, target = train[0]
    assert target == expected["train_labels"][0]
    with h5py.File(out, "r") as f:
        assert np.array_equal(np.asarray(img), f["ImageNet16-120/train/images"][0])
