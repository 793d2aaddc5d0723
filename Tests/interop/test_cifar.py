"""build-cifar / preview interop: h5py and numpy read what nasdata wrote, and it equals
what Python's own pickle loading (torchvision's method) of the same archives gives."""
import hashlib
import json
import pickle
import tarfile

import numpy as np
import pytest

from conftest import FIXTURES

h5py = pytest.importorskip("h5py")
CIFAR = FIXTURES / "cifar"


def load_like_torchvision(archive, folder, files, label_key):
    """What torchvision.datasets.CIFAR10/100 does, from the tarball: pickle.load with
    latin1, vstack data, reshape to N x 3 x 32 x 32, transpose to N x 32 x 32 x 3."""
    data, labels = [], []
    with tarfile.open(archive, "r:gz") as tar:
        for name in files:
            entry = pickle.load(tar.extractfile(f"{folder}/{name}"), encoding="latin1")
            data.append(entry["data"])
            labels.extend(entry[label_key])
    return np.vstack(data).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), np.array(labels, dtype=np.int64)


def read_split(path):
    with open(path) as f:
        return {k: [int(x) for x in v[1]] for k, v in json.load(f).items()}


def digest(images, labels):
    total = 0
    for img, lab in zip(images, labels):
        total += int.from_bytes(hashlib.sha256(np.int64(lab).tobytes() + img.tobytes()).digest(), "big")
    return "%064x" % (total % (1 << 256))


@pytest.fixture(scope="module")
def built(nasdata, tmp_path_factory):
    out = tmp_path_factory.mktemp("cifar") / "cifar.h5"
    proc = nasdata("build-cifar", "--cifar10", CIFAR / "cifar-10-python.tar.gz", "--cifar100", CIFAR / "cifar-100-python.tar.gz",
                   "--splits", CIFAR / "splits", "--allow-unverified", "-o", out, "--json")
    return out, json.loads(proc.stdout)


def test_sets_equal_torchvision_style_loading(built):
    out, report = built
    train10, ytrain10 = load_like_torchvision(CIFAR / "cifar-10-python.tar.gz", "cifar-10-batches-py",
                                              [f"data_batch_{k}" for k in range(1, 6)], "labels")
    test10, ytest10 = load_like_torchvision(CIFAR / "cifar-10-python.tar.gz", "cifar-10-batches-py", ["test_batch"], "labels")
    train100, ytrain100 = load_like_torchvision(CIFAR / "cifar-100-python.tar.gz", "cifar-100-python", ["train"], "fine_labels")
    test100, ytest100 = load_like_torchvision(CIFAR / "cifar-100-python.tar.gz", "cifar-100-python", ["test"], "fine_labels")
    s10 = read_split(CIFAR / "splits" / "cifar-split.txt")
    s100 = read_split(CIFAR / "splits" / "cifar100-test-split.txt")
    everything = lambda n: list(range(n))
    expected = {
        "cifar10-valid/train": (train10, ytrain10, s10["train"]),
        "cifar10-valid/x-valid": (train10, ytrain10, s10["valid"]),
        "cifar10-valid/ori-test": (test10, ytest10, everything(len(test10))),
        "cifar10/train": (train10, ytrain10, everything(len(train10))),
        "cifar10/ori-test": (test10, ytest10, everything(len(test10))),
        "cifar100/train": (train100, ytrain100, everything(len(train100))),
        "cifar100/x-valid": (test100, ytest100, s100["xvalid"]),
        "cifar100/x-test": (test100, ytest100, s100["xtest"]),
        "cifar100/ori-test": (test100, ytest100, everything(len(test100))),
    }
    assert sorted(s["set"] for s in report["sets"]) == sorted(expected)
    with h5py.File(out, "r") as f:
        assert f.attrs["nasdata_schema"] == "nb201-dataset"
        assert int(f.attrs["nasdata_schema_version"]) == 1
        for name, (images, labels, split) in expected.items():
            g = f[name]
            assert g["images"].dtype == np.uint8 and g["images"].shape == (len(split), 32, 32, 3)
            assert g["images"].chunks[1:] == (32, 32, 3)
            np.testing.assert_array_equal(g["indices"][()], split)
            np.testing.assert_array_equal(g["images"][()], images[split])
            np.testing.assert_array_equal(g["labels"][()], labels[split])
            assert g.attrs["digest"] == digest(images[split], labels[split])
            assert int(g.attrs["count"]) == len(split)
        assert [n.decode() if isinstance(n, bytes) else n for n in f["cifar10/class_names"][()]][:3] == ["airplane", "automobile", "bird"]
        np.testing.assert_allclose(f["cifar10-valid"].attrs["mean"], np.array([125.3, 123.0, 113.9]) / 255)


