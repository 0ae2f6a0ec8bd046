# Opsboard: `make run` to try it, `make test` to check it. See README.md.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Links in emails, and the demo's chat group, point at this server.
export SITE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test bench install lint format messages compilemessages check-services clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed: install python3.11 (or python3)"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo "Could not create $(VENV): on Debian/Ubuntu, apt-get install python3-venv"; exit 1; }

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

check-services: install
	$(BIN)/python scripts/check_services.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install check-services lint
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=opsboard.settings.test
	$(BIN)/pytest

# Benchmarks: seed data at scale in a throwaway PostgreSQL database and print figures.
bench: install check-services
	cd bench && for script in org_pages goal_pages board_pages raci_matrix kpi_dashboard reminders delivery digest; do echo "== $$script"; ../$(BIN)/python $$script.py || exit 1; done

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
