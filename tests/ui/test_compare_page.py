"""The Compare page, driven like a clinician would (offscreen)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl

from kapdesk.paths import AppPaths
from kapdesk.profile import ClinicProfile
from kapdesk.ui.compare_page import ComparePage
from kapdesk.ui.pdf_preview import PdfPreviewDialog
from kapdesk.ui.worker import CoreWorker


def is_tag(prefix: str):
    return lambda tag, _result: tag.startswith(prefix)


@pytest.fixture
def page(qtbot, data_dir: Path):
    worker = CoreWorker(AppPaths(data_dir))
    widget = ComparePage(worker, lambda: ClinicProfile(clinic_name="Valle Verde Clinic"))
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    with qtbot.waitSignal(worker.done, timeout=20_000, check_params_cb=is_tag("compare:catalog")):
        worker.start()
    yield widget
    worker.shutdown()


def add_by_typing(qtbot, page: ComparePage, text: str) -> None:
    page.filter_box.clear()
    qtbot.keyClicks(page.filter_box, text)
    qtbot.keyClick(page.filter_box, Qt.Key.Key_Return)


def wait_grid(qtbot, page: ComparePage, **expected) -> None:
    def ready() -> bool:
        result = page.result
        if result is None or list(result.comparison.modalities) != page.chosen:
            return False
        return all(getattr(result.comparison, k) == v for k, v in expected.items())

    qtbot.waitUntil(ready, timeout=10_000)


def test_add_three_switch_audience_and_show_only_differences(qtbot, page) -> None:
    assert not page.preview_button.isEnabled()
    add_by_typing(qtbot, page, "cognitive behav")
    add_by_typing(qtbot, page, "prolonged exposure")
    page.available.setCurrentRow(
        next(
            i
            for i in range(page.available.count())
            if page.available.item(i).data(Qt.ItemDataRole.UserRole) == "emdr"
        )
    )
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert page.chosen == ["cbt", "exposure", "emdr"]
    wait_grid(qtbot, page, audience="clinician")
    assert "Time to first benefit" in page.grid.toPlainText()

    page.audience.setCurrentIndex(page.audience.findData("patient"))
    wait_grid(qtbot, page, audience="patient")
    text = page.grid.toPlainText()
    assert "How soon might I feel better?" in text and "Time to first benefit" not in text
    assert page.language.isEnabled()

    all_rows = page.visible_rows()
    qtbot.mouseClick(page.only_differences, Qt.MouseButton.LeftButton)
    shown = page.visible_rows()
    comparison = page.result.comparison
    assert shown == [r.attribute for r in comparison.rows if r.differs]
    # None of the three has a sourced time to first benefit or cost: those rows are alike.
    assert "onset" in all_rows and "onset" not in shown and "cost" not in shown
    text = page.grid.toPlainText()
    assert "How soon might I feel better?" not in text
    assert "What is it and how does it work?" in text


def test_language_follows_the_audience(qtbot, page) -> None:
    for mid in ("kap", "cbt"):
        page.add_modality(mid)
    assert not page.language.isEnabled()  # clinician texts are English
    page.audience.setCurrentIndex(page.audience.findData("patient"))
    page.language.setCurrentIndex(page.language.findData("es"))
    page.condition.setCurrentIndex(page.condition.findData("gad"))
    wait_grid(qtbot, page, lang="es", condition="gad")
    assert "¿Cuándo podría sentirme mejor?" in page.grid.toPlainText()
    assert "sin datos" in page.chart.bar_texts()
    page.audience.setCurrentIndex(page.audience.findData("clinician"))
    assert page.language.currentData() == "en" and not page.language.isEnabled()
    wait_grid(qtbot, page, audience="clinician", lang="en")


def test_columns_reorder_and_remove_and_stop_at_four(qtbot, page) -> None:
    for mid in ("kap", "ssri-snri", "cbt", "ect"):
        assert page.add_modality(mid)
    assert not page.add_button.isEnabled()
    assert page.add_modality("emdr") is False and "at most 4" in page.status.text()
    assert page.add_modality("kap") is False
    page.chosen_list.setCurrentRow(0)
    qtbot.mouseClick(page.right_button, Qt.MouseButton.LeftButton)
    assert page.chosen == ["ssri-snri", "kap", "cbt", "ect"]
    wait_grid(qtbot, page)
    headers = page.grid.toPlainText()
    assert headers.index("SSRI / SNRI") < headers.index("KAP")  # short names head columns
    page.chosen_list.setCurrentRow(3)
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert page.chosen == ["ssri-snri", "kap", "cbt"] and page.add_button.isEnabled()
    page.chosen_list.setCurrentRow(0)
    for _ in range(2):
        qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert page.chosen == ["cbt"]
    assert not page.preview_button.isEnabled() and "Add 1 more option" in page.status.text()


def test_sources_on_demand_and_chart(qtbot, page) -> None:
    for mid in ("kap", "ssri-snri", "cbt"):
        page.add_modality(mid)
    page.condition.setCurrentIndex(page.condition.findData("gad"))
    wait_grid(qtbot, page, condition="gad")
    assert page.chart.bar_texts()[:2] == ["2 hours to 1 day", "not reported"]
    onset = [r.attribute for r in page.result.comparison.rows].index("onset")
    page.grid.anchorClicked.emit(QUrl(f"cell:{onset}:kap"))
    assert "Chilukuri" in page.sources.toPlainText()
    page.grid.anchorClicked.emit(QUrl(f"cell:{onset}:cbt"))
    assert "Reason given in the content" in page.sources.toPlainText()
    strength = page.grid.toHtml()
    assert "Strong" in page.grid.toPlainText() and "#1a6b3c" in strength


def test_print_preview_opens_with_the_right_page_count(qtbot, page, monkeypatch) -> None:
    opened: list[PdfPreviewDialog] = []

    def show_pdf(cls, parent, pdf, title, suggested_name):
        dialog = cls(pdf, title, suggested_name, parent)
        opened.append(dialog)
        return dialog

    monkeypatch.setattr(PdfPreviewDialog, "show_pdf", classmethod(show_pdf))
    for mid in ("kap", "ssri-snri", "cbt"):
        page.add_modality(mid)
    page.audience.setCurrentIndex(page.audience.findData("patient"))
    page.condition.setCurrentIndex(page.condition.findData("gad"))
    wait_grid(qtbot, page, audience="patient", condition="gad")
    with qtbot.waitSignal(page.worker.done, timeout=20_000, check_params_cb=is_tag("compare:prev")):
        qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    assert opened[0].page_count() == 1
    assert opened[0].suggested_name == "kap-ssri-snri-cbt-patient.pdf"
    opened[0].close()


def test_save_as_pdf_writes_the_sheet(qtbot, page, monkeypatch, tmp_path: Path) -> None:
    from pypdf import PdfReader
    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "comparison"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "PDF"))
    )
    for mid in ("esketamine", "ect"):
        page.add_modality(mid)
    with qtbot.waitSignal(page.worker.done, timeout=20_000, check_params_cb=is_tag("compare:save")):
        page.save_pdf()
    reader = PdfReader(tmp_path / "comparison.pdf")
    assert "Esketamine nasal spray" in "".join(p.extract_text() for p in reader.pages)
    assert "Saved the sheet" in page.status.text()


def test_reference_page_adds_to_the_comparison(qtbot, data_dir: Path) -> None:
    from tests.ui.windows import loaded_window

    window = loaded_window(qtbot, data_dir)
    assert not window.reference.compare_button.isEnabled()
    window.reference.show_modality("esketamine")
    qtbot.waitUntil(window.reference.compare_button.isEnabled, timeout=5000)
    # The Compare page is built by this click and still loading its catalog.
    qtbot.mouseClick(window.reference.compare_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.compare
    qtbot.waitUntil(lambda: window.compare.chosen == ["esketamine"], timeout=10_000)
    window.close()


def test_patient_grid_shows_short_answers_with_the_full_text_as_tooltip(qtbot, page) -> None:
    from PySide6.QtCore import QEvent, QPoint
    from PySide6.QtGui import QHelpEvent, QTextCursor
    from PySide6.QtWidgets import QApplication, QToolTip

    for mid in ("kap", "ssri-snri", "cbt"):
        page.add_modality(mid)
    page.audience.setCurrentIndex(page.audience.findData("patient"))
    page.condition.setCurrentIndex(page.condition.findData("gad"))
    wait_grid(qtbot, page, audience="patient", condition="gad")
    cell = page.result.comparison.row("onset").cell("kap")
    short, full = cell.text, cell.parts[0].detail
    text = page.grid.toPlainText()
    assert short in text and full not in text

    found = page.grid.document().find(short)
    at = QTextCursor(page.grid.document())
    at.setPosition(found.selectionStart() + 2)
    point = page.grid.cursorRect(at).center()
    assert full in page.tooltip_at(point)
    assert page.tooltip_at(QPoint(2, 2)) == ""  # outside the answers

    viewport = page.grid.viewport()
    event = QHelpEvent(QEvent.Type.ToolTip, point, viewport.mapToGlobal(point))
    QApplication.sendEvent(viewport, event)
    assert full in QToolTip.text()
    QToolTip.hideText()

    # The sources panel gives the full text too, for those who cannot hover.
    onset = [r.attribute for r in page.result.comparison.rows].index("onset")
    page.grid.anchorClicked.emit(QUrl(f"cell:{onset}:kap"))
    assert full in page.sources.toPlainText()


def test_spanish_view_links_and_labels_are_spanish(qtbot, page) -> None:
    for mid in ("kap", "cbt"):
        page.add_modality(mid)
    page.audience.setCurrentIndex(page.audience.findData("patient"))
    page.language.setCurrentIndex(page.language.findData("es"))
    wait_grid(qtbot, page, lang="es")
    text = page.grid.toPlainText()
    assert "fuentes (" in text and "sources (" not in text
    assert "reason" not in text.split()
    assert page.chart_title.text() == "<b>¿Cuándo podría ayudar y cuánto dura el efecto?</b>"
    assert "Haga clic" in page.sources.toPlainText()
    onset = [r.attribute for r in page.result.comparison.rows].index("onset")
    page.grid.anchorClicked.emit(QUrl(f"cell:{onset}:kap"))
    assert "In full" not in page.sources.toPlainText()


def test_column_names_and_the_top_row_stay_in_view_while_scrolling(qtbot, page) -> None:
    for mid in ("ketamine-iv", "esketamine", "kap"):
        page.add_modality(mid)
    wait_grid(qtbot, page, audience="clinician")
    assert [label.text() for label in page.header_labels] == ["IV ketamine", "Esketamine", "KAP"]
    assert page.header.isVisibleTo(page)
    bar = page.grid.verticalScrollBar()
    assert bar.maximum() > 0  # the clinician grid is taller than the view
    bar.setValue(bar.maximum() // 2)
    middle = page.top_row_label()
    assert middle and page.header_row.text() == middle
    assert middle != page.result.comparison.rows[0].label
    bar.setValue(0)
    assert page.header_row.text() in ("", page.result.comparison.rows[0].label)


@pytest.mark.parametrize("width", [260, 330, 420, 640])
def test_onset_chart_fits_its_width(qtbot, page, width: int) -> None:
    # At 1024×700 the chart gets about 330 px: its legend and the words beside each bar
    # must fit whole (they were cut off: "Course of trea…", "2 hours to 1 d…").
    from PySide6.QtGui import QFontMetricsF

    for mid in ("ketamine-iv", "esketamine", "kap"):
        page.add_modality(mid)
    wait_grid(qtbot, page)
    chart = page.chart
    layout = chart.chart_layout(width)
    metrics = QFontMetricsF(chart.font())
    words = chart.bar_texts()
    widest = max(metrics.horizontalAdvance(text) for text in words)
    if layout.text_below:
        assert layout.left + widest <= width
    else:
        assert layout.left + layout.plot_width + 12 + widest <= width
    assert layout.plot_width >= 60
    labels = {"onset": "First benefit", "course": "Course of treatment"}
    for line in layout.legend:
        used = layout.left + sum(40 + metrics.horizontalAdvance(labels[k]) for k in line) - 18
        assert used <= width or len(line) == 1
    assert [k for line in layout.legend for k in line] == ["onset", "course"]
    if width >= 420:
        assert not layout.text_below  # the usual layout whenever there is room for it
