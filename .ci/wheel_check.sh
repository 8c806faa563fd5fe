#!/usr/bin/env bash
# What a user installs is what CI tests: build the wheel, install it (not editable) into a clean
# virtualenv whose dependencies come from requirements-runtime.lock, and do the main job from a
# folder outside the checkout: fetch a real model (Magika, from its PyPI package), bundle it with
# the webedge runtime and with onnxruntime-web, and `webedge test` each in headless Chromium (the
# webedge one in Firefox too, which installs the pinned puppeteer-core as a user's first run does),
# then build and check a demo app from the wheel's own copy of demos/.
# A fresh webedge cache (WEBEDGE_CACHE) makes it download what a first-time user downloads.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$repo"
.venv/bin/pip wheel --quiet --no-deps --no-build-isolation --wheel-dir "$work/dist" .
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -qq --require-hashes -r requirements-runtime.lock
"$work/venv/bin/pip" install -qq --no-deps "$work"/dist/webedge-*.whl
"$work/venv/bin/pip" check
cd "$work"
export WEBEDGE_CACHE="$work/cache"
we="$work/venv/bin/webedge"
"$work/venv/bin/python" - <<'PY'
import webedge, pathlib, sys
where = pathlib.Path(webedge.__file__).resolve()
assert "site-packages" in where.parts, f"webedge imported from {where}, not from the installed wheel"
print(f"webedge {webedge.__version__} from {where.parent}")
PY
model=$("$work/venv/bin/python" -c "from webedge import pretrained; print(pretrained.fetch('magika'))")
"$we" bundle "$model" -o site-webedge --backend webedge
"$we" test site-webedge --model "$model" --dim unk__214=2
"$we" test site-webedge --model "$model" --dim unk__214=2 --browser firefox   # puppeteer-core from npm, first use
"$we" bundle "$model" -o site-ort --backend ort
"$we" test site-ort --model "$model" --dim unk__214=2
"$we" demo --list
"$we" demo magika -o demo-magika   # the demo apps ship inside the wheel (webedge.demos)
echo "wheel check: PASS"
