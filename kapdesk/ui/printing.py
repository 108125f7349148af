"""Print a PDF through Qt's printer: pages rendered at about 300 dpi onto white.

Qt cannot hand a PDF file to a printer, so each page is rasterised with QtPdf and
painted onto the QPrinter. Rendering at the printer's own resolution (often 1200 dpi)
would need about half a gigabyte per page; 300 dpi is sharp on paper. QtPdf renders
with a transparent background, so each page is composed onto white first.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

PRINT_DPI = 300


def render_page(document: QPdfDocument, index: int, dpi: int = PRINT_DPI) -> QImage:
    """Page ``index`` as an opaque image at ``dpi``."""
    size_pt = document.pagePointSize(index)
    pixels = QSize(
        max(1, round(size_pt.width() / 72 * dpi)), max(1, round(size_pt.height() / 72 * dpi))
    )
    rendered = document.render(index, pixels)
    page = QImage(pixels, QImage.Format.Format_RGB32)
    page.fill(Qt.GlobalColor.white)
    painter = QPainter(page)
    painter.drawImage(0, 0, rendered)
    painter.end()
    return page


def page_indexes(printer: QPrinter, page_count: int) -> list[int]:
    """The 0-based pages to print, honouring a page range chosen in the print dialog."""
    first, last = printer.fromPage(), printer.toPage()
    if first <= 0 or last <= 0:
        return list(range(page_count))
    return list(range(first - 1, min(last, page_count)))


def print_pdf(document: QPdfDocument, printer: QPrinter, dpi: int = PRINT_DPI) -> int:
    """Print ``document`` on ``printer``; return the number of pages sent."""
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("The printer could not be opened.")
    sent = 0
    try:
        area = printer.pageRect(QPrinter.Unit.DevicePixel)
        for index in page_indexes(printer, document.pageCount()):
            if sent:
                printer.newPage()
            image = render_page(document, index, dpi)
            scale = min(area.width() / image.width(), area.height() / image.height())
            width, height = image.width() * scale, image.height() * scale
            target = QRectF((area.width() - width) / 2, (area.height() - height) / 2, width, height)
            painter.drawImage(target, image)
            sent += 1
    finally:
        painter.end()
    return sent
