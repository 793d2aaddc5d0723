"""HDF5 interop: h5py reads what nasdata writes (`nasdata selftest`) with identical
values, and nasdata reads what h5py writes with default settings (`nasdata selftest
--read` dumps it as JSON, compared here value by value with h5py's view)."""
import glob
import importlib.util
import json
import math
import os
import zlib

import numpy as np
import pytest

from conftest import ROOT

h5py = pytest.importorskip("h5py")


@pytest.fixture(scope="module")
def sample(nasdata, tmp_path_factory):
    out = tmp_path_factory.mktemp("selftest") / "selftest.h5"
    proc = nasdata("selftest", "-o", out)
    assert "selftest: OK" in proc.stdout
    return out


def swift_round(x):
    """Swift's rounded(): half away from zero."""
    return math.copysign(math.floor(abs(x) + 0.5), x)


CHUNKED = np.array([swift_round(math.sin(i * 0.37) * 100) / 8 for i in range(100 * 16)],
                   dtype=np.float32).reshape(100, 16)


def test_every_dtype_reads_identically(sample):
    with h5py.File(sample, "r") as f:
        n = f["numeric"]
        np.testing.assert_array_equal(n["uint8"][()], np.array([(i * 23) % 256 for i in range(12)], np.uint8).reshape(4, 3))
        np.testing.assert_array_equal(n["int8"][()], np.array([-128, -1, 0, 1, 127], np.int8))
        np.testing.assert_array_equal(n["int16"][()], np.array([-32768, -300, 0, 300, 32767], np.int16))
        int32 = np.array([(i * 1_000_003 % 2_000_000_000) - 1_000_000_000 for i in range(24)], np.int32).reshape(2, 3, 4)
        np.testing.assert_array_equal(n["int32"][()], int32)
        np.testing.assert_array_equal(n["int64"][()], np.array([-(2 ** 63), -1, 0, 1, 2 ** 53 + 1, 2 ** 63 - 1], np.int64))
        assert n["float16"].dtype == np.float16
        np.testing.assert_array_equal(n["float16"][()], np.array([1, -2, np.inf, 2 ** -24], np.float16))
        swift_float_pi = np.array([0x40490FDA], np.uint32).view(np.float32)[0]  # Float.pi rounds down
        f32 = np.array([0, -0.0, 1.5, -3.25, swift_float_pi, 1e-38, 3.4e38, np.inf, -np.inf, 0.1, 1e-45, 7, 8, 9, 10], np.float32).reshape(3, 5)
        assert n["float32"].dtype == np.float32
        np.testing.assert_array_equal(n["float32"][()].view(np.uint32), f32.view(np.uint32))
        f64 = np.array([0, np.pi, -np.pi, 1e-300, 1e300, np.inf, 0.1])
        np.testing.assert_array_equal(n["float64"][()], f64)
        assert n["bool"].dtype == np.bool_
        np.testing.assert_array_equal(n["bool"][()], [True, False, False, True, True])
        assert n["scalar_float64"].shape == () and n["scalar_float64"][()] == np.pi


def test_chunked_compressed_and_direct_chunks(sample):
    with h5py.File(sample, "r") as f:
        pipeline, direct = f["chunked/pipeline_float32"], f["chunked/direct_float32"]
        for ds in (pipeline, direct):
            assert ds.chunks == (32, 16) and ds.shuffle and ds.compression == "gzip" and ds.compression_opts == 6
            np.testing.assert_array_equal(ds[()], CHUNKED)  # decoded by h5py's own HDF5 filters
        for r0 in range(0, 100, 32):
            mask, raw = direct.id.read_direct_chunk((r0, 0))
            assert mask == 0
            # Our chunk is exactly zlib(shuffle(bytes)): undo it by hand.
            shuffled = np.frombuffer(zlib.decompress(raw), np.uint8).reshape(4, -1)
            chunk = np.ascontiguousarray(shuffled.T).view(np.float32).reshape(32, 16)
            rows = min(32, 100 - r0)
            np.testing.assert_array_equal(chunk[:rows], CHUNKED[r0:r0 + rows])
            assert raw == pipeline.id.read_direct_chunk((r0, 0))[1]
        grow = f["chunked/extensible_int32"]
        assert grow.maxshape == (None, 4) and grow.shape == (15, 4)
        expected = np.concatenate([np.arange(20, dtype=np.int32) + b * 100 for b in range(3)]).reshape(15, 4)
        np.testing.assert_array_equal(grow[()], expected)


