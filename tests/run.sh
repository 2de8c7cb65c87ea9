#!/usr/bin/env bash
# Set up everything the tests need on a fresh machine, then run them.
#   bash tests/run.sh            all tests
#   bash tests/run.sh -k site    pytest arguments pass through
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

# Browser tests: Debian's Chromium (never a browser download), a CJK font so that screenshots show Chinese,
# and axe-core from npm (pinned in package.json).
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "wqy\|noto sans cjk"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei strace >/dev/null
  else
    echo "tests/run.sh: install Chromium and a CJK font first: sudo apt-get install chromium fonts-wqy-zenhei" >&2
  fi
fi
if command -v npm >/dev/null 2>&1 && [ ! -f node_modules/axe-core/axe.min.js ]; then
  npm install --no-audit --no-fund --silent
fi

# Lint and types first: ruff and mypy with the project's configuration (pyproject.toml).
.venv/bin/ruff check lawreports build_site.py
.venv/bin/mypy

exec .venv/bin/python -m pytest "$@"
