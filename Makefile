# One-stop desk: `make run` serves the demo (APP_ENV=development), `make test` runs the suite, `make check` the
# quick part of it (lint, then every test that starts no server and no browser).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
# gunicorn's rule of thumb, (2 × cores) + 1 sync workers as in docs/deploy.md, at most 9.
CORES := $(shell nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
WORKERS ?= $(shell n=$$((2 * $(CORES) + 1)); [ $$n -gt 9 ] && n=9; echo $$n)
INSTANCE := instance
export PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)
# The demo on this machine: development settings and the key kept in the instance folder.
# (The app runs as production unless APP_ENV says otherwise.)
DEMO_ENV := APP_ENV=development SECRET_KEY="$$(cat $(INSTANCE)/secret_key)"
FLASK := $(DEMO_ENV) $(BIN)/flask --app wsgi

.PHONY: run test check venv dev-deps lock db demo bench bench-tickets bench-printing bench-peak bench-report bench-register bench-centre lint translations clean screenshots

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade --quiet pip

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.runtime

dev-deps: $(VENV)/.dev

# The locks: requirements.txt from requirements.in, requirements-dev.txt from
# requirements-dev.in (held to the runtime lock's versions), every package pinned with its
# hashes. Versions already locked are kept unless an .in file asks for another
# (docs/security.md, "Dependencies").
LOCK := $(BIN)/uv pip compile --quiet --universal --generate-hashes --python-version 3.11
lock: dev-deps
	$(LOCK) requirements.in -o requirements.txt
	$(LOCK) requirements-dev.in -o requirements-dev.txt

$(INSTANCE)/secret_key:
	@mkdir -p $(INSTANCE)
	@$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(48))" > $@
	@chmod 600 $@

db: venv $(INSTANCE)/secret_key
	$(FLASK) init-db --no-input  # the demo's province and agency come with seed-demo
	$(FLASK) seed-demo
	$(FLASK) demo-history --if-empty --agencies 4 --days 28 --dossiers-per-day 200 --tickets-per-day 600

run: db
	@echo ""
	@echo "Bộ phận một cửa đang chạy tại $(PUBLIC_BASE_URL)  (Ctrl+C để dừng)"
	@$(FLASK) demo-info
	@echo ""
	@# The background jobs (ticket printing, notices, export files) run beside gunicorn in one
	@# worker (`flask worker`); Ctrl+C stops both.
	@export $(DEMO_ENV); \
	$(BIN)/flask --app wsgi worker & worker=$$!; \
	trap 'kill -INT $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile - wsgi:app

# The whole suite in two parts: every test spread over one process per core (pytest-xdist),
# then the few that assert a wall-clock bound, alone, so that no other test slows them.
TEST_PROCESSES ?= $(CORES)
test: dev-deps
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) -m "not timing" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m timing $(PYTEST_ARGS) || [ $$? -eq 5 ]

# The edit loop: lint, then the tests not marked slow (gunicorn) or browser (Chromium).
check: dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) -m "not slow and not browser" $(PYTEST_ARGS)

screenshots: dev-deps
	UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest -q -m browser

# Every benchmark: issuance, the Monday-morning peak, five busy years of reports (long).
bench: bench-tickets bench-peak bench-report

# Ticket issuance against the trivial endpoint, in one run (under a minute).
bench-tickets: dev-deps
	$(BIN)/python bench/tickets.py

# The Monday-morning peak and the headroom above it; PEAK_SECONDS=10 for a quick run.
bench-peak: dev-deps
	$(BIN)/python bench/peak.py

bench-printing: dev-deps
	$(BIN)/python bench/printing.py

# Five busy years (1,000,000 dossiers, 3,000,000 tickets) on SQLite and PostgreSQL: long.
bench-report: dev-deps
	$(BIN)/python bench/report_scale.py sqlite
	$(BIN)/python bench/report_scale.py postgresql

# A centre of ten agencies: 1,000,000 dossiers, 50,000 open, walked through their processes;
# in-trays under 100 ms, the year's table and evaluation under 1 s, on SQLite and PostgreSQL.
bench-centre: dev-deps
	$(BIN)/python bench/in_tray_scale.py sqlite
	$(BIN)/python bench/in_tray_scale.py postgresql

# The dossier register of a busy year (50,000 dossiers) as XLSX and PDF: time and peak
# memory of `flask dossiers register`, against 5,000 dossiers (flat memory: close peaks).
bench-register: dev-deps
	$(BIN)/python bench/register_scale.py sqlite

lint: dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

translations: venv
	$(BIN)/pybabel extract -F babel.cfg -k _l --width 100 -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --width 100
	$(BIN)/pybabel compile -d translations
	$(BIN)/pybabel compile -D wtforms -d translations

clean:
	rm -rf $(VENV) .pytest_cache
