#!/usr/bin/env bash
# Makes sure a Chromium is there for the examples and the real-browser tests: CHROME_PATH, or
# Debian's package, installed here when missing (browser downloads are not possible on this kind
# of machine; Debian's chromium is).
set -euo pipefail
if [ -n "${CHROME_PATH:-}" ]; then
  [ -x "$CHROME_PATH" ] && exit 0
  echo "CHROME_PATH=$CHROME_PATH is not an executable file" >&2; exit 1
fi
for c in chromium chromium-browser google-chrome google-chrome-stable; do
  command -v "$c" >/dev/null 2>&1 && exit 0
done
echo "Chromium not found: installing Debian's chromium (apt-get install -y chromium)..." >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "not root and no sudo: install it yourself (apt-get install -y chromium) or set CHROME_PATH" >&2; exit 1
  fi
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null 2>&1
