"""A windowed start (no console: sys.stdout and sys.stderr are None) must not crash.

Runs in a subprocess because it replaces the interpreter's streams and faulthandler,
as PyInstaller's ``console=False`` executables and ``pythonw`` do.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kapdesk.paths import AppPaths

WINDOWED_START = """
import sys
sys.stdout = None
sys.stderr = None
from kapdesk.ui.app import main
code = main(["--data-dir", sys.argv[1], "--quit-after-show"])
print("printed after the window closed, exit code", code)
import faulthandler
faulthandler._sigsegv()  # a native crash, as a broken Qt plugin would cause
"""


def test_windowed_start_logs_prints_and_crashes_to_the_log(data_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", WINDOWED_START, str(data_dir)],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        cwd=data_dir,  # any core dump lands in the test's directory
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    log = AppPaths(data_dir).log_path.read_text(encoding="utf-8")
    assert "printed after the window closed, exit code 0" in log, (result.stderr, log)
    assert "Fatal Python error: Segmentation fault" in log, (result.stderr, log)
    assert 'File "<string>", line 9 in <module>' in log  # the line that crashed
    assert result.returncode != 0
