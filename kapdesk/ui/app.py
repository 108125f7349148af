"""Start the GUI: the window first, the knowledge base right after."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from kapdesk.paths import APP_NAME, AppPaths


def _setup_logging(paths: AppPaths) -> None:
    """Log to a file in the data directory; a windowed app has no console."""
    try:
        paths.ensure()
        handler: logging.Handler = logging.FileHandler(paths.log_path, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("kapdesk")
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def run(data_dir: str | None = None, quit_after_show: bool = False) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    paths = AppPaths.resolve(data_dir).ensure()
    _setup_logging(paths)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName("kapdesk")

    from kapdesk.ui.main_window import MainWindow

    window = MainWindow(paths)
    window.show()
    if quit_after_show:
        QTimer.singleShot(0, app.quit)
    else:
        QTimer.singleShot(0, window.start_loading)
    code = app.exec()
    if quit_after_show:
        window.close()
    return code


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kapdesk-gui")
    parser.add_argument("--data-dir", metavar="DIR")
    parser.add_argument("--quit-after-show", action="store_true")
    args = parser.parse_args(argv)
    return run(args.data_dir, args.quit_after_show)
