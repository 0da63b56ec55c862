#!/usr/bin/env bash
# Debian packages the test suite needs beyond Python wheels: Pango for WeasyPrint's PDF reports,
# Chromium for the real-browser test of the map page (Playwright drives /usr/bin/chromium),
# PostgreSQL for the register tests (tests/conftest.py starts a throw-away cluster with initdb
# and pg_ctl as the `postgres` system user the package creates; the package's own cluster is
# not used).
# Installs only what is missing; does nothing when everything is present. Needs root (as on
# the project's machines and CI) when something must be installed.
set -euo pipefail
need=()
ldconfig -p | grep -q 'libpango-1.0.so' || need+=(libpango-1.0-0)
ldconfig -p | grep -q 'libpangoft2-1.0.so' || need+=(libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
[ -x /usr/bin/chromium ] || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]}; install them with: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}"
