"""The Integration picker page: tick the presentation, read the ranked, explained options.

The page holds no clinical rule: the core ranks (kapdesk.decide.integration) from the
rules file and the knowledge base, and the page shows what comes back. The knowledge
base is read once, on the worker; each tick then re-ranks in memory at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kapdesk.content.integration import BOOLEAN_FEATURES, DISSOCIATION_LEVELS
from kapdesk.content.model import CONDITIONS, LANGUAGES
from kapdesk.decide.integration import (
    PickerContext,
    PickResult,
    Presentation,
    Ranked,
    load_context,
    rank,
)
from kapdesk.decide.plan import plan_choice
from kapdesk.errors import ContentError
from kapdesk.palette import NO_RATING_COLOR, STRENGTH_COLORS
from kapdesk.profile import ClinicProfile
from kapdesk.ui.identifiers import IdentifiersDialog
from kapdesk.ui.patient_print import confirm_patient_print
from kapdesk.ui.worker import CoreWorker

TAG = "picker:"
BLOCKED_COLOR = "#9b1c1c"
MUTED = "#555555"
LANGUAGE_NAMES = {"en": "English", "es": "Español"}


@dataclass(frozen=True)
class PickerSetup:
    """What the page needs once: the ranking context and which candidates have a handout."""

    context: PickerContext
    handouts: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    handout_problem: str | None = None


def load_setup(kb) -> PickerSetup:
    """Runs on the worker: the picker context plus each candidate's handout and languages."""
    from kapdesk.kb.catalog import library

    context = load_context(kb)
    try:
        handouts = library()
    except ContentError as exc:
        return PickerSetup(context, {}, str(exc).splitlines()[0])
    found = {}
    for modality in context.rules.candidates:
        handout_id = handouts.for_modality(modality)
        if handout_id:
            found[modality] = (handout_id, tuple(handouts.languages(handout_id)))
    return PickerSetup(context, found)


def _badge(text: str, color: str) -> str:
    return (
        f"<span style='background:{color}; color:#ffffff; font-weight:bold'>"
        f"&nbsp;{escape(text)}&nbsp;</span>"
    )


def _items(title: str, lines: list[str], color: str | None = None) -> str:
    if not lines:
        return ""
    style = f" style='color:{color}'" if color else ""
    body = "".join(f"<li{style}>{line}</li>" for line in lines)
    return f"<p style='margin:4px 0 0 0'><b>{escape(title)}</b></p><ul style='margin:0'>{body}</ul>"


def _labelled(label: str, text: str) -> str:
    return f"<b>{escape(label)}:</b> {escape(text)}"


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, … 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def fit_words(candidate: Ranked) -> str:
    """How the option fits, in words: the reasons and cautions the card lists below."""
    if candidate.blocked:
        return "not advised now (see Blocked)"
    reasons = len(candidate.fit)
    cautions = len(candidate.cautions)
    text = (
        f"fits for {reasons} reason{'s' if reasons != 1 else ''}"
        if reasons
        else "nothing chosen points to it"
    )
    if cautions:
        text += f", {cautions} caution{'s' if cautions != 1 else ''}"
    return text


def score_tooltip(candidate: Ranked, total: int) -> str:
    """The ranking points behind the order, for those who want the numbers."""
    return (
        f"{ordinal(candidate.rank)} of {total}: ranking points {candidate.score:g} "
        "(higher ranks first; blocked options always rank last)"
    )


def card_html(candidate: Ranked, result: PickResult) -> str:
    """The card text: name, status, evidence in words and colour, reasons, cautions, training."""
    condition = result.condition_label
    evidence_color = STRENGTH_COLORS.get(candidate.evidence or "", NO_RATING_COLOR)
    status = (
        _badge("Blocked", BLOCKED_COLOR)
        if candidate.blocked
        else f"<span style='color:{MUTED}'>{escape(candidate.availability)}</span>"
    )
    if candidate.blocked and not candidate.available:
        status += f" <span style='color:{MUTED}'>{escape(candidate.availability)}</span>"
    parts = [
        f"<p style='margin:0'><span style='font-size:large'><b>{escape(candidate.name)}</b>"
        f"</span> {status}</p>",
        f"<p style='margin:2px 0'><b>{ordinal(candidate.rank)} of {len(result.ranked)}</b>"
        f" · {escape(fit_words(candidate))}</p>",
        "<p style='margin:2px 0'>"
        + (f"Evidence for {escape(condition)}: " if condition else "Evidence: ")
        + f"{_badge(candidate.evidence_label, evidence_color)}</p>",
    ]
    if candidate.evidence_note:
        parts.append(f"<p style='margin:2px 0'>{escape(candidate.evidence_note)}</p>")
    parts.append(
        _items("Blocked", [_labelled(b.label, b.text) for b in candidate.blocks], BLOCKED_COLOR)
    )
    parts.append(_items("Why it fits", [_labelled(r.label, r.text) for r in candidate.fit]))
    parts.append(_items("Cautions", [_labelled(c.label, c.text) for c in candidate.cautions]))
    training = [escape(t.text) for t in candidate.training] or [
        escape(candidate.training_missing or "")
    ]
    parts.append(_items("Clinician training", training))
    return "".join(parts)


