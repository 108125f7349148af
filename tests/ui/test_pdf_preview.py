"""In-app preview, printing at 300 dpi on white, and saving the exact bytes."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtGui import QColor
from PySide6.QtPrintSupport import QPrinter

from kapdesk.documents.modality_sheet import write_modality_sheet
from kapdesk.profile import ClinicProfile
from kapdesk.ui.pdf_preview import PdfPreviewDialog
from kapdesk.ui.printing import render_page


def sheet(kb) -> bytes:
    out = io.BytesIO()
    write_modality_sheet(out, kb, kb.modality("esketamine"), profile=ClinicProfile(clinic_name="A"))
    return out.getvalue()


def test_preview_shows_every_page(qtbot, kb) -> None:
    pdf = sheet(kb)
    dialog = PdfPreviewDialog(pdf, "Esketamine", "esketamine.pdf")
    qtbot.addWidget(dialog)
    assert dialog.page_count() == len(PdfReader(io.BytesIO(pdf)).pages) >= 2
    assert dialog.pages_label.text() == f"{dialog.page_count()} pages"


def test_save_writes_the_exact_bytes(qtbot, kb, tmp_path: Path) -> None:
    pdf = sheet(kb)
    dialog = PdfPreviewDialog(pdf, "Esketamine", "esketamine.pdf")
    qtbot.addWidget(dialog)
    dialog.save_to(tmp_path / "out.pdf")
    assert (tmp_path / "out.pdf").read_bytes() == pdf


def test_print_sends_every_page_on_white(qtbot, kb, tmp_path: Path) -> None:
    pdf = sheet(kb)
    dialog = PdfPreviewDialog(pdf, "Esketamine", "esketamine.pdf")
    qtbot.addWidget(dialog)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert dialog.print_to(printer) == dialog.page_count()
    assert len(PdfReader(tmp_path / "printed.pdf").pages) == dialog.page_count()
    image = render_page(dialog.document, 0, dpi=72)
    assert image.pixelColor(2, 2) == QColor("white")  # no transparent (black) background
    assert 600 <= image.width() <= 620  # letter width at 72 dpi, not printer resolution


def test_reference_page_opens_the_preview(qtbot, data_dir, monkeypatch) -> None:
    from kapdesk.paths import AppPaths
    from kapdesk.ui.main_window import MainWindow

    shown: list[tuple[bytes, str]] = []
    monkeypatch.setattr(
        PdfPreviewDialog,
        "show_pdf",
        classmethod(lambda cls, parent, pdf, title, name: shown.append((pdf, title))),
    )
    win = MainWindow(AppPaths(data_dir))
    qtbot.addWidget(win)
    with qtbot.waitSignal(
        win.worker.done, timeout=20_000, check_params_cb=lambda t, _: t == "kb-summary"
    ):
        win.start_loading()
    win.open_reference("emdr")
    qtbot.waitUntil(lambda: win.reference.save_pdf.isEnabled(), timeout=5000)
    win.reference.save_pdf.click()
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    pdf, title = shown[0]
    assert pdf.startswith(b"%PDF") and "EMDR" in title
    win.close()
