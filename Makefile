# Opsboard: `make run` to try it, `make test` to check it. See README.md.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Links in emails, and the demo's chat group, point at this server.
export SITE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test test-moments bench bench-http install lint format messages compilemessages clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed: install python3.11 (or python3)"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo "Could not create $(VENV): on Debian/Ubuntu, apt-get install python3-venv"; exit 1; }

# The dev extras too: the test tools, and honcho for `make run`.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "  Opsboard: http://127.0.0.1:$(PORT)/  (web, Celery worker and beat start below; Ctrl-C stops all)"
	@echo "  Sign in as manager@demo.opsboard.test with the password opsboard-demo."
	@echo "  Emails (var/mail/, unless EMAIL_URL is set) and chat posts: http://127.0.0.1:$(PORT)/dev/outbox/"
	@echo
	PORT=$(PORT) $(BIN)/honcho --procfile Procfile.dev start

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# PostgreSQL and Redis: the ones at DATABASE_URL / CELERY_BROKER_URL, else private ones
# under var/ for the run (tests/services.py). PYTEST_ARGS narrows the run.
test: install lint
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=opsboard.settings.test
	$(BIN)/python -m tests.services $(BIN)/pytest $(PYTEST_ARGS)

# The date-sensitive tests again at each awkward moment of tests/clock.py.
MOMENTS ?= first-of-month monday-0030-shanghai new-years-eve leap-day
DATE_TESTS ?= tests --ignore=tests/e2e -p no:cacheprovider -q
test-moments: install
	@for moment in $(MOMENTS); do echo "== tests at $$moment"; OPSBOARD_TEST_NOW=$$moment $(BIN)/python -m tests.services $(BIN)/pytest $(DATE_TESTS) || exit 1; done

# Benchmarks: seed data at scale in a throwaway PostgreSQL database and print figures.
bench: install
	$(BIN)/python -m tests.services sh -c 'cd bench && for script in org_pages goal_pages board_pages card_move raci_matrix kpi_dashboard cards_api my_work search board_flow forecast response_clocks request_kpis reminders delivery digest; do echo "== $$script"; ../$(BIN)/python $$script.py || exit 1; done'

# The board over HTTP: gunicorn (3 workers, production settings) against the references in
# bench/references.py, then the standup storm (about 15 minutes in all; wrk if installed).
bench-http: install
	$(BIN)/python -m tests.services sh -c 'cd bench && ../$(BIN)/python board_http.py && ../$(BIN)/python standup_storm.py'

# Translations: extract strings into locale/*/LC_MESSAGES/django.po (needs
# Debian's gettext), then compile. The compiled .mo files are committed so
# `make run` needs no gettext.
messages: install
	$(BIN)/python manage.py makemessages --locale zh_Hans --no-obsolete --extension html,txt,py,md --ignore ".venv/*" --ignore "static/vendor/*" --ignore "staticfiles/*" --ignore "tests/*"
	$(MAKE) compilemessages

compilemessages: install
	$(BIN)/python manage.py compilemessages --locale zh_Hans --ignore ".venv/*"

clean:
	rm -rf var/ staticfiles/ .pytest_cache/ .ruff_cache/
