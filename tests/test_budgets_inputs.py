"""Budgets (command line and config files) and test inputs (made or loaded)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from webedge.errors import WebedgeError
from webedge.testing.budgets import BYTE_KEYS, KEYS, MS_KEYS, from_config, parse_args, parse_value
from webedge.inputs import check_output_bytes, load_inputs, make_inputs, parse_dims, resolve_shape

# --- budgets ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("5MB", 5_000_000),
    ("300KiB", 300 * 1024),
    ("1.5MiB", 1_572_864),
    ("2GB", 2_000_000_000),
    ("1048576", 1_048_576),
    ("512B", 512),
    (" 5 mb ", 5_000_000),
    ("0", 0),
])
def test_byte_budgets(text, expected):
    assert parse_value("total_bytes", text) == expected


@pytest.mark.parametrize("text, expected", [
    ("2s", 2000.0),
    ("0.5s", 500.0),
    ("1500ms", 1500.0),
    ("1500", 1500.0),
    ("12.5MS", 12.5),
])
def test_time_budgets(text, expected):
    assert parse_value("first_inference_ms", text) == expected


def test_every_key_is_either_bytes_or_ms():
    assert set(KEYS) == set(BYTE_KEYS) | set(MS_KEYS)
    assert all(k.endswith("_bytes") for k in BYTE_KEYS) and all(k.endswith("_ms") for k in MS_KEYS)


def test_unknown_budget_key():
    with pytest.raises(WebedgeError, match=r"unknown budget 'speed_ms'; known budgets: total_bytes, "):
        parse_value("speed_ms", "5")


@pytest.mark.parametrize("key, text, phrase", [
    ("total_bytes", "lots", "is not a size"),
    ("total_bytes", "-5MB", "must be positive"),
    ("first_inference_ms", "fast", "is not a time"),
    ("ready_ms", "2 minutes", "is not a time"),
])
def test_bad_budget_values(key, text, phrase):
    with pytest.raises(WebedgeError, match=phrase):
        parse_value(key, text)


def test_parse_args():
    assert parse_args(None) == {}
    assert parse_args(["total_bytes=5MB", " ready_ms = 2s", "weight_bytes=300KiB"]) == {
        "total_bytes": 5_000_000, "ready_ms": 2000.0, "weight_bytes": 307_200}
    with pytest.raises(WebedgeError, match="must look like KEY=VALUE"):
        parse_args(["total_bytes"])
    with pytest.raises(WebedgeError, match="unknown budget 'wat'"):
        parse_args(["wat=1"])


def test_no_config_no_budgets(tmp_path):
    assert from_config(tmp_path) == {}
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.black]\nline-length = 100\n')
    assert from_config(tmp_path) == {}


def test_budgets_from_pyproject_budget_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.webedge.budget]\ntotal_bytes = "5MB"\nfirst_inference_ms = "2s"\n'
        'warm_inference_ms = 40\n')
    assert from_config(tmp_path) == {"total_bytes": 5_000_000, "first_inference_ms": 2000.0,
                                     "warm_inference_ms": 40.0}


def test_budgets_directly_in_tool_webedge(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.webedge]\nweight_bytes = "300KiB"\nsomething_else = 1\n')
    assert from_config(tmp_path) == {"weight_bytes": 307_200}


def test_budgets_from_webedge_toml(tmp_path):
    (tmp_path / "webedge.toml").write_text('ready_ms = 1500\n\n[budget]\nruntime_bytes = "4MB"\n')
    assert from_config(tmp_path) == {"ready_ms": 1500.0, "runtime_bytes": 4_000_000}


def test_webedge_toml_wins_over_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.webedge.budget]\ntotal_bytes = "9MB"\nready_ms = 100\n')
    (tmp_path / "webedge.toml").write_text('[budget]\ntotal_bytes = "1MB"\n')
    assert from_config(tmp_path) == {"total_bytes": 1_000_000}


def test_webedge_toml_without_budgets_falls_back_to_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.webedge.budget]\nready_ms = 100\n')
    (tmp_path / "webedge.toml").write_text('# nothing yet\n')
    assert from_config(tmp_path) == {"ready_ms": 100.0}


def test_config_errors(tmp_path):
    (tmp_path / "webedge.toml").write_text('[budget]\ntotal_bytes = \n')
    with pytest.raises(WebedgeError, match=r"webedge\.toml: not valid TOML"):
        from_config(tmp_path)
    (tmp_path / "webedge.toml").write_text('[budget]\ntypo_bytes = "1MB"\n')
    with pytest.raises(WebedgeError, match="unknown budget 'typo_bytes'"):
        from_config(tmp_path)
    (tmp_path / "webedge.toml").write_text('[budget]\ntotal_bytes = "huge"\n')
    with pytest.raises(WebedgeError, match="'huge' is not a size"):
        from_config(tmp_path)


# --- dims -------------------------------------------------------------------------------------------


def test_parse_dims():
    assert parse_dims(None) == {}
    assert parse_dims(["batch=2", " seq = 128"]) == {"batch": 2, "seq": 128}
    assert parse_dims({"batch": "3"}) == {"batch": 3}


@pytest.mark.parametrize("item", ["batch", "batch=", "batch=0", "batch=-1", "batch=x", "batch=1.5", "batch:2"])
def test_parse_dims_errors(item):
    with pytest.raises(WebedgeError, match=r"--dim '.*' must look like NAME=POSITIVE_INT"):
        parse_dims([item])


def test_resolve_shape_names_every_missing_dim_once():
    spec = {"name": "x", "dtype": "float32", "shape": ["batch", "seq", 4, "seq"]}
    assert resolve_shape(spec, {"batch": 2, "seq": 5}) == [2, 5, 4, 5]
    with pytest.raises(WebedgeError) as info:
        resolve_shape(spec, {"batch": 2})
    assert "input 'x'" in str(info.value) and str(info.value).count("--dim seq=N") == 1
    with pytest.raises(WebedgeError, match="pass --dim batch=N --dim seq=N"):
        resolve_shape(spec, {})


# --- make_inputs ------------------------------------------------------------------------------------

SPECS = [
    {"name": "f32", "dtype": "float32", "shape": ["batch", 3]},
    {"name": "f16", "dtype": "float16", "shape": [4]},
    {"name": "f64", "dtype": "float64", "shape": [2, 2]},
    {"name": "i64", "dtype": "int64", "shape": ["batch", 8]},
    {"name": "i32", "dtype": "int32", "shape": [5]},
    {"name": "u8", "dtype": "uint8", "shape": [6]},
    {"name": "mask", "dtype": "bool", "shape": [64]},
]


def test_make_inputs_dtypes_shapes_and_ranges():
    feeds = make_inputs(SPECS, {"batch": 2})
    assert list(feeds) == [s["name"] for s in SPECS]
    want = {"f32": np.float32, "f16": np.float16, "f64": np.float64, "i64": np.int64, "i32": np.int32,
            "u8": np.uint8, "mask": np.bool_}
    shapes = {"f32": (2, 3), "f16": (4,), "f64": (2, 2), "i64": (2, 8), "i32": (5,), "u8": (6,), "mask": (64,)}
    for name, arr in feeds.items():
        assert arr.dtype == np.dtype(want[name]), name
        assert arr.shape == shapes[name], name
    for name in ("f32", "f16", "f64"):
        assert ((feeds[name] >= 0) & (feeds[name] < 1)).all()
    for name in ("i64", "i32", "u8"):
        assert ((feeds[name] >= 0) & (feeds[name] < 16)).all()
    assert 0 < feeds["mask"].sum() < 64  # both values occur


def test_make_inputs_is_deterministic():
    a = make_inputs(SPECS, {"batch": 2})
    b = make_inputs(SPECS, {"batch": 2})
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
    c = make_inputs(SPECS, {"batch": 2}, seed=1)
    assert not np.array_equal(a["f32"], c["f32"])
    assert make_inputs(SPECS, {"batch": 2}, seed=1)["f32"].tobytes() == c["f32"].tobytes()


def test_make_inputs_errors():
    with pytest.raises(WebedgeError, match="--dim batch=N"):
        make_inputs(SPECS, {})
    with pytest.raises(WebedgeError, match="input 's' is string; cannot make one, pass --inputs FILE.npz"):
        make_inputs([{"name": "s", "dtype": "string", "shape": [1]}], {})


# --- load_inputs ------------------------------------------------------------------------------------

X_SPEC = [{"name": "x", "dtype": "float32", "shape": ["batch", 16]},
          {"name": "ids", "dtype": "int64", "shape": [4]}]


def good_arrays():
    return {"x": np.ones((3, 16), np.float32), "ids": np.arange(4, dtype=np.int64)}


def test_load_inputs(tmp_path):
    path = tmp_path / "in.npz"
    np.savez(path, **good_arrays())
    feeds = load_inputs(path, X_SPEC)
    assert list(feeds) == ["x", "ids"]
    np.testing.assert_array_equal(feeds["x"], good_arrays()["x"])  # any batch size fits 'batch'
    np.testing.assert_array_equal(feeds["ids"], good_arrays()["ids"])


def test_load_inputs_reports_extra_arrays_instead_of_ignoring_them(tmp_path):
    # A typo'd input name next to a right one would otherwise be fed nothing, silently.
    path = tmp_path / "in.npz"
    np.savez(path, **good_arrays(), extra=np.zeros(1))
    with pytest.raises(WebedgeError, match=r"has array\(s\) the model has no input for: extra \(its inputs: x, ids\)"):
        load_inputs(path, X_SPEC)


def test_load_inputs_object_arrays_get_one_clear_line(tmp_path):
    path = tmp_path / "in.npz"
    np.savez(path, x=np.array([{"a": 1}, None], dtype=object), ids=good_arrays()["ids"])
    with pytest.raises(WebedgeError, match=r"array 'x' holds Python objects \(dtype object\)"):
        load_inputs(path, X_SPEC)


def test_load_inputs_damaged_npz_gets_one_clear_line(tmp_path):
    path = tmp_path / "in.npz"
    np.savez(path, **good_arrays())
    data = bytearray(path.read_bytes())
    data[60:400] = b"\xff" * 340  # inside the first member: the zip directory still lists both arrays
    path.write_bytes(bytes(data))
    with pytest.raises(WebedgeError, match=r"in.npz: (array 'x' is damaged|not an .npz file)"):
        load_inputs(path, X_SPEC)


def test_load_inputs_symbolic_dim_must_agree_across_inputs():
    specs = [{"name": "a", "dtype": "float32", "shape": ["n", 2]}, {"name": "b", "dtype": "float32", "shape": ["n"]}]
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.npz"
        np.savez(path, a=np.zeros((3, 2), np.float32), b=np.zeros(4, np.float32))
        with pytest.raises(WebedgeError, match=r"dimension 'n' is 3 in input 'a' but 4 in input 'b'"):
            load_inputs(path, specs)


def test_huge_dims_are_refused_before_anything_is_allocated():
    # --dim batch=10000000 on [batch, 16] float32 is 640 MB of inputs: refused by name and size,
    # not a numpy MemoryError traceback; so is an output too big to bring back from the page.
    with pytest.raises(WebedgeError, match=r"input 'x' of shape \[10000000, 16\] is 640,000,000 bytes"):
        make_inputs(X_SPEC, {"batch": 10_000_000})
    outputs = [{"name": "y", "dtype": "float32", "shape": ["batch", 2048]}]
    with pytest.raises(WebedgeError, match=r"output 'y' would be 1,638,400,000 bytes"):
        check_output_bytes(outputs, {"batch": 200_000})
    check_output_bytes(outputs, {"batch": 4})
    check_output_bytes([{"name": "z", "dtype": "float32", "shape": ["unknown", 2048]}], {"batch": 10**9})


def test_load_inputs_missing_array(tmp_path):
    path = tmp_path / "in.npz"
    np.savez(path, x=good_arrays()["x"], idz=good_arrays()["ids"])
    with pytest.raises(WebedgeError, match=r"has no array for input\(s\) ids \(it has x, idz\)"):
        load_inputs(path, X_SPEC)


def test_load_inputs_wrong_dtype(tmp_path):
    path = tmp_path / "in.npz"
    np.savez(path, **{**good_arrays(), "ids": np.arange(4, dtype=np.int32)})
    with pytest.raises(WebedgeError, match="input 'ids' is int32, the model wants int64"):
        load_inputs(path, X_SPEC)


@pytest.mark.parametrize("shape", [(3, 15), (16,), (1, 3, 16)])
def test_load_inputs_wrong_shape(tmp_path, shape):
    path = tmp_path / "in.npz"
    np.savez(path, **{**good_arrays(), "x": np.ones(shape, np.float32)})
    with pytest.raises(WebedgeError, match=r"input 'x' has shape \[.*\], the model wants \['batch', 16\]"):
        load_inputs(path, X_SPEC)


def test_load_inputs_unreadable_file(tmp_path):
    with pytest.raises(WebedgeError, match="missing.npz: no such file"):
        load_inputs(tmp_path / "missing.npz", X_SPEC)
    (tmp_path / "text.npz").write_text("x = 1\n")
    with pytest.raises(WebedgeError, match=r"text.npz: not an .npz file; write one with numpy.savez"):
        load_inputs(tmp_path / "text.npz", X_SPEC)


@pytest.mark.parametrize("array", [np.zeros(16, np.float32), np.zeros((3, 16), np.float32),
                                   np.zeros((3, 2), np.float32)], ids=["1d", "2d", "2d-pairs"])
def test_load_inputs_plain_npy_is_a_user_error(tmp_path, array):
    # `--inputs x.npy` (np.save instead of np.savez) is an easy mistake; it must be one clear line.
    # Today np.load returns an ndarray and dict(ndarray) raises TypeError (1d) or, for rows of two,
    # builds a dict keyed by numpy floats whose ', '.join in the "no array" message raises TypeError.
    path = tmp_path / "x.npy"
    np.save(path, array)
    with pytest.raises(WebedgeError, match="npz"):
        load_inputs(path, X_SPEC)


def test_cosine_is_not_judged_on_an_output_that_is_zero_at_the_tolerance():
    from webedge.testing.compare import Tolerance, compare_one

    tiny_expected = np.full(100, 1.5e-8, np.float32)
    tiny_actual = np.linspace(0, 3e-8, 100).astype(np.float32)
    check = compare_one("y", tiny_expected, tiny_actual, Tolerance())
    assert check.ok and check.cosine < 0.99
    big = compare_one("y", tiny_expected + 1.0, np.flip(tiny_expected + 1.0) * np.r_[1.0, np.ones(99)], Tolerance())
    assert big.ok
    e = np.linspace(-2e-4, 2e-4, 100)  # above atol, so cosine is judged
    wrong = compare_one("y", e, e - np.sign(e) * 1e-4, Tolerance())
    assert not wrong.ok and "cosine" in wrong.why
