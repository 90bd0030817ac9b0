#!/usr/bin/env bash
# Build the macOS .app (PyInstaller BUNDLE in the spec) and wrap it in a .dmg.
#   packaging/macos/build_dmg.sh   -> dist/ModelHub-Desktop-<ver>.dmg
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="${PYTHON:-.venv/bin/python}"
eval "$("$PY" packaging/appinfo.py)"
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath dist \
  --workpath build/pyinstaller packaging/modelhub-desktop.spec
APP="dist/$APP_NAME.app"
[ -d "$APP" ] || { echo "missing $APP" >&2; exit 1; }
# Info.plist values come from the spec (bundle id, version); check them
/usr/libexec/PlistBuddy -c "Print :CFBundleIdentifier" "$APP/Contents/Info.plist"
STAGE=build/dmg
rm -rf "$STAGE" && mkdir -p "$STAGE"
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
DMG="dist/ModelHub-Desktop-$VERSION.dmg"
rm -f "$DMG"
hdiutil create -volname "$APP_NAME" -srcfolder "$STAGE" -ov -format UDZO "$DMG"
echo "built $DMG"
