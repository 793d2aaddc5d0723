"""forward / reload against PyTorch: nasdata's logits equal the fixtures' PyTorch logits, and what
`nasdata reload` exports loads into upstream's TinyNetwork with load_state_dict(strict=True) and
gives the same logits (torch + xautodl when installed; otherwise a safetensors + numpy check)."""
import json

import numpy as np
import pytest

from conftest import FIXTURES

NET = FIXTURES / "network"
MANIFEST = json.loads((NET / "manifest.json").read_text())
FULL = MANIFEST["full_file"]


def rel_error(a, b):
    return float(np.abs(a - b).max() / np.abs(b).max())


@pytest.mark.parametrize("net", MANIFEST["nets"], ids=lambda n: n["name"])
def test_forward_matches_pytorch_fixture(nasdata, tmp_path, net):
    c = net["config"]
    for fmt, weights in net["weights"].items():
        out = tmp_path / f"{fmt}.npy"
        proc = nasdata("forward", "--weights", NET / weights, "--arch", c["arch_str"], "--classes", c["num_classes"],
                       "--channels", c["C"], "--cells", c["N"], "--input", NET / f"{net['name']}.input.npy",
                       "-o", out, "--features", tmp_path / "f.npy", "--json", "--threads", 2, "--micro-batch", 4)
        summary = json.loads(proc.stdout)
        logits = np.load(out)
        expected = np.load(NET / f"{net['name']}.logits.npy")
        assert logits.dtype == np.float32 and logits.shape == expected.shape
        assert rel_error(logits, expected) < 1e-4, weights
        assert rel_error(np.load(tmp_path / "f.npy"), np.load(NET / f"{net['name']}.features.npy")) < 1e-4
        assert summary["argmax"] == expected.argmax(1).tolist()


def reload(nasdata, out, *extra):
    return nasdata("reload", "--full-file", NET / FULL["file"], "--arch", FULL["arch_index"],
                   "--dataset", "cifar10-valid", "-o", out, *extra)


def test_reload_exports_load_strictly_into_upstream_tiny_network(nasdata, tmp_path, torch_or_skip):
    torch = torch_or_skip
    xautodl = pytest.importorskip("xautodl.models")
    from safetensors.torch import load_file

    reload(nasdata, tmp_path / "w.pth", "--config", tmp_path / "config.json")
    reload(nasdata, tmp_path / "w.safetensors")
    config = json.loads((tmp_path / "config.json").read_text())
    assert config == {"name": "infer.tiny", "C": 16, "N": 5, "arch_str": FULL["arch_str"], "num_classes": 10}
    x = torch.from_numpy(np.load(NET / "full-file.input.npy"))
    expected = np.load(NET / "full-file.logits.npy")
    for state_dict in (torch.load(tmp_path / "w.pth", weights_only=True), load_file(tmp_path / "w.safetensors")):
        net = xautodl.get_cell_based_tiny_net(config)
        net.load_state_dict(state_dict, strict=True)
        assert list(torch.load(tmp_path / "w.pth", weights_only=True).keys()) == list(net.state_dict().keys())
        with torch.no_grad():
            _, logits = net.eval()(x)
        assert rel_error(logits.numpy(), expected) < 1e-6


def test_reload_safetensors_runs_in_nasdata_forward_without_torch(nasdata, tmp_path):
    from safetensors.numpy import load_file
    reload(nasdata, tmp_path / "w.safetensors")
    tensors = load_file(tmp_path / "w.safetensors")
    assert len(tensors) == 39 and tensors["classifier.weight"].shape == (10, 64)
    assert tensors["stem.1.num_batches_tracked"].dtype == np.int64
    nasdata("forward", "--weights", tmp_path / "w.safetensors", "--arch", FULL["arch_str"], "--classes", 10,
            "--input", NET / "full-file.input.npy", "-o", tmp_path / "l.npy")
    assert rel_error(np.load(tmp_path / "l.npy"), np.load(NET / "full-file.logits.npy")) < 1e-4


@pytest.fixture(scope="module")
def cifar_h5(tmp_path_factory, nasdata):
    out = tmp_path_factory.mktemp("cifar") / "cifar.h5"
    c = FIXTURES / "cifar"
    nasdata("build-cifar", "--cifar10", c / "cifar-10-python.tar.gz", "--cifar100", c / "cifar-100-python.tar.gz",
            "--splits", c / "splits", "--allow-unverified", "-o", out)
    return out


def test_reload_evaluate_agrees_with_the_record_and_flags_a_disagreement(nasdata, tmp_path, cifar_h5):
    agree = json.loads(reload(nasdata, tmp_path / "a.pth", "--evaluate", cifar_h5, "--set", "ori-test", "--json").stdout)
    e = agree["evaluation"]
    assert e["images"] == MANIFEST["full_file_ori_test"]["images"]
    assert e["agrees"] is True
    assert abs(e["accuracy"] - MANIFEST["full_file_ori_test"]["accuracy"]) < 1e-9
    assert abs(e["loss"] - MANIFEST["full_file_ori_test"]["loss"]) < 1e-3 * abs(MANIFEST["full_file_ori_test"]["loss"])
    # The 12-epoch run's record is made up: flagged, and an error with --fail-on-disagreement.
    text = reload(nasdata, tmp_path / "b.pth", "--hp", 12, "--evaluate", cifar_h5).stdout
    assert "DISAGREES" in text

def test_fail_on_disagreement_exit_status(nasdata, tmp_path, cifar_h5):
    proc = nasdata("reload", "--full-file", NET / FULL["file"], "--arch", FULL["arch_index"], "--dataset",
                   "cifar10-valid", "--hp", 12, "-o", tmp_path / "c.pth", "--evaluate", cifar_h5,
                   "--fail-on-disagreement", check=False)
    assert proc.returncode == 1
    assert (tmp_path / "c.pth").exists()  # the export still happened


