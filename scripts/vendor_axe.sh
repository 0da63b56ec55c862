#!/usr/bin/env bash
# Vendor axe-core (the accessibility engine of the browser tests) into tests/api/vendor/axe-core/.
#
# Usage: scripts/vendor_axe.sh [VERSION] [UNPACKED_PACKAGE_DIR]
#   VERSION               npm version of axe-core (default 4.14.1)
#   UNPACKED_PACKAGE_DIR  an already unpacked `npm pack` folder; when absent the script runs
#                         `npm pack axe-core@VERSION` in a temporary folder.
#
# Copies axe.min.js, LICENSE (MPL-2.0) and LICENSE-3RD-PARTY.txt, and writes VERSION. The tests
# inject the file into the page themselves (no CDN, no network in tests); the app never serves it.
set -euo pipefail

VERSION="${1:-4.14.1}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/tests/api/vendor/axe-core"
# shellcheck source=scripts/_npm_vendor.sh
source "$ROOT/scripts/_npm_vendor.sh"
npm_package_dir axe-core "$VERSION" "${2:-}"
SRC="$NPM_PACKAGE_DIR"

mkdir -p "$DEST"
cp "$SRC/axe.min.js" "$DEST/axe.min.js"
cp "$SRC/LICENSE" "$DEST/LICENSE"
cp "$SRC/LICENSE-3RD-PARTY.txt" "$DEST/LICENSE-3RD-PARTY.txt"
echo "$VERSION" > "$DEST/VERSION"
echo "vendored axe-core $VERSION into $DEST"
