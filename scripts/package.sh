#!/usr/bin/env bash
# `make package`: what is handed to offices, in target/packages/.
#   azukari_VERSION_amd64.deb        the desktop app (desktop entry, icons) and the `azukari` CLI
#   azukari-VERSION-windows-x64.zip  azukari-desktop.exe, azukari.exe and a README (CRLF)
# Each is built once, in release, from the same sources `make test` tests.
set -euo pipefail
cd "$(dirname "$0")/.."
# Whatever the caller's umask, the package's folders are 0755 and its files 0644 or 0755.
umask 022

WINDOWS=x86_64-pc-windows-gnu
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
out=target/packages
mkdir -p "$out"

# Linux: both binaries in one build (one feature resolution, so shared crates compile once),
# the desktop's pages served from the binary as an installed app serves them.
cargo build --release --locked -p azukari-cli -p azukari-desktop --features azukari-desktop/custom-protocol

# The .deb, laid out by hand and built by dpkg-deb: Tauri's bundler would do the same, but its
# CLI comes from npm as per-platform packages that a mirror may lack, and it adds nothing here.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/azukari_${version}_amd64"
# The release profile keeps line tables for profiling; what is shipped does without them.
for binary in azukari azukari-desktop; do
  install -D -m 0755 "target/release/$binary" "$root/usr/bin/$binary"
  strip --strip-debug "$root/usr/bin/$binary"
done
install -D -m 0644 packaging/linux/azukari.desktop "$root/usr/share/applications/azukari.desktop"
for size in 32 128 512; do
  icon=src-tauri/icons/${size}x${size}.png
  [ "$size" = 512 ] && icon=src-tauri/icons/icon.png
  install -D -m 0644 "$icon" "$root/usr/share/icons/hicolor/${size}x${size}/apps/azukari.png"
done
install -D -m 0644 packaging/linux/copyright "$root/usr/share/doc/azukari/copyright"
install -D -m 0644 packaging/linux/azukari-serve.service "$root/usr/share/doc/azukari/examples/azukari-serve.service"
mkdir -p "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" packaging/linux/control >"$root/DEBIAN/control"
(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out/azukari_${version}_amd64.deb" >/dev/null

# Windows: cross-compiled with mingw-w64. Tauri's bundler cannot make an installer here: its
# NSIS and WiX steps download their tools and plugins at build time (see README).
# Without debug info: nothing profiles these here, and it halves the link.
CARGO_PROFILE_RELEASE_DEBUG=false \
  cargo build --release --locked --target "$WINDOWS" -p azukari-cli -p azukari-desktop --features azukari-desktop/custom-protocol
folder="$stage/Azukari-$version"
mkdir -p "$folder"
# WebView2Loader.dll: the GNU build of the webview links the loader dynamically, so it ships
# beside the app (the package test fails on any imported DLL that is neither Windows' nor here).
cp "target/$WINDOWS/release/azukari.exe" "target/$WINDOWS/release/azukari-desktop.exe" \
  "target/$WINDOWS/release/WebView2Loader.dll" "$folder/"
x86_64-w64-mingw32-strip "$folder/azukari.exe" "$folder/azukari-desktop.exe"
# Notepad and Explorer's preview read CRLF; the text is UTF-8 with a BOM so that they read it as such.
{ printf '\xEF\xBB\xBF'; sed "s/@VERSION@/$version/g" packaging/windows/README.txt | sed 's/$/\r/'; } >"$folder/README.txt"
zip_file="$PWD/$out/azukari-$version-windows-x64.zip"
rm -f "$zip_file"
(cd "$stage" && zip -q -r -X "$zip_file" "Azukari-$version")

ls -l "$out"
