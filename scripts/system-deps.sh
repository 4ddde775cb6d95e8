#!/usr/bin/env bash
# Debian packages techbridge needs beyond Python: Korean fonts for PDF reports (fonts-nanum),
# poppler-utils (pdftoppm) to turn report pages into images in tests, and chromium for the browser
# tests; libharfbuzz-subset0 lets weasyprint subset fonts. Installs only what is missing (root or sudo).
set -euo pipefail
packages=(fonts-nanum poppler-utils chromium libharfbuzz-subset0)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: please install ${missing[*]} (no apt-get here)" >&2
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "system-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
