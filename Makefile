# labkube — the two commands of the README's quick start, and their helpers.
#   make lab    build .venv (first time only) and open JupyterLab on lessons/
#   make test   build .venv (first time only) and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8888

.PHONY: lab test test-fast bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install whenever pyproject.toml changes.
$(VENV)/.test-installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.lab-installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[lab,test]'
	touch $@

lab: $(VENV)/.lab-installed
	$(BIN)/jupyter lab --notebook-dir=lessons --ip=127.0.0.1 --port=$(PORT) --no-browser

test: $(VENV)/.test-installed
	$(BIN)/python -m pytest tests
	# The lessons, strictly: every stored output must come out again (see README, "Lessons are tests").
	$(BIN)/python -m pytest --nbval lessons --nbval-sanitize-with lessons/sanitize.cfg -p no:randomly

test-fast: $(VENV)/.test-installed
	$(BIN)/python -m pytest tests -x -q -p no:randomly

bench: $(VENV)/.test-installed
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
