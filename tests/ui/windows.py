"""The main window as the app opens it, for GUI tests that drive the whole window."""

from __future__ import annotations

from pathlib import Path

from kapdesk.paths import AppPaths
from kapdesk.ui.main_window import MainWindow


def loaded_window(qtbot, data_dir: Path) -> MainWindow:
    """The main window shown, its knowledge base open and the Reference page filled."""
    win = MainWindow(AppPaths(data_dir))
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(
        win.worker.done, timeout=20_000, check_params_cb=lambda tag, _: tag == "kb-summary"
    ):
        win.start_loading()
    return win
