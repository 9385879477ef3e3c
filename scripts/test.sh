#!/usr/bin/env bash
# The whole test suite on a fresh machine, as the README's second command and CI (.ci/run) run
# it: the system packages the tests drive (scripts/install-test-deps.sh), a virtual environment
# with briefgen and its test extra (Debian and Ubuntu refuse a bare `pip install`: PEP 668),
# then ruff, mypy, deptry (every import declared), the documentation site (mkdocs build
# --strict: a broken link or anchor fails) and pytest. Arguments go to pytest
# (`bash scripts/test.sh -x -q tests/test_cli.py`).
# The environment is .venv (or $BRIEFGEN_TEST_VENV), reused when it is there.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
venv=${BRIEFGEN_TEST_VENV:-.venv}
if [ ! -x "$venv/bin/python" ] && ! python3 -m venv "$venv" >/dev/null 2>&1; then
  # Debian and Ubuntu ship venv's pip apart from Python (python3-venv): install it if we may.
  rm -rf "$venv"
  sudo=""
  if [ "$(id -u)" -ne 0 ] && sudo -n true 2>/dev/null; then sudo="sudo -n"; fi
  if command -v apt-get >/dev/null && { [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; }; then
    echo "test: python3 -m venv needs python3-venv; installing it" >&2
    $sudo env LC_ALL=C apt-get -qq -o DPkg::Lock::Timeout=600 update >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
      --no-install-recommends python3-venv >/dev/null
  fi
  python3 -m venv "$venv" || {
    echo "test: cannot create a virtual environment: install python3-venv (Debian, Ubuntu)" >&2
    exit 1
  }
fi
"$venv/bin/python" -m pip install -q -e ".[test]"
export PATH="$PWD/$venv/bin:$PATH" NO_MKDOCS_2_WARNING=1
site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
python -m ruff check .
python -m mypy
# Every import declared in pyproject.toml ([tool.deptry]): briefgen, benchmarks and scripts
# (no test tool among them), then tests/ (test tools allowed; nothing taken from another package)
python -m deptry . --extend-exclude "$venv/"
python -m deptry . --exclude '(\.venv|venv|\.git|briefgen|benchmarks|scripts|docs|examples)/' \
  --exclude "$venv/" --ignore DEP002,DEP004
python -m mkdocs build --strict --site-dir "$site"
python -m pytest "$@"
