"""Open every page (and the print preview) on the current screen; report what does not fit.

    python -m tests.ui.layout_probe DATA_DIR [--shots DIR]

Prints one JSON document: the screen's available size and a list of problems — a button
outside the screen, a picker card whose text is cut off. With ``--shots`` it also saves a
PNG of every page and of the preview, named ``<page>-<width>x<height>.png``. The fit test
runs it offscreen at 1366×768 and 1024×700; the screenshots in docs/ come from it under
Xvfb.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QLabel,
    QWidget,
)

from kapdesk.paths import AppPaths


def wait(app: QApplication, condition, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise SystemExit(f"timed out waiting for {condition}")
        app.processEvents()
        time.sleep(0.01)


def settle(app: QApplication, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(widget.rect().topLeft()), widget.size())


def scroll_viewport(widget: QWidget) -> QWidget | None:
    """The viewport of the scroll area ``widget`` scrolls in, if any."""
    parent = widget.parentWidget()
    while parent is not None:
        owner = parent.parentWidget()
        if isinstance(owner, QAbstractScrollArea) and owner.viewport() is parent:
            return parent
        parent = owner
    return None


def outside(root: QWidget, screen: QRect, where: str) -> list[str]:
    """Shown buttons under ``root`` that the user cannot see: outside the screen, or (in a
    scroll area, which may scroll them into view vertically) cut off at its sides or in a
    scroll area that is itself off screen."""
    problems = []
    for button in root.findChildren(QAbstractButton):
        if not button.isVisibleTo(root):
            continue
        rect = global_rect(button)
        viewport = scroll_viewport(button)
        if viewport is None:
            fits = screen.contains(rect)
        else:
            area = global_rect(viewport)
            fits = (
                screen.contains(area)
                and area.left() <= rect.left()
                and rect.right() <= area.right()
            )
        if not fits:
            inside = f" in {area.getRect()}" if viewport is not None else ""
            problems.append(f"{where}: button {button.text()!r} at {rect.getRect()}{inside}")
    return problems


def clipped_cards(page) -> list[str]:
    """Picker cards whose wrapped text needs more height than the card gives it."""
    problems = []
    for card in page.cards:
        label: QLabel = card.text
        need = label.heightForWidth(label.width())
        if need > label.height() + 1:
            problems.append(
                f"picker: card {card.modality} text cut off ({label.height()} < {need})"
            )
    return problems


def save_shot(image: QImage, path: Path) -> None:
    """A small PNG: at most 64 colours without dithering (the UI has few colours)."""
    from PIL import Image  # comes with reportlab
    from PySide6.QtCore import QBuffer, QIODevice

    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    picture = Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGB")
    small = picture.quantize(colors=64, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir")
    parser.add_argument("--shots", metavar="DIR")
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    from kapdesk.ui.main_window import PAGES, MainWindow
    from kapdesk.ui.pdf_preview import PdfPreviewDialog

    screen = app.primaryScreen().availableGeometry()
    size = f"{screen.width()}x{screen.height()}"
    window = MainWindow(AppPaths(Path(args.data_dir)))
    window.show()
    done: list[str] = []
    window.worker.done.connect(lambda tag, _r: done.append(tag))
    window.start_loading()
    wait(app, lambda: "kb-summary" in done)
    problems: list[str] = []
    if not screen.contains(window.frameGeometry()):
        problems.append(f"main window {window.frameGeometry()} outside {screen}")
    shots = Path(args.shots) if args.shots else None
    for row, (name, _title) in enumerate(PAGES):
        window.nav.setCurrentRow(row)
        page = window.page(name)
        if name == "reference":
            window.reference.search_box.setText("bladder")
            wait(app, lambda: "result" in window.reference.status.text())
            window.open_reference("ketamine-iv")
            wait(app, lambda: window.reference.save_pdf.isEnabled())
        elif name == "compare":
            wait(app, page.isEnabled)
            for mid in ("ketamine-iv", "esketamine", "kap"):
                page.add_modality(mid)
            wait(app, lambda page=page: page.result is not None)
        elif name == "eligibility":
            wait(app, lambda page=page: page.context is not None)
            page.radio("arteriovenous_malformation", "no").click()
            page.field("systolic_bp").setText("150")
        elif name == "picker":
            wait(app, page.isEnabled)
            page.checkboxes["trauma_origin"].click()
            page.condition.setCurrentIndex(page.condition.findData("ptsd"))
        elif name == "handouts":
            wait(app, lambda page=page: page.table.rowCount() > 0)
            page.show_handout("what-is-kap")
        settle(app)
        problems += outside(window, screen, name)
        if name == "picker":
            problems += clipped_cards(page)
        if shots:
            save_shot(window.grab().toImage(), shots / f"{name}-{size}.png")

    def build(kb):
        from kapdesk.documents.modality_sheet import write_modality_sheet
        from kapdesk.profile import ClinicProfile

        out = io.BytesIO()
        write_modality_sheet(out, kb, kb.modality("esketamine"), profile=ClinicProfile())
        return out.getvalue()

    window.nav.setCurrentRow(0)
    results: dict[str, bytes] = {}
    window.worker.done.connect(lambda tag, r: tag == "probe-pdf" and results.setdefault(tag, r))
    window.worker.submit("probe-pdf", build)
    wait(app, lambda: "probe-pdf" in results)
    preview = PdfPreviewDialog(
        results["probe-pdf"], "Esketamine", "esketamine.pdf", window.reference
    )
    preview.show()
    settle(app, 0.6)
    if not screen.contains(preview.frameGeometry()):
        problems.append(f"preview {preview.frameGeometry()} outside {screen}")
    problems += outside(preview, screen, "preview")
    if shots:
        save_shot(preview.grab().toImage(), shots / f"preview-{size}.png")
    preview.close()
    window.close()
    json.dump({"screen": size, "problems": problems}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
