#!/usr/bin/env bash
# Build the Linux packages: one-folder bundle, .tar.gz and .deb, then smoke-test them.
#   packaging/build_linux.sh            -> dist/modelhub-desktop-<ver>-linux-<arch>.tar.gz
#                                          dist/modelhub-desktop_<ver>_<debarch>.deb
# AppImage is not built here: appimagetool is downloaded from GitHub, which this build
# avoids; the release workflow can add it where downloads are allowed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="${MODELHUB_VENV:-$ROOT/.venv}"
[ -x "$VENV/bin/python" ] || ./dev setup
"$VENV/bin/python" -c "import PyInstaller" 2>/dev/null || "$VENV/bin/python" -m pip install -q -e ".[package]"
eval "$("$VENV/bin/python" packaging/appinfo.py)"
ARCH=$(uname -m)
DEBARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)

echo "[build] PyInstaller bundle (version $VERSION)"
"$VENV/bin/pyinstaller" --noconfirm --log-level WARN --distpath dist \
  --workpath build/pyinstaller packaging/modelhub-desktop.spec
BUNDLE=dist/modelhub-desktop

echo "[build] tar.gz"
TARBALL="dist/modelhub-desktop-$VERSION-linux-$ARCH.tar.gz"
tar -C dist -czf "$TARBALL" modelhub-desktop

echo "[build] .deb"
PKG=build/deb/modelhub-desktop_${VERSION}_${DEBARCH}
rm -rf "$PKG"
mkdir -p "$PKG/DEBIAN" "$PKG/opt/modelhub-desktop" "$PKG/usr/bin" \
  "$PKG/usr/share/applications" "$PKG/usr/share/metainfo"
cp -a "$BUNDLE/." "$PKG/opt/modelhub-desktop/"
ln -s /opt/modelhub-desktop/modelhub-desktop "$PKG/usr/bin/modelhub-desktop"
cp resources/modelhub-desktop.desktop "$PKG/usr/share/applications/"
cp resources/io.modelhub.Desktop.metainfo.xml "$PKG/usr/share/metainfo/"
for size in 16 24 32 48 64 128 256 512; do
  mkdir -p "$PKG/usr/share/icons/hicolor/${size}x${size}/apps"
  cp "resources/icons/modelhub-$size.png" \
    "$PKG/usr/share/icons/hicolor/${size}x${size}/apps/modelhub-desktop.png"
done
SIZE_KB=$(du -sk "$PKG" | cut -f1)
cat > "$PKG/DEBIAN/control" <<CONTROL
Package: modelhub-desktop
Version: $VERSION
Section: science
Priority: optional
Architecture: $DEBARCH
Installed-Size: $SIZE_KB
Depends: libegl1, libgl1, libxkbcommon0, libxkbcommon-x11-0, libfontconfig1, libdbus-1-3, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-shape0
Maintainer: ModelHub Desktop team <team@modelhub.invalid>
Homepage: https://modelhub.invalid
Description: Desktop client for the MLflow Model Registry
 Review, compare, promote and deploy registered MLflow models, online or offline.
CONTROL
DEB="dist/modelhub-desktop_${VERSION}_${DEBARCH}.deb"
dpkg-deb --root-owner-group -Zgzip --build "$PKG" "$DEB" >/dev/null

echo "[build] sizes"
du -sh "$BUNDLE" "$TARBALL" "$DEB"
