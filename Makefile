# Two commands: `make run` serves the app, `make test` runs the whole suite.
# `make serve` serves it with waitress instead of Flask's server (python -m tracker.serve).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app app
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard tracker/translations/*/LC_MESSAGES/messages.po))

.PHONY: run serve test lint translations extract-messages clean bench-load

$(BIN)/python:
	@echo "Đang tạo môi trường Python riêng ($(VENV))…"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "Đang cài đặt thư viện (lần đầu mất khoảng 1 phút)…"
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml $(VENV)/.installed
	@echo "Đang cài đặt công cụ kiểm thử…"
	$(BIN)/pip install -q -e '.[test]'
	touch $@

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile -f -i $< -o $@

translations: $(CATALOGUES)

run: $(VENV)/.installed translations
	@echo "Đang cập nhật cơ sở dữ liệu…"
	$(FLASK) db upgrade
	@echo "Mở http://$(HOST):$(PORT) trong trình duyệt (Ctrl+C để dừng)"
	$(FLASK) run --host $(HOST) --port $(PORT)

serve: $(VENV)/.installed
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python -m tracker.serve

test: $(VENV)/.test-installed translations
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.test-installed
	$(BIN)/ruff check tracker tests app.py
	$(BIN)/ruff format --check tracker tests app.py

# Re-extract the English message ids from code and templates into the catalogues.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o tracker/translations/messages.pot .
	$(BIN)/pybabel update -N --no-wrap --ignore-obsolete -i tracker/translations/messages.pot -d tracker/translations

clean:
	rm -rf $(VENV)

# Load benchmark (not part of `make test`): 20 users, 2 minutes, SQLite then PostgreSQL.
bench-load: $(VENV)/.installed translations
	bench/load.sh
