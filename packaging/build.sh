#!/usr/bin/env bash
# Build the desktop bundle dist/kapdesk/ (Linux, macOS) in a clean virtual environment.
#
#   packaging/build.sh          then: packaging/smoke.sh   (or both: make package)
#   PYTHON=python3.11 …         the interpreter the bundle is built from (3.11+)
#
# The venv (build/venv) and PyInstaller's work files (build/pyinstaller) are recreated on
# every run, so the bundle holds exactly the project's dependencies and one Qt binding.
# Needs the network once, to install from PyPI; the result runs offline.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
build="$here/build"
venv="$build/venv"
pyinstaller_pin="pyinstaller==6.22.3"
started=$SECONDS

rm -rf "$venv" "$build/pyinstaller" "$here/dist/kapdesk"
mkdir -p "$build"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "$here" "$pyinstaller_pin"
"$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath "$here/dist" --workpath "$build/pyinstaller" "$here/packaging/kapdesk.spec"

bundle="$here/dist/kapdesk"
size="$(du -sh "$bundle" | cut -f1)"
echo "build: $bundle — $size unpacked, built in $((SECONDS - started)) s"
echo "build: next, packaging/smoke.sh runs it from a fresh HOME"
