"""Desktop conventions, driven from the keyboard: menus, shortcuts, help, preview, fit,
accessible names (offscreen)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QAccessible, QGuiApplication
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QDialog, QFileDialog, QWidget

from kapdesk.paths import AppPaths
from kapdesk.ui.main_window import PAGES, MainWindow, clamped
from kapdesk.ui.pdf_preview import PdfPreviewDialog
from tests.ui.windows import loaded_window

CTRL = Qt.KeyboardModifier.ControlModifier


def page_key(name: str) -> Qt.Key:
    """The Ctrl+digit key of page ``name`` (its place in the navigation list)."""
    return Qt.Key(Qt.Key.Key_1 + [n for n, _ in PAGES].index(name))


@pytest.fixture
def window(qtbot, data_dir: Path):
    win = loaded_window(qtbot, data_dir)
    win.activateWindow()
    qtbot.waitUntil(lambda: win.reference.search_box.isEnabled(), timeout=5000)
    yield win
    win.close()


@pytest.fixture
def previews(monkeypatch) -> list[PdfPreviewDialog]:
    """Real preview dialogs, shown without blocking (exec returns at once)."""
    made: list[PdfPreviewDialog] = []
    original = PdfPreviewDialog.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(PdfPreviewDialog, "__init__", init)
    monkeypatch.setattr(PdfPreviewDialog, "exec", lambda self: self.show() or 0)
    # File › Print… would open the system's modal print dialog: mark the preview instead.
    monkeypatch.setattr(
        PdfPreviewDialog, "print_dialog", lambda self: self.setProperty("printed", True)
    )
    # Printouts that ask for patient identifiers get none (printed blank).
    from kapdesk.ui.identifiers import IdentifiersDialog

    blank = classmethod(lambda cls, *a, **k: defaultdict(str))
    monkeypatch.setattr(IdentifiersDialog, "ask", blank)
    # Patient printouts ask before printing without the clinic's phone: go ahead.
    for module in ("kapdesk.ui.handouts_page", "kapdesk.ui.picker_page"):
        monkeypatch.setattr(f"{module}.confirm_patient_print", lambda *a, **k: True)
    return made


def open_modality(qtbot, win: MainWindow, query: str) -> None:
    box = win.reference.search_box
    box.setFocus()
    qtbot.keyClicks(box, query)
    qtbot.waitUntil(lambda: "result" in win.reference.status.text(), timeout=5000)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.reference.save_pdf.isEnabled(), timeout=5000)


def tabs_from(qtbot, start: QWidget, target: QWidget, limit: int = 200) -> int:
    """Tab presses from ``start`` until ``target`` has the focus."""
    start.setFocus()
    count = 0
    while QApplication.focusWidget() is not target:
        assert count < limit, f"{target} not reached in {limit} Tab presses"
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        count += 1
    return count


# --- menus, shortcuts, title ---------------------------------------------------------------


def test_ctrl_digits_switch_pages_and_the_title_names_the_page(qtbot, window) -> None:
    assert window.windowTitle() == "Reference — kapdesk"
    for row, (_name, title) in enumerate(PAGES):
        qtbot.keyClick(window.reference.search_box, Qt.Key(Qt.Key.Key_1 + row), CTRL)
        assert window.nav.currentRow() == row
        assert window.windowTitle() == f"{title} — kapdesk"
    qtbot.keyClick(window.pages.currentWidget(), Qt.Key.Key_1, CTRL)
    assert window.pages.currentWidget() is window.reference


def test_esc_clears_the_search_and_keeps_the_cursor_there(qtbot, window) -> None:
    box = window.reference.search_box
    box.setFocus()
    qtbot.keyClicks(box, "bladder")
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert box.text() == "" and box.hasFocus()


def test_a_new_search_clears_a_stale_detail(qtbot, window) -> None:
    open_modality(qtbot, window, "lozenge")
    assert "oral" in window.reference.detail.toPlainText().lower()
    box = window.reference.search_box
    box.clear()
    qtbot.keyClicks(box, "rtms")
    qtbot.waitUntil(
        lambda: "Choose a modality" in window.reference.detail.toPlainText(), timeout=5000
    )
    assert not window.reference.save_pdf.isEnabled()


def test_citation_links_are_not_tab_stops(qtbot, window) -> None:
    open_modality(qtbot, window, "EMDR")
    button = window.reference.handout_button
    qtbot.waitUntil(button.isVisible, timeout=5000)
    # search box → results → detail (one stop) → Interactions… → Handout…
    # (49 before, when every citation link was a Tab stop)
    assert tabs_from(qtbot, window.reference.search_box, button) == 4
    qtbot.keyClick(button, Qt.Key.Key_Space)
    assert window.pages.currentWidget() is window.handouts


def test_f1_opens_the_guide_at_the_current_page(qtbot, window) -> None:
    window.nav.setCurrentRow(2)
    qtbot.keyClick(window.pages.currentWidget(), Qt.Key.Key_F1)
    guide = window._help
    qtbot.addWidget(guide)
    assert guide.current_topic() == "eligibility"
    assert "Copy summary" in guide.text.toPlainText()
    guide.list.setCurrentRow(len(guide.topics) - 1)
    shortcuts = guide.text.toPlainText()
    assert "Ctrl+P" in shortcuts and "Ctrl+Shift+S" in shortcuts and "Ctrl+1" in shortcuts
    names = {name for name, _ in guide.topics}
    for name, _ in PAGES:  # every page has its own guide page in resources/help/
        assert name in names
        assert (Path(__file__).parents[2] / "resources" / "help" / f"{name}.md").exists()


def test_about_lists_versions_and_licences(window) -> None:
    from kapdesk.ui.help_dialog import about_html
    from kapdesk.ui.main_window import DISCLAIMER

    html = about_html("9.9", "abc", DISCLAIMER)
    for needle in ("kapdesk 9.9", "Knowledge base abc", "LGPL", "reportlab", "sqlite-utils"):
        assert needle in html
    assert "DejaVu" in html and "BSD" in html


def test_file_print_without_a_document_says_so(qtbot, window, previews) -> None:
    window.print_action.trigger()
    assert not previews and "Open a modality first" in window.statusBar().currentMessage()
    assert PdfPreviewDialog.pending_action is None


def test_file_print_previews_the_page_document_and_prints(
    qtbot, window, previews, monkeypatch
) -> None:
    printed: list[bytes] = []
    monkeypatch.setattr(PdfPreviewDialog, "print_dialog", lambda self: printed.append(self.pdf))
    open_modality(qtbot, window, "lozenge")
    qtbot.keyClick(window.reference.search_box, Qt.Key.Key_P, CTRL)
    qtbot.waitUntil(lambda: bool(printed), timeout=10_000)
    assert printed[0].startswith(b"%PDF") and previews[0].pdf == printed[0]
    assert PdfPreviewDialog.pending_action is None


def test_save_as_pdf_starts_in_documents_then_the_last_folder(
    qtbot, window, previews, monkeypatch, tmp_path: Path
) -> None:
    asked: list[str] = []
    target = tmp_path / "chosen" / "sheet"
    target.parent.mkdir()

    def ask(parent, title, start, filters):
        asked.append(start)
        return str(target), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(ask))
    open_modality(qtbot, window, "lozenge")
    qtbot.keyClick(
        window.reference.search_box, Qt.Key.Key_S, CTRL | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.waitUntil(lambda: (tmp_path / "chosen" / "sheet.pdf").exists(), timeout=10_000)
    from kapdesk.ui.files import start_folder

    assert Path(asked[0]).name == "ketamine-oral-sl-reference.pdf"
    assert "Saved to" in window.statusBar().currentMessage()
    assert str(target.parent) in window.statusBar().currentMessage()
    assert start_folder(window) == target.parent  # the next dialog starts there
    previews[0].save_dialog()
    assert Path(asked[1]).parent == target.parent


# --- windows that fit -----------------------------------------------------------------------


def test_saved_geometry_larger_than_the_screen_is_clamped(qtbot, data_dir: Path) -> None:
    paths = AppPaths(data_dir)
    settings = QSettings(str(paths.settings_path), QSettings.Format.IniFormat)
    big = MainWindow(paths)
    qtbot.addWidget(big)
    big.resize(3000, 2000)
    settings.setValue("window/geometry", big.saveGeometry())
    settings.sync()
    big.close()
    again = MainWindow(paths)
    qtbot.addWidget(again)
    available = again.screen().availableGeometry()
    assert available.contains(again.geometry())
    again.close()


def test_clamped_keeps_a_fitting_rect_and_moves_a_stray_one_inside() -> None:
    from PySide6.QtCore import QRect

    screen = QRect(0, 0, 1366, 728)
    assert clamped(QRect(10, 10, 1180, 600), screen) == QRect(10, 10, 1180, 600)
    moved = clamped(QRect(2000, -50, 1180, 760), screen)
    assert screen.contains(moved) and moved.height() <= 728 * 0.95


def test_preview_fits_the_screen_and_pages_and_zooms(qtbot, kb) -> None:
    from tests.ui.test_pdf_preview import sheet

    dialog = PdfPreviewDialog(sheet(kb), "Esketamine", "esketamine.pdf")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    available = QGuiApplication.primaryScreen().availableGeometry()
    assert dialog.width() <= available.width() * 0.9 and dialog.height() <= available.height() * 0.9
    for button in (dialog.print_button, dialog.save_button, dialog.close_button):
        top_left = button.mapToGlobal(button.rect().topLeft())
        bottom_right = button.mapToGlobal(button.rect().bottomRight())
        assert available.contains(top_left) and available.contains(bottom_right)
    count = dialog.page_count()
    assert dialog.page_label.text() == f"Page 1 of {count}"
    qtbot.keyClick(dialog, Qt.Key.Key_PageDown)
    assert dialog.page_label.text() == f"Page 2 of {count}"
    qtbot.keyClick(dialog, Qt.Key.Key_PageUp)
    assert dialog.current_page() == 0 and not dialog.prev_button.isEnabled()
    dialog.fit_page()
    before = dialog._effective_zoom()
    dialog.zoom_in_button.click()
    assert dialog.view.zoomFactor() == pytest.approx(before * 1.25, rel=0.01)
    dialog.zoom_out_button.click()
    assert dialog.view.zoomFactor() == pytest.approx(before, rel=0.01)


def test_preview_remembers_its_size(qtbot, window, kb) -> None:
    from tests.ui.test_pdf_preview import sheet

    pdf = sheet(kb)
    first = PdfPreviewDialog(pdf, "E", "e.pdf", window.reference)
    qtbot.addWidget(first)
    first.resize(500, 400)
    first.done(0)
    second = PdfPreviewDialog(pdf, "E", "e.pdf", window.reference)
    qtbot.addWidget(second)
    assert second.size() == QSize(500, 400)


# --- keyboard-only paths through every page ---------------------------------------------------


def test_keyboard_only_compare(qtbot, window, previews) -> None:
    qtbot.keyClick(window.reference.search_box, page_key("compare"), CTRL)
    page = window.compare
    qtbot.waitUntil(page.isEnabled, timeout=10_000)
    page.filter_box.setFocus()
    for text in ("esketamine", "rtms"):
        qtbot.keyClicks(page.filter_box, text)
        qtbot.keyClick(page.filter_box, Qt.Key.Key_Return)
    assert page.chosen == ["esketamine", "rtms"]
    qtbot.waitUntil(lambda: page.result is not None, timeout=10_000)
    qtbot.keyClick(page.filter_box, Qt.Key.Key_P, CTRL)
    qtbot.waitUntil(lambda: bool(previews), timeout=20_000)
    assert "Comparison" in previews[0].windowTitle()
    qtbot.waitUntil(lambda: previews[0].property("printed") is True, timeout=5000)


def test_keyboard_only_eligibility(qtbot, window) -> None:
    qtbot.keyClick(window.reference.search_box, page_key("eligibility"), CTRL)
    page = window.eligibility
    qtbot.waitUntil(lambda: page.context is not None, timeout=10_000)
    first = next(iter(page._radios))
    yes = page.radio(first, "yes")
    yes.setFocus()
    qtbot.keyClick(yes, Qt.Key.Key_Space)
    assert yes.isChecked()
    field = page.field("systolic_bp")
    field.setFocus()
    qtbot.keyClicks(field, "150")
    assert page.result.answers["systolic_bp"] == 150
    # Tab leaves the field for its neighbours, never for a citation inside the result.
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not field


def test_keyboard_only_picker(qtbot, window, previews) -> None:
    qtbot.keyClick(window.reference.search_box, page_key("picker"), CTRL)
    page = window.picker
    qtbot.waitUntil(page.isEnabled, timeout=20_000)
    box = next(iter(page.checkboxes.values()))
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert box.isChecked() and len(page.cards) == 6
    qtbot.keyClick(box, Qt.Key.Key_P, CTRL)
    qtbot.waitUntil(lambda: bool(previews), timeout=20_000)
    assert previews[0].pdf.startswith(b"%PDF")
    qtbot.waitUntil(lambda: previews[0].property("printed") is True, timeout=5000)


def test_keyboard_only_handouts(qtbot, window, previews) -> None:
    qtbot.keyClick(window.reference.search_box, page_key("handouts"), CTRL)
    page = window.handouts
    qtbot.waitUntil(lambda: page.table.rowCount() > 0, timeout=20_000)
    page.table.setFocus()
    page.table.setCurrentCell(0, 0)
    qtbot.keyClick(page.table, Qt.Key.Key_Space)
    qtbot.waitUntil(page.preview_button.isEnabled, timeout=5000)
    qtbot.keyClick(page.table, Qt.Key.Key_P, CTRL)
    qtbot.waitUntil(lambda: bool(previews), timeout=30_000)
    assert previews[0].pdf.startswith(b"%PDF")
    qtbot.waitUntil(lambda: previews[0].property("printed") is True, timeout=5000)


# --- accessible names ------------------------------------------------------------------------


def unnamed(root: QWidget) -> list[str]:
    """Focusable, shown widgets under ``root`` whose accessible name is empty."""
    missing = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus or not widget.isVisibleTo(root):
            continue
        if isinstance(widget.parentWidget(), QAbstractSpinBox):
            continue  # a spin box's own line edit: the spin box carries the name
        interface = QAccessible.queryAccessibleInterface(widget)
        if not interface or not interface.text(QAccessible.Text.Name).strip():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


def test_every_focusable_widget_has_an_accessible_name(qtbot, window, kb) -> None:
    for row, (name, _title) in enumerate(PAGES):
        window.nav.setCurrentRow(row)
        page = window.page(name)
        if name == "picker":
            qtbot.waitUntil(page.isEnabled, timeout=20_000)
            next(iter(page.checkboxes.values())).click()  # cards with their buttons
        if name == "eligibility":
            qtbot.waitUntil(lambda page=page: page.context is not None, timeout=10_000)
        if name == "compare":
            qtbot.waitUntil(page.isEnabled, timeout=10_000)
        if name == "handouts":
            qtbot.waitUntil(lambda page=page: page.table.rowCount() > 0, timeout=20_000)
        assert unnamed(window) == [], (name, unnamed(window))
    from tests.ui.test_pdf_preview import sheet

    preview = PdfPreviewDialog(sheet(kb), "E", "e.pdf", window)
    qtbot.addWidget(preview)
    preview.show()
    assert unnamed(preview) == []
    window.show_help()
    qtbot.addWidget(window._help)
    assert unnamed(window._help) == []


# --- settings --------------------------------------------------------------------------------


def test_settings_phone_is_checked_inline_and_saving_says_saved(qtbot, window, monkeypatch) -> None:
    from kapdesk.ui.settings_dialog import SettingsDialog

    seen: list[str] = []

    def run(dialog: SettingsDialog) -> int:
        dialog.fields["phone"].setText("call us maybe")
        seen.append(dialog.field_errors["phone"].text())
        dialog.save()
        assert dialog.result() != QDialog.DialogCode.Accepted  # still open
        dialog.fields["phone"].setText("+1 (555) 010-0100 ext 12")
        seen.append(dialog.field_errors["phone"].text())
        dialog.save()
        return dialog.result()

    monkeypatch.setattr(SettingsDialog, "exec", run)
    window.open_settings()
    assert "not a phone number" in seen[0] and seen[1] == ""
    assert window.statusBar().currentMessage() == "Saved the clinic profile."
    assert window.load_profile().phone == "+1 (555) 010-0100 ext 12"


def test_compare_sources_splitter_is_remembered(qtbot, data_dir: Path) -> None:
    paths = AppPaths(data_dir)
    first = MainWindow(paths)
    qtbot.addWidget(first)
    first.show()
    first.show_page(first.compare)
    splitter = first.compare.sources_splitter
    total = sum(splitter.sizes())
    splitter.moveSplitter(total // 4, 1)
    sizes = splitter.sizes()
    first.close()
    second = MainWindow(paths)
    qtbot.addWidget(second)
    second.show()
    second.show_page(second.compare)
    assert second.compare.sources_splitter.sizes() == sizes
    second.close()
