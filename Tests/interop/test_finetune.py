"""Fine-tuning end to end in PyTorch: nasdata builds a data set and exports a network
(`reload -o net.pth --config net.json`); Tools/python/nasdata_torch.py reads the data set
with DataLoader workers and Tools/python/finetune.py evaluates (the same accuracy as
`nasdata reload --evaluate`) and trains with NB201's recipe (the training loss goes down)."""
import importlib.util
import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import FIXTURES, ROOT

NET = FIXTURES / "network"
FULL = json.loads((NET / "manifest.json").read_text())["full_file"]
PYDIR = ROOT / "Tools" / "python"


def _cifar_fixture_module():
    spec = importlib.util.spec_from_file_location("mk", ROOT / "Tools" / "fixtures" / "make_cifar_fixtures.py")
    mk = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mk)
    return mk


@pytest.fixture(scope="module")
def data(tmp_path_factory, nasdata):
    """1,025 synthetic CIFAR-10 training images (cifar10-valid/train: 512) and 200 test images."""
    work = tmp_path_factory.mktemp("finetune")
    archive = _cifar_fixture_module().cifar10_archive(work / "cifar-10-python.tar.gz", np, 205, 200)
    out = work / "cifar.h5"
    nasdata("build-cifar", "--cifar10", archive, "--no-splits", "--allow-unverified", "-o", out)
    return out


@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch")
    pytest.importorskip("xautodl.models")
    sys.path.insert(0, str(PYDIR))
    return torch


def test_dataset_with_two_workers_reads_every_image_normalised(data, torch):
    import h5py
    from nasdata_torch import NASDataSet
    ds = NASDataSet(data, "cifar10-valid/ori-test")
    loader = torch.utils.data.DataLoader(ds, batch_size=64, shuffle=True, num_workers=2,
                                         generator=torch.Generator().manual_seed(1))
    seen = {}
    for x, y in loader:
        for img, lab in zip(x, y):
            seen[img.numpy().tobytes()] = int(lab)
    with h5py.File(data, "r") as f:
        g = f["cifar10-valid"]
        mean, std = (np.asarray(g.attrs[k], dtype=np.float32).reshape(3, 1, 1) for k in ("mean", "std"))
        images, labels = g["ori-test/images"][:], g["ori-test/labels"][:]
    assert len(seen) == len(images) == 200
    for img, lab in zip(images, labels):
        x = (torch.from_numpy(img).permute(2, 0, 1).float() / 255 - torch.from_numpy(mean)) / torch.from_numpy(std)
        assert seen[x.numpy().tobytes()] == lab
    # Training items: same shape, augmented (flips and crops change some images).
    train = NASDataSet(data, "cifar10-valid/train", train=True, seed=0)
    batch = next(iter(torch.utils.data.DataLoader(train, batch_size=64, num_workers=2)))
    assert batch[0].shape == (64, 3, 32, 32) and batch[1].dtype == torch.long
    plain = torch.stack([NASDataSet(data, "cifar10-valid/train")[i][0] for i in range(64)])
    assert not torch.equal(batch[0], plain)


def test_finetune_evaluates_like_nasdata_then_lowers_the_training_loss(data, nasdata, torch, tmp_path):
    reload = json.loads(nasdata("reload", "--full-file", NET / FULL["file"], "--arch", FULL["arch_index"],
                                "--dataset", "cifar10-valid", "-o", tmp_path / "net.pth", "--config", tmp_path / "net.json",
                                "--evaluate", data, "--set", "ori-test", "--json").stdout)["evaluation"]
    proc = subprocess.run([sys.executable, PYDIR / "finetune.py", "--weights", tmp_path / "net.pth",
                           "--config", tmp_path / "net.json", "--data", data, "--dataset", "cifar10-valid",
                           "--eval-set", "ori-test", "--epochs", "1", "--batch-size", "64", "--lr", "0.1",
                           "--workers", "2", "--threads", "1", "-o", tmp_path / "tuned.pth", "--json"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    before = report["before"]
    assert before["images"] == reload["images"] == 200
    # Same weights, same images, same normalisation: equal accuracy (one image of slack for ties).
    assert abs(before["accuracy"] - reload["accuracy"]) * before["images"] / 100 <= 1 + 1e-9, (before, reload)
    assert report["steps"] == 8                         # 512 images at batch 64
    assert report["train_loss_after"] < report["train_loss_before"], report
    assert (tmp_path / "tuned.pth").exists()
