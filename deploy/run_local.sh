#!/usr/bin/env bash
# Two (or --replicas N) `streamlit run` replicas on loopback behind Debian's nginx with the
# sticky-session configuration of deploy/nginx/; Ctrl-C stops them all. See deploy/local.py.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python; [ -x "$PY" ] || PY=python3
exec "$PY" -m deploy.local "$@"
