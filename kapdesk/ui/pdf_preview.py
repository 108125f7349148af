"""Print preview inside the app: the generated PDF itself, with Print… and Save as PDF….

The dialog opens at most 90 % of the screen's available area, so its buttons are always
on screen, and remembers its size. It zooms (fit width, fit page, in, out) and moves
between pages (PgUp/PgDn, "Page n of N").

The dialog owns the QPdfDocument (parenting it to the view crashes on teardown;
parenting it to the application leaks every document).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRect, QSize, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kapdesk.fsio import atomic_write
from kapdesk.ui.files import ask_pdf_path, report_saved, window_settings
from kapdesk.ui.printing import print_pdf

SCREEN_SHARE = 0.9
DEFAULT_SIZE = QSize(820, 900)
SIZE_KEY = "preview/size"
ZOOM_STEP = 1.25
ZOOM_RANGE = (0.25, 4.0)


def fit_rect(wanted: QSize, available: QRect, share: float = SCREEN_SHARE) -> QRect:
    """A rectangle of at most ``share`` of ``available``, centred in it."""
    width = min(wanted.width(), int(available.width() * share))
    height = min(wanted.height(), int(available.height() * share))
    left = available.x() + (available.width() - width) // 2
    top = available.y() + (available.height() - height) // 2
    return QRect(left, top, width, height)


class PdfPreviewDialog(QDialog):
    """Shows a generated PDF; prints it or saves the exact bytes."""

    # Set by File › Print… / Save as PDF…: the next preview runs that action at once.
    pending_action: str | None = None

    def __init__(
        self, pdf: bytes, title: str, suggested_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Preview — {title}")
        self.pdf = pdf
        self.suggested_name = suggested_name
        self.saved_path: Path | None = None
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(pdf))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)
        if self.document.status() != QPdfDocument.Status.Ready:
            raise ValueError(f"the generated PDF could not be opened ({self.document.error()})")
        self.view = QPdfView(self)
        self.view.setAccessibleName("Page preview")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

        count = self.page_count()
        self.pages_label = QLabel(f"{count} page{'s' if count != 1 else ''}")
        self.page_label = QLabel()
        self.page_label.setAccessibleName("Current page")
        self.prev_button = QPushButton("Previous page")
        self.prev_button.setToolTip("Previous page (PgUp)")
        self.next_button = QPushButton("Next page")
        self.next_button.setToolTip("Next page (PgDn)")
        self.fit_width_button = QPushButton("Fit width")
        self.fit_page_button = QPushButton("Fit page")
        self.zoom_out_button = QPushButton("−")
        self.zoom_out_button.setAccessibleName("Zoom out")
        self.zoom_out_button.setToolTip("Zoom out (Ctrl+−)")
        self.zoom_in_button = QPushButton("+")
        self.zoom_in_button.setAccessibleName("Zoom in")
        self.zoom_in_button.setToolTip("Zoom in (Ctrl++)")
        for button in (self.zoom_in_button, self.zoom_out_button):
            button.setFixedWidth(button.fontMetrics().horizontalAdvance("MM") + 16)
        self.prev_button.clicked.connect(lambda: self.go_to_page(self.current_page() - 1))
        self.next_button.clicked.connect(lambda: self.go_to_page(self.current_page() + 1))
        self.fit_width_button.clicked.connect(self.fit_width)
        self.fit_page_button.clicked.connect(self.fit_page)
        self.zoom_in_button.clicked.connect(lambda: self.zoom_by(ZOOM_STEP))
        self.zoom_out_button.clicked.connect(lambda: self.zoom_by(1 / ZOOM_STEP))
        tools = QHBoxLayout()
        for widget in (self.prev_button, self.page_label, self.next_button):
            tools.addWidget(widget)
        tools.addStretch(1)
        for widget in (
            self.fit_width_button,
            self.fit_page_button,
            self.zoom_out_button,
            self.zoom_in_button,
        ):
            tools.addWidget(widget)

        self.print_button = QPushButton("Print…")
        self.print_button.setToolTip("Print (Ctrl+P)")
        self.save_button = QPushButton("Save as PDF…")
        self.save_button.setToolTip("Save as PDF (Ctrl+Shift+S)")
        self.close_button = QPushButton("Close")
        self.print_button.clicked.connect(self.print_dialog)
        self.save_button.clicked.connect(self.save_dialog)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.pages_label)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

        shortcuts = (
            (QKeySequence.StandardKey.Print, self.print_dialog),
            ("Ctrl+Shift+S", self.save_dialog),
            ("PgUp", lambda: self.go_to_page(self.current_page() - 1)),
            ("PgDown", lambda: self.go_to_page(self.current_page() + 1)),
            (QKeySequence.StandardKey.ZoomIn, lambda: self.zoom_by(ZOOM_STEP)),
            ("Ctrl+=", lambda: self.zoom_by(ZOOM_STEP)),
            (QKeySequence.StandardKey.ZoomOut, lambda: self.zoom_by(1 / ZOOM_STEP)),
        )
        for key, slot in shortcuts:
            QShortcut(QKeySequence(key), self, slot)
        self.view.pageNavigator().currentPageChanged.connect(self._page_changed)
        self._page_changed(0)
        self._place()
        self.finished.connect(self._remember_size)

    # --- size and place -------------------------------------------------------------------
    def _place(self) -> None:
        """At most 90 % of the available screen, at the remembered size if it fits."""
        settings = window_settings(self.parentWidget())
        wanted = settings.value(SIZE_KEY, DEFAULT_SIZE, type=QSize) if settings else DEFAULT_SIZE
        if not wanted.isValid():
            wanted = DEFAULT_SIZE
        screen = (self.parentWidget().screen() if self.parentWidget() else None) or (
            QGuiApplication.primaryScreen()
        )
        available = screen.availableGeometry()
        self.setMaximumSize(
            int(available.width() * SCREEN_SHARE), int(available.height() * SCREEN_SHARE)
        )
        self.setGeometry(fit_rect(wanted, available))

    def _remember_size(self) -> None:
        settings = window_settings(self.parentWidget())
        if settings is not None:
            settings.setValue(SIZE_KEY, self.size())

    # --- pages and zoom -------------------------------------------------------------------
    def page_count(self) -> int:
        return self.document.pageCount()

    def current_page(self) -> int:
        """The 0-based page shown."""
        return self.view.pageNavigator().currentPage()

    def go_to_page(self, index: int) -> None:
        """Show page ``index`` (0-based; clamped to the document)."""
        index = max(0, min(index, self.page_count() - 1))
        self.view.pageNavigator().jump(index, QPointF(), self.view.zoomFactor())
        self._page_changed(index)

    def _page_changed(self, index: int) -> None:
        self.page_label.setText(f"Page {index + 1} of {self.page_count()}")
        self.prev_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < self.page_count() - 1)

    def fit_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    def fit_page(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)

    def zoom_by(self, factor: float) -> None:
        """Zoom in (factor > 1) or out, from whatever the fit mode shows now."""
        current = self.view.zoomFactor()
        if self.view.zoomMode() != QPdfView.ZoomMode.Custom:
            current = self._effective_zoom()
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        low, high = ZOOM_RANGE
        self.view.setZoomFactor(max(low, min(high, current * factor)))

    def _effective_zoom(self) -> float:
        """The zoom a fit mode shows: the page's width on screen over its width at 100 %."""
        points = self.document.pagePointSize(self.current_page())
        at_100 = points.width() / 72 * self.logicalDpiX()
        margins = self.view.documentMargins()
        shown = self.view.viewport().width() - margins.left() - margins.right()
        if self.view.zoomMode() == QPdfView.ZoomMode.FitInView:
            tall = points.height() / 72 * self.logicalDpiY()
            shown_h = self.view.viewport().height() - margins.top() - margins.bottom()
            return max(0.1, min(shown / at_100, shown_h / tall))
        return max(0.1, shown / at_100)

    # --- save and print -------------------------------------------------------------------
    def save_to(self, path: Path) -> None:
        """Write the previewed PDF, byte for byte, to ``path``."""
        atomic_write(path, self.pdf)

    def save_dialog(self) -> None:
        path = ask_pdf_path(self, "Save as PDF", self.suggested_name)
        if path is None:
            return
        try:
            self.save_to(path)
        except OSError as exc:
            QMessageBox.warning(
                self, "Save as PDF", f"Could not save {path}: {exc.strerror or exc}"
            )
            return
        self.saved_path = path
        report_saved(self.parentWidget() or self, path)

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

    def run_pending_action(self) -> None:
        """Run (once) the action File › Print… or Save as PDF… asked for."""
        action, PdfPreviewDialog.pending_action = PdfPreviewDialog.pending_action, None
        if action == "print":
            self.print_dialog()
        elif action == "save":
            self.save_dialog()

    @classmethod
    def show_pdf(
        cls, parent: QWidget | None, pdf: bytes, title: str, suggested_name: str
    ) -> PdfPreviewDialog:
        """Open the preview modally (tests replace this with a non-blocking stand-in)."""
        dialog = cls(pdf, title, suggested_name, parent)
        if cls.pending_action:
            QTimer.singleShot(0, dialog.run_pending_action)
        dialog.exec()
        return dialog