def test_strings_attributes_and_external_link(sample):
    with h5py.File(sample, "r") as f:
        assert f.attrs["nasdata_schema"] == "nasdata-selftest"
        assert f.attrs["nasdata_schema_version"] == 1
        assert list(f["strings/names"].asstr()[()]) == ["cifar10", "cifar100", "ImageNet16-120", "", "ünïcödé ✓", 'a "quoted" name']
        assert list(f["strings/growing"].asstr()[()]) == ["first", "second", "third"]
        a = f["attributes"].attrs
        assert a["an_int"] == -42 and a["a_double"] == 0.125 and a["a_string"] == "NAS-Bench-201 ✓"
        np.testing.assert_array_equal(a["ints"], [3, 32, 32])
        np.testing.assert_array_equal(a["doubles"], [0.4914, 0.4822, 0.4465])
        assert list(a["strings"]) == ["cifar10", "cifar100", "ImageNet16-120"]
        link = f.get("linked", getlink=True)
        assert isinstance(link, h5py.ExternalLink)
        assert (link.filename, link.path) == ("selftest.target.h5", "/values")
        np.testing.assert_array_equal(f["linked"][()], np.arange(10, dtype=np.int32) ** 2)


def test_check_schema_on_selftest(nasdata, sample):
    proc = nasdata("check-schema", sample, "--json")
    report = json.loads(proc.stdout)
    assert report["ok"] and report["schema"] == "nasdata-selftest" and report["deviations"] == []


