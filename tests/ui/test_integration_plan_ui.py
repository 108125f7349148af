"""The picker page's "Patient plan…" button and its dialog (offscreen)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kapdesk.paths import AppPaths
from kapdesk.profile import ClinicProfile
from kapdesk.ui.pdf_preview import PdfPreviewDialog
from kapdesk.ui.picker_page import PickerPage, PlanDialog, PlanRequest
from kapdesk.ui.worker import CoreWorker
from tests.handout_fixtures import page_texts, squash

PROFILE = ClinicProfile(clinic_name="Valle Verde", phone="555-0100", offered=("cbt", "ifs"))


@pytest.fixture
def page(qtbot, data_dir: Path):
    worker = CoreWorker(AppPaths(data_dir))
    page = PickerPage(worker, lambda: PROFILE, lambda _: None)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(
        worker.done, timeout=20_000, check_params_cb=lambda tag, _: tag == "picker:setup"
    ):
        worker.start()
    yield page
    worker.shutdown()


@pytest.fixture
def shown(monkeypatch) -> list[tuple[bytes, str, str]]:
    previews: list[tuple[bytes, str, str]] = []
    monkeypatch.setattr(
        PdfPreviewDialog,
        "show_pdf",
        classmethod(lambda cls, parent, pdf, title, name: previews.append((pdf, title, name))),
    )
    return previews


def test_patient_plan_button_previews_the_chosen_plan(qtbot, page, shown, monkeypatch) -> None:
    asked: list[list[str]] = []

    def ask(cls, parent, result):
        asked.append([c.modality for c in result.ranked])
        return PlanRequest("ifs", "es", False)

    monkeypatch.setattr(PlanDialog, "ask", classmethod(ask))
    page.checkboxes["self_criticism_or_parts"].click()
    qtbot.mouseClick(page.plan_button, Qt.MouseButton.LeftButton)
    assert asked and asked[0] == [card.modality for card in page.cards]
    assert not page.plan_button.isEnabled()  # one printout at a time
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    pdf, title, name = shown[0]
    assert title == "Su plan de integración: IFS" and name == "integration-plan-ifs-es.pdf"
    text = squash(" ".join(page_texts(pdf)))
    assert squash("Sistemas de Familia Interna (IFS)") in text
    assert squash("dentro de 1 a 3 días") in text and "555-0100" in text
    assert page.plan_button.isEnabled() and page.print_button.isEnabled()


def test_cancelling_the_dialog_prints_nothing(qtbot, page, shown, monkeypatch) -> None:
    monkeypatch.setattr(PlanDialog, "ask", classmethod(lambda cls, parent, result: None))
    qtbot.mouseClick(page.plan_button, Qt.MouseButton.LeftButton)
    assert page.plan_button.isEnabled() and not shown


def test_dialog_offers_the_ranked_cards_and_greys_out_blocked_ones(qtbot, page) -> None:
    page.checkboxes["trauma_origin"].click()
    page.dissociation.setCurrentIndex(page.dissociation.findData("high"))
    dialog = PlanDialog(page.result)
    qtbot.addWidget(dialog)
    combo = dialog.therapy
    ids = [combo.itemData(i) for i in range(combo.count())]
    assert ids == [card.modality for card in page.cards]
    model = combo.model()
    enabled = {combo.itemData(i): model.item(i).isEnabled() for i in range(combo.count())}
    assert enabled == {card.modality: not card.blocked for card in page.cards}
    assert not enabled["emdr"] and "(blocked)" in combo.itemText(ids.index("emdr"))
    # Default: the top-ranked unblocked candidate the clinic offers (cbt here).
    assert combo.currentData() == "cbt"
    dialog.language.setCurrentIndex(dialog.language.findData("es"))
    dialog.large_print.setChecked(True)
    assert dialog.request() == PlanRequest("cbt", "es", True)
