# songform: `make demo` composes a song; `make test` runs the suite. Both set everything up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
DEMO_OUT ?= out/demo
PYTEST_ARGS ?= -n 2

.PHONY: setup demo test lint models clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	touch $(STAMP)

demo: setup
	mkdir -p $(DEMO_OUT)
	$(VENV)/bin/songform plan --style pop --seed 7 --json $(DEMO_OUT)/plan.json
	$(VENV)/bin/songform plan "intro:4 verse:8 chorus:8 verse:8 chorus:8 bridge:8 chorus:8 outro:4" \
		--key "D major" --tempo 100 --seed 7 --json $(DEMO_OUT)/plan-form.json

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .

# Rebuild the planner's learned form and chord models from POP909 (../shared/data/pop909).
models: setup
	$(PY) scripts/build_planner_models.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
