#!/usr/bin/env bash
# Vendor MapLibre GL JS into wijkreno/maps/static/maplibre-gl/ (inlined into the offline HTML map).
#
# Usage: scripts/vendor_maplibre.sh [VERSION] [UNPACKED_PACKAGE_DIR]
#   VERSION               npm version of maplibre-gl (default 5.24.1)
#   UNPACKED_PACKAGE_DIR  an already unpacked `npm pack` folder (holding dist/); when absent the
#                         script runs `npm pack maplibre-gl@VERSION` in a temporary folder.
#
# Copies dist/maplibre-gl.js (without its sourceMappingURL comment: the .map is not shipped),
# dist/maplibre-gl.css and LICENSE.txt (BSD-3-Clause), and writes VERSION.
set -euo pipefail

VERSION="${1:-5.24.1}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/wijkreno/maps/static/maplibre-gl"
# shellcheck source=scripts/_npm_vendor.sh
source "$ROOT/scripts/_npm_vendor.sh"
npm_package_dir maplibre-gl "$VERSION" "${2:-}"
SRC="$NPM_PACKAGE_DIR"

mkdir -p "$DEST"
sed '/^\/\/# sourceMappingURL=/d' "$SRC/dist/maplibre-gl.js" > "$DEST/maplibre-gl.js"
cp "$SRC/dist/maplibre-gl.css" "$DEST/maplibre-gl.css"
cp "$SRC/LICENSE.txt" "$DEST/LICENSE.txt"
echo "$VERSION" > "$DEST/VERSION"
echo "vendored maplibre-gl $VERSION into $DEST"
