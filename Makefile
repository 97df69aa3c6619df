# Two targets a newcomer needs: `make run` and `make test`.  Both set up
# everything first (a virtualenv from PyPI, npm's packages for the tests);
# `make test` also installs Debian's Chromium for the browser tests.
# htmx is kept in the repository (surveyapp/static/vendor), so every way of
# installing surveyapp ships it; tests/test_vendored.py checks it byte for
# byte against the copy npm installs from the lock file, and `make vendor`
# refreshes it after package.json pins a new version.
VENV ?= .venv
BIN := $(VENV)/bin
HTMX := surveyapp/static/vendor/htmx.min.js
# npm ci's own stamp: also brings axe-core for the browser tests' accessibility scan.
NODE := node_modules/.package-lock.json
PLUGINS := $(wildcard plugins/*/pyproject.toml)
# Browser tests drive Debian's Chromium, never a browser a tool downloads;
# the CJK font makes Chinese legible in their screenshots.
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup run test lint clean vendor

setup: $(VENV)/.installed $(NODE)

$(VENV)/.installed: pyproject.toml $(PLUGINS)
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]' $(foreach p,$(PLUGINS),-e $(dir $(p)))
	touch $@

$(NODE): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

vendor: $(NODE)
	cp node_modules/htmx.org/dist/htmx.min.js $(HTMX)

run: setup
	$(BIN)/surveyapp demo
	$(BIN)/surveyapp serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

$(CHROMIUM) $(CJK_FONT):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk

test: lint $(CHROMIUM) $(CJK_FONT)
	$(BIN)/pytest

clean:
	rm -rf $(VENV) node_modules instance
