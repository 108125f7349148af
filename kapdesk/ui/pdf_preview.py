"""Print preview inside the app: the generated PDF itself, with Print… and Save as PDF….

The dialog owns the QPdfDocument (parenting it to the view crashes on teardown;
parenting it to the application leaks every document).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QStandardPaths
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kapdesk.fsio import atomic_write
from kapdesk.ui.printing import print_pdf


class PdfPreviewDialog(QDialog):
    """Shows a generated PDF; prints it or saves the exact bytes."""

    def __init__(
        self, pdf: bytes, title: str, suggested_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Preview — {title}")
        self.pdf = pdf
        self.suggested_name = suggested_name
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(pdf))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)
        if self.document.status() != QPdfDocument.Status.Ready:
            raise ValueError(f"the generated PDF could not be opened ({self.document.error()})")
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

        count = self.page_count()
        self.pages_label = QLabel(f"{count} page{'s' if count != 1 else ''}")
        self.print_button = QPushButton("Print…")
        self.save_button = QPushButton("Save as PDF…")
        close_button = QPushButton("Close")
        self.print_button.clicked.connect(self.print_dialog)
        self.save_button.clicked.connect(self.save_dialog)
        close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.pages_label)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.resize(820, 900)

    def page_count(self) -> int:
        return self.document.pageCount()

    def save_to(self, path: Path) -> None:
        """Write the previewed PDF, byte for byte, to ``path``."""
        atomic_write(path, self.pdf)

    def save_dialog(self) -> None:
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        start = str(Path(documents) / self.suggested_name) if documents else self.suggested_name
        name, _ = QFileDialog.getSaveFileName(self, "Save as PDF", start, "PDF files (*.pdf)")
        if not name:
            return
        path = Path(name if name.lower().endswith(".pdf") else name + ".pdf")
        try:
            self.save_to(path)
        except OSError as exc:
            QMessageBox.warning(
                self, "Save as PDF", f"Could not save {path}: {exc.strerror or exc}"
            )

    def print_to(self, printer: QPrinter) -> int:
        return print_pdf(self.document, printer)

    def print_dialog(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.suggested_name)
        dialog = QPrintDialog(printer, self)
        dialog.setMinMax(1, self.page_count())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            self.print_to(printer)
        except OSError as exc:
            QMessageBox.warning(self, "Print", str(exc))

    @classmethod
    def show_pdf(
        cls, parent: QWidget | None, pdf: bytes, title: str, suggested_name: str
    ) -> PdfPreviewDialog:
        """Open the preview modally (tests replace this with a non-blocking stand-in)."""
        dialog = cls(pdf, title, suggested_name, parent)
        dialog.exec()
        return dialog
