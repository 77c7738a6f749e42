# The two commands of the README: `make run` and `make test`. Both install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Where `make run` serves: `make run PORT=8765 HOST=0.0.0.0`.
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint typecheck schema mutants mutants-sample

$(BIN)/gongxue: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

install: $(BIN)/gongxue

# A taken port is refused before the demo loads.
run: install
	$(BIN)/gongxue serve --demo --host $(HOST) --port $(PORT)

lint: install typecheck
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

# mypy --strict over what pyproject.toml's [tool.mypy] names.
typecheck: install
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

schema: install
	$(BIN)/python -m schema.export

# Mutation testing of the rules and the walls (docs/testing.md): about 30 minutes on 2 cores.
mutants: install
	$(BIN)/python -m tests.mutation.run --fail-under 90

# Its first module, about a minute: every mutant of the absence chain must be killed.
mutants-sample: install
	$(BIN)/python -m tests.mutation.run --sample --fail-under 100
