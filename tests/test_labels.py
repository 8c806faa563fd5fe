"""Labels in the bundle: `webedge bundle --labels FILE` or the model's metadata, checked against
the outputs, stored in model.json, `model.labels` in the browser, top-k by name on the generic page."""

from __future__ import annotations

import json

import onnx
import pytest

from models import matmul_model, save
from webedge import labels, pretrained
from webedge.bundle import bundle
from webedge.cli import main
from webedge.errors import WebedgeError
from webedge.serve import BundleServer
from webedge.testing import browser

OUTPUTS = [{"name": "probs", "dtype": "float32", "shape": ["N", 3]},
           {"name": "box", "dtype": "float32", "shape": ["N", 4]}]


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_list_goes_to_the_one_output_it_fits(tmp_path):
    f = write(tmp_path, "l.json", json.dumps(["cat", "dog", "bird"]))
    assert labels.place(labels.read_file(f), OUTPUTS, "x") == {"probs": ["cat", "dog", "bird"]}
    lines = write(tmp_path, "l.txt", "cat\ndog\nbird\n")
    assert labels.place(labels.read_file(lines), OUTPUTS, "x") == {"probs": ["cat", "dog", "bird"]}


@pytest.mark.parametrize("content, phrase", [
    (json.dumps(["a", "b"]), "2 labels fit 0 of the outputs probs, box; name the output"),
    (json.dumps({"nope": ["a", "b", "c"]}), "the model has no output 'nope' (its outputs: probs, box)"),
    (json.dumps({"probs": ["a", "b"]}), "2 labels for output 'probs', whose last dim has 3 classes"),
    (json.dumps(["a", 3, "c"]), "label 1 is not a string"),
    (json.dumps([]), "labels must be a non-empty list of strings"),
    (json.dumps({"0": "a", "2": "b"}), "class indices must run 0..1 without gaps"),
])
def test_labels_that_do_not_fit_are_refused_by_name(tmp_path, content, phrase):
    f = write(tmp_path, "l.json", content)
    with pytest.raises(WebedgeError, match=phrase.replace("(", r"\(").replace(")", r"\)")):
        labels.place(labels.read_file(f), OUTPUTS, "x")


def test_metadata_labels_and_paddleocr_characters():
    model = onnx.ModelProto()
    onnx.helper.set_model_props(model, {"names": json.dumps({"0": "person", "1": "car", "2": "dog"})})
    assert labels.from_metadata(model) == (["person", "car", "dog"], "names")
    ocr = onnx.ModelProto()
    onnx.helper.set_model_props(ocr, {"character": "a\nb\nc\n"})
    assert labels.from_metadata(ocr) == (["blank", "a", "b", "c", " "], "character")


def test_ppocr_rec_gets_its_6625_ctc_labels_from_metadata(tmp_path):
    model = onnx.load(pretrained.fetch("ppocr-rec"), load_external_data=False)
    out = [{"name": "softmax_11.tmp_0", "dtype": "float32", "shape": ["a", "b", 6625]}]
    found = labels.for_bundle(model, out, None)["softmax_11.tmp_0"]
    assert len(found) == 6625 and found[0] == "blank" and found[-1] == " "


def test_bundle_stores_labels_on_one_line_and_a_bad_file_writes_nothing(tmp_path, capsys):
    model = save(matmul_model(16), tmp_path / "m.onnx")  # one output y: [N, 16]
    names = [f"class {i}" for i in range(16)]
    f = write(tmp_path, "labels.json", json.dumps(names))
    report = bundle(model, tmp_path / "site", backend="webedge", labels=f)
    text = (tmp_path / "site" / "model.json").read_text()
    assert json.loads(text)["labels"] == {"y": names}
    assert json.dumps(names) in text  # one line, not one per label
    assert report["labels"] == {"source": "--labels labels.json", "outputs": {"y": 16}}
    assert report["files"]["model.json"]["bytes"] == len(text.encode())
    bad = write(tmp_path, "bad.json", json.dumps(names[:3]))
    assert main(["bundle", str(model), "-o", str(tmp_path / "other"), "--labels", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "3 labels for output 'y', whose last dim has 16 classes" in err, err
    assert not (tmp_path / "other").exists()


def test_the_manifest_schema_refuses_bad_labels_in_python(tmp_path):
    from webedge import manifest

    model = save(matmul_model(16), tmp_path / "m.onnx")
    bundle(model, tmp_path / "site", backend="webedge")
    man = json.loads((tmp_path / "site" / "model.json").read_text())
    with pytest.raises(WebedgeError, match=r"invalid manifest at .labels.y\[0\]"):
        manifest.validate({**man, "labels": {"y": [7]}})


@pytest.mark.browser
def test_model_labels_in_the_browser_and_top_k_on_the_generic_page(tmp_path, magika_model):
    config = json.loads(pretrained.fetch("magika", pretrained.MODELS["magika"].extras[0]).read_text())
    f = write(tmp_path, "labels.json", json.dumps(config["target_labels_space"]))
    bundle(magika_model, tmp_path / "site", backend="webedge", labels=f)
    server = BundleServer(tmp_path / "site").start()
    try:
        with browser.launch(webgpu=False) as chromium:
            page = chromium.new_page()
            page.goto(server.url + "index.html?dim=unk__214:1")
            page.wait_for_function("window.webedgeDemo !== undefined", timeout=120_000)
            got = page.evaluate("""async () => {
              const webedge = await import('/webedge.mjs');
              const m = window.webedgeDemo.model;
              const ranked = webedge.topK(window.webedgeDemo.outputs.target_label, 3, m.labels.target_label);
              let bad = null;
              try { await import('/webedge.mjs').then((w) => w.topK({data: [1, 2], dims: [2]}, 1, ['a'])); }
              catch (e) { bad = e.message; }
              let invalid = null;
              try { webedge.validateManifest({...m.manifest, labels: {target_label: []}}); } catch (e) { invalid = e.message; }
              return {n: m.labels.target_label.length, ranked, bad, invalid};
            }""")
            shown = page.inner_text("#topk")
    finally:
        server.stop()
    assert got["n"] == 214
    best = got["ranked"][0]
    assert len(best) == 3 and best[0]["score"] >= best[1]["score"] >= best[2]["score"]
    assert best[0]["label"] == config["target_labels_space"][best[0]["index"]]
    assert f"{best[0]['label']} " in shown and "Top classes" in shown
    assert got["bad"] == "topK: 1 labels for 2 classes"
    assert got["invalid"] == "model.json: invalid manifest at .labels.target_label: needs at least 1 item(s)"
