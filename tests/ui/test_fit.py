"""Every page and the print preview fit a 1366×768 and a 1024×700 screen (offscreen).

Each size runs tests/ui/layout_probe.py in its own process, because the offscreen
screen's size is fixed when the application starts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("width,height", [(1366, 768), (1024, 700)])
def test_every_button_is_on_screen_and_no_card_text_is_cut(
    data_dir: Path, tmp_path: Path, width: int, height: int
) -> None:
    screens = {
        "screens": [
            {
                "name": "probe",
                "x": 0,
                "y": 0,
                "width": width,
                "height": height,
                "logicalDpi": 96,
                "logicalBaseDpi": 96,
                "dpr": 1,
            }
        ]
    }
    config = tmp_path / "screen.json"
    config.write_text(json.dumps(screens))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
    run = subprocess.run(
        [sys.executable, "-m", "tests.ui.layout_probe", str(data_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["screen"] == f"{width}x{height}"
    assert report["problems"] == []
