# Two commands do everything on a fresh Debian machine: `make run` and `make test`.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
PYTEST_ARGS ?=

# Pango and HarfBuzz for WeasyPrint, fonts (Noto CJK for Japanese, Chinese and
# Korean letters), Chromium for the browser tests, poppler for PDF checks, gettext
# (msgfmt) for compilemessages.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig \
	fonts-dejavu-core fonts-liberation2 fonts-noto-cjk chromium poppler-utils gettext

.PHONY: run test install system-deps lint format worker clean

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py runserver $(HOST)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

install: system-deps $(VENV)/.installed

system-deps:
	@missing=""; \
	for pkg in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; \
	done; \
	$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing system packages:$$missing"; \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
		else \
			echo "Missing system packages. Install them with:"; \
			echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends$$missing"; \
			exit 1; \
		fi; \
	fi

$(VENV)/.installed: requirements.txt build-constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	PIP_CONSTRAINT=build-constraints.txt $(PY) -m pip install -q -r requirements.txt
	touch $@

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m mypy letters recipients

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# A background-task worker, for TASKS_BACKEND=django_tasks_db.DatabaseBackend.
worker: install
	$(PY) manage.py db_worker

clean:
	rm -rf $(VENV) static-collected screenshots
