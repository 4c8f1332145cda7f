# songform: `make demo` composes a song; `make test` runs the suite. Both set everything up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
SYSTEM_STAMP := $(VENV)/.system-packages
# FluidSynth and General MIDI SoundFonts (MuseScore's General, FluidR3 as the fallback) for
# audio; MuseScore 3 to check MusicXML in tests.
SYSTEM_PACKAGES := fluidsynth libfluidsynth3 musescore-general-soundfont-small \
	musescore-general-soundfont fluid-soundfont-gm musescore3
DEMO_OUT ?= out/demo
PYTEST_ARGS ?= -n 2

.PHONY: setup system-packages demo test lint models bench clean

setup: $(STAMP) $(SYSTEM_STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	touch $(STAMP)

# apt-get as root (CI, fresh machines); elsewhere say what is missing and go on.
$(SYSTEM_STAMP): | $(STAMP)
	@if dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1; then \
		echo "system packages present: $(SYSTEM_PACKAGES)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(SYSTEM_PACKAGES); \
	else \
		echo "warning: install $(SYSTEM_PACKAGES) (apt-get, as root) for audio and MuseScore checks"; \
	fi
	touch $(SYSTEM_STAMP)

system-packages:
	rm -f $(SYSTEM_STAMP)
	$(MAKE) $(SYSTEM_STAMP)

demo: setup
	$(VENV)/bin/songform generate --style pop --seed 7 --takes 4 --out $(DEMO_OUT)
	$(VENV)/bin/songform plan --style pop --seed 7

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .

# Rebuild the planner's learned form and chord models from POP909 (../shared/data/pop909).
models: setup
	$(PY) scripts/build_planner_models.py

bench: setup
	$(PY) bench/render.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
