#!/usr/bin/env bash
# Build the wheel, install it non-editable into a fresh virtual environment and run
# it from a directory outside the source tree with a fresh data directory.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$here/.venv/bin/python" -m build --wheel --outdir "$work/dist" "$here" >"$work/build.log" 2>&1 \
  || { cat "$work/build.log"; exit 1; }
wheel="$(ls "$work"/dist/kapdesk-*.whl)"
unzip -l "$wheel" | grep -q "kapdesk/_resources/content/references.toml" \
  || { echo "wheel-check: resources/ missing from $wheel"; exit 1; }
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$wheel" "pypdf>=5"
cd "$work"
export KAPDESK_DATA_DIR="$work/data" QT_QPA_PLATFORM=offscreen
kap="$work/venv/bin/kapdesk"
"$kap" --version
"$kap" kb verify
"$kap" search ketamine --json | "$work/venv/bin/python" -c \
  'import json,sys; d=json.load(sys.stdin); assert d["results"], d; print("search:", len(d["results"]), "results")'
"$kap" show emdr --pdf "$work/emdr.pdf"
"$work/venv/bin/python" -c \
  'import sys; from pypdf import PdfReader; t="".join(p.extract_text() for p in PdfReader(sys.argv[1]).pages); assert "EMDR" in t; print("pdf: ok")' \
  "$work/emdr.pdf"
"$kap" gui --quit-after-show
echo "wheel-check: ok ($(basename "$wheel"))"
