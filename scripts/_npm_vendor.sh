# Shared part of scripts/vendor_axe.sh and scripts/vendor_maplibre.sh (sourced, not run).
#
# npm_package_dir PACKAGE VERSION [UNPACKED_PACKAGE_DIR]
#   Sets NPM_PACKAGE_DIR to the folder of the unpacked npm package PACKAGE@VERSION:
#   UNPACKED_PACKAGE_DIR when given, otherwise `npm pack PACKAGE@VERSION` unpacked in a temporary
#   folder (removed when the calling script exits). Exits 1 when its package.json names another
#   version. Not meant for $(...): the temporary folder would go with the subshell.

npm_package_dir() {
    local package="$1" version="$2" src="${3:-}"
    if [[ -z "$src" ]]; then
        NPM_VENDOR_TMP="$(mktemp -d)"
        trap 'rm -rf "$NPM_VENDOR_TMP"' EXIT
        (cd "$NPM_VENDOR_TMP" && npm pack "${package}@${version}" >/dev/null && tar -xzf ./*.tgz)
        src="$NPM_VENDOR_TMP/package"
    fi
    local found
    found="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' \
        "$src/package.json")"
    if [[ "$found" != "$version" ]]; then
        echo "package in $src is $package $found, expected $version" >&2
        exit 1
    fi
    NPM_PACKAGE_DIR="$src"
}
