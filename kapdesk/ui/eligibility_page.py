"""The Eligibility page: the screening checklist, with the result updated on every answer.

The questions, their ranges and every rule come from the core (the rules file via
:func:`kapdesk.decide.eligibility.evaluate`); this page only turns widgets into an
answers dict and shows what comes back. Evaluation is a pure function of data loaded
once on the knowledge-base thread, so it runs on every click without waiting. Answers
live in the widgets only: nothing is written to disk, and "Clear" forgets them.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from kapdesk.content.eligibility import Question
from kapdesk.decide.eligibility import (
    AnswerError,
    EligibilityContext,
    EligibilityResult,
    evaluate,
    kg_to_lb,
    load_context,
    parse_text,
    parse_weight_text,
    plain_summary,
)
from kapdesk.palette import TIER_COLORS
from kapdesk.ui.identifiers import IdentifiersDialog
from kapdesk.ui.worker import CoreWorker

TAG = "eligibility:"
ERROR_STYLE = "color: #a4161a"
TIER_ICONS = {
    "contraindicated": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "specialist_review": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "defer": QStyle.StandardPixmap.SP_BrowserStop,
    "incomplete": QStyle.StandardPixmap.SP_MessageBoxQuestion,
    "eligible_with_cautions": QStyle.StandardPixmap.SP_MessageBoxInformation,
    "eligible": QStyle.StandardPixmap.SP_DialogApplyButton,
}
YES, NO, NOT_ASKED = "yes", "no", "not asked"


class EligibilityPage(QWidget):
    """Checklist on the left, live result on the right, print preview below."""

    start_session = Signal(dict)  # product, route, weight_kg, medications → Session page
    interactions_requested = Signal(list)  # drug names → Interactions view

    def __init__(self, worker: CoreWorker, profile_loader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.profile_loader = profile_loader
        self.context: EligibilityContext | None = None
        self.result: EligibilityResult | None = None
        self._expanded: set[str] = set()
        self._radios: dict[str, dict[str, QRadioButton]] = {}
        self._groups: dict[str, QButtonGroup] = {}
        self._combos: dict[str, QComboBox] = {}
        self._fields: dict[str, QLineEdit] = {}
        self._errors: dict[str, QLabel] = {}
        self._rows: dict[str, QWidget] = {}
        self._units: dict[str, QComboBox] = {}  # unit choice beside a number (weight)
        self._updating = False
        self._undo_state: dict[str, Any] | None = None
        self._last_tier: str | None = None
        self.announcements: list[str] = []  # what was announced to assistive technology
        self._named: set[str] = set()  # medication questions answered by typed drug names

        self.form = QWidget()
        self.form_layout = QVBoxLayout(self.form)
        self.loading = QLabel("Loading the checklist…")
        self.loading.setWordWrap(True)
        self.form_layout.addWidget(self.loading)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.form)
        self.scroll.setAccessibleName("Screening checklist")

        self.icon = QLabel()
        self.banner = QLabel()
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.banner.setWordWrap(True)
        banner_row = QWidget()
        banner_row.setAutoFillBackground(True)
        self.banner_row = banner_row
        row = QHBoxLayout(banner_row)
        row.addWidget(self.icon)
        row.addWidget(self.banner, 1)
        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        self.details.setAccessibleName("Findings, missing answers and notes")
        self.details.anchorClicked.connect(self._link)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Forget every answer (nothing is ever saved); Undo follows")
        self.undo_button = QPushButton("Undo clear")
        self.undo_button.setToolTip("Bring back the answers that Clear removed")
        self.undo_button.hide()
        self.copy_button = QPushButton("Copy summary")
        self.copy_button.setToolTip(
            "Copy the result as plain text (tier, findings, sources, date) for a note"
        )
        self.print_button = QPushButton("Print preview…")
        self.print_button.setToolTip("Preview, print or save the chart summary as PDF")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        for button in (self.clear_button, self.copy_button, self.print_button):
            button.setEnabled(False)
        self.clear_button.clicked.connect(self.clear)
        self.undo_button.clicked.connect(self.undo_clear)
        self.copy_button.clicked.connect(self.copy_summary)
        self.session_button = QPushButton("Start session…")
        self.session_button.setToolTip(
            "Open the Session page with this product, route, weight and medications"
        )
        self.session_button.setEnabled(False)
        self.session_button.clicked.connect(self._start_session)
        self.drug_names = QLineEdit()
        self.drug_names.setAccessibleName("Medications by drug name")
        self.drug_names.setPlaceholderText("Drug names, separated by commas (e.g. diazepam)")
        self.drug_names.textChanged.connect(self._names_changed)
        self.drug_result = QLabel()
        self.drug_result.setWordWrap(True)
        self.drug_result.setTextFormat(Qt.TextFormat.RichText)
        self.drug_result.linkActivated.connect(
            lambda _link: self.interactions_requested.emit(self._typed_names())
        )
        self.print_button.clicked.connect(lambda: self.print_preview())

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(banner_row)
        right_layout.addWidget(self.details, 1)
        right_layout.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.session_button)
        buttons.addWidget(self.print_button)
        right_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.scroll)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 460])  # questions need the width more than the result
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        worker.done.connect(self._on_done)
        worker.failed.connect(self._on_failed)
        # After connecting done/failed: a page built late submits at once.
        worker.when_ready(self._kb_ready)

    # --- loading ------------------------------------------------------------------------
    def _kb_ready(self, _kb: object) -> None:
        self.worker.submit(f"{TAG}context", load_context)

    def set_context(self, context: EligibilityContext) -> None:
        """Build the checklist from the rules and show the result for no answers."""
        built = self.context is not None
        self.context = context
        if built:  # the same rules file: keep the widgets and the answers
            self.refresh()
            return
        self.loading.hide()
        rules = context.rules
        for group, label in rules.groups.items():
            questions = [q for q in rules.questions.values() if q.group == group]
            if questions:
                box = self._group_box(label, questions)
                if group == "medications":
                    names = QVBoxLayout()
                    names.addWidget(QLabel("Medications by name (fill the answers below):"))
                    names.addWidget(self.drug_names)
                    names.addWidget(self.drug_result)
                    holder = QWidget()
                    holder.setLayout(names)
                    box.layout().addWidget(holder, box.layout().rowCount(), 0, 1, 4)
                self.form_layout.addWidget(box)
        self.form_layout.addStretch(1)
        for button in (self.clear_button, self.copy_button, self.print_button):
            button.setEnabled(True)
        self.session_button.setEnabled(True)
        self.refresh()

    def _group_box(self, title: str, questions: list[Question]) -> QGroupBox:
        box = QGroupBox(title)
        grid = QGridLayout(box)
        grid.setColumnStretch(0, 1)
        row = 0
        for question in questions:
            label = QLabel(question.label)
            label.setWordWrap(True)
            grid.addWidget(label, row, 0)
            self._rows[question.key] = label
            if question.type == "boolean":
                self._add_radios(question, grid, row)
            elif question.type == "choice":
                grid.addWidget(self._add_combo(question), row, 1, 1, 3)
            else:
                grid.addWidget(self._add_field(question), row, 1, 1, 2)
                grid.addWidget(self._unit_widget(question), row, 3)
                row += 1
                grid.addWidget(self._errors[question.key], row, 0, 1, 4)
            row += 1
        return box

    def _add_radios(self, question: Question, grid: QGridLayout, row: int) -> None:
        group = QButtonGroup(self)
        radios = {}
        for column, (name, text) in enumerate(((YES, "Yes"), (NO, "No"), (NOT_ASKED, "Not asked"))):
            radio = QRadioButton(text)
            radio.setAccessibleName(f"{question.label}: {text}")
            group.addButton(radio)
            grid.addWidget(radio, row, column + 1)
            radios[name] = radio
        radios[NOT_ASKED].setChecked(True)
        group.buttonToggled.connect(lambda _button, checked: checked and self.refresh())
        self._radios[question.key] = radios
        self._groups[question.key] = group

    def _add_combo(self, question: Question) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(question.label)
        if question.default is None:
            combo.addItem("Not asked", None)
        for choice in question.choices:
            combo.addItem(choice.label, choice.value)
        if question.default is not None:
            combo.setCurrentIndex(combo.findData(question.default))
        combo.currentIndexChanged.connect(lambda _index: self.refresh())
        self._combos[question.key] = combo
        return combo

    def _unit_widget(self, question: Question) -> QWidget:
        """The unit beside a number, always shown; weight offers kg or lb."""
        if question.unit == "kg":
            choice = QComboBox()
            choice.addItem("kg", "kg")
            choice.addItem("lb", "lb")
            choice.setAccessibleName(f"{question.label} unit")
            choice.currentIndexChanged.connect(lambda _i: self._unit_changed(question))
            self._units[question.key] = choice
            return choice
        label = QLabel(question.unit or "")
        label.setMinimumWidth(label.fontMetrics().horizontalAdvance("mmHg") + 4)
        label.setBuddy(self._fields[question.key])
        return label

    def _range_text(self, question: Question) -> str:
        unit = self.unit_of(question.key)
        if unit == "lb":
            low, high = (round(kg_to_lb(v)) for v in (question.minimum, question.maximum))
            return f"{low}–{high}"
        return f"{question.minimum}–{question.maximum}"

    def _unit_changed(self, question: Question) -> None:
        self._fields[question.key].setPlaceholderText(self._range_text(question))
        self.refresh()

    def unit_of(self, key: str) -> str:
        """The unit a number is typed in ("kg" or "lb" for weight)."""
        choice = self._units.get(key)
        question = self.context.rules.questions[key] if self.context else None
        return choice.currentData() if choice else (question.unit if question else "") or ""

    def _add_field(self, question: Question) -> QLineEdit:
        field = QLineEdit()
        unit = question.unit or ""
        field.setAccessibleName(f"{question.label} ({unit})" if unit else question.label)
        field.setPlaceholderText(f"{question.minimum}–{question.maximum}")
        field.textChanged.connect(lambda _text: self.refresh())
        error = QLabel()
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        self._fields[question.key] = field
        self._errors[question.key] = error
        return field

    # --- widgets for tests and links ------------------------------------------------------
    def radio(self, key: str, answer: str) -> QRadioButton:
        """The Yes / No / Not asked button of a true/false question."""
        return self._radios[key][answer]

    def combo(self, key: str) -> QComboBox:
        return self._combos[key]

    def field(self, key: str) -> QLineEdit:
        return self._fields[key]

    def field_error(self, key: str) -> str:
        label = self._errors[key]
        return "" if label.isHidden() else label.text()

    def input_widget(self, key: str) -> QWidget:
        if key in self._radios:
            return self._radios[key][YES]
        return self._combos.get(key) or self._fields[key]

    # --- answers and result ---------------------------------------------------------------
    def _raw_answers(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Answers the widgets hold, and a problem per number field that is not valid."""
        answers: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for key, radios in self._radios.items():
            if radios[YES].isChecked():
                answers[key] = True
            elif radios[NO].isChecked():
                answers[key] = False
        for key, combo in self._combos.items():
            if combo.isEnabled() and combo.currentData() is not None:
                answers[key] = combo.currentData()
        for key, field in self._fields.items():
            question = self.context.rules.questions[key]
            try:
                if key in self._units:
                    value = parse_weight_text(question, field.text(), self.unit_of(key))
                else:
                    value = parse_text(question, field.text())
            except AnswerError as exc:
                problems[key] = exc.detail
                continue
            if value is not None:
                answers[key] = value
        return answers, problems

    def _apply_applicability(self, answers: dict[str, Any]) -> None:
        """Disable (and clear) questions that do not apply, such as route for esketamine."""
        full = {key: answers.get(key, q.default) for key, q in self.context.rules.questions.items()}
        for key, question in self.context.rules.questions.items():
            if question.applies_when is None or key not in self._combos:
                continue
            applies = question.applies_when.holds(full)
            combo = self._combos[key]
            combo.setEnabled(applies)
            combo.setToolTip("" if applies else question.not_applicable)
            if not applies:
                answers.pop(key, None)
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)

    def refresh(self) -> None:
        """Re-evaluate the answers now and show the result; invalid numbers are not used."""
        if self.context is None or self._updating:
            return
        if self._undo_state is not None:  # a change after Clear: the undo is gone
            self._undo_state = None
            self.undo_button.hide()
        answers, problems = self._raw_answers()
        self._apply_applicability(answers)
        while True:
            try:
                self.result = evaluate(answers, self.context)
                break
            except AnswerError as exc:  # e.g. diastolic not below systolic: leave it out
                if exc.key not in answers:
                    raise
                problems[exc.key] = exc.detail
                del answers[exc.key]
        for key, label in self._errors.items():
            label.setText(problems.get(key, ""))
            label.setVisible(key in problems)
        self._show_result()
        if self.result.tier != self._last_tier:
            if self._last_tier is not None:
                self.announce(f"Result changed: {self.result.tier_label}")
            self._last_tier = self.result.tier

    def announce(self, text: str) -> None:
        """Tell assistive technology (screen readers) about a change, politely."""
        self.announcements.append(text)
        event = QAccessibleAnnouncementEvent(self.banner, text)
        QAccessible.updateAccessibility(event)

    def _show_result(self) -> None:
        result, rules = self.result, self.context.rules
        color = TIER_COLORS[result.tier]
        self.banner_row.setStyleSheet(f"background: {color}")
        self.banner.setText(
            f"<span style='color:#ffffff; font-size:16pt'><b>{escape(result.tier_label)}</b></span>"
            f"<br><span style='color:#ffffff'>{escape(result.tier_summary)}</span>"
        )
        self.banner.setAccessibleName(f"Result: {result.tier_label}")
        icon = self.style().standardIcon(TIER_ICONS[result.tier])
        self.icon.setPixmap(icon.pixmap(32, 32))
        parts: list[str] = []
        if result.findings:
            parts.append(f"<h3>Findings ({len(result.findings)})</h3>")
            parts += [self._finding_html(f, rules.tiers[f.tier].label) for f in result.findings]
        if result.missing:
            parts.append("<h3>Not answered yet (required)</h3><ul>")
            parts += [
                f"<li><a href='ask:{key}'>{escape(rules.questions[key].label)}</a></li>"
                for key in result.missing
            ]
            parts.append("</ul>")
        if result.notes:
            parts.append("<h3>Notes</h3>")
            parts += [
                self._item_html(f"note-{n.id}", escape(n.text), n.sources) for n in result.notes
            ]
        if not result.findings and not result.missing:
            parts.insert(0, "<p>No criterion applies to the answers given.</p>")
        scroll = self.details.verticalScrollBar().value()
        self.details.setHtml("\n".join(parts))
        self.details.verticalScrollBar().setValue(scroll)

    def _finding_html(self, finding, tier_label: str) -> str:
        badge = (
            f"<span style='background:{TIER_COLORS[finding.tier]}; color:#ffffff'>"
            f"&nbsp;<b>{escape(tier_label)}</b>&nbsp;</span> "
        )
        return self._item_html(finding.criterion, badge + escape(finding.message), finding.sources)

    def _item_html(self, item_id: str, body: str, sources: tuple[str, ...]) -> str:
        """A finding or note with a link that shows or hides its sources."""
        if not sources:
            return f"<p>{body}</p>"
        shown = item_id in self._expanded
        link = f"<a href='src:{item_id}'>{'Hide' if shown else 'Show'} sources ({len(sources)})</a>"
        html = f"<p>{body} <small>{link}</small></p>"
        if shown:
            refs = self.context.cited(list(sources))
            html += (
                "<ol>" + "".join(f"<li>{escape(r.full_citation())}</li>" for r in refs) + "</ol>"
            )
        return html

    def _link(self, url: QUrl) -> None:
        kind, _, value = url.toString().partition(":")
        if kind == "ask":
            self.jump_to(value)
        elif kind == "src":
            self._expanded ^= {value}
            self._show_result()

    def jump_to(self, key: str) -> None:
        """Scroll the checklist to a question and put the cursor on it."""
        self.scroll.ensureWidgetVisible(self._rows[key])
        widget = self.input_widget(key)
        self.scroll.ensureWidgetVisible(widget)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- actions ------------------------------------------------------------------------
    def _snapshot(self) -> dict[str, Any]:
        return {
            "radios": {
                k: next(n for n, r in rs.items() if r.isChecked()) for k, rs in self._radios.items()
            },
            "combos": {k: c.currentIndex() for k, c in self._combos.items()},
            "fields": {k: f.text() for k, f in self._fields.items()},
            "units": {k: c.currentIndex() for k, c in self._units.items()},
            "drug_names": self.drug_names.text(),
            "named": set(self._named),
        }

    def clear(self) -> None:
        """Forget every answer: back to "Not asked" and the defaults; Undo brings them back
        until the next change."""
        state = self._snapshot()
        self._clear_widgets()
        self._undo_state = state
        self.undo_button.show()
        self.status.setText("Cleared every answer. Undo clear brings them back.")

    def undo_clear(self) -> None:
        """Put back the answers the last Clear removed."""
        state, self._undo_state = self._undo_state, None
        self.undo_button.hide()
        if state is None:
            return
        self._updating = True
        try:
            for key, name in state["radios"].items():
                self._radios[key][name].setChecked(True)
            for key, index in state["combos"].items():
                self._combos[key].setCurrentIndex(index)
            for key, index in state["units"].items():
                self._units[key].setCurrentIndex(index)
            for key, text in state["fields"].items():
                self._fields[key].setText(text)
            self.drug_names.setText(state["drug_names"])
            self._named = set(state["named"])
        finally:
            self._updating = False
        self.status.setText("Answers restored.")
        self.refresh()

    def _clear_widgets(self) -> None:
        self._updating = True
        try:
            for radios in self._radios.values():
                radios[NOT_ASKED].setChecked(True)
            for key, combo in self._combos.items():
                default = self.context.rules.questions[key].default
                combo.setCurrentIndex(combo.findData(default) if default else 0)
            for field in self._fields.values():
                field.clear()
            self.drug_names.clear()
            self._named.clear()
            self._expanded.clear()
        finally:
            self._updating = False
        undo, self._undo_state = self._undo_state, None
        self.refresh()
        self._undo_state = undo

    def copy_summary(self) -> str:
        """Put the plain-text result on the clipboard (for a note in the health record)."""
        if self.result is None:
            return ""
        when = datetime.now().strftime("%Y-%m-%d %H:%M")
        text = plain_summary(self.result, self.context, when)
        QGuiApplication.clipboard().setText(text)
        self.status.setText("Summary copied to the clipboard (plain text).")
        return text

    def ask_details(self) -> dict[str, str] | None:
        """Patient identifiers, screener and vitals time for the printout (never stored),
        or None if the clinician cancelled."""
        return IdentifiersDialog.ask(
            self,
            "Chart summary",
            (("screener", "Screened by"), ("vitals_time", "Vitals taken at")),
        )

    nothing_to_print = "The checklist is still loading."

    def print_document(self) -> bool:
        """File › Print… / Save as PDF…: the chart summary (False if cancelled)."""
        return self.print_preview()

    def print_preview(self) -> bool:
        """Ask for the patient's name, then build the chart summary on the worker."""
        if self.result is None:
            return False
        typed = self.ask_details()
        if typed is None:
            return False
        context, result, profile = self.context, self.result, self.profile_loader()

        def write(_kb):
            from kapdesk.documents.frame import PatientIdentifiers
            from kapdesk.documents.screening import ScreeningDetails, screening_pdf

            details = ScreeningDetails(
                PatientIdentifiers(
                    typed.get("name", ""), typed.get("birth_date", ""), typed.get("record", "")
                ),
                screener=typed.get("screener", ""),
                vitals_time=typed.get("vitals_time", ""),
            )
            return screening_pdf(context, result, profile=profile, details=details)

        self.status.setText("Preparing the chart summary…")
        self.worker.submit(f"{TAG}pdf", write)
        return True

    def _on_done(self, tag: str, result) -> None:
        if tag == f"{TAG}context":
            self.set_context(result)
        elif tag == f"{TAG}pdf":
            self.status.setText("")
            from kapdesk.ui.pdf_preview import PdfPreviewDialog

            PdfPreviewDialog.show_pdf(
                self, result, "Eligibility chart summary", "eligibility-summary.pdf"
            )

    def _on_failed(self, tag: str, message: str) -> None:
        if tag == f"{TAG}context":
            self.loading.setText(f"The checklist could not be loaded: {message}")
        if tag.startswith(TAG):
            self.status.setText("")
            QMessageBox.warning(self, "kapdesk — eligibility", message)

    # --- drug names and the Session page ---------------------------------------------------
    def _typed_names(self) -> list[str]:
        return [n.strip() for n in self.drug_names.text().split(",") if n.strip()]

    def _names_changed(self) -> None:
        """Answer "Yes" to the medication questions whose classes the typed names are in."""
        from kapdesk.decide.interactions import check, questions_for_classes

        if self.context is None:  # the knowledge base is still opening
            return
        result = check(self._typed_names())
        wanted = {q for q in questions_for_classes(result.classes) if q in self._radios}
        self._updating = True
        try:
            for key in self._named - wanted:
                if self._radios[key][YES].isChecked():
                    self._radios[key][NOT_ASKED].setChecked(True)
            for key in wanted:
                self._radios[key][YES].setChecked(True)
        finally:
            self._updating = False
        self._named = wanted
        found = [f"{escape(m.drug)} → {escape(m.class_name)}" for m in result.matches]
        lines = list(dict.fromkeys(found))
        lines += [f"{escape(n)}: {escape(result.unknown_text)}" for n in result.unknown]
        if lines:
            lines.append("<a href='interactions'>Show the interaction entries…</a>")
        self.drug_result.setText("<br>".join(lines))
        self.refresh()

    def session_data(self) -> dict[str, Any]:
        """Product, route, weight and medications (class ids and typed names) for a session."""
        from kapdesk.decide.interactions import classes_for_question

        answers, _problems = self._raw_answers()
        medications: list[str] = []
        for key, radios in self._radios.items():
            if radios[YES].isChecked() and key not in self._named:
                medications += classes_for_question(key)
        medications += self._typed_names()
        route = answers.get("route")
        return {
            "product": answers.get("product"),
            "route": route,
            "weight_kg": answers.get("weight_kg"),
            "medications": list(dict.fromkeys(medications)),
        }

    def _start_session(self) -> None:
        self.start_session.emit(self.session_data())
