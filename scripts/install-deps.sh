#!/usr/bin/env bash
# Installs what building, running and testing Azukari needs on Debian/Ubuntu, skipping what is
# there already. Safe to run again; `make run` and `make test` call it first.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev build-essential pkg-config
  xvfb webkit2gtk-driver dbus-x11 dunst imagemagick poppler-utils qpdf zbar-tools fonts-noto-cjk
  fonts-ipaexfont-gothic curl libreoffice-calc-nogui
  mingw-w64 zip unzip file desktop-file-utils x11-utils
  dbus-daemon gnome-keyring libsecret-tools
  postgresql iproute2 xdotool)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# Node may come from elsewhere (NodeSource bundles npm); Debian's npm would conflict with it.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "Node.js 20.19 or newer is needed for the UI build (found $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "Rust is missing: install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi
rustup component add rustfmt clippy >/dev/null 2>&1 || true
# Windows builds: every check cross-compiles for it with mingw-w64 (installed above).
rustup target list --installed 2>/dev/null | grep -qx x86_64-pc-windows-gnu ||
  rustup target add x86_64-pc-windows-gnu >/dev/null

if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  cargo install tauri-driver --locked --quiet
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
