# labkube — the two commands of the README's quick start, and their helpers.
#   make lab    build .venv (first time only) and open JupyterLab on lessons/
#   make test   build .venv (first time only) and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8888

.PHONY: lab test test-fast bench clean system-deps

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

# The widgets draw with graphviz's `dot`/`neato` binaries, a system package.
system-deps:
	@command -v neato >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && apt-get install -y -qq graphviz >/dev/null; \
		else echo "labkube needs graphviz: run 'sudo apt-get install -y graphviz'" >&2; exit 1; fi; }

lab: system-deps $(VENV)/.lab-installed
	$(BIN)/jupyter lab --notebook-dir=lessons --ip=127.0.0.1 --port=$(PORT) --no-browser \
		$(if $(filter 0,$(shell id -u)),--allow-root)

test: system-deps $(VENV)/.test-installed
	$(BIN)/python -m pytest tests -n auto --dist loadfile
	# The lessons, strictly: every stored output must come out again (see README, "Lessons are tests").
	$(BIN)/python -m pytest --nbval lessons --nbval-sanitize-with lessons/sanitize.cfg -p no:randomly -n auto --dist loadfile \
		--nbval-kernel-startup-timeout=300

test-fast: $(VENV)/.test-installed
	$(BIN)/python -m pytest tests -x -q -p no:randomly

bench: $(VENV)/.test-installed
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
