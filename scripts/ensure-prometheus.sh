#!/usr/bin/env bash
# Makes sure a Prometheus server is there for the metrics test (a real one scrapes the command line):
# PROMETHEUS_PATH, or Debian's package, installed here when missing.
set -euo pipefail
if [ -n "${PROMETHEUS_PATH:-}" ]; then
  [ -x "$PROMETHEUS_PATH" ] && exit 0
  echo "PROMETHEUS_PATH=$PROMETHEUS_PATH is not an executable file" >&2; exit 1
fi
command -v prometheus >/dev/null 2>&1 && exit 0
echo "Prometheus not found: installing Debian's prometheus (apt-get install -y prometheus)..." >&2
# The package starts its own service where an init system runs one; the test starts its own server.
bash "$(dirname "$0")/apt-install.sh" prometheus
command -v prometheus >/dev/null 2>&1
