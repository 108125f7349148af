"""What `kapdesk gui` does before its window shows: only what the window needs.

The start-up figures themselves come from `make bench` (never timed here); this test
guards the causes found there: our CLI parser, the database and PDF modules, and the
``Qt`` namespace, whose ~90 enums PySide6 builds on first use (about 15 ms).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

START = r"""
import enum, json, sys
built = []
original = enum.EnumType.__new__
def record(mcls, name, bases, namespace, **kwargs):
    built.append(name)
    return original(mcls, name, bases, namespace, **kwargs)
enum.EnumType.__new__ = record
from kapdesk.launch import main
code = main(["--data-dir", sys.argv[1], "gui", "--quit-after-show"])
print(json.dumps({"code": code, "enums": built, "modules": sorted(sys.modules)}))
"""


def test_the_window_shows_before_anything_it_does_not_need(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", START, str(tmp_path)],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["code"] == 0
    modules = set(seen["modules"])
    # (argparse itself is loaded by PySide6's own start-up; kapdesk.cli holds our parser.)
    for heavy in ("sqlite3", "kapdesk.cli", "kapdesk.kb", "kapdesk.profile"):
        assert heavy not in modules, heavy
    assert not any(name.startswith(("reportlab", "kapdesk.documents")) for name in modules)
    # Qt.AlignmentFlag stands for the Qt namespace: built only after the window shows.
    assert "AlignmentFlag" not in seen["enums"]
    # A slider's and a tool button's enums appear when PySide6 resolves a returned
    # widget's type through every widget class (~10 ms): nothing before show does that.
    assert not {"TickPosition", "ToolButtonPopupMode"} & set(seen["enums"])
