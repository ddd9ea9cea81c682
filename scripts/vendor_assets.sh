#!/usr/bin/env bash
# Copies the pinned front-end packages from the npm registry into static/vendor/.
# The copies are committed: the office network may be closed, so nothing loads from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
npm install --no-audit --no-fund --silent
dest=static/vendor
rm -rf "$dest" && mkdir -p "$dest/bootstrap" "$dest/bootstrap-icons/fonts" "$dest/chartjs"
cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js "$dest/bootstrap/"
cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css "$dest/bootstrap-icons/"
cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff "$dest/bootstrap-icons/fonts/"
cp node_modules/chart.js/dist/chart.umd.min.js "$dest/chartjs/"
# The source maps are not shipped; their references would break collectstatic's manifest.
find "$dest" \( -name '*.js' -o -name '*.css' \) -exec sed -i '/sourceMappingURL=/d' {} +
echo "vendored into $dest"
