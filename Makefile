# The README's two commands are `make demo` and `make test`; both set up .venv/ themselves.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint setup clean bench docs

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/system-deps.sh
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "needs $(PYTHON) (Python 3.11)"; exit 1; }
	bash scripts/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/techbridge demo

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/codespell src tests docs bench README.md CHANGELOG.md
	$(BIN)/lint-imports

# Every benchmark at sizes that fit a laptop (1M records: bench/speed.py all); figures go to
# standard output with the commands that reproduce them, see docs/benchmarks.md.
bench: $(STAMP)
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/ceiling.py --learned
	$(BIN)/python bench/speed.py all --sizes 10000,100000
	$(BIN)/python bench/assignment.py
	$(BIN)/python bench/consortia.py
	$(BIN)/python bench/clusters.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/mixed.py
	$(BIN)/python bench/import_latency.py
	$(BIN)/python bench/import_latency.py --inline

clean:
	rm -rf $(VENV) techbridge.db techbridge.index demo-out

docs: $(STAMP)
	$(BIN)/python -m typer techbridge.cli.app utils docs --name techbridge --output docs/cli.md
