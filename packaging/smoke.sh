#!/usr/bin/env bash
# Smoke-test an installed kapdesk the way a clinic first runs it: from a directory outside
# the source tree, with a fresh HOME, no display (Qt offscreen) and no network needed.
#
#   packaging/smoke.sh [DIR]    DIR holds the `kapdesk` and `kapdesk-gui` executables:
#                               the bundle (default: dist/kapdesk) or a venv's bin/.
#   CHECK_PYTHON=…              a Python with pypdf, to read the handout (default: .venv)
#
# Every step runs and prints "ok" or "FAIL" with the reason; the exit status is 1 if any
# step failed.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(cd "${1:-$here/dist/kapdesk}" && pwd)" || { echo "smoke: no such directory: ${1:-}"; exit 1; }
check_python="${CHECK_PYTHON:-$here/.venv/bin/python}"
kap="$dir/kapdesk"
kap_gui="$dir/kapdesk-gui"
for exe in "$kap" "$kap_gui"; do
  [[ -x "$exe" ]] || { echo "smoke: $exe is missing or not executable"; exit 1; }
done
"$check_python" -c "import pypdf" 2>/dev/null \
  || { echo "smoke: $check_python cannot import pypdf (set CHECK_PYTHON)"; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export HOME="$work/home"
unset KAPDESK_DATA_DIR XDG_DATA_HOME XDG_CONFIG_HOME
export QT_QPA_PLATFORM=offscreen
mkdir -p "$HOME"
cd "$work"
touch "$work/start"
failures=0

# step NAME COMMAND...: run COMMAND, capture its output in $work/out, report.
step() {
  local name="$1"
  shift
  if "$@" >"$work/out" 2>&1; then
    echo "ok    $name: $(tail -n 1 "$work/out")"
  else
    echo "FAIL  $name"
    sed 's/^/      /' "$work/out"
    failures=$((failures + 1))
  fi
}

version() {
  "$kap" --version | grep -E '^kapdesk [0-9]+\.[0-9]+'
}

verify() {
  "$kap" kb verify
}

# On a bundle, the first run must install the knowledge base built at package time.
prebuilt_installed() {
  local packaged="$dir/_internal/resources/prebuilt/knowledge-base.sqlite3" installed
  installed="$("$kap" kb info --json | "$check_python" -c 'import json,sys; print(json.load(sys.stdin)["path"])')"
  case "$installed" in
    "$HOME"/*) ;;
    *) echo "knowledge base outside the fresh HOME: $installed"; return 1 ;;
  esac
  if [[ ! -f "$packaged" ]]; then
    echo "no pre-built knowledge base here (not a bundle); built at $installed"
    return 0
  fi
  cmp "$packaged" "$installed" && echo "copied to $installed"
}

search() {
  "$kap" search ketamine --json | "$check_python" -c '
import json, sys
found = json.load(sys.stdin)
ids = [hit["id"] for hit in found["results"]]
assert found["query"] == "ketamine" and any(i.startswith("ketamine-") for i in ids), found
print(len(ids), "results:", ", ".join(ids[:4]), "…")'
}

# pdf_has FILE WORD…: the PDF has pages and every WORD appears in its text.
pdf_has() {
  "$check_python" - "$@" <<'PY'
import sys
from pypdf import PdfReader

path, *words = sys.argv[1:]
reader = PdfReader(path)
text = " ".join(page.extract_text() or "" for page in reader.pages)
missing = [word for word in words if word not in text]
assert reader.pages and not missing, f"{path}: missing {missing}"
print(f"{path.rsplit('/', 1)[-1]}: {len(reader.pages)} page(s), {len(text)} characters")
PY
}

kb_short_version() {
  "$kap" kb info --json | "$check_python" -c 'import json,sys; print(json.load(sys.stdin)["version"])'
}

reference_sheet() {
  "$kap" show emdr --pdf "$work/emdr.pdf" && pdf_has "$work/emdr.pdf" EMDR "$(kb_short_version)"
}

handout_es() {
  if ! "$kap" handout --help >/dev/null 2>&1; then
    echo "this kapdesk has no \`handout\` command yet: the Spanish handout cannot be checked"
    return 1
  fi
  "$kap" handout what-is-kap --lang es --out "$work/what-is-kap-es.pdf" \
    && pdf_has "$work/what-is-kap-es.pdf" ketamina "Contenido revisado"
}

gui_cli() {
  "$kap" gui --quit-after-show && echo "kapdesk gui: window shown, exit 0"
}

gui_windowed() {
  "$kap_gui" --quit-after-show && echo "kapdesk-gui: window shown, exit 0"
}

# Nothing may be written next to the program (it may live on a read-only USB stick).
install_dir_untouched() {
  local changed
  changed="$(find "$dir" -newer "$work/start" -print | head -n 5)"
  [[ -z "$changed" ]] || { echo "written to the install directory: $changed"; return 1; }
  echo "nothing written under $dir"
}

echo "smoke: $dir (HOME=$HOME, cwd=$work)"
step "--version" version
step "kb verify" verify
step "pre-built knowledge base" prebuilt_installed
step "search ketamine --json" search
step "show emdr --pdf" reference_sheet
step "handout what-is-kap --lang es" handout_es
step "gui --quit-after-show" gui_cli
step "kapdesk-gui --quit-after-show" gui_windowed
step "install directory" install_dir_untouched
if ((failures)); then
  echo "smoke: $failures step(s) FAILED"
  exit 1
fi
echo "smoke: all steps passed"
