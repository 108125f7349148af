"""File › Install content update…, Go back, the status bar, Help › About, the review banner."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from kapdesk.kb import pack
from tests.core.test_pack import edited_resources
from tests.pack_helpers import later

pytestmark = pytest.mark.usefixtures("trust_publisher")


@pytest.fixture
def edited_pack(tmp_path: Path, publisher) -> tuple[Path, str, str]:
    """A pack (content version 2) whose only change is one CBT mechanism statement."""
    old, new = edited_resources(tmp_path / "resources", 2)
    out = tmp_path / "cbt-edit.kpack"
    pack.build_pack(publisher.secret_path, out, resources_root=tmp_path / "resources")
    return out, old, new


def open_update_dialog(qtbot, window, path: Path):
    window.install_content_update(path)
    qtbot.waitUntil(lambda: window.update_dialog is not None, timeout=10_000)
    qtbot.waitUntil(window.update_dialog.isVisible, timeout=5_000)
    return window.update_dialog


def test_status_bar_and_about_show_the_active_content(window) -> None:
    assert "content version 1 (bundled)" in window.kb_label.text()
    assert "content version 1 (bundled)" in window.about_text()
    assert "due for review 2027-11-21" in window.about_text()
    assert window.review_banner.isHidden()


def test_install_shows_the_change_and_asks_before_switching(qtbot, window, edited_pack) -> None:
    path, old, new = edited_pack
    dialog = open_update_dialog(qtbot, window, path)
    text = dialog.changes.toPlainText()
    assert f"was: {old}" in text and f"now: {new}" in text
    assert text.count("Changed —") == 1 and "content version 2" in dialog.summary.text()
    # Nothing switched while the question is open.
    assert "content version 1 (bundled)" in window.kb_label.text()
    assert pack.load_state(window.paths).active is None
    dialog.install_button.click()
    qtbot.waitUntil(
        lambda: "content version 2 (content pack)" in window.kb_label.text(), timeout=15_000
    )
    assert "content version 2 (content pack)" in window.about_text()
    window.open_reference("cbt")
    qtbot.waitUntil(lambda: new in window.reference.detail.toPlainText(), timeout=10_000)


def test_cancel_leaves_the_content_as_it_was(qtbot, window, edited_pack) -> None:
    dialog = open_update_dialog(qtbot, window, edited_pack[0])
    dialog.reject()
    qtbot.wait(200)
    assert pack.load_state(window.paths).active is None
    assert "content version 1 (bundled)" in window.kb_label.text()


def test_a_refused_pack_is_explained(qtbot, window, make_pack, stranger, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    window.install_content_update(make_pack(2, signer=stranger))
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert "signed by unknown key" in shown[0] and window.update_dialog is None


def test_expired_content_shows_the_review_banner_and_go_back(
    qtbot, window, make_pack, monkeypatch
) -> None:
    dialog = open_update_dialog(qtbot, window, make_pack(2, expires=later(-2)))
    assert "expired on" in dialog.warning.text() and dialog.warning.isVisibleTo(dialog)
    dialog.install_button.click()
    qtbot.waitUntil(
        lambda: "content version 2 (content pack)" in window.kb_label.text(), timeout=15_000
    )
    assert window.review_banner.isVisible()
    assert "due for review on " + later(-2).isoformat() in window.review_banner.text()
    # The banner is part of the window, not a dialog: the pages stay usable.
    assert window.reference.search_box.isEnabled() and QApplication.activeModalWidget() is None
    window._update_review_banner(today=later(-2) - timedelta(days=1))
    assert window.review_banner.isHidden()

    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda *args: QMessageBox.StandardButton.Yes,
    )
    window.go_back_action.trigger()
    qtbot.waitUntil(lambda: "content version 1 (bundled)" in window.kb_label.text(), timeout=15_000)
    assert window.review_banner.isHidden()
