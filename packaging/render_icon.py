"""Render resources/icons/kapdesk.svg to the PNG the desktop entry and installers use.

Run after editing the SVG: ``QT_QPA_PLATFORM=offscreen .venv/bin/python
packaging/render_icon.py``. Qt renders it, so the PNG matches what the app itself draws.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZE = 256


def render(svg: Path, png: Path, size: int = SIZE) -> None:
    """Draw ``svg`` into a transparent ``size``×``size`` PNG."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG for Qt")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(png)):
        raise SystemExit(f"{png}: cannot be written")


if __name__ == "__main__":
    app = QGuiApplication(sys.argv[:1])
    render(ICONS / "kapdesk.svg", ICONS / "kapdesk.png")
