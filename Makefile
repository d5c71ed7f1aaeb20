# The two commands of the README. Each creates .venv if it is missing (or stale).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test lint bench play demo clean

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e ".[test,ui]"
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/wargame run --scenario baseline --seed 1

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest -n 2

play: $(STAMP)
	$(VENV)/bin/wargame play

demo: $(STAMP)
	$(VENV)/bin/wargame play --demo --facilitator

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/bench_game.py
	SDL_VIDEODRIVER=dummy $(VENV)/bin/python benchmarks/ui_frame.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
