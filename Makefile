# Autoencoder Explorer: `make run` starts the app, `make test` runs every test (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATASET_DIR ?= /usr/share/datasets/fashion-mnist
# A local wheelhouse (.whl/, git-ignored) is used when present, for offline installs.
PIP_FIND_LINKS := $(if $(wildcard .whl/*),--find-links .whl,)

.DEFAULT_GOAL := help
.PHONY: help venv data bytecode run test bench train lint clean

help:
	@echo "make run    set up (venv + dataset) and start the app on the shipped weights"
	@echo "make test   set up and run every test, then ruff"
	@echo "make train  retrain all models (full preset)    make bench  run the benchmarks"
	@echo "make lint   ruff check                          make clean  remove caches and test output"

venv: $(STAMP)

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q $(PIP_FIND_LINKS) -r requirements.txt
	@touch $@

# Never fails: without the Debian package the app runs on the shipped sample (weights/sample.npz).
data:
	@if [ -d "$(DATASET_DIR)" ]; then \
		echo "Fashion-MNIST: $(DATASET_DIR)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing dataset-fashion-mnist with apt-get ..."; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y dataset-fashion-mnist >/dev/null 2>&1 \
		|| { apt-get update >/dev/null 2>&1 \
		     && DEBIAN_FRONTEND=noninteractive apt-get install -y dataset-fashion-mnist >/dev/null 2>&1; } \
		|| echo "note: could not install dataset-fashion-mnist; the app will run on the shipped sample."; \
	else \
		echo "note: $(DATASET_DIR) not found; the app will run on the shipped sample" \
		     "(install it with: sudo apt-get install dataset-fashion-mnist)."; \
	fi

# The app's own modules compiled ahead (pip does the same for installed packages): the first
# start after a clone or an edit does not compile ~100 modules while a visitor waits. Only
# changed files are recompiled; harmless where PYTHONDONTWRITEBYTECODE is set.
bytecode: venv
	@$(BIN)/python -m compileall -q app.py aecore ui views >/dev/null

# ui/serve.py: `streamlit run app.py` (same config) plus a warm-up once the server answers.
run: venv data bytecode
	$(BIN)/python -m ui.serve

test: venv data
	$(BIN)/python -m pytest -q tests
	$(BIN)/ruff check .

bench: venv bytecode
	$(BIN)/python -m bench

train: venv data
	$(BIN)/python -m aecore.train --model all --preset full

lint: venv
	$(BIN)/ruff check .

clean:
	rm -rf .pytest_cache .ruff_cache test-output
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
