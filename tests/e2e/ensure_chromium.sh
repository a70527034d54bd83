#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the e2e tests (Playwright
# drives it; browsers cannot be downloaded, so never `playwright install`).
# Idempotent and silent when Chromium is already there. Never fails the build: when
# it cannot install, it says why once and the e2e tests skip with the same reason.
set -uo pipefail

CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "[e2e] $CHROMIUM is missing and apt-get is not available: e2e tests will skip" >&2
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "[e2e] $CHROMIUM is missing; run 'apt-get install -y chromium' as root (e2e tests will skip)" >&2
  exit 0
fi

echo "[e2e] installing Debian's chromium (first run only)…"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
# A fresh machine (or a slim image) may have no package lists yet: update when the
# package is unknown or the first attempt fails.
if ! apt-cache show chromium >/dev/null 2>&1 \
  || ! apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >"$log" 2>&1; then
  apt-get update -q >"$log" 2>&1 \
    && apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >>"$log" 2>&1
fi
if [ -x "$CHROMIUM" ]; then
  echo "[e2e] $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed"
else
  echo "[e2e] could not install chromium (last lines of the apt log below); e2e tests will skip" >&2
  tail -n 5 "$log" >&2
fi
rm -f "$log"
exit 0