def allops():
    return MANIFEST["nets"][0]


def forward_args(tmp_path, net, **over):
    c = dict(net["config"])
    c.update(over)
    return ["forward", "--weights", over.get("weights", NET / net["weights"]["zip"]), "--arch", c["arch_str"],
            "--classes", c["num_classes"], "--channels", c["C"], "--input",
            over.get("input", NET / f"{net['name']}.input.npy"), "-o", tmp_path / "out.npy"]


def test_wrong_class_count_is_a_clear_error(nasdata, tmp_path):
    proc = nasdata(*forward_args(tmp_path, allops(), num_classes=100), check=False)
    assert proc.returncode != 0
    assert "the weights are for 10 classes, the network was configured for 100" in proc.stderr
    assert "size mismatch for classifier.weight" in proc.stderr
    assert not (tmp_path / "out.npy").exists()


def test_wrong_architecture_is_the_strict_loaders_message(nasdata, tmp_path):
    other = MANIFEST["nets"][3]["config"]["arch_str"]
    proc = nasdata(*forward_args(tmp_path, allops(), arch_str=other), check=False)
    assert proc.returncode != 0
    assert "Missing key(s) in state_dict" in proc.stderr and "Unexpected key(s) in state_dict" in proc.stderr
    assert "the weights belong to another architecture" in proc.stderr
    proc = nasdata("reload", "--full-file", NET / FULL["file"], "--arch", 0, "--dataset", "cifar10-valid",
                   "-o", tmp_path / "x.pth", check=False)
    assert proc.returncode != 0 and "not the requested" in proc.stderr


def test_nan_in_input_names_the_image(nasdata, tmp_path):
    x = np.load(NET / f"{allops()['name']}.input.npy")
    x[3, 1, 4, 5] = np.nan
    np.save(tmp_path / "x.npy", x)
    proc = nasdata(*forward_args(tmp_path, allops(), input=tmp_path / "x.npy"), check=False)
    assert proc.returncode != 0 and "input image 3 holds 1 NaN" in proc.stderr


def test_nan_in_weights_warns_naming_the_tensor(nasdata, tmp_path):
    from safetensors.numpy import load_file, save_file
    net = allops()
    tensors = load_file(NET / net["weights"]["safetensors"])
    tensors["cells.7.layers.1.op.1.weight"][0, 0, 0, 0] = np.nan
    save_file(tensors, tmp_path / "nan.safetensors")
    proc = nasdata(*forward_args(tmp_path, net, weights=tmp_path / "nan.safetensors"), check=False)
    assert "warning: weight tensor cells.7.layers.1.op.1.weight [16, 16, 1, 1] holds 1 NaN" in proc.stderr
    assert proc.returncode != 0 and "NaN or infinite" in proc.stderr


def test_not_a_weights_file(nasdata, tmp_path):
    proc = nasdata(*forward_args(tmp_path, allops(), weights=NET / "manifest.json"), check=False)
    assert proc.returncode != 0 and "manifest.json" in proc.stderr and "not a weights file" in proc.stderr


def test_reload_from_a_weight_archive_equals_the_full_file_run(nasdata, tmp_path, torch_or_skip):
    """pack-archive the archive fixtures, reload one run from the archive, and check the export
    against the run's weights as torch reads them from the original FULL file."""
    torch = torch_or_skip
    xautodl = pytest.importorskip("xautodl.models")
    fx = FIXTURES / "archive"
    nasdata("pack-archive", fx, "-o", tmp_path / "weights.h5")
    nasdata("reload", "--archive", tmp_path / "weights.h5", "--arch", 25, "--dataset", "cifar10", "--seed", 777,
            "--hp", 200, "-o", tmp_path / "w.pth", "--config", tmp_path / "c.json")
    original = torch.load(fx / "000025-FULL.pth", weights_only=False)["full"]["all_results"][("cifar10", 777)]
    exported = torch.load(tmp_path / "w.pth", weights_only=True)
    assert list(exported) == list(original["net_state_dict"])
    for k, v in original["net_state_dict"].items():
        assert torch.equal(exported[k], v), k
    net = xautodl.get_cell_based_tiny_net(json.loads((tmp_path / "c.json").read_text()))
    net.load_state_dict(exported, strict=True)


def test_reload_from_an_archive_names_what_is_there(nasdata, tmp_path):
    nasdata("pack-archive", FIXTURES / "archive", "-o", tmp_path / "weights.h5")
    proc = nasdata("reload", "--archive", tmp_path / "weights.h5", "--arch", 25, "--dataset", "cifar100",
                   "-o", tmp_path / "x.pth", check=False)
    assert proc.returncode != 0 and "it has: cifar10/777/hp 200" in proc.stderr
    assert not (tmp_path / "x.pth").exists()


def test_forward_from_an_archive_run_equals_forward_from_its_export(nasdata, tmp_path):
    nasdata("pack-archive", FIXTURES / "archive", "-o", tmp_path / "weights.h5")
    nasdata("reload", "--archive", tmp_path / "weights.h5", "--arch", 25, "--dataset", "cifar10",
            "-o", tmp_path / "w.safetensors")
    x = NET / "full-file.input.npy"
    nasdata("forward", "--archive", tmp_path / "weights.h5", "--dataset", "cifar10", "--arch", 25, "--input", x,
            "-o", tmp_path / "a.npy")
    nasdata("forward", "--weights", tmp_path / "w.safetensors", "--classes", 10, "--arch", 25, "--input", x,
            "-o", tmp_path / "b.npy")
    assert np.array_equal(np.load(tmp_path / "a.npy"), np.load(tmp_path / "b.npy"))