def load_fixture_module():
    spec = importlib.util.spec_from_file_location("make_hdf5_fixture", ROOT / "Tools" / "fixtures" / "make_hdf5_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compare(node, obj, where):
    """nasdata's JSON dump of a group/dataset against h5py's view of it."""
    for name, value in obj.attrs.items():
        got = node["attributes"][name]
        if isinstance(value, bytes):
            value = value.decode()
        if isinstance(value, np.ndarray):
            value = [v.decode() if isinstance(v, bytes) else v for v in value.tolist()]
        elif isinstance(value, np.generic):
            value = value.item()
        assert got == value, f"{where}@{name}: nasdata read {got!r}, h5py {value!r}"
    if isinstance(obj, h5py.Dataset):
        assert node["shape"] == list(obj.shape), where
        assert node["chunks"] == (list(obj.chunks) if obj.chunks else None), where
        assert node["deflate"] == (obj.compression_opts if obj.compression == "gzip" else None), where
        assert node["shuffle"] == bool(obj.shuffle), where
        data = obj[()]
        if obj.dtype.kind in "SO":
            expected = [v.decode() if isinstance(v, bytes) else v for v in np.ravel(data).tolist()]
            assert node["dtype"] == "string" and node["values"] == expected, where
        else:
            assert node["dtype"] == {"b": "bool"}.get(obj.dtype.kind, obj.dtype.name), where
            got = np.array(node["values"], dtype=object)
            want = np.ravel(data)
            if obj.dtype.kind == "f":
                got = np.array([float(v) for v in node["values"]], dtype=obj.dtype)
                np.testing.assert_array_equal(got.view(f"u{obj.dtype.itemsize}"), want.view(f"u{obj.dtype.itemsize}"), err_msg=where)
            else:
                assert [type(v)(w) for v, w in zip(want.tolist(), got.tolist())] == want.tolist(), where
        return
    members = node["members"]
    assert sorted(members) == sorted(obj.keys()), where
    for name in obj:
        link = obj.get(name, getlink=True)
        if isinstance(link, h5py.ExternalLink):
            assert members[name] == {"kind": "externalLink", "file": link.filename, "path": link.path}
        else:
            compare(members[name], obj[name], f"{where}/{name}")


def test_nasdata_reads_h5py_default_file(nasdata, tmp_path):
    path = tmp_path / "h5py_default.h5"
    load_fixture_module().write(str(path))
    dump = json.loads(nasdata("selftest", "--read", path).stdout)
    with h5py.File(path, "r") as f:
        compare(dump["root"], f, "")


def test_committed_fixture_matches_generator(nasdata, tmp_path):
    """The committed fixture still has the content its generator describes."""
    fresh = tmp_path / "fresh.h5"
    load_fixture_module().write(str(fresh))
    committed = json.loads(nasdata("selftest", "--read", ROOT / "Tests" / "Fixtures" / "hdf5" / "h5py_default.h5").stdout)
    regenerated = json.loads(nasdata("selftest", "--read", fresh).stdout)
    assert committed["root"] == regenerated["root"]


def test_check_schema_reports_deviations_in_h5py_file(nasdata, tmp_path):
    path = tmp_path / "target.h5"
    with h5py.File(path, "w") as f:
        f.attrs["nasdata_schema"] = "nasdata-selftest-target"
        f.attrs["nasdata_schema_version"] = 1
        f["values"] = np.zeros((3, 2))
        f["extra"] = [1]
    proc = nasdata("check-schema", path, check=False)
    assert proc.returncode == 1
    assert "/values: element type is float64, expected int32" in proc.stdout
    assert "/values: rank is 2" in proc.stdout
    assert "/extra: unexpected dataset" in proc.stdout
    ok = tmp_path / "ok.h5"
    with h5py.File(ok, "w") as f:
        f.attrs["nasdata_schema"] = "nasdata-selftest-target"
        f.attrs["nasdata_schema_version"] = 1
        f["values"] = np.arange(4, dtype=np.int32)
    assert nasdata("check-schema", ok).returncode == 0


def test_bad_input_gives_clear_errors(nasdata, tmp_path, sample):
    missing = tmp_path / "missing.h5"
    text = tmp_path / "text.h5"
    text.write_text("not hdf5\n")
    truncated = tmp_path / "truncated.h5"
    truncated.write_bytes(sample.read_bytes()[:3000])
    for path, words in [(missing, "No such file"), (text, "not an HDF5 file"), (truncated, "truncated")]:
        for args in (["check-schema", path], ["selftest", "--read", path]):
            proc = nasdata(*args, check=False)
            assert proc.returncode in (1, 2), (args, proc.returncode, proc.stderr)  # an error exit, not a crash
            assert str(path) in proc.stderr and words in proc.stderr, proc.stderr
            assert "HDF5-DIAG" not in proc.stderr  # HDF5 itself never prints
    proc = nasdata("check-schema", sample, "--schema", "no-such-schema", check=False)
    assert proc.returncode == 2 and "no-such-schema" in proc.stderr


def test_schemas_conform_to_meta_schema():
    jsonschema = pytest.importorskip("jsonschema")
    meta = json.loads((ROOT / "Schemas" / "meta-schema.json").read_text())
    validator = jsonschema.Draft202012Validator(meta)
    files = sorted(glob.glob(str(ROOT / "Schemas" / "*.v*.json")))
    assert files
    for file in files:
        errors = [e.message for e in validator.iter_errors(json.loads(open(file).read()))]
        assert errors == [], f"{file}: {errors}"
        name, version = os.path.basename(file)[:-5].rsplit(".v", 1)
        schema = json.loads(open(file).read())
        assert (schema["schema"], schema["version"]) == (name, int(version)), file
