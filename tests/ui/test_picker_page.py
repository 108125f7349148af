"""The Integration picker page, driven like a clinician would (offscreen)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt

from kapdesk.kb.catalog import library
from kapdesk.paths import AppPaths
from kapdesk.profile import ClinicProfile
from kapdesk.ui.identifiers import IdentifiersDialog
from kapdesk.ui.pdf_preview import PdfPreviewDialog
from kapdesk.ui.picker_page import PickerPage
from kapdesk.ui.worker import CoreWorker
from tests.ui.windows import loaded_window

OFFERED = ("cbt", "emdr", "ifs")


@pytest.fixture
def page(qtbot, data_dir: Path):
    worker = CoreWorker(AppPaths(data_dir))
    opened: list[str] = []
    profile = ClinicProfile(phone="555-0100", offered=OFFERED)
    page = PickerPage(worker, lambda: profile, opened.append)
    page.opened = opened
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    with qtbot.waitSignal(
        worker.done, timeout=20_000, check_params_cb=lambda tag, _: tag == "picker:setup"
    ):
        worker.start()
    yield page
    worker.shutdown()


def order(page: PickerPage) -> list[str]:
    return [card.modality for card in page.cards]


def card(page: PickerPage, modality: str):
    return next(c for c in page.cards if c.modality == modality)


def test_ticking_high_dissociation_moves_emdr_below_unblocked_at_once(qtbot, page) -> None:
    assert page.isEnabled() and page.cards == []  # nothing ranked before anything is chosen
    assert page.empty_state.isVisibleTo(page) and "Tick what applies" in page.empty_state.text()
    page.checkboxes["trauma_origin"].click()
    assert len(page.cards) == 6 and not page.empty_state.isVisibleTo(page)
    # Not yet assessed (the default) blocks EMDR until screened (modalities.md §16 line 459).
    assert page.dissociation.currentData() == "unknown"
    assert card(page, "emdr").blocked and order(page)[0] == "cbt"
    assert "Screen for dissociation first" in card(page, "emdr").text.text()
    page.dissociation.setCurrentIndex(page.dissociation.findData("low"))
    assert order(page)[0] == "emdr"
    page.dissociation.setCurrentIndex(page.dissociation.findData("high"))
    unblocked = [c.modality for c in page.cards if not c.blocked]
    assert order(page).index("emdr") > max(order(page).index(m) for m in unblocked)
    emdr = card(page, "emdr").text.text()
    assert "Blocked" in emdr and "DES-II" in emdr and "because dissociation is high" in emdr
    assert order(page)[0] == "cbt"


def test_cards_explain_fit_evidence_training_and_refer_out(qtbot, page) -> None:
    page.dissociation.setCurrentIndex(page.dissociation.findData("low"))
    page.checkboxes["intrusive_imagery"].click()
    page.condition.setCurrentIndex(page.condition.findData("ptsd"))
    art = card(page, "art").text.text()
    assert "Intrusive images or flashbacks:</b>" in art  # the reason names its feature
    assert "Limited" in art and "We are not sure how well it works" in art
    assert "Not offered here: refer out" in art
    assert "3-day course" in art  # clinician training from the knowledge base
    assert "Offered here" in card(page, "emdr").text.text()
    assert "Strong" in card(page, "emdr").text.text()


def test_crisis_shows_the_safety_message_on_top(qtbot, page) -> None:
    assert page.alerts.isHidden()
    page.checkboxes["acute_suicidality_or_crisis"].click()
    assert not page.alerts.isHidden() and "safety first" in page.alerts.text()
    assert [c.blocked for c in page.cards] == [False] * 3 + [True] * 3
    page.checkboxes["acute_suicidality_or_crisis"].click()
    assert page.alerts.isHidden()


def test_reference_link_opens_the_modality(qtbot, page) -> None:
    page.checkboxes["avoidance"].click()
    card(page, "ifs").reference_link.linkActivated.emit("reference")
    assert page.opened == ["ifs"]


def test_print_summary_previews_the_pdf(qtbot, page, monkeypatch) -> None:
    shown: list[tuple[bytes, str, str]] = []
    monkeypatch.setattr(
        PdfPreviewDialog,
        "show_pdf",
        classmethod(lambda cls, parent, pdf, title, name: shown.append((pdf, title, name))),
    )
    typed = {"name": "Ana Ruiz", "birth_date": "1980-02-03", "record": "MRN-77"}
    monkeypatch.setattr(IdentifiersDialog, "ask", classmethod(lambda cls, *a, **k: typed))
    page.checkboxes["avoidance"].click()
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    pdf, title, name = shown[0]
    assert pdf.startswith(b"%PDF") and "clinician summary" in title and name.endswith(".pdf")
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    assert all("Ana Ruiz" in p and "1980-02-03" in p and "MRN-77" in p for p in pages)
    assert page.print_button.isEnabled()


def test_cancelled_identifiers_print_nothing(page, monkeypatch) -> None:
    monkeypatch.setattr(IdentifiersDialog, "ask", classmethod(lambda cls, *a, **k: None))
    submitted: list[str] = []
    monkeypatch.setattr(page.worker, "submit", lambda tag, func: submitted.append(tag))
    page.checkboxes["avoidance"].click()
    page.print_button.click()
    assert submitted == []


def test_handout_button_only_where_a_handout_exists(qtbot, page, monkeypatch) -> None:
    page.checkboxes["avoidance"].click()
    handouts = library()
    with_handout = [m for m in order(page) if handouts.for_modality(m)]
    for each in page.cards:
        assert (each.handout_button is not None) == (each.modality in with_handout)
    assert with_handout, "the handout library maps no picker candidate"
    shown: list[str] = []
    monkeypatch.setattr(
        PdfPreviewDialog,
        "show_pdf",
        classmethod(lambda cls, parent, pdf, title, name: shown.append(name)),
    )
    card(page, with_handout[0]).handout_actions["es"].trigger()
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    assert shown[0].endswith("-es.pdf")


def test_main_window_has_the_page_and_links_to_reference(qtbot, data_dir: Path) -> None:
    win = loaded_window(qtbot, data_dir)
    qtbot.waitUntil(lambda: win.picker.isEnabled(), timeout=20_000)
    win.show_page(win.picker)
    assert win.nav.currentItem().text() == "Integration picker"
    win.picker.checkboxes["avoidance"].click()
    card(win.picker, "emdr").reference_link.linkActivated.emit("reference")
    assert win.pages.currentWidget() is win.reference
    qtbot.waitUntil(
        lambda: "Eye Movement Desensitization" in win.reference.detail.toPlainText(),
        timeout=5000,
    )
    win.close()


def test_cards_give_order_and_fit_in_words_with_scores_only_in_the_tooltip(qtbot, page) -> None:
    page.checkboxes["trauma_origin"].click()
    first = page.cards[0]
    text = first.text.text()
    assert "1st of 6" in text and "fits for" in text
    assert f"{page.result.ranked[0].score:g}" not in text and "score 1" not in text
    assert "ranking points" in first.text.toolTip()
    page.dissociation.setCurrentIndex(page.dissociation.findData("high"))
    blocked = [c for c in page.cards if c.blocked]
    assert blocked and all("not advised now" in c.text.text() for c in blocked)


def test_offered_therapies_are_named_not_listed_by_id(qtbot, page) -> None:
    text = page.offered_label.text()
    assert "CBT" in text and "EMDR" in text and "IFS" in text
    assert "cbt" not in text and "emdr" not in text