def guidance_html(result: PickResult) -> str:
    """Notes and the timing of integration sessions, shown below the cards."""
    notes = [escape(g.text) for g in result.general] + [
        _labelled(n.label, n.text) for n in result.notes
    ]
    timing = [
        (
            f"<b>Hypothesis (evidence {escape(t.evidence_strength or '')}):</b> "
            if t.hypothesis
            else ""
        )
        + escape(t.statement.text)
        for t in result.timing
    ]
    return _items("Notes", notes) + _items("Timing of integration sessions", timing)


@dataclass(frozen=True)
class PlanRequest:
    """What the clinician chose for the patient's plan."""

    modality: str
    lang: str
    large_print: bool
    patient: str = ""  # the rest: typed for this printout only, never stored
    therapist: str = ""
    first_session: str = ""
    frequency: str = ""


class PlanDialog(QDialog):
    """Choose the therapy (from the ranked cards), language and print size of the plan.

    Blocked therapies are listed but cannot be chosen; the first choice offered is the
    core's default (the top-ranked unblocked candidate the clinic offers).
    """

    def __init__(self, result: PickResult, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Patient plan")
        self.therapy = QComboBox()
        self.therapy.setAccessibleName("Therapy")
        for candidate in result.ranked:
            label = f"{candidate.rank}. {candidate.short_name}"
            if candidate.blocked:
                label += " (blocked)"
            elif not candidate.available:
                label += " (refer out)"
            self.therapy.addItem(label, candidate.modality)
            item = self.therapy.model().item(self.therapy.count() - 1)
            item.setEnabled(not candidate.blocked)
            if candidate.blocked:
                item.setToolTip(candidate.blocked_reason or "")
        self.therapy.setCurrentIndex(self.therapy.findData(plan_choice(result).modality))
        self.language = QComboBox()
        self.language.setAccessibleName("Language")
        for lang in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES.get(lang, lang), lang)
        self.large_print = QCheckBox("Large print (18 pt bold)")
        note = QLabel("Blocked therapies are greyed out: the picker advises against starting them.")
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Therapy", self.therapy)
        form.addRow("Language", self.language)
        form.addRow("", self.large_print)
        # Printed on page 1 (lines to write on when empty); never stored.
        self.details: dict[str, QLineEdit] = {}
        for key, label in (
            ("patient", "Patient name"),
            ("therapist", "Therapist"),
            ("first_session", "First session"),
            ("frequency", "How often"),
        ):
            field = QLineEdit()
            field.setAccessibleName(label)
            field.setObjectName(f"plan-{key}")
            self.details[key] = field
            form.addRow(label, field)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Preview")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def request(self) -> PlanRequest:
        return PlanRequest(
            self.therapy.currentData(),
            self.language.currentData(),
            self.large_print.isChecked(),
            **{key: field.text() for key, field in self.details.items()},
        )

    @classmethod
    def ask(cls, parent: QWidget | None, result: PickResult) -> PlanRequest | None:
        """Show the dialog modally (tests replace this); None when cancelled."""
        dialog = cls(result, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.request() if accepted else None


class CandidateCard(QFrame):
    """One ranked option, with its Reference link and, when one exists, its handout."""

    def __init__(
        self,
        candidate: Ranked,
        result: PickResult,
        open_reference: Callable[[str], None],
        handout: tuple[str, tuple[str, ...]] | None = None,
        open_handout: Callable[[str, str], None] | None = None,
    ) -> None:
        super().__init__()
        self.modality = candidate.modality
        self.blocked = candidate.blocked
        self.setObjectName("card")
        border = BLOCKED_COLOR if candidate.blocked else "#b8b8b8"
        self.setStyleSheet(
            f"QFrame#card {{ border: 1px solid {border}; border-radius: 4px; background: #ffffff }}"
        )
        self.setAccessibleName(f"{candidate.rank}. {candidate.name}")
        self.text = QLabel(card_html(candidate, result))
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setToolTip(score_tooltip(candidate, len(result.ranked)))
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.reference_link = QLabel(
            f"<a href='reference'>Open {escape(candidate.short_name)} on the Reference page</a>"
        )
        self.reference_link.setTextFormat(Qt.TextFormat.RichText)
        self.reference_link.setWordWrap(True)
        self.reference_link.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.reference_link.linkActivated.connect(lambda _: open_reference(self.modality))
        links = QHBoxLayout()
        links.addWidget(self.reference_link, 1)
        self.handout_button: QPushButton | None = None
        self.handout_actions = {}
        if handout and open_handout:
            handout_id, languages = handout
            self.handout_button = QPushButton("Handout")
            self.handout_button.setToolTip(f"Preview the patient handout about {candidate.name}")
            menu = QMenu(self.handout_button)
            for lang in languages:
                action = menu.addAction(LANGUAGE_NAMES.get(lang, lang))
                action.triggered.connect(lambda _=False, lang=lang: open_handout(handout_id, lang))
                self.handout_actions[lang] = action
            self.handout_button.setMenu(menu)
            links.addWidget(self.handout_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.text)
        layout.addLayout(links)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)


