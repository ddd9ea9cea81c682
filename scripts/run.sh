#!/usr/bin/env bash
# Serves the web application and a Celery worker (with the beat scheduler) together; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBUG=${DEBUG:-0}
PORT=${PORT:-8000}

.venv/bin/python manage.py collectstatic --noinput -v 0

pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop INT TERM EXIT

.venv/bin/celery -A archive_office worker --beat --loglevel=info --concurrency=2 \
  --schedule=var/celerybeat-schedule &
pids+=($!)
.venv/bin/gunicorn archive_office.wsgi --bind "127.0.0.1:$PORT" --workers 2 --threads 4 \
  --access-logfile - --timeout 120 &
pids+=($!)

echo "Archive Imaging is serving at http://127.0.0.1:$PORT/ (Ctrl-C stops the web server and the worker)"
wait -n "${pids[@]}"
