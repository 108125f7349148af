"""Where Save dialogs start, and telling the user where a file went.

Save dialogs start in the folder used last (remembered in the window's settings) or
else the user's Documents folder; after saving, the main window's status bar says
"Saved to …".
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMainWindow, QWidget

LAST_FOLDER_KEY = "files/last_folder"
SAVED_MESSAGE_MS = 8000


def main_window(widget: QWidget | None) -> QMainWindow | None:
    """The main window that ``widget`` (or the dialog it is in) belongs to."""
    while widget is not None and not isinstance(widget, QMainWindow):
        widget = widget.parentWidget()
    return widget


def window_settings(widget: QWidget | None) -> QSettings | None:
    """The main window's settings (``settings.ini``), if ``widget`` belongs to one."""
    settings = getattr(main_window(widget), "settings", None)
    return settings if isinstance(settings, QSettings) else None


def start_folder(parent: QWidget | None) -> Path:
    """The folder a Save dialog opens in: the last one used, else Documents."""
    settings = window_settings(parent)
    last = settings.value(LAST_FOLDER_KEY, "", type=str) if settings else ""
    if last and Path(last).is_dir():
        return Path(last)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents else Path.home()


def remember_folder(parent: QWidget | None, path: Path) -> None:
    """Remember ``path``'s folder for the next Save dialog."""
    settings = window_settings(parent)
    if settings is not None:
        settings.setValue(LAST_FOLDER_KEY, str(path.parent))


def ask_pdf_path(parent: QWidget | None, title: str, suggested_name: str) -> Path | None:
    """Ask where to save a PDF; None when cancelled. Adds ``.pdf`` when missing."""
    start = str(start_folder(parent) / suggested_name)
    name, _ = QFileDialog.getSaveFileName(parent, title, start, "PDF files (*.pdf)")
    if not name:
        return None
    path = Path(name if name.lower().endswith(".pdf") else name + ".pdf")
    remember_folder(parent, path)
    return path


def report_saved(parent: QWidget | None, path: Path) -> None:
    """Say "Saved to …" in the main window's status bar."""
    window = main_window(parent)
    if window is not None:
        window.statusBar().showMessage(f"Saved to {path}", SAVED_MESSAGE_MS)
