"""Fixtures shared by the GUI tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.windows import loaded_window


@pytest.fixture
def window(qtbot, data_dir: Path):
    """The main window as after start-up (a module may define its own ``window``)."""
    win = loaded_window(qtbot, data_dir)
    yield win
    win.close()
