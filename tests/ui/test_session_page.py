"""The Session page: keyboard entry of vitals, the next due time moving, live flags,
Clear with confirmation; the Interactions view and drug names on the Eligibility page."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from kapdesk.paths import AppPaths
from kapdesk.profile import ClinicProfile
from kapdesk.ui.session_dialogs import InteractionsDialog
from kapdesk.ui.session_page import SessionPage
from kapdesk.ui.worker import CoreWorker


@pytest.fixture
def page(qtbot, tmp_path: Path):
    worker = CoreWorker(AppPaths(tmp_path))  # evaluation runs on the GUI thread
    page = SessionPage(worker, lambda: ClinicProfile(clinic_name="Harbour Clinic"))
    qtbot.addWidget(page)
    yield page
    worker.shutdown()


def at(page: SessionPage, hour: int, minute: int) -> None:
    page.clock = lambda: datetime(2026, 12, 7, hour, minute)
    page.tick()


def type_reading(qtbot, page: SessionPage, values: tuple[str, str, str, str]) -> None:
    for key, text in zip(("systolic", "diastolic", "heart_rate", "spo2"), values, strict=True):
        qtbot.keyClicks(page.vital_fields[key], text)
    qtbot.keyClick(page.vital_fields["spo2"], Qt.Key.Key_Return)


def test_three_readings_by_keyboard_move_the_due_time(qtbot, page: SessionPage) -> None:
    page.product.setCurrentIndex(page.product.findData("racemic"))
    page.route.setCurrentIndex(page.route.findData("iv"))
    page.schedule.setCurrentIndex(page.schedule.findData("iv-yale"))
    at(page, 10, 0)
    assert page.time_field.text() == "10:00"  # current time pre-filled
    type_reading(qtbot, page, ("128", "82", "74", "98"))
    assert page.start.text() == "10:00" and page.table.rowCount() == 1
    assert "10:10" in page.next_due_text() and "10-minute" in page.next_due_text()
    at(page, 10, 11)
    type_reading(qtbot, page, ("136", "88", "80", "97"))
    assert "10:20" in page.next_due_text()
    at(page, 10, 19)
    type_reading(qtbot, page, ("141", "90", "84", "97"))
    assert "10:30" in page.next_due_text()
    assert page.table.rowCount() == 3 and page.table.item(2, 2).text() == "141/90"
    assert page.next_due.property("state") == "upcoming"
    at(page, 10, 26)  # within the reading's window: due, highlighted
    assert page.next_due.property("state") == "due" and "#b34700" in page.next_due.styleSheet()
    at(page, 10, 37)  # past it with no reading: late, highlighted red, and flagged
    assert page.next_due.property("state") == "late" and "#a4161a" in page.next_due.styleSheet()
    assert "30-minute reading missing" in page.details.toPlainText()


def test_bad_row_is_refused_with_the_field_named(qtbot, page: SessionPage) -> None:
    at(page, 9, 0)
    type_reading(qtbot, page, ("400", "20", "70", "98"))
    assert page.table.rowCount() == 0
    assert page.entry_error.text().startswith("systolic: 400 is outside")
    for field in page.vital_fields.values():
        field.clear()
    type_reading(qtbot, page, ("120", "80", "70", "120"))
    assert page.entry_error.text().startswith("spo2: 120 is outside")


def test_flags_are_live_and_clear_asks_first(qtbot, page: SessionPage, monkeypatch) -> None:
    at(page, 9, 0)
    type_reading(qtbot, page, ("150", "95", "80", "98"))  # esketamine is the first product
    assert "above the Spravato label's example" in page.details.toPlainText()
    page.escort.setCurrentIndex(page.escort.findData(False))
    assert "No escort" in page.details.toPlainText()
    assert "Ready for discharge: no" in page.checklist_view.text()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    page.confirm_clear()
    assert page.table.rowCount() == 1
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.confirm_clear()
    assert page.table.rowCount() == 0 and page.start.text() == ""
    assert "No flag" in page.details.toPlainText()


def test_start_from_eligibility_carries_product_route_weight_medications(page) -> None:
    page.start_from(
        {"product": "racemic", "route": "iv", "weight_kg": 70.0, "medications": ["diazepam"]}
    )
    assert page.product.currentData() == "racemic" and page.route.currentData() == "iv"
    assert page.weight.text() == "70" and page.medications.text() == "diazepam"
    assert "Monitor closely" in page.details.toPlainText()


def test_interactions_view_shows_level_in_words_and_colour(qtbot) -> None:
    dialog = InteractionsDialog()
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.names, "aminoph, ibuprofen")
    dialog.product.setCurrentIndex(dialog.product.findData("racemic"))
    html = dialog.view.toHtml()
    text = dialog.view.toPlainText()
    assert "Do not co-administer" in text and "#a4161a" in html
    assert "ibuprofen: not in kapdesk's list" in text
    assert "not a general drug-interaction checker" in text


def test_page_waits_for_the_knowledge_base(qtbot, tmp_path: Path, monkeypatch) -> None:
    from kapdesk.kb import catalog

    active = catalog.current()
    monkeypatch.setattr(catalog, "_active", None)
    worker = CoreWorker(AppPaths(tmp_path))
    page = SessionPage(worker, ClinicProfile)
    qtbot.addWidget(page)
    page.start_from({"product": "racemic", "route": "im", "weight_kg": 60.0})
    assert page.rules is None and not page.loading.isHidden()
    monkeypatch.setattr(catalog, "_active", active)
    page._kb_ready(None)
    assert page.loading.isHidden() and page.product.currentData() == "racemic"
    assert page.route.currentData() == "im" and page.weight.text() == "60"
    worker.shutdown()
