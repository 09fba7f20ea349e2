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
bash "$(dirname "$0")/apt-install.sh" chromium
command -v chromium >/dev/null 2>&1
