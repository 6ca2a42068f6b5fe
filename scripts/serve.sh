#!/usr/bin/env bash
# Production-like run on this machine: gunicorn + whitenoise, DEBUG off, plain HTTP on
# 127.0.0.1 (HTTPS_ONLY=0: a real deployment sits behind TLS and keeps HTTPS_ONLY on).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
mkdir -p var
if [ -z "${SECRET_KEY:-}" ]; then
  if [ ! -s var/secret_key ]; then
    (umask 077; .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key)
  fi
  SECRET_KEY="$(cat var/secret_key)"
fi
export SECRET_KEY DEBUG=0 HTTPS_ONLY="${HTTPS_ONLY:-0}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
# One cache for all gunicorn workers, so that each API token's rate holds across them.
export CACHE_DIR="${CACHE_DIR:-var/cache}"
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput --verbosity 0
.venv/bin/python manage.py import_seeds
.venv/bin/python manage.py bootstrap_admin
exec .venv/bin/gunicorn tracker.wsgi:application \
  --bind "127.0.0.1:${PORT}" --workers "${WORKERS:-2}" --threads "${THREADS:-4}" \
  --access-logfile - --error-logfile - --forwarded-allow-ips "127.0.0.1"
