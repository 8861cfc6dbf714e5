#!/usr/bin/env bash
# The packages of `make package`, tried as a user gets them: the .deb installed with dpkg, its
# CLI run, its desktop app started under Xvfb and seen, then removed leaving nothing; the Windows
# zip unpacked, its executables checked for what Windows will make of them. Run as root (CI) or
# with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
deb="target/packages/azukari_${version}_amd64.deb"
zip="target/packages/azukari-$version-windows-x64.zip"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
fail() { echo "test-package: $*" >&2; exit 1; }
work=$(mktemp -d)
installed_here=""
cleanup() {
  # Only what this test installed is removed: an azukari installed before it is left alone.
  if [ -n "$installed_here" ] && dpkg -s azukari >/dev/null 2>&1; then
    $sudo dpkg -r azukari >/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== the .deb"
[ -f "$deb" ] || fail "$deb is missing: run make package"
listing=$(dpkg-deb -c "$deb")
for path in usr/bin/azukari usr/bin/azukari-desktop usr/share/applications/azukari.desktop \
  usr/share/icons/hicolor/128x128/apps/azukari.png usr/share/doc/azukari/copyright; do
  grep -Eq " (\./)?$path\$" <<<"$listing" || fail "$deb lacks /$path"
done
depends=$(dpkg-deb -f "$deb" Depends)
grep -q "libwebkit2gtk-4.1-0" <<<"$depends" || fail "Depends lacks WebKitGTK: $depends"
[ "$(dpkg-deb -f "$deb" Package)" = azukari ] || fail "the package is not named azukari"
dpkg -s azukari 2>/dev/null | grep -q '^Status: install ok installed' &&
  fail "azukari is installed already; remove it first (dpkg -r azukari)"

installed_here=yes
$sudo dpkg -i "$deb" >/dev/null
installed=$(dpkg -L azukari)
[ "$(/usr/bin/azukari --version)" = "azukari $version" ] || fail "azukari --version: $(/usr/bin/azukari --version)"
desktop-file-validate /usr/share/applications/azukari.desktop || fail "the desktop entry is not valid"
grep -q '^Exec=azukari-desktop' /usr/share/applications/azukari.desktop || fail "the desktop entry does not start azukari-desktop"
grep -q "^Name\[ja\]=Azukari（預かり）" /usr/share/applications/azukari.desktop || fail "the desktop entry has no Japanese name"

# The installed CLI on a real store, then the installed app on the same store, in a home of
# its own, as a person would start it from the menu.
export HOME="$work/home"
mkdir -p "$HOME"
store="$work/office/azukari.db"
mkdir -p "$(dirname "$store")"
AZUKARI_PASSWORD='correct horse battery' /usr/bin/azukari --store "$store" init --org 株式会社サンプル --admin admin >/dev/null
AZUKARI_USER=admin AZUKARI_PASSWORD='correct horse battery' /usr/bin/azukari --store "$store" verify >/dev/null

# The installed CLI as an office server on loopback, and as its client.
[ -f /usr/share/doc/azukari/examples/azukari-serve.service ] || fail "the example systemd unit is missing"
/usr/bin/azukari --store "$store" serve --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.log" &
server=$!
for _ in $(seq 50); do grep -q '^serving on ' "$work/serve.out" && break; sleep 0.1; done
url=$(sed -n 's/^serving on //p' "$work/serve.out")
[ -n "$url" ] || { kill "$server"; fail "the installed server did not start: $(cat "$work/serve.log")"; }
orgs=$(AZUKARI_USER=admin AZUKARI_PASSWORD='correct horse battery' /usr/bin/azukari --server "$url" org list) ||
  { kill "$server"; fail "the installed CLI could not use the installed server"; }
kill "$server"; wait "$server" 2>/dev/null || true
grep -q '株式会社サンプル' <<<"$orgs" || fail "the server answered: $orgs"

shot="target/packages/installed-app.png"
xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  set -euo pipefail
  /usr/bin/azukari-desktop --store "$1" >"$3/app.log" 2>&1 &
  app=$!
  for _ in $(seq 60); do
    xwininfo -root -tree 2>/dev/null | grep -q "\"Azukari\"" && break
    kill -0 "$app" 2>/dev/null || { echo "the installed app exited:" >&2; cat "$3/app.log" >&2; exit 1; }
    sleep 0.5
  done
  xwininfo -root -tree | grep -q "\"Azukari\"" || { echo "no window titled Azukari" >&2; exit 1; }
  sleep 4 # WebKit paints the login page
  import -window root "$2"
  kill "$app"
' _ "$store" "$shot" "$work" || fail "the installed desktop app did not show its window"
# A window that painted the login page is not one flat colour.
spread=$(convert "$shot" -colorspace Gray -format '%[fx:standard_deviation]' info:)
awk -v s="$spread" 'BEGIN { exit !(s > 0.02) }' || fail "the window is blank (spread $spread): $shot"
echo "installed app seen: $shot"

$sudo dpkg -r azukari >/dev/null
dpkg -s azukari 2>/dev/null | grep -q '^Status: install ok installed' && fail "still installed after dpkg -r"
while read -r path; do
  [ -f "$path" ] && fail "$path is left after removal"
done <<<"$installed"
echo "installed, ran and removed cleanly"

echo "== the Windows zip"
[ -f "$zip" ] || fail "$zip is missing: run make package"
unzip -q "$zip" -d "$work/windows"
folder="$work/windows/Azukari-$version"
for name in azukari.exe azukari-desktop.exe WebView2Loader.dll README.txt; do
  [ -f "$folder/$name" ] || fail "the zip lacks $name"
done
file "$folder/azukari.exe" | grep -q 'PE32+ executable (console) x86-64' || fail "azukari.exe: $(file -b "$folder/azukari.exe")"
file "$folder/azukari-desktop.exe" | grep -q 'PE32+ executable (GUI) x86-64' || fail "azukari-desktop.exe: $(file -b "$folder/azukari-desktop.exe")"
# Every DLL the executables import is one Windows has, or one the zip carries.
system_dlls='^(kernel32|combase|user32|gdi32|advapi32|shell32|ole32|oleaut32|comctl32|comdlg32|shlwapi|ws2_32|bcrypt|bcryptprimitives|ntdll|crypt32|secur32|userenv|uxtheme|dwmapi|winmm|version|setupapi|imm32|uiautomationcore|propsys|msimg32|gdiplus|dbghelp|iphlpapi|netapi32|powrprof|rpcrt4|shcore|winspool|wininet|msvcrt|ucrtbase|api-ms-win-[a-z0-9-]+|ext-ms-win-[a-z0-9-]+|d2d1|d3d11|dwrite|dxgi|windowscodecs|oleacc|wtsapi32|synchronization|credui|ncrypt|mpr|psapi|hid|cfgmgr32|opengl32|winhttp|urlmon)\.dll$'
for exe in "$folder"/*.exe; do
  x86_64-w64-mingw32-objdump -p "$exe" | sed -n 's/^\s*DLL Name: //p' | while read -r dll; do
    lower=$(tr '[:upper:]' '[:lower:]' <<<"$dll")
    [[ $lower =~ $system_dlls ]] || [ -f "$folder/$dll" ] || fail "$(basename "$exe") imports $dll, which is neither Windows' nor in the zip"
  done
done
head -c 3 "$folder/README.txt" | cmp -s - <(printf '\xEF\xBB\xBF') || fail "README.txt has no UTF-8 BOM"
grep -q $'\r$' "$folder/README.txt" || fail "README.txt lines do not end in CRLF"
grep -q $'[^\r]$' <(tail -c +4 "$folder/README.txt" | grep -v '^\r\?$') && fail "a README.txt line lacks CR"
echo "Windows zip: console CLI, GUI app, imports resolved, README in CRLF"
