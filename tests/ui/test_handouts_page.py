"""The Handouts page, driven like a clinician would (offscreen): library table, options,
preview of a bundle, the Reference page's Handout button, and no trace of the patient."""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from kapdesk.paths import AppPaths
from kapdesk.profile import ClinicProfile, ProfileStore
from kapdesk.ui.main_window import MainWindow
from kapdesk.ui.pdf_preview import PdfPreviewDialog
from tests.handout_fixtures import body_text, build_handout_root, squash, use_library_at


@pytest.fixture
def shown(monkeypatch) -> list[tuple[bytes, str, str]]:
    """The previews the page asked for, instead of a modal dialog."""
    calls: list[tuple[bytes, str, str]] = []
    monkeypatch.setattr(
        PdfPreviewDialog,
        "show_pdf",
        classmethod(lambda cls, parent, pdf, title, name: calls.append((pdf, title, name))),
    )
    return calls


@pytest.fixture
def window(qtbot, data_dir: Path, tmp_path: Path, monkeypatch):
    with ProfileStore(AppPaths(data_dir).profile_path) as store:
        store.save(ClinicProfile(clinic_name="Harbour Clinic", phone="555-0100"))
    return _window(qtbot, data_dir, tmp_path, monkeypatch)


@pytest.fixture
def bare_window(qtbot, data_dir: Path, tmp_path: Path, monkeypatch):
    """No clinic profile at all: no phone to print."""
    return _window(qtbot, data_dir, tmp_path, monkeypatch)


def _window(qtbot, data_dir: Path, tmp_path: Path, monkeypatch):
    use_library_at(build_handout_root(tmp_path / "resources"), monkeypatch)
    win = MainWindow(AppPaths(data_dir))
    qtbot.addWidget(win)
    win.show()
    win.page("handouts")  # pages are built on first use
    with qtbot.waitSignal(
        win.worker.done, timeout=20_000, check_params_cb=lambda tag, _: tag == "handouts:library"
    ):
        win.start_loading()
    return win


def row_of(page, handout_id: str) -> int:
    for row in range(page.table.rowCount()):
        if page.table.item(row, 0).data(Qt.ItemDataRole.UserRole) == handout_id:
            return row
    raise AssertionError(handout_id)


def tick(page, *handout_ids: str) -> None:
    for handout_id in handout_ids:
        page.table.item(row_of(page, handout_id), 0).setCheckState(Qt.CheckState.Checked)


def test_library_table_shows_levels_and_pemat(window) -> None:
    page = window.handouts
    assert page.table.rowCount() == 2
    row = row_of(page, "after-your-session")
    cells = [page.table.item(row, column).text() for column in range(page.table.columnCount())]
    assert cells[0] == "Test sheet: after your visit"
    assert cells[1] == "en, es"
    assert re.fullmatch(r"\d+\.\d", cells[2]) and re.fullmatch(r"\d+\.\d", cells[3])
    assert cells[4] == "92%" and cells[5] == "80%"
    assert page.table.item(row, 2).toolTip().startswith(f"Flesch–Kincaid grade {cells[2]}")
    assert "target ≤ 7" in page.table.item(row, 2).toolTip()
    assert page.table.item(row, 3).toolTip().startswith(f"Fernández-Huerta {cells[3]}")
    assert not page.preview_button.isEnabled()


def test_preview_a_bundle_in_large_print_spanish(qtbot, window, shown) -> None:
    page = window.handouts
    window.open_handout("emdr")
    tick(page, "after-your-session")
    assert page.checked_ids() == ["after-your-session", "emdr"]
    assert "2 handouts chosen" in page.chosen.text()
    page.language.setCurrentIndex(page.language.findData("es"))
    page.large_print.setChecked(True)
    qtbot.keyClicks(page.patient, "Ana <b>Ruiz</b>")
    page.note.setPlainText('Beba agua & descanse. <img src="x"/>')
    qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    pdf, title, name = shown[0]
    assert name == "handouts-2-es-large-print.pdf" and title.startswith("Sus hojas")
    dialog = PdfPreviewDialog(pdf, title, name)
    qtbot.addWidget(dialog)
    assert dialog.page_count() == len(PdfReader(io.BytesIO(pdf)).pages) >= 4
    text = body_text(pdf)
    assert squash("Para: Ana <b>Ruiz</b>") in text
    assert squash('Beba agua & descanse. <img src="x"/>') in text
    assert page.preview_button.isEnabled()


def _answer_message_box(qtbot, button_text: str, seen: list[str]) -> None:
    """Click ``button_text`` in the next modal message box (it runs its own loop)."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == button_text).click()

    QTimer.singleShot(20, click)


def test_no_clinic_phone_warns_before_printing(qtbot, bare_window, shown, monkeypatch) -> None:
    page = bare_window.handouts
    tick(page, "emdr")
    opened: list[bool] = []
    monkeypatch.setattr(bare_window, "open_settings", lambda: opened.append(True))
    seen: list[str] = []
    _answer_message_box(qtbot, "Set it now", seen)
    page.preview_button.click()
    assert seen == ["Patients will not see a clinic phone number."]
    assert opened == [True] and shown == []  # Settings opened, nothing printed yet
    _answer_message_box(qtbot, "Print anyway", seen)
    page.preview_button.click()
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    text = body_text(shown[0][0])
    assert squash("Call your care team at the number they gave you.") in text
    assert "____" not in text and "Settings" not in text


def test_undrawable_note_is_reported_not_printed(qtbot, window, shown) -> None:
    page = window.handouts
    tick(page, "emdr")
    page.note.setPlainText("abc中文")
    page.preview_button.click()
    qtbot.waitUntil(lambda: "could not be made" in page.status.text(), timeout=10_000)
    assert "note: character '中' (U+4E2D) at position 4" in page.status.text()
    assert shown == []


def test_clear_patient_details(window) -> None:
    page = window.handouts
    page.patient.setText("Someone")
    page.appointment.setText("Monday")
    page.note.setPlainText("A note")
    page.clear_button.click()
    assert (page.patient.text(), page.appointment.text(), page.note.toPlainText()) == ("", "", "")


def test_reference_page_handout_button_opens_the_handout(qtbot, window) -> None:
    reference = window.reference
    window.open_reference("cbt")
    qtbot.waitUntil(lambda: "Cognitive" in reference.detail.toPlainText(), timeout=5000)
    assert not reference.handout_button.isVisible()
    window.open_reference("emdr")
    qtbot.waitUntil(lambda: reference.handout_button.isVisible(), timeout=5000)
    reference.handout_button.click()
    assert window.pages.currentWidget() is window.handouts
    assert window.handouts.checked_ids() == ["emdr"]


def test_patient_details_are_not_stored(qtbot, window, shown, data_dir: Path) -> None:
    marker = uuid.uuid4().hex[:12]
    page = window.handouts
    tick(page, "emdr")
    page.patient.setText(f"Patient {marker}")
    page.note.setPlainText(f"Note {marker}")
    page.preview_button.click()
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    window.close()  # writes the window settings
    for path in data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert marker.encode() not in data and marker.encode("utf-16-le") not in data, path
