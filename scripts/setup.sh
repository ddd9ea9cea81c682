#!/usr/bin/env bash
# Set-up steps behind `make install` and `make services`, written for a fresh Debian 12 machine with only
# Python: what is missing is installed with apt, what is stopped is started. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
DB_NAME=archive_office
DB_USER=archive_office
DB_PASSWORD=archive_office

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing with apt: ${missing[*]}"
  as_root apt-get update -qq
  # A C.UTF-8 locale makes a newly created PostgreSQL cluster UTF-8, which pg_trgm needs for Chinese.
  as_root env DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8 apt-get install -y -qq "${missing[@]}" >/dev/null
}

install() {
  # gettext compiles translations; the font is embedded in printed PDFs; poppler and zbar check them in tests.
  apt_install gettext fonts-wqy-zenhei poppler-utils zbar-tools
  if [ "${1:-}" = "--with-browser" ]; then apt_install chromium; fi
  # A secret key of this machine's own, kept out of git, so commands run with DEBUG off.
  mkdir -p var
  [ -s var/secret_key ] || "$PYTHON" -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
  chmod 600 var/secret_key
  if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv 2>/dev/null || { apt_install python3-venv; rm -rf .venv; "$PYTHON" -m venv .venv; }
  fi
  local stamp=.venv/.requirements.sha
  local want
  want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    .venv/bin/pip install --quiet --upgrade pip
    .venv/bin/pip install --quiet -r requirements-dev.txt
    echo "$want" > "$stamp"
  fi
}

postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then return 0; fi
  command -v pg_lsclusters >/dev/null 2>&1 || apt_install postgresql
  local cluster
  cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2" "$4}')
  read -r version name status <<<"$cluster"
  if [ "$status" != "online" ]; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start
  fi
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
  local psql=(as_root runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -d postgres)
  "${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'" | grep -q 1 ||
    "${psql[@]}" -c "CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD'"
  "${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'" | grep -q 1 ||
    "${psql[@]}" -c "CREATE DATABASE $DB_NAME OWNER $DB_USER TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
}

redis() {
  if [ -n "${REDIS_URL:-}" ]; then return 0; fi
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
    as_root mkdir -p /var/lib/redis /var/log/redis
    as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/archive.log
    for _ in $(seq 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done
  fi
}

case "${1:-}" in
  install) shift; install "$@" ;;
  services) postgres; redis ;;
  *) echo "usage: $0 install [--with-browser] | services" >&2; exit 2 ;;
esac
