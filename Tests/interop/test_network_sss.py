"""forward / reload of NATS-Bench's size-space network (xautodl's DynamicShapeTinyNet, config
`infer.shape.tiny`): nasdata's logits equal the committed PyTorch logits, and live against
xautodl when torch is installed: the same random weights and inputs through upstream's network,
and what `nasdata reload` exports loads with load_state_dict(strict=True)."""
import json

import numpy as np
import pytest

from conftest import FIXTURES

SSS = FIXTURES / "network" / "sss"
MANIFEST = json.loads((SSS / "manifest.json").read_text())
RUN = MANIFEST["run_file"]
FIXED_CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"


def rel_error(a, b):
    return float(np.abs(a - b).max() / np.abs(b).max())


def forward(nasdata, weights, config, x, out, *extra):
    return nasdata("forward", "--weights", weights, "--arch", config["channels"], "--genotype", config["genotype"],
                   "--classes", config["num_classes"], "--input", x, "-o", out, "--json", "--threads", 2,
                   "--micro-batch", 3, *extra)


@pytest.mark.parametrize("net", MANIFEST["nets"], ids=lambda n: n["name"])
def test_forward_matches_pytorch_fixture(nasdata, tmp_path, net):
    for fmt, weights in net["weights"].items():
        out = tmp_path / f"{fmt}.npy"
        summary = json.loads(forward(nasdata, SSS / weights, net["config"], SSS / f"{net['name']}.input.npy", out,
                                     "--features", tmp_path / "f.npy", "--config", tmp_path / "c.json").stdout)
        expected = np.load(SSS / f"{net['name']}.logits.npy")
        assert rel_error(np.load(out), expected) < 1e-4, weights
        assert rel_error(np.load(tmp_path / "f.npy"), np.load(SSS / f"{net['name']}.features.npy")) < 1e-4
        assert summary["argmax"] == expected.argmax(1).tolist()
        assert summary["space"] == "sss" and summary["arch"] == net["config"]["channels"]
        assert json.loads((tmp_path / "c.json").read_text()) == net["config"]


def test_forward_matches_xautodl_live(nasdata, tmp_path, torch_or_skip):
    """Fresh random networks (not the committed ones) through xautodl and nasdata."""
    torch = torch_or_skip
    xautodl = pytest.importorskip("xautodl.models")
    from safetensors.torch import save_file
    for seed, (channels, classes, size) in enumerate([("64:8:56:16:48", 10, 32), ("24:48:8:64:8", 120, 16),
                                                      ("40:40:40:40:40", 100, 32)]):
        torch.manual_seed(seed)
        config = {"name": "infer.shape.tiny", "channels": channels, "genotype": FIXED_CELL, "num_classes": classes}
        net = xautodl.get_cell_based_tiny_net(config)
        with torch.no_grad():
            for m in net.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.running_mean.normal_(0, 0.2)
                    m.running_var.uniform_(0.5, 2)
                    m.weight.uniform_(0.6, 1.4)
                    m.bias.normal_(0, 0.2)
        net.eval()
        x = torch.randn(5, 3, size, size)
        with torch.no_grad():
            _, expected = net(x)
        save_file({k: v.contiguous() for k, v in net.state_dict().items()}, tmp_path / "w.safetensors")
        np.save(tmp_path / "x.npy", x.numpy())
        forward(nasdata, tmp_path / "w.safetensors", config, tmp_path / "x.npy", tmp_path / "l.npy")
        assert rel_error(np.load(tmp_path / "l.npy"), expected.numpy()) < 1e-4, channels


def test_index_with_space_sss_and_strict_refusal(nasdata, tmp_path):
    net = MANIFEST["nets"][0]  # 8:8:8:8:8 = size-space index 0
    assert net["config"]["channels"] == "8:8:8:8:8"
    weights = SSS / net["weights"]["zip"]
    x = SSS / f"{net['name']}.input.npy"
    nasdata("forward", "--weights", weights, "--arch", 0, "--space", "sss", "--classes", 10, "--input", x,
            "-o", tmp_path / "l.npy")
    assert rel_error(np.load(tmp_path / "l.npy"), np.load(SSS / f"{net['name']}.logits.npy")) < 1e-4
    # The same weights into another channel configuration: every problem, PyTorch-style, and no output.
    proc = nasdata("forward", "--weights", weights, "--arch", "8:8:8:8:16", "--classes", 10, "--input", x,
                   "-o", tmp_path / "bad.npy", check=False)
    assert proc.returncode != 0 and not (tmp_path / "bad.npy").exists()
    assert "DynamicShapeTinyNet(channels=8:8:8:8:16" in proc.stderr
    assert "the weights' layers have channels 8:8:8:8:8" in proc.stderr
    assert "size mismatch for cells.4.layers.0.op.1.weight" in proc.stderr
    proc = nasdata("forward", "--weights", weights, "--arch", "8:8:8:8:8", "--space", "tss", "--classes", 10,
                   "--input", x, "-o", tmp_path / "bad.npy", check=False)
    assert proc.returncode != 0 and "--space is tss" in proc.stderr


def reload(nasdata, out, *extra):
    return nasdata("reload", "--full-file", SSS / RUN["file"], "--arch", RUN["channels"], "--dataset", RUN["dataset"],
                   "--hp", RUN["hp"], "-o", out, *extra)


def test_reload_size_space_run_exports_what_xautodl_loads(nasdata, tmp_path, torch_or_skip):
    torch = torch_or_skip
    xautodl = pytest.importorskip("xautodl.models")
    from safetensors.torch import load_file

    report = json.loads(reload(nasdata, tmp_path / "w.pth", "--config", tmp_path / "config.json", "--json").stdout)
    assert report["space"] == "sss" and report["arch_index"] == RUN["arch_index"] and report["hp"] == "90"
    reload(nasdata, tmp_path / "w.safetensors")
    config = json.loads((tmp_path / "config.json").read_text())
    assert config == RUN["config"]
    x = torch.from_numpy(np.load(SSS / "sss-run.input.npy"))
    expected = np.load(SSS / "sss-run.logits.npy")
    for state_dict in (torch.load(tmp_path / "w.pth", weights_only=True), load_file(tmp_path / "w.safetensors")):
        net = xautodl.get_cell_based_tiny_net(config)
        net.load_state_dict(state_dict, strict=True)
        with torch.no_grad():
            _, logits = net.eval()(x)
        assert rel_error(logits.numpy(), expected) < 1e-6


def test_reload_refuses_another_architecture(nasdata, tmp_path):
    proc = nasdata("reload", "--full-file", SSS / RUN["file"], "--arch", "8:8:8:8:8", "--dataset", RUN["dataset"],
                   "--hp", RUN["hp"], "-o", tmp_path / "w.pth", check=False)
    assert proc.returncode != 0 and not (tmp_path / "w.pth").exists()
    assert "the run is of size-space architecture 8:8:8:8:16 (index 1), not the requested 8:8:8:8:8 (index 0)" \
        in proc.stderr
    # A size-space index names the same run as its channels.
    reload(nasdata, tmp_path / "w.pth")
    nasdata("reload", "--full-file", SSS / RUN["file"], "--arch", RUN["arch_index"], "--space", "sss",
            "--dataset", RUN["dataset"], "--hp", RUN["hp"], "-o", tmp_path / "w2.pth")
