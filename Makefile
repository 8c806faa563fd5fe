# The two commands a newcomer needs, each doing its own set-up:
#   make demo   bundle Magika's pretrained model and run it in headless Chromium
#   make test   run the whole test suite
# `make setup` installs: Debian's chromium (when missing and we are root), a virtualenv with
# webedge and its Python dependencies, and the npm packages (onnxruntime-web, esbuild).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.webedge-installed

.PHONY: setup demo test js clean chromium

setup: chromium $(STAMP) js/node_modules/.package-lock.json

chromium:
	@if [ -n "$$WEBEDGE_CHROMIUM" ] || command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "no Chromium: run 'sudo apt-get install chromium' or set WEBEDGE_CHROMIUM=/path/to/chrome" >&2; exit 2; fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

js/node_modules/.package-lock.json: js/package.json js/package-lock.json
	cd js && npm ci --no-audit --no-fund --loglevel=error

demo: setup
	$(BIN)/webedge demo

test: setup
	$(BIN)/python -m pytest -q

# Rebuild webedge/runtime/webedge.mjs from js/src (the built file is committed: bundling needs no Node).
js: js/node_modules/.package-lock.json
	cd js && npm run --silent build

clean:
	rm -rf $(VENV) js/node_modules webedge-demo
