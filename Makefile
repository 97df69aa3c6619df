# Two targets a newcomer needs: `make run` and `make test`.  Both set up
# everything first (a virtualenv from PyPI, htmx from the npm registry).
VENV ?= .venv
BIN := $(VENV)/bin
HTMX := surveyapp/static/vendor/htmx.min.js
PLUGINS := $(wildcard plugins/*/pyproject.toml)

.PHONY: setup run test lint clean

setup: $(VENV)/.installed $(HTMX)

$(VENV)/.installed: pyproject.toml $(PLUGINS)
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]' $(foreach p,$(PLUGINS),-e $(dir $(p)))
	touch $@

$(HTMX): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p $(dir $(HTMX))
	cp node_modules/htmx.org/dist/htmx.min.js $(HTMX)

run: setup
	$(BIN)/surveyapp demo
	$(BIN)/surveyapp serve

lint: setup
	$(BIN)/ruff check .

test: lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) node_modules $(dir $(HTMX)) instance
