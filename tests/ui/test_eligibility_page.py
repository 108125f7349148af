"""The Eligibility page: live result, validated numbers, sources on demand, print preview."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QUrl

from kapdesk.decide.eligibility import EligibilityContext, load_context
from kapdesk.kb.store import KnowledgeBase
from kapdesk.paths import AppPaths
from kapdesk.profile import ClinicProfile
from kapdesk.ui.eligibility_page import NO, NOT_ASKED, YES, EligibilityPage
from kapdesk.ui.pdf_preview import PdfPreviewDialog
from kapdesk.ui.worker import CoreWorker


@pytest.fixture(scope="module")
def context(built_data_dir: Path) -> EligibilityContext:
    with KnowledgeBase.open(AppPaths(built_data_dir).kb_path) as kb:
        return load_context(kb)


@pytest.fixture
def page(qtbot, context: EligibilityContext, tmp_path: Path):
    # The page evaluates on the GUI thread; the worker only writes PDFs (no KB needed).
    worker = CoreWorker(AppPaths(tmp_path))
    page = EligibilityPage(worker, lambda: ClinicProfile(clinic_name="Harbour Clinic"))
    qtbot.addWidget(page)
    page.set_context(context)
    yield page
    worker.shutdown()


def test_ticking_avm_turns_the_result_contraindicated_at_once(page: EligibilityPage) -> None:
    assert page.result.tier == "incomplete"
    page.radio("arteriovenous_malformation", YES).click()
    assert page.result.tier == "contraindicated"
    assert "Contraindicated" in page.banner.text()
    assert page.banner.accessibleName() == "Result: Contraindicated"
    assert "#a4161a" in page.banner_row.styleSheet()
    assert "Arteriovenous malformation is a contraindication" in page.details.toPlainText()
    page.radio("arteriovenous_malformation", NO).click()
    assert page.result.tier == "incomplete"


SAFE_YES = ("has_escort_home", "can_avoid_driving_until_next_day", "informed_consent_obtained")


def answer_required(page: EligibilityPage) -> None:
    """Answer every required question with its no-risk value, widget by widget."""
    for key in page.context.rules.required:
        question = page.context.rules.questions[key]
        if question.type == "boolean":
            page.radio(key, YES if key in SAFE_YES else NO).click()
        elif question.type == "choice":
            page.combo(key).setCurrentIndex(page.combo(key).findData("none"))
    page.field("systolic_bp").setText("120")
    page.field("diastolic_bp").setText("80")
    page.field("age_years").setText("45")


def test_all_required_answered_is_eligible_and_missing_empty(page: EligibilityPage) -> None:
    assert "Not answered yet" in page.details.toPlainText()
    answer_required(page)
    assert page.result.tier == "eligible" and page.result.missing == ()
    assert "Not answered yet" not in page.details.toPlainText()
    page.radio("maoi", YES).click()
    assert page.result.tier == "eligible_with_cautions"


def test_numbers_are_validated_as_typed(page: EligibilityPage) -> None:
    answer_required(page)
    page.field("systolic_bp").setText("400")
    assert "400 is out of range" in page.field_error("systolic_bp")
    assert page.result.answers["systolic_bp"] is None  # never accepted
    assert page.result.tier == "incomplete" and "systolic_bp" in page.result.missing
    page.field("systolic_bp").setText("181")
    assert page.field_error("systolic_bp") == "" and page.result.tier == "defer"
    page.field("diastolic_bp").setText("190")
    assert "not below systolic_bp 181" in page.field_error("diastolic_bp")
    assert page.result.answers["diastolic_bp"] is None
    page.field("weight_kg").setText("seventy")
    assert "not a number" in page.field_error("weight_kg")


def test_iv_reference_dose_updates_with_weight(page: EligibilityPage) -> None:
    route = page.combo("route")
    route.setCurrentIndex(route.findData("iv"))
    page.field("weight_kg").setText("64")
    assert "for 64 kg is 32 mg over 40 minutes" in page.details.toPlainText()
    assert "Research reference, not an order" in page.details.toPlainText()


def test_route_is_disabled_for_esketamine(page: EligibilityPage) -> None:
    route, product = page.combo("route"), page.combo("product")
    route.setCurrentIndex(route.findData("iv"))
    product.setCurrentIndex(product.findData("esketamine"))
    assert not route.isEnabled() and route.currentData() is None
    assert "Spravato REMS" in page.details.toPlainText()
    product.setCurrentIndex(product.findData("racemic"))
    assert route.isEnabled()


def test_sources_shown_on_demand(page: EligibilityPage) -> None:
    page.radio("pregnant", YES).click()
    assert "Janssen Pharmaceuticals" not in page.details.toPlainText()
    page.details.anchorClicked.emit(QUrl("src:pregnancy"))
    assert "Janssen Pharmaceuticals. SPRAVATO" in page.details.toPlainText()
    assert "Hide sources" in page.details.toPlainText()
    page.details.anchorClicked.emit(QUrl("src:pregnancy"))
    assert "Janssen Pharmaceuticals" not in page.details.toPlainText()


def test_missing_item_link_jumps_to_the_question(qtbot, page: EligibilityPage) -> None:
    page.resize(1000, 500)
    page.show()
    qtbot.waitExposed(page)
    bar = page.scroll.verticalScrollBar()
    assert bar.value() == 0
    page.details.anchorClicked.emit(QUrl("ask:can_avoid_driving_until_next_day"))
    assert bar.value() > 0
    assert page.focusWidget() is page.radio("can_avoid_driving_until_next_day", YES)


def test_clear_forgets_everything(page: EligibilityPage) -> None:
    answer_required(page)
    page.radio("maoi", YES).click()
    page.combo("condition").setCurrentIndex(2)
    page.field("weight_kg").setText("70")
    page.clear()
    assert page.result.tier == "incomplete"
    assert all(v is None for k, v in page.result.answers.items() if k != "product")
    assert page.radio("maoi", NOT_ASKED).isChecked()
    assert page.field("weight_kg").text() == "" and page.combo("condition").currentData() is None


def test_print_preview_shows_the_chart_summary(
    qtbot, page: EligibilityPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[bytes, str, str]] = []
    monkeypatch.setattr(
        PdfPreviewDialog,
        "show_pdf",
        classmethod(lambda cls, parent, pdf, title, name: shown.append((pdf, title, name))),
    )
    monkeypatch.setattr(
        page,
        "ask_details",
        lambda: {"name": "Ana Ruiz", "birth_date": "1980-02-03", "record": "MRN-77"},
    )
    page.radio("bipolar_disorder", YES).click()
    page.print_button.click()
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    pdf, title, name = shown[0]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Specialist review" in text and "Ana Ruiz" in text and "Harbour Clinic" in text
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    assert all("Ana Ruiz" in p and "1980-02-03" in p and "MRN-77" in p for p in pages)
    assert "Bipolar disorder: ketamine has been studied" in " ".join(text.split())
    assert title == "Eligibility chart summary" and name == "eligibility-summary.pdf"


def test_cancelled_name_dialog_prints_nothing(page: EligibilityPage, monkeypatch) -> None:
    submitted: list[str] = []
    monkeypatch.setattr(page, "ask_details", lambda: None)
    monkeypatch.setattr(page.worker, "submit", lambda tag, func: submitted.append(tag))
    page.print_button.click()
    assert submitted == []


def test_main_window_loads_the_checklist(qtbot, data_dir: Path) -> None:
    from kapdesk.ui.main_window import MainWindow

    win = MainWindow(AppPaths(data_dir))
    qtbot.addWidget(win)
    win.start_loading()
    qtbot.waitUntil(lambda: win.eligibility.context is not None, timeout=20_000)
    win.show_page(win.eligibility)
    assert win.pages.currentWidget() is win.eligibility
    win.eligibility.radio("hypersensitivity", YES).click()
    assert win.eligibility.result.tier == "contraindicated"
    win.close()


def test_weight_in_pounds_is_converted_to_kilograms(page: EligibilityPage) -> None:
    unit = page._units["weight_kg"]
    assert unit.currentData() == "kg"  # the unit is a visible control, not a placeholder
    page.field("weight_kg").setText("154")
    assert page.result.answers["weight_kg"] == 154
    unit.setCurrentIndex(unit.findData("lb"))
    # 154 lb × 0.45359237 = 69.85 kg, rounded to 0.1 kg.
    assert page.result.answers["weight_kg"] == pytest.approx(69.9)
    assert page.field_error("weight_kg") == ""
    page.field("weight_kg").setText("5")
    assert "lb" in page.field_error("weight_kg")
    assert page.result.answers.get("weight_kg") is None


def test_weight_prints_in_kg_with_pounds_beside(page: EligibilityPage) -> None:
    from kapdesk.decide.eligibility import answer_text

    question = page.context.rules.questions["weight_kg"]
    assert answer_text(question, 70) == "70 kg (154.3 lb)"


def test_clear_offers_undo_until_the_next_change(page: EligibilityPage) -> None:
    page.radio("arteriovenous_malformation", YES).click()
    page.field("systolic_bp").setText("150")
    page.clear_button.click()
    assert page.result.tier == "incomplete" and page.field("systolic_bp").text() == ""
    assert page.undo_button.isVisibleTo(page)
    page.undo_button.click()
    assert page.radio("arteriovenous_malformation", YES).isChecked()
    assert page.field("systolic_bp").text() == "150"
    assert page.result.tier == "contraindicated"
    page.clear_button.click()
    page.radio("pregnant", NO).click()  # a new answer: the cleared ones are gone for good
    assert not page.undo_button.isVisibleTo(page)


def test_copy_summary_puts_plain_text_on_the_clipboard(page: EligibilityPage) -> None:
    from PySide6.QtGui import QGuiApplication

    page.radio("arteriovenous_malformation", YES).click()
    page.copy_button.click()
    text = QGuiApplication.clipboard().text()
    assert text.startswith("Ketamine/esketamine eligibility screening (")
    assert "Contraindicated" in text and "Arteriovenous malformation" in text
    assert "Sources:" in text and "\n1. " in text
    assert "<" not in text  # plain text, no markup


def test_a_tier_change_is_announced(page: EligibilityPage) -> None:
    page.radio("arteriovenous_malformation", YES).click()
    assert page.announcements[-1] == "Result changed: Contraindicated"
    count = len(page.announcements)
    page.radio("pregnant", NO).click()  # same tier: nothing new to announce
    assert len(page.announcements) == count


def test_every_number_shows_its_unit(page: EligibilityPage) -> None:
    from PySide6.QtWidgets import QLabel

    for key, field in page._fields.items():
        unit = page.context.rules.questions[key].unit
        if unit and key not in page._units:
            buddies = [lab for lab in page.findChildren(QLabel) if lab.buddy() is field]
            assert buddies and buddies[0].text() == unit


def test_drug_names_fill_the_medication_answers(page: EligibilityPage) -> None:
    # ketamine.md §3.7 / scales-monitoring.md §6 place diazepam among benzodiazepines and
    # modafinil among psychostimulants; ibuprofen is in no sheet.
    page.drug_names.setText("Diazepam, modafinil, ibuprofen")
    assert page.radio("benzodiazepines", YES).isChecked()
    assert page.radio("psychostimulants", YES).isChecked()
    assert page.radio("maoi", NOT_ASKED).isChecked()
    assert "ibuprofen: not in kapdesk&#x27;s list" in page.drug_result.text()
    page.drug_names.setText("modafinil")
    assert page.radio("benzodiazepines", NOT_ASKED).isChecked()
    data = page.session_data()
    assert data["medications"] == ["modafinil"] and data["product"] == "racemic"
    page.radio("maoi", YES).click()
    assert "maois" in page.session_data()["medications"]
