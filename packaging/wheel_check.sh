#!/usr/bin/env bash
# Build the wheel, install it non-editable into a fresh virtual environment and run
# packaging/smoke.sh on it: from a directory outside the source tree, with a fresh HOME.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$here/.venv/bin/python" -m build --wheel --outdir "$work/dist" "$here" >"$work/build.log" 2>&1 \
  || { cat "$work/build.log"; exit 1; }
wheel="$(ls "$work"/dist/kapdesk-*.whl)"
"$here/.venv/bin/python" -c 'import sys, zipfile; sys.exit("kapdesk/_resources/content/references.toml" not in zipfile.ZipFile(sys.argv[1]).namelist())' "$wheel" \
  || { echo "wheel-check: resources/ missing from $wheel"; exit 1; }
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$wheel" "pypdf>=5"
# The bundle's smoke test, on the installed entry points: fresh HOME, another directory.
CHECK_PYTHON="$work/venv/bin/python" bash "$here/packaging/smoke.sh" "$work/venv/bin"
echo "wheel-check: ok ($(basename "$wheel"))"
