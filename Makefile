# The two commands a newcomer needs, each doing its own set-up:
#   make demo   bundle Magika's pretrained model and run it in headless Chromium
#   make test   run the whole test suite
# `make setup` installs: Debian's browsers (when missing and we are root), a virtualenv with the
# exact Python packages of requirements.lock (hash-checked) plus webedge itself (editable), and
# the npm packages of js/package-lock.json (onnxruntime-web, esbuild).
#
# Maintainers:
#   make lock        re-resolve requirements*.lock to the newest releases, then run the suite
#   make wheel-check build the wheel, install it into a clean virtualenv (not editable) and run
#                    the main job from there (what CI does first)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.webedge-installed
UV     := uv==0.13.8
# uv resolves for the interpreter and platform CI runs; the hashes cover every file of each release.
LOCK_FLAGS := --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 --no-header

.PHONY: setup demo test js clean browsers lock wheel-check

setup: browsers $(STAMP) js/node_modules/.package-lock.json

# The engines `webedge test --browser` drives, from Debian: chromium, firefox-esr, and WebKitGTK's
# WebDriver with xvfb for its display; mesa-vulkan-drivers gives Firefox a software WebGPU adapter.
# Installed when missing and we are root; otherwise one line naming what to install.
BROWSER_PACKAGES := chromium:chromium firefox-esr:firefox-esr WebKitWebDriver:webkit2gtk-driver Xvfb:xvfb
browsers:
	@missing=""; for pair in $(BROWSER_PACKAGES); do cmd=$${pair%%:*}; pkg=$${pair##*:}; \
		command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	[ -e /usr/share/vulkan/icd.d/lvp_icd.x86_64.json ] || [ -e /usr/share/vulkan/icd.d/lvp_icd.aarch64.json ] || \
		missing="$$missing mesa-vulkan-drivers"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing from Debian:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else echo "missing browser packages:$$missing; run 'sudo apt-get install$$missing'" >&2; exit 2; fi

# A changed lock rebuilds the virtualenv from scratch, so nothing unlocked lingers in it.
$(STAMP): pyproject.toml requirements.lock
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -qq --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/pip check
	touch $@

js/node_modules/.package-lock.json: js/package.json js/package-lock.json
	cd js && npm ci --no-audit --no-fund --loglevel=error

demo: setup
	$(BIN)/webedge demo

test: setup
	$(BIN)/python -m pytest -q

lock: $(STAMP)
	$(BIN)/pip install --quiet $(UV)
	$(BIN)/uv pip compile pyproject.toml --extra test --upgrade $(LOCK_FLAGS) -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml -c requirements.lock $(LOCK_FLAGS) -o requirements-runtime.lock
	$(MAKE) test

wheel-check: setup
	bash .ci/wheel_check.sh

# Rebuild webedge/runtime/webedge.mjs from js/src (the built file is committed: bundling needs no Node).
js: js/node_modules/.package-lock.json
	cd js && npm run --silent build

clean:
	rm -rf $(VENV) js/node_modules js/dist webedge-demo webedge-demo-* build dist