class PickerPage(QWidget):
    """Presentation checkboxes on the left, ranked cards on the right, updated on every change."""

    def __init__(
        self,
        worker: CoreWorker,
        profile_loader: Callable[[], ClinicProfile],
        open_reference: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self.profile_loader = profile_loader
        self.open_reference = open_reference
        self.context: PickerContext | None = None
        self.handouts: dict[str, tuple[str, tuple[str, ...]]] = {}
        self.handout_problem: str | None = None
        self.result: PickResult | None = None
        self.offered: tuple[str, ...] = ()
        self.checkboxes: dict[str, QCheckBox] = {}
        self.cards: list[CandidateCard] = []

        self.features_box = QGroupBox("Presentation")
        self.features_layout = QVBoxLayout(self.features_box)
        self.dissociation = QComboBox()
        self.dissociation.setAccessibleName("Dissociation")
        self.condition = QComboBox()
        self.condition.setAccessibleName("Condition")
        choices = QFormLayout()
        choices.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        choices.addRow("Dissociation", self.dissociation)
        choices.addRow("Condition", self.condition)
        self.offered_label = QLabel()
        self.offered_label.setWordWrap(True)
        self.print_button = QPushButton("Print summary…")
        self.print_button.setToolTip("Preview, print or save the clinician summary as a PDF")
        self.print_button.clicked.connect(self.print_summary)
        self.plan_button = QPushButton("Patient plan…")
        self.plan_button.setToolTip(
            "Preview, print or save the patient's 'Your integration plan' (English or Spanish)"
        )
        self.plan_button.clicked.connect(self.print_plan)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.features_box)
        left_layout.addLayout(choices)
        left_layout.addWidget(self.offered_label)
        left_layout.addWidget(self.print_button)
        left_layout.addWidget(self.plan_button)
        left_layout.addStretch(1)
        left_scroll = QScrollArea()
        left_scroll.setWidget(left)
        left_scroll.setWidgetResizable(True)
        left_scroll.setFixedWidth(290)
        left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left_scroll.setFrameShape(QFrame.Shape.NoFrame)
        left_scroll.setAccessibleName("Presentation and printouts")

        self.status = QLabel("Loading the knowledge base…")
        self.status.setWordWrap(True)
        self.empty_state = QLabel(
            "<p><b>Nothing chosen yet.</b></p><p>Tick what applies to the patient under "
            "<i>Presentation</i>, or choose the dissociation level or the condition. The six "
            "integration therapies are then ranked at once, each card saying why it fits, "
            "its cautions and the evidence.</p>"
        )
        self.empty_state.setWordWrap(True)
        self.empty_state.setTextFormat(Qt.TextFormat.RichText)
        self.empty_state.setAccessibleName("Nothing chosen yet")
        self.alerts = QLabel()
        self.alerts.setWordWrap(True)
        self.alerts.setTextFormat(Qt.TextFormat.RichText)
        self.alerts.setAccessibleName("Safety alerts")
        self.alerts.setStyleSheet(
            f"QLabel {{ border: 2px solid {BLOCKED_COLOR}; background: #fdecec; padding: 6px }}"
        )
        self.alerts.hide()
        self.cards_widget = QWidget()
        self.cards_layout = QVBoxLayout(self.cards_widget)
        self.cards_layout.setContentsMargins(0, 0, 4, 0)
        self.guidance = QLabel()
        self.guidance.setWordWrap(True)
        self.guidance.setTextFormat(Qt.TextFormat.RichText)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.addWidget(self.empty_state)
        holder_layout.addWidget(self.cards_widget)
        holder_layout.addWidget(self.guidance)
        holder_layout.addStretch(1)
        self.cards_scroll = QScrollArea()
        self.cards_scroll.setWidget(holder)
        self.cards_scroll.setWidgetResizable(True)
        self.cards_scroll.setAccessibleName("Ranked options")
        right = QVBoxLayout()
        right.addWidget(self.status)
        right.addWidget(self.alerts)
        right.addWidget(self.cards_scroll, 1)

        layout = QHBoxLayout(self)
        layout.addWidget(left_scroll)
        layout.addLayout(right, 1)
        self.setEnabled(False)
        worker.done.connect(self._on_done)
        worker.failed.connect(self._on_failed)
        # After connecting done/failed: a page built late submits at once.
        worker.when_ready(self._kb_ready)

    # --- set-up once the knowledge base is open ------------------------------------------
    def _kb_ready(self, _kb: object) -> None:
        self.worker.submit(TAG + "setup", load_setup)

    def _build_controls(self, context: PickerContext) -> None:
        rules = context.rules
        for key in BOOLEAN_FEATURES:
            feature = rules.features[key]
            box = QCheckBox(feature.label)
            box.setToolTip(feature.help)
            box.setAccessibleDescription(feature.help)
            box.toggled.connect(self.refresh)
            self.features_layout.addWidget(box)
            self.checkboxes[key] = box
        for level in DISSOCIATION_LEVELS:
            self.dissociation.addItem(rules.dissociation_labels[level], level)
        self.dissociation.setCurrentIndex(DISSOCIATION_LEVELS.index("unknown"))
        self.condition.addItem("Not chosen", None)
        for condition in CONDITIONS:
            self.condition.addItem(context.labels.condition(condition), condition)
        self.condition.addItem(rules.text["other_label"], "other")
        self.dissociation.currentIndexChanged.connect(self.refresh)
        self.condition.currentIndexChanged.connect(self.refresh)

    # --- ranking --------------------------------------------------------------------------
    def presentation(self) -> Presentation:
        """What the controls say, as the core's presentation."""
        features = frozenset(k for k, box in self.checkboxes.items() if box.isChecked())
        return Presentation(
            features=features,
            dissociation=self.dissociation.currentData() or "unknown",
            condition=self.condition.currentData(),
        )

    def refresh(self) -> None:
        """Re-rank at once (pure, in memory) and redraw the cards."""
        if self.context is None:
            return
        self.result = rank(self.presentation(), self.context, self.offered)
        self._show(self.result)

    def nothing_chosen(self) -> bool:
        """True before anything is ticked or chosen: the page shows what to do instead."""
        chosen = self.presentation()
        return not chosen.features and chosen.dissociation == "unknown" and not chosen.condition

    def _show(self, result: PickResult) -> None:
        for card in self.cards:
            self.cards_layout.removeWidget(card)
            card.hide()  # gone at once, deleted when the event loop next runs
            card.deleteLater()
        empty = self.nothing_chosen()
        self.empty_state.setVisible(empty)
        self.guidance.setVisible(not empty)
        self.cards = [
            CandidateCard(
                c, result, self.open_reference, self.handouts.get(c.modality), self.open_handout
            )
            for c in ([] if empty else result.ranked)
        ]
        for card in self.cards:
            self.cards_layout.addWidget(card)
        if result.alerts:
            self.alerts.setText("<br>".join(f"<b>{escape(a.text)}</b>" for a in result.alerts))
        self.alerts.setVisible(bool(result.alerts))
        self.guidance.setText(guidance_html(result))
        blocked = sum(c.blocked for c in result.ranked)
        if empty:
            self.status.setText("")
            return
        self.status.setText(
            f"{len(result.ranked)} options ranked"
            + (f"; {blocked} blocked (shown last)" if blocked else "")
            + (f". Handouts unavailable: {self.handout_problem}" if self.handout_problem else "")
        )

    def _load_offered(self) -> None:
        self.offered = self.profile_loader().offered
        facts = self.context.facts if self.context else {}
        names = [facts[m].short_name if m in facts else m for m in self.offered]
        self.offered_label.setText(
            "Offered here (clinic profile): " + ", ".join(names)
            if self.offered
            else "No offered list in the clinic profile: every option counts as offered "
            "(File › Settings)."
        )

    def showEvent(self, event: QShowEvent) -> None:
        """The clinic may have changed its offered list in Settings since the last visit."""
        super().showEvent(event)
        if self.context is not None:
            self._load_offered()
            self.refresh()

    # --- printing -------------------------------------------------------------------------
    nothing_to_print = "The picker is still loading."

    def print_document(self) -> bool:
        """File › Print… / Save as PDF…: the clinician summary."""
        if self.result is None or not self.print_button.isEnabled():
            return False
        self.print_summary()
        return True

    def print_summary(self) -> None:
        """Preview the clinician summary of the current result (built on the worker)."""
        if self.result is None:
            return
        typed = IdentifiersDialog.ask(self, "Clinician summary")
        if typed is None:
            return
        result = self.result
        profile = self.profile_loader()

        def build(kb) -> tuple[str, bytes, str]:
            from kapdesk.documents.frame import PatientIdentifiers
            from kapdesk.documents.picker_sheet import TITLE, picker_sheet_bytes

            ids = PatientIdentifiers(typed["name"], typed["birth_date"], typed["record"])
            pdf = picker_sheet_bytes(kb, result, profile=profile, identifiers=ids)
            return TITLE, pdf, "integration-picker.pdf"

        self._set_printing(True)
        self.worker.submit(TAG + "pdf", build)

    def print_plan(self) -> None:
        """Ask for the therapy, language and size, then preview the patient's plan (built on
        the worker)."""
        if self.result is None:
            return
        request = PlanDialog.ask(self, self.result)
        if request is None:
            return
        result = self.result
        profile = self.profile_loader()
        if not confirm_patient_print(self, profile, request.lang):
            return

        def build(kb) -> tuple[str, bytes, str]:
            from kapdesk.documents.handout import HandoutOptions
            from kapdesk.documents.plan_sheet import plan_pdf

            options = HandoutOptions(
                lang=request.lang,
                large_print=request.large_print,
                patient=request.patient,
                therapist=request.therapist,
                first_session=request.first_session,
                frequency=request.frequency,
            )
            _, rendered = plan_pdf(
                kb, result, profile=profile, modality=request.modality, options=options
            )
            return rendered.title, rendered.pdf, rendered.suggested_name

        self._set_printing(True)
        self.worker.submit(TAG + "pdf", build)

    def _set_printing(self, busy: bool) -> None:
        """One printout at a time: both print buttons wait for the worker."""
        self.print_button.setEnabled(not busy)
        self.plan_button.setEnabled(not busy)

    def open_handout(self, handout_id: str, lang: str) -> None:
        """Preview a modality's patient handout in ``lang`` (built on the worker)."""
        profile = self.profile_loader()
        if not confirm_patient_print(self, profile, lang):
            return

        def build(kb) -> tuple[str, bytes, str]:
            from kapdesk.documents.handout import HandoutOptions, render_handouts
            from kapdesk.kb.catalog import library

            rendered = render_handouts(
                library(),
                [handout_id],
                options=HandoutOptions(lang=lang),
                profile=profile,
                kb_version=kb.version,
            )
            return rendered.title, rendered.pdf, rendered.suggested_name

        self.worker.submit(TAG + "pdf", build)

    # --- results from the worker ----------------------------------------------------------
    def _on_done(self, tag: str, result: object) -> None:
        if tag == TAG + "setup":
            self.context = result.context
            self.handouts = result.handouts
            self.handout_problem = result.handout_problem
            self._build_controls(result.context)
            self._load_offered()
            self.setEnabled(True)
            self.refresh()
        elif tag == TAG + "pdf":
            from kapdesk.ui.pdf_preview import PdfPreviewDialog

            title, pdf, suggested_name = result
            self._set_printing(False)
            PdfPreviewDialog.show_pdf(self, pdf, title, suggested_name)

    def _on_failed(self, tag: str, message: str) -> None:
        if tag.startswith(TAG):
            self._set_printing(False)
            self.status.setText(message)
            QMessageBox.warning(self, "kapdesk — integration picker", message)
