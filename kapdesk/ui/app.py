"""Start the GUI: the window first, the knowledge base right after."""

from __future__ import annotations

import faulthandler
import os
import sys
from collections.abc import Sequence

from kapdesk.paths import APP_NAME, AppPaths, resources_dir


def _setup_logging(paths: AppPaths) -> None:
    """Log to a file in the data directory; a windowed app has no console."""
    import logging

    try:
        paths.ensure()
        handler: logging.Handler = logging.FileHandler(paths.log_path, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("kapdesk")
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def _guard_missing_streams(paths: AppPaths) -> None:
    """Give a start without a console somewhere to write.

    A windowed executable (PyInstaller ``console=False``, ``pythonw``, a gui-script on
    Windows) starts with ``sys.stdout`` and ``sys.stderr`` set to ``None``: a stray print
    fails, a traceback vanishes, and ``faulthandler.enable()`` raises. Both streams then
    go to the log file, and faulthandler writes there too, so even a crash inside Qt
    leaves a Python traceback where support can find it.
    """
    if sys.stdout is not None and sys.stderr is not None:
        return
    try:
        stream = paths.log_path.open("a", encoding="utf-8", buffering=1)
    except OSError:
        stream = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (lives as long as the process)
    if sys.stdout is None:
        sys.stdout = stream
    if sys.stderr is None:
        sys.stderr = stream
    faulthandler.enable(stream)


# Any set address stops libdbus from autolaunching a session bus; this one names no
# transport, so connecting simply fails and Qt carries on without a session bus.
DISABLED_SESSION_BUS = "disabled:"


def prevent_dbus_autolaunch() -> None:
    """Without a session bus, stop Qt from starting one that would outlive the app.

    With no ``DBUS_SESSION_BUS_ADDRESS``, libdbus runs ``dbus-launch --autolaunch`` on
    X11, which leaves a ``dbus-daemon`` behind after kapdesk exits. Must run before Qt
    starts; a session that has a bus keeps it.
    """
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = DISABLED_SESSION_BUS


def run(data_dir: str | None = None, quit_after_show: bool = False) -> int:
    """Show the main window, then open the knowledge base; return the exit code."""
    prevent_dbus_autolaunch()
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    paths = AppPaths.resolve(data_dir).ensure()
    _guard_missing_streams(paths)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName("kapdesk")
    # Wayland matches windows to packaging/kapdesk.desktop by this name.
    app.setDesktopFileName(APP_NAME)
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "kapdesk.png")))

    from kapdesk.ui.main_window import MainWindow

    window = MainWindow(paths)
    window.show()
    _setup_logging(paths)  # nothing logs before the window is up
    if quit_after_show:
        QTimer.singleShot(0, app.quit)
    else:
        QTimer.singleShot(0, window.start_loading)
    code = app.exec()
    if quit_after_show:
        window.close()
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """The ``kapdesk-gui`` entry point (no console window)."""
    import argparse

    parser = argparse.ArgumentParser(prog="kapdesk-gui")
    parser.add_argument("--data-dir", metavar="DIR")
    parser.add_argument("--quit-after-show", action="store_true")
    args = parser.parse_args(argv)
    return run(args.data_dir, args.quit_after_show)
