# The README's two commands: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/seabed-twin run lingang-phase1 --out out/demo
	$(BIN)/seabed-twin render out/demo --scene cabin --out out/demo/cabin.png
	$(BIN)/seabed-twin render out/demo --scene site --out out/demo/site.png

# The engine's kernel is compiled by numba on first use and cached beside its sources; a one-hour run compiles it
# once here (about a minute on a cold clone) instead of inside the first test and in each API test worker.
test: $(VENV)/.installed-test
	$(BIN)/lint-imports
	$(BIN)/python -m twin run lingang-ai-liquid --horizon 1h --json > /dev/null
	$(BIN)/python -m pytest -q --durations=25

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/annual.py

clean:
	rm -rf $(VENV) out .pytest_cache
