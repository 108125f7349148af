"""The main window, driven like a clinician would (offscreen)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QPlainTextEdit

from kapdesk.paths import AppPaths
from kapdesk.profile import ProfileStore
from kapdesk.ui.main_window import MainWindow
from kapdesk.ui.settings_dialog import SettingsDialog


def result_ids(win) -> list[str]:
    results = win.reference.results
    return [
        results.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(results.count())
        if results.item(i).data(Qt.ItemDataRole.UserRole)
    ]


def test_search_box_is_focused_and_shows_the_version(window) -> None:
    assert window.reference.search_box.hasFocus() or window.reference.search_box.isEnabled()
    assert "Knowledge base" in window.kb_label.text() and "reviewed" in window.kb_label.text()
    assert len(result_ids(window)) == 16  # browse list before typing


def test_typing_shows_results(qtbot, window) -> None:
    qtbot.keyClicks(window.reference.search_box, "Sprav")
    qtbot.waitUntil(lambda: result_ids(window)[:1] == ["esketamine"], timeout=5000)
    assert "result" in window.reference.status.text()


def test_opening_a_result_shows_detail_with_references(qtbot, window) -> None:
    qtbot.keyClicks(window.reference.search_box, "lozenge")
    qtbot.waitUntil(lambda: result_ids(window)[:1] == ["ketamine-oral-sl"], timeout=5000)
    qtbot.keyClick(window.reference.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "References" in window.reference.detail.toPlainText(), timeout=5000)
    text = window.reference.detail.toPlainText()
    assert "oral" in text.lower() and "Evidence strength by condition" in text
    assert "Andrade C. Oral ketamine for depression" in text


def test_ctrl_k_focuses_search(qtbot, window) -> None:
    window.reference.detail.setFocus()
    window.find_action.trigger()
    assert window.reference.search_box.hasFocus()


def test_settings_save_survives_a_restart(qtbot, window, data_dir: Path, monkeypatch) -> None:
    paths = AppPaths(data_dir)
    with ProfileStore(paths.profile_path) as store:
        dialog = SettingsDialog(store, window._offered_choices, window._known_ids, window)
        qtbot.addWidget(dialog)
        dialog.fields["clinic_name"].setText("Valle Verde Clinic")
        dialog.fields["phone"].setText("555-0100")
        dialog.fields["after_hours"].setText("555-0199")
        crisis = dialog.fields["crisis_text_en"]
        assert isinstance(crisis, QPlainTextEdit)
        crisis.setPlainText("Call 911 in an emergency.")
        dialog.offered["emdr"].setChecked(True)
        dialog.save()
        assert dialog.result() == dialog.DialogCode.Accepted
    window.close()

    again = MainWindow(paths)
    qtbot.addWidget(again)
    profile = again.load_profile()
    assert profile.clinic_name == "Valle Verde Clinic" and profile.after_hours == "555-0199"
    assert profile.offered == ("emdr",)
    with ProfileStore(paths.profile_path) as store:
        reopened = SettingsDialog(store, window._offered_choices, window._known_ids, again)
        qtbot.addWidget(reopened)
        assert reopened.fields["clinic_name"].text() == "Valle Verde Clinic"
        assert reopened.offered["emdr"].isChecked()
    again.close()


def test_invalid_settings_show_an_error_and_keep_the_dialog_open(qtbot, window, data_dir) -> None:
    with ProfileStore(AppPaths(data_dir).profile_path) as store:
        dialog = SettingsDialog(store, [], None, window)
        qtbot.addWidget(dialog)
        dialog.fields["crisis_text_en"].setPlainText("x" * 700)
        dialog.save()
        assert dialog.result() != dialog.DialogCode.Accepted
        assert "at most 600" in dialog.error.text()
        assert store.load().crisis_text_en == ""


def test_window_geometry_is_remembered(qtbot, data_dir: Path) -> None:
    paths = AppPaths(data_dir)
    first = MainWindow(paths)
    qtbot.addWidget(first)
    first.show()
    first.resize(700, 520)  # fits the offscreen screen (800×600)
    first.close()
    second = MainWindow(paths)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (700, 520)
    second.close()


def test_other_pages_are_built_on_first_visit(qtbot, window) -> None:
    assert set(window._built) == {"reference"}
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles == [
        "Reference",
        "Compare",
        "Eligibility",
        "Session",
        "Integration picker",
        "Handouts",
        "Scales",
    ]
    window.nav.setCurrentRow(titles.index("Eligibility"))
    page = window.pages.currentWidget()
    assert page is window.eligibility and "eligibility" in window._built
    qtbot.waitUntil(lambda: page.context is not None, timeout=10_000)  # joined after KB ready


def test_settings_preview_shows_the_letterhead_as_typed(qtbot, window, data_dir) -> None:
    long_name = "Harbour Valley Integrated Behavioral Health and Ketamine-Assisted Care"
    with ProfileStore(AppPaths(data_dir).profile_path) as store:
        dialog = SettingsDialog(store, [], None, window)
        qtbot.addWidget(dialog)
        qtbot.keyClicks(dialog.fields["clinic_name"], long_name)
        dialog.fields["address"].setPlainText("12 Quay St\nPort Town")
        qtbot.keyClicks(dialog.fields["phone"], "555-0100")
        qtbot.keyClicks(dialog.fields["after_hours"], "555-0199")
        qtbot.keyClicks(dialog.fields["after_hours_es"], "555-0198")
        english, spanish = dialog.preview["en"], dialog.preview["es"]
        assert english.wordWrap() and spanish.wordWrap()  # wraps between words, never cuts
        plain = QTextDocumentFragment.fromHtml(english.text()).toPlainText()
        assert long_name in plain and "12 Quay St · Port Town" in " ".join(plain.split())
        assert "Phone: 555-0100" in plain and "After hours: 555-0199" in plain
        spanish_plain = QTextDocumentFragment.fromHtml(spanish.text()).toPlainText()
        assert "Teléfono: 555-0100" in spanish_plain and "555-0198" in spanish_plain


def test_reference_lists_show_no_reviewer_note(kb) -> None:
    """The Reference page's reference list (HTML) prints citations, never reviewers' notes."""
    from kapdesk.content.model import MODALITY_IDS, REVIEWER_NOTE_MARKERS
    from kapdesk.ui.html import modality_html

    for modality_id in MODALITY_IDS:
        modality = kb.modality(modality_id)
        refs = kb.references_for(modality)
        html = modality_html(modality, refs, kb.labels)
        assert "<ol" in html or "<li" in html
        for marker in REVIEWER_NOTE_MARKERS:
            assert marker.lower() not in html.lower(), (modality_id, marker)


def test_start_session_from_eligibility_and_interactions_from_reference(qtbot, window) -> None:
    eligibility = window.eligibility
    qtbot.waitUntil(lambda: eligibility.context is not None, timeout=10_000)
    eligibility.field("weight_kg").setText("80")
    eligibility.drug_names.setText("modafinil")
    assert "session" not in window._built
    eligibility.session_button.click()
    session = window.pages.currentWidget()
    assert session is window.session and window.nav.currentItem().text() == "Session"
    assert session.weight.text() == "80" and session.medications.text() == "modafinil"
    window.reference.interactions_button.click()
    dialog = window._interactions_dialog
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and "ketamine-specific" in dialog.view.toPlainText()
    dialog.close()


def test_result_cards_wrap_to_the_list_width(qtbot, window) -> None:
    # At 1024×700 the list is about 180 px wide: cards were set 200 px wide and cut off.
    window.resize(1000, 660)
    qtbot.keyClicks(window.reference.search_box, "bladder")
    qtbot.waitUntil(lambda: len(result_ids(window)) >= 3, timeout=5000)
    results = window.reference.results

    def cards_fit() -> bool:
        width = results.viewport().width()
        cards = [results.itemWidget(results.item(r)) for r in range(results.count())]
        return all(card is not None and card.width() <= width for card in cards)

    for size in ((1000, 660), (1400, 800), (760, 600)):
        window.resize(*size)
        qtbot.waitUntil(cards_fit, timeout=2000)
        assert not results.horizontalScrollBar().isVisible()
