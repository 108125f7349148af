"""GUI side of the hardening issue (17): a locked profile keeps Settings open with a
clear message (item 5), and a long render runs off the GUI thread and can be cancelled
(item 7)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

import kapdesk.profile as profile_module
from kapdesk.paths import AppPaths
from kapdesk.profile import IN_USE, ProfileStore
from kapdesk.ui.main_window import MainWindow
from kapdesk.ui.settings_dialog import SettingsDialog
from kapdesk.ui.worker import CoreWorker


@pytest.fixture
def window(qtbot, data_dir: Path):
    win = MainWindow(AppPaths(data_dir))
    qtbot.addWidget(win)
    yield win
    win.close()


def test_item5_settings_save_while_locked_keeps_the_dialog_and_says_why(
    qtbot, window, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(profile_module, "BUSY_TIMEOUT", 0.2)
    path = AppPaths(data_dir).profile_path
    with ProfileStore(path) as store:
        dialog = SettingsDialog(store, [], None, window)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.keyClicks(dialog.fields["clinic_name"], "Valle Verde Clinic")
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")  # another kapdesk window mid-save
        try:
            dialog.save()
            assert dialog.isVisible() and dialog.result() != dialog.DialogCode.Accepted
            assert dialog.error.isVisible() and IN_USE in dialog.error.text()
            assert dialog.fields["clinic_name"].text() == "Valle Verde Clinic"
        finally:
            other.rollback()
            other.close()
        dialog.save()  # the other window is closed: the same dialog saves
        assert dialog.result() == dialog.DialogCode.Accepted
        assert store.load().clinic_name == "Valle Verde Clinic"


def test_item5_settings_on_a_foreign_file_is_a_message_and_the_file_untouched(
    qtbot, window, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    path = AppPaths(data_dir).profile_path
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE clinic (patient TEXT)")
    conn.close()
    before = path.read_bytes()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    window.open_settings()
    assert shown and "not a kapdesk clinic profile" in shown[0]
    assert path.read_bytes() == before


def test_item7_a_long_render_is_cancelled_within_a_page(qtbot, data_dir: Path) -> None:
    """All ten handouts in large-print Spanish (about 100 pages) stop soon after Cancel."""
    worker = CoreWorker(AppPaths(data_dir))
    with qtbot.waitSignal(worker.ready, timeout=30_000):
        worker.start()
    started = threading.Event()

    def build(kb):
        from kapdesk.documents.handout import HandoutOptions, render_handouts
        from kapdesk.kb.catalog import library
        from kapdesk.profile import ClinicProfile

        lib = library()
        started.set()
        return render_handouts(
            lib,
            lib.ids,
            options=HandoutOptions(lang="es", large_print=True),
            profile=ClinicProfile(),
            kb_version=kb.version,
        )

    done: list[object] = []
    worker.done.connect(lambda tag, result: done.append(result))
    try:
        with qtbot.waitSignal(worker.cancelled, timeout=30_000) as blocker:
            worker.submit("bundle", build)
            assert started.wait(10)
            worker.cancel("bundle")
        assert blocker.args == ["bundle"] and not done
    finally:
        worker.shutdown()


def test_item7_handouts_page_cancel_button(qtbot, window, monkeypatch) -> None:
    from kapdesk.ui.pdf_preview import PdfPreviewDialog

    shown: list[bytes] = []
    monkeypatch.setattr(
        PdfPreviewDialog, "show_pdf", classmethod(lambda cls, parent, pdf, *a: shown.append(pdf))
    )
    with ProfileStore(window.paths.profile_path) as store:  # a phone: no warning first
        store.save(profile_module.ClinicProfile(phone="555-0100"))
    page = window.page("handouts")
    with qtbot.waitSignal(
        window.worker.done, timeout=30_000, check_params_cb=lambda tag, _: tag == "handouts:library"
    ):
        window.start_loading()
    page.table.item(0, 0).setCheckState(Qt.CheckState.Checked)
    gate = threading.Event()
    window.worker.submit("busy", lambda kb: gate.wait(10))  # the worker is busy elsewhere
    qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    assert not page.cancel_button.isHidden()
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    gate.set()
    qtbot.waitUntil(lambda: "Cancelled" in page.status.text(), timeout=20_000)
    assert not shown and page.cancel_button.isHidden()
    assert page.preview_button.isEnabled()
