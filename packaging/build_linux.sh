#!/usr/bin/env bash
# Build the Linux packages of ModelHub Desktop from a checkout:
#
#   packaging/build_linux.sh            one-folder app  dist/modelhub-desktop/
#                                       tarball         dist/modelhub-desktop-<ver>-linux-<arch>.tar.gz
#                                       Debian package  dist/modelhub-desktop_<ver>_<debarch>.deb
#   packaging/build_linux.sh --check    the same, then launch the frozen app and the unpacked
#                                       .deb (`--demo --smoke` offscreen + the bundle self-check)
#
# Needs only PyPI and Debian packages: creates .venv through ./dev setup when there is none,
# installs PyInstaller into it when missing (pip install -e '.[package]'), keeps PyInstaller's
# work folder in build/pyinstaller (its analysis is reused while the sources are unchanged).
# Environment: MODELHUB_VENV (default .venv), DEB_COMPRESSION (gzip|xz|zstd, default gzip),
# PYI_LOG_LEVEL (PyInstaller's, default WARN).
#
# No AppImage: its runtime and appimagetool are only published as GitHub downloads (no PyPI
# or Debian package ships them), and this build fetches nothing from outside PyPI/Debian.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="${MODELHUB_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
CHECK=0
for arg in "$@"; do
  case "$arg" in
    --check) CHECK=1 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
log() { printf '\033[1m[build]\033[0m %s\n' "$*" >&2; }

[ -x "$PY" ] || ./dev setup
"$PY" -c "import PyInstaller" 2>/dev/null || {
  log "installing PyInstaller into $VENV"
  "$PY" -m pip install -q -e ".[package]"
}
command -v dpkg-deb >/dev/null || { echo "dpkg-deb is needed (Debian package dpkg)" >&2; exit 1; }

mkdir -p build dist
# one build at a time (tests and people may start one concurrently)
exec 9>build/.build_linux.lock
flock 9

eval "$("$PY" packaging/appinfo.py)"   # VERSION, APP_ID, APP_NAME
ARCH=$(uname -m)
DEBARCH=$(dpkg --print-architecture)
BUNDLE=dist/modelhub-desktop
START=$SECONDS

log "PyInstaller one-folder bundle, version $VERSION"
"$PY" -m PyInstaller --noconfirm --log-level "${PYI_LOG_LEVEL:-WARN}" --distpath dist \
  --workpath build/pyinstaller packaging/modelhub-desktop.spec
[ -x "$BUNDLE/modelhub-desktop" ] || { echo "no $BUNDLE/modelhub-desktop" >&2; exit 1; }
# Symbol tables and debug info are ~50 MB (libpython alone 17 MB). The auditwheel-patched
# libraries under *.libs/ (OpenBLAS) do not load any more once stripped: leave them.
if command -v strip >/dev/null; then
  find "$BUNDLE/_internal" -type f -name '*.so*' -not -path '*.libs/*' \
    -exec strip --strip-unneeded {} +
else
  log "strip not found (Debian package binutils): the bundle keeps its symbols"
fi
# numpy's and scipy's wheels each carry the same libgfortran and libquadmath: keep one copy,
# make the other a relative link (the loader resolves it like the file)
(cd "$BUNDLE/_internal" && find . -path './*.libs/*' -type f -exec md5sum {} + | sort |
  awk 'seen[$1] { print seen[$1], $2; next } { seen[$1] = $2 }') |
  while read -r first again; do ln -sfn "../${first#./}" "$BUNDLE/_internal/${again#./}"; done
# links PyInstaller made to libraries the spec left out afterwards
find "$BUNDLE/_internal" -xtype l -delete
log "bundle built in $((SECONDS - START)) s"

log "tar.gz and .deb (compressed in parallel)"
PKG="build/deb/modelhub-desktop_${VERSION}_${DEBARCH}"
rm -rf "$PKG"
mkdir -p "$PKG/DEBIAN" "$PKG/opt" "$PKG/usr/bin" "$PKG/usr/share/applications" \
  "$PKG/usr/share/metainfo" "$PKG/usr/share/doc/modelhub-desktop" \
  "$PKG/usr/share/icons/hicolor/scalable/apps"
# Hard links: no second copy of the bundle (falls back to copying across file systems).
# Linking and unlinking change the files' ctime, which makes a concurrent tar fail with
# "file changed as we read it": tar starts after the links exist and the links go only
# after tar has finished.
cp -al "$BUNDLE" "$PKG/opt/modelhub-desktop" 2>/dev/null || cp -a "$BUNDLE" "$PKG/opt/modelhub-desktop"
TARBALL="dist/modelhub-desktop-$VERSION-linux-$ARCH.tar.gz"
rm -f "$TARBALL" "$TARBALL.tmp"
tar -C dist --owner=0 --group=0 -czf "$TARBALL.tmp" modelhub-desktop &
TAR_PID=$!

