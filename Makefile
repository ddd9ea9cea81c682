# The one entry point. `make run` serves the system with demo data; `make test` runs every test.
# With DATABASE_URL / REDIS_URL unset, a local PostgreSQL and Redis are installed, started and prepared.
PY := .venv/bin/python
MANAGE := $(PY) manage.py

.PHONY: install services migrate run test lint format bench worker messages vendor

install:
	bash scripts/setup.sh install

services:
	bash scripts/setup.sh services

migrate: install services
	DEBUG=1 $(MANAGE) compilemessages --ignore=.venv -v 0
	DEBUG=1 $(MANAGE) migrate --noinput
	DEBUG=1 $(MANAGE) check --database default

run: migrate
	DEBUG=1 $(MANAGE) seed_demo
	bash scripts/run.sh

test:
	bash scripts/setup.sh install --with-browser
	bash scripts/setup.sh services
	DEBUG=1 $(MANAGE) compilemessages --ignore=.venv -v 0
	TESTING=1 .venv/bin/pytest

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: install
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

bench: migrate
	.venv/bin/pip install --quiet -r bench/requirements.txt
	@for bench in bench/bench_*.py; do echo "== $$bench"; TESTING=1 $(PY) $$bench || exit 1; done

worker: migrate
	.venv/bin/celery -A archive_office worker --loglevel=info

messages: install
	DEBUG=1 $(MANAGE) makemessages -l zh_Hans --ignore=.venv --ignore=node_modules --ignore=bench --no-obsolete

vendor:
	bash scripts/vendor_assets.sh
