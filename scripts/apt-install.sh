#!/usr/bin/env bash
# Installs Debian packages (`apt-get install -y PACKAGE...`), as root or through sudo: what the
# ensure-*.sh scripts run when a tool the tests or the demo need is missing on this kind of machine.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "not root and no sudo: install it yourself (apt-get install -y $*)" >&2; exit 1
  fi
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