ln -s ../../opt/modelhub-desktop/modelhub-desktop "$PKG/usr/bin/modelhub-desktop"
install -m 644 resources/modelhub-desktop.desktop "$PKG/usr/share/applications/"
install -m 644 resources/io.modelhub.Desktop.metainfo.xml "$PKG/usr/share/metainfo/"
install -m 644 resources/modelhub-desktop.svg "$PKG/usr/share/icons/hicolor/scalable/apps/"
for size in 16 24 32 48 64 128 256 512; do
  install -D -m 644 "resources/icons/modelhub-$size.png" \
    "$PKG/usr/share/icons/hicolor/${size}x${size}/apps/modelhub-desktop.png"
done
cat > "$PKG/usr/share/doc/modelhub-desktop/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: modelhub-desktop
Comment: ModelHub Desktop $VERSION with a bundled Python runtime and the Python packages
 it uses (PySide6/Qt, MLflow, scikit-learn, NumPy, SciPy, pandas, SQLAlchemy and
 others); their licenses are in the dist-info folders under
 /opt/modelhub-desktop/_internal/.

Files: *
License: Apache-2.0
COPYRIGHT
SIZE_KB=$(du -sk "$PKG" | cut -f1)
# the newest glibc symbol version any bundled binary needs (at most the build system's)
GLIBC=$(find "$BUNDLE" -type f \( -name '*.so*' -o -name modelhub-desktop \) \
  -exec objdump -T {} + 2>/dev/null | grep -o 'GLIBC_[0-9][0-9.]*' | sort -uV | tail -n 1 |
  cut -d_ -f2 || true)
# The bundle carries its own Python and Qt; these are the system libraries it still loads
# (OpenGL/EGL and the C runtime are never bundled; xcb-* for the X11 platform plugin).
cat > "$PKG/DEBIAN/control" <<CONTROL
Package: modelhub-desktop
Version: $VERSION
Section: science
Priority: optional
Architecture: $DEBARCH
Installed-Size: $SIZE_KB
Depends: libc6${GLIBC:+ (>= $GLIBC)}, libgl1, libegl1, libfontconfig1, libfreetype6, libxkbcommon0, libxkbcommon-x11-0, libdbus-1-3, libglib2.0-0, libx11-6, libx11-xcb1, libxcb1, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-shape0
Recommends: gnome-keyring | kwalletmanager
Maintainer: ModelHub Desktop team <team@modelhub.invalid>
Description: Desktop client for the MLflow Model Registry
 Browse registered models and their versions, choose params and metrics as
 table columns, compare versions on charts, move aliases, and review all of it
 offline from a local cache. Includes an embedded demo registry (--demo).
CONTROL
DEB="dist/modelhub-desktop_${VERSION}_${DEBARCH}.deb"
rm -f "$DEB" "$DEB.tmp"
dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-gzip}" --build "$PKG" "$DEB.tmp" >/dev/null
mv "$DEB.tmp" "$DEB"
wait "$TAR_PID"
mv "$TARBALL.tmp" "$TARBALL"
rm -rf "$PKG"

log "built in $((SECONDS - START)) s:"
du -sh "$BUNDLE" "$TARBALL" "$DEB" >&2

if [ "$CHECK" = 1 ]; then
  TMP=$(mktemp -d)
  trap 'rm -rf "$TMP"' EXIT
  smoke() {  # smoke BINARY NAME: launch on the demo registry, expect "smoke ok"
    local out line
    out=$(QT_QPA_PLATFORM=offscreen "$1" --demo --smoke --data-dir "$TMP/data-$2" \
      2>"$TMP/$2.err") || true
    line=$(printf '%s\n' "$out" | grep '^smoke ' | tail -n 1 || true)
    echo "$2: ${line:-<no smoke line>}" >&2
    case "$line" in "smoke ok"*) ;; *) tail -n 30 "$TMP/$2.err" >&2; return 1 ;; esac
  }
  log "launching the frozen app"
  smoke "$BUNDLE/modelhub-desktop" bundle
  MODELHUB_BUNDLE_CHECK=1 QT_QPA_PLATFORM=offscreen "$BUNDLE/modelhub-desktop" \
    2>"$TMP/check.err" | grep -v '^check ok' >&2
  log "launching the app from the unpacked .deb (through /usr/bin/modelhub-desktop)"
  dpkg-deb -x "$DEB" "$TMP/root"
  smoke "$TMP/root/usr/bin/modelhub-desktop" deb
fi
