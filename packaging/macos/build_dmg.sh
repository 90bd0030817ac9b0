#!/usr/bin/env bash
# Build the macOS app and its disk image (run on macOS; the release workflow does so on
# macos-latest):
#
#   packaging/macos/build_dmg.sh   -> "dist/ModelHub Desktop.app"
#                                     dist/ModelHub-Desktop-<ver>-macos-<arch>.dmg
#
# Python: $PYTHON, else .venv/bin/python, else python3 (PyInstaller is installed into it
# when missing). Info.plist comes from packaging/macos/Info.plist (filled in by the spec).
# Signing: PyInstaller signs ad hoc (enough to run on the build machine and, after
# "Open" in Finder's context menu, elsewhere); set MACOS_SIGN_IDENTITY to a "Developer ID
# Application: ..." identity in the keychain to sign for distribution (notarizing with
# `xcrun notarytool` is then a separate step that needs an Apple account).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
log() { printf '\033[1m[dmg]\033[0m %s\n' "$*" >&2; }
"$PY" -c "import PyInstaller" 2>/dev/null || "$PY" -m pip install -q -e ".[package]"
eval "$("$PY" packaging/appinfo.py)"   # VERSION, APP_ID, APP_NAME
ARCH=$(uname -m)

log "PyInstaller .app, version $VERSION ($ARCH)"
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath dist \
  --workpath build/pyinstaller packaging/modelhub-desktop.spec
APP="dist/$APP_NAME.app"
[ -x "$APP/Contents/MacOS/modelhub-desktop" ] || { echo "missing $APP" >&2; exit 1; }

plist() { /usr/libexec/PlistBuddy -c "Print :$1" "$APP/Contents/Info.plist"; }
[ "$(plist CFBundleIdentifier)" = "$APP_ID" ] || { echo "bundle id is not $APP_ID" >&2; exit 1; }
[ "$(plist CFBundleShortVersionString)" = "$VERSION" ] || { echo "version is not $VERSION" >&2; exit 1; }

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  log "signing with $MACOS_SIGN_IDENTITY"
  codesign --force --deep --options runtime --timestamp --sign "$MACOS_SIGN_IDENTITY" "$APP"
fi
codesign --verify --deep --strict "$APP"

log "disk image"
STAGE=build/dmg
rm -rf "$STAGE"
mkdir -p "$STAGE"
ditto "$APP" "$STAGE/$APP_NAME.app"
ln -s /Applications "$STAGE/Applications"
DMG="dist/ModelHub-Desktop-$VERSION-macos-$ARCH.dmg"
rm -f "$DMG"
# hdiutil sometimes fails with "Resource busy" on CI machines: try again
for attempt in 1 2 3; do
  if hdiutil create -volname "$APP_NAME $VERSION" -srcfolder "$STAGE" -fs HFS+ \
      -format UDZO -imagekey zlib-level=9 -ov "$DMG"; then
    break
  fi
  [ "$attempt" = 3 ] && exit 1
  sleep 5
done
hdiutil verify "$DMG"
rm -rf "$STAGE"
du -sh "$APP" "$DMG" >&2