def test_readme_pytorch_dataset(built, torch_or_skip):
    torch = torch_or_skip
    out, _ = built

    # --- the README's recipe, verbatim in spirit ---
    class NB201Set(torch.utils.data.Dataset):
        def __init__(self, path, name):
            self.f = h5py.File(path, "r")
            self.images, self.labels = self.f[name]["images"], self.f[name]["labels"]
            ds = self.f[name.split("/")[0]]
            self.mean = torch.tensor(ds.attrs["mean"], dtype=torch.float32).view(3, 1, 1)
            self.std = torch.tensor(ds.attrs["std"], dtype=torch.float32).view(3, 1, 1)
        def __len__(self):
            return len(self.labels)
        def __getitem__(self, i):
            x = torch.from_numpy(self.images[i]).permute(2, 0, 1).float() / 255
            return (x - self.mean) / self.std, int(self.labels[i])
    # ---
    ds = NB201Set(out, "cifar10-valid/x-valid")
    x, y = next(iter(torch.utils.data.DataLoader(ds, batch_size=8)))
    assert x.shape == (8, 3, 32, 32) and y.shape == (8,)
    with h5py.File(out, "r") as f:
        raw = f["cifar10-valid/x-valid/images"][0].astype(np.float64)
    manual = (raw[..., 0] / 255 - 125.3 / 255) / (63.0 / 255)
    np.testing.assert_allclose(x[0, 0].numpy(), manual, rtol=1e-5, atol=1e-5)


def test_bad_archive_fails_cleanly(nasdata, tmp_path):
    data = (CIFAR / "cifar-10-python.tar.gz").read_bytes()
    bad = tmp_path / "cifar-10-python.tar.gz"
    bad.write_bytes(data[: len(data) // 2])
    out = tmp_path / "out.h5"
    proc = nasdata("build-cifar", "--cifar10", bad, "--allow-unverified", "-o", out, check=False)
    assert proc.returncode != 0
    assert str(bad) in proc.stderr
    assert "Traceback" not in proc.stderr and "Fatal error" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cifar-10-python.tar.gz"]  # no output, no temp file


def test_unverified_original_is_refused(nasdata, tmp_path):
    proc = nasdata("build-cifar", "--cifar10", CIFAR / "cifar-10-python.tar.gz", "-o", tmp_path / "o.h5", check=False)
    assert proc.returncode != 0
    assert "170498071" in proc.stderr and "--allow-unverified" in proc.stderr
    assert not (tmp_path / "o.h5").exists()


def test_preview_png(built, nasdata, tmp_path):
    PIL = pytest.importorskip("PIL.Image")
    out, _ = built
    png = tmp_path / "grid.png"
    nasdata("preview", out, "--set", "cifar100/x-test", "--count", "16", "--columns", "4", "-o", png)
    img = PIL.open(png)
    assert img.mode == "RGB"
    # 4 columns of (32*2 + 4) pixels + a 4-pixel margin.
    assert img.size[0] == 4 * 68 + 4
    with h5py.File(out, "r") as f:
        first = f["cifar100/x-test/images"][0]
    # The first image, enlarged 2x at (4, 4).
    np.testing.assert_array_equal(np.asarray(img)[4:68:2, 4:68:2], first)
