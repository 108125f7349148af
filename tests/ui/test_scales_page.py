"""The Scales page: typed by keyboard, scored live, trend, Clear, copy, print preview."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from kapdesk.decide.scales import scale_library
from kapdesk.paths import AppPaths
from kapdesk.profile import ClinicProfile
from kapdesk.ui.identifiers import IdentifiersDialog
from kapdesk.ui.pdf_preview import PdfPreviewDialog
from kapdesk.ui.scales_page import ScalesPage
from kapdesk.ui.worker import CoreWorker

PROFILE = ClinicProfile(clinic_name="Harbor Clinic", crisis_text_en="Call 988 now.")


@pytest.fixture
def page(qtbot, built_data_dir: Path):
    worker = CoreWorker(AppPaths(built_data_dir))
    page = ScalesPage(worker, lambda: PROFILE, library=scale_library())
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    page.fields[0].setFocus()
    qtbot.waitUntil(lambda: page.fields[0].hasFocus())
    yield page
    worker.shutdown()


def type_digits(qtbot, digits: str) -> None:
    """Type into whichever field has the focus, as a clinician would."""
    for digit in digits:
        qtbot.keyClick(QApplication.focusWidget(), digit)


def test_typing_nine_answers_shows_the_total(qtbot, page: ScalesPage) -> None:
    # PHQ-9: 2+2+1+1+2+1+1+0+0 = 10 → "Moderate" (scales-monitoring.md §1.3, 10–14).
    type_digits(qtbot, "221121100")
    assert page.answers() == [2, 2, 1, 1, 2, 1, 1, 0, 0]
    assert page.total_label.text() == "Total: 10 of 27"
    assert page.band_label.text() == "Band: Moderate (10–14)"
    assert not page.safety.isVisible()
    assert "does not replace a suicide-risk assessment" in page.details.toPlainText()
    assert page.words[8].text() == "Not at all"


def test_out_of_range_digit_is_refused_and_the_cursor_stays(qtbot, page: ScalesPage) -> None:
    type_digits(qtbot, "4")
    assert page.fields[0].text() == "" and page.fields[0].hasFocus()
    type_digits(qtbot, "3")
    assert page.fields[1].hasFocus()
    qtbot.keyClick(page.fields[1], Qt.Key.Key_Backspace)
    assert page.fields[0].hasFocus()


def test_item9_raises_the_safety_prompt_live(qtbot, page: ScalesPage) -> None:
    # §1.4: any item-9 answer above 0 → clinician-led suicide-risk assessment.
    type_digits(qtbot, "000000001")
    assert page.safety.isVisible() or not page.safety.isHidden()
    assert "clinician-led suicide-risk assessment" in page.safety.text()
    assert "Call 988 now." in page.safety.text()
    assert page.total_label.text() == "Total: 1 of 27"


def test_incomplete_and_pcl5_clusters(qtbot, page: ScalesPage) -> None:
    page.select_scale("pcl5")
    assert len(page.fields) == 20
    qtbot.waitUntil(lambda: page.fields[0].hasFocus())
    type_digits(qtbot, "20000200220000220")
    assert "incomplete (3 items unanswered)" in page.total_label.text()
    assert "Provisional DSM-5 diagnosis: yes" in page.details.toPlainText()
    assert "E (arousal/reactivity), items 15–20: incomplete" in page.details.toPlainText()


def test_trend_clear_and_copy(qtbot, page: ScalesPage) -> None:
    type_digits(qtbot, "333333330")
    page.trend_date.setDate(QDate.currentDate().addDays(-30))
    page.trend_total.setValue(18)
    page.add_previous()
    assert page.trend_list.count() == 1
    assert [p.total for p in page.chart.result.previous] == [18]
    page.copy_summary()
    copied = QGuiApplication.clipboard().text()
    assert "Total: 24 of 27" in copied and "Earlier totals" in copied
    assert (date.today() - timedelta(days=30)).isoformat() in copied
    page.clear()
    assert page.answers() == [None] * 9 and page.previous == [] and page.trend_list.count() == 0
    assert "incomplete" in page.total_label.text()


def test_spanish_text_and_print_preview(qtbot, page: ScalesPage, monkeypatch) -> None:
    page.lang_box.setCurrentIndex(page.lang_box.findData("es"))
    assert page.texts[0].text() == "1. Poco interés o placer en hacer cosas"
    type_digits(qtbot, "111111111")
    assert page.words[0].text() == "Varios días"
    shown: list[bytes] = []
    typed = {"name": "Ana", "birth_date": "", "record": ""}
    monkeypatch.setattr(IdentifiersDialog, "ask", classmethod(lambda cls, *a, **k: typed))
    monkeypatch.setattr(
        PdfPreviewDialog,
        "show_pdf",
        classmethod(lambda cls, parent, pdf, title, name: shown.append(pdf)),
    )
    page.worker.start()
    qtbot.waitUntil(lambda: page.worker.kb is not None, timeout=20_000)
    page.print_preview()
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(shown[0])).pages)
    assert "9 of 27" in text and "Safety prompt" in text and "Ana" in text


def test_page_built_before_the_knowledge_base_waits_for_it(qtbot, built_data_dir: Path) -> None:
    worker = CoreWorker(AppPaths(built_data_dir))
    page = ScalesPage(worker, lambda: PROFILE)
    qtbot.addWidget(page)
    assert page.scale is None and page.fields == []
    page.refresh()  # nothing to score yet, and no error
    worker.start()
    qtbot.waitUntil(lambda: page.scale is not None, timeout=20_000)
    assert page.scale.id == "phq9" and len(page.fields) == 9
    assert page.scale_box.count() == 5
    worker.shutdown()
