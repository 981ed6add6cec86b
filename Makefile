# kybernetes: `make run` starts a single-node cluster; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run test bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

run: install
	$(BIN)/kybernetes server $(ARGS)

# pytest exits 5 when it collected nothing: that fails here as any non-zero exit does.
test: install
	$(BIN)/python -m pytest tests

bench: install
	$(BIN)/python bench/api.py

clean:
	rm -rf $(VENV) build *.egg-info
