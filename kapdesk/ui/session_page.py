"""The Session page: monitor one dosing session, fast from the keyboard.

Type a vitals row (the time is pre-filled with the current clock time; Enter adds it),
see the next reading due as a clock time (highlighted when due or late), the flags and
the discharge checklist update at once. Every rule lives in the core
(:mod:`kapdesk.decide.session`); the page only turns widgets into a record dict and shows
what comes back. Nothing is stored: the record lives in the widgets, and Clear (after a
confirmation) forgets it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from kapdesk.decide.session import (
    CLOCK,
    SessionResult,
    evaluate,
    read_record,
    session_rules,
)
from kapdesk.errors import UserInputError
from kapdesk.palette import LEVEL_COLORS
from kapdesk.ui.worker import CoreWorker

TAG = "session:"
ERROR_STYLE = "color: #a4161a"
STATE_STYLES = {
    "due": "background: #b34700; color: #ffffff; padding: 4px",
    "late": "background: #a4161a; color: #ffffff; padding: 4px",
}
STATE_WORDS = {"due": "due now", "late": "LATE", "upcoming": "", "pending": "at discharge"}
VITALS = ("systolic", "diastolic", "heart_rate", "spo2")
UNSET = "—"


def _minutes_between(start: str, clock: str) -> int:
    """Minutes from ``start`` to ``clock`` ("HH:MM"), across midnight when far negative."""
    a, b = CLOCK.match(start), CLOCK.match(clock)
    diff = (int(b.group(1)) * 60 + int(b.group(2))) - (int(a.group(1)) * 60 + int(a.group(2)))
    return diff + 24 * 60 if diff < -12 * 60 else diff


def _tri(combo: QComboBox) -> bool | None:
    return combo.currentData()


class SessionPage(QWidget):
    """Session details and vitals on the left; due reading, flags and discharge on the right."""

    interactions_requested = Signal(list)  # drug names, for the Interactions view

    def __init__(self, worker: CoreWorker, profile_loader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.profile_loader = profile_loader
        self.rules = None
        self.clock: Callable[[], datetime] = datetime.now
        self.result: SessionResult | None = None
        self.loading = QLabel("Loading the session rules…")
        self._outer = QVBoxLayout(self)
        self._outer.addWidget(self.loading)
        worker.done.connect(self._on_done)
        worker.failed.connect(self._on_failed)
        from kapdesk.errors import DataError
        from kapdesk.kb import catalog

        try:  # the knowledge base is open already (the usual case on a first visit)
            catalog.current()
        except DataError:
            worker.when_ready(self._kb_ready)
        else:
            self._build()

    def _kb_ready(self, _kb: object) -> None:
        if self.rules is None:
            self._build()

    def _build(self) -> None:
        """Build the page from the rules of the open knowledge base."""
        from kapdesk.kb import catalog

        self.loading.hide()
        self.rules = session_rules()
        self.kb_version = catalog.current().version.short
        self.readings: list[dict[str, Any]] = []

        # --- session details
        self.product = QComboBox()
        self.product.setAccessibleName("Product")
        for pid, product in self.rules.products.items():
            self.product.addItem(product.name, pid)
        self.route = QComboBox()
        self.route.setAccessibleName("Route")
        self.schedule = QComboBox()
        self.schedule.setAccessibleName("Monitoring schedule")
        self.weight = QLineEdit()
        self.weight.setPlaceholderText("kg")
        self.dose = QLineEdit()
        self.dose.setPlaceholderText("mg")
        self.lot = QLineEdit()
        self.lot.setMaxLength(40)
        self.start = QLineEdit()
        self.start.setPlaceholderText("HH:MM (set by the first reading)")
        self.medications = QLineEdit()
        self.medications.setPlaceholderText("class ids or drug names, separated by commas")
        for widget, name in (
            (self.weight, "Weight in kg"),
            (self.dose, "Dose in mg"),
            (self.lot, "Lot number"),
            (self.start, "Start time of the first dose"),
            (self.medications, "Concomitant medications"),
        ):
            widget.setAccessibleName(name)
        details = QGroupBox("Session")
        form = QFormLayout(details)
        form.addRow("Product:", self.product)
        form.addRow("Route:", self.route)
        form.addRow("Schedule:", self.schedule)
        form.addRow("Weight (kg):", self.weight)
        form.addRow("Dose (mg):", self.dose)
        form.addRow("Lot:", self.lot)
        form.addRow("First dose at:", self.start)
        form.addRow("Medications:", self.medications)

        # --- vitals entry: one row, Enter adds it
        self.time_field = QLineEdit()
        self.time_field.setAccessibleName("Reading time")
        self.time_field.setPlaceholderText("HH:MM")
        self._time_edited = False  # the time follows the clock until the user types one
        self.time_field.textEdited.connect(lambda _t: setattr(self, "_time_edited", True))
        self.vital_fields: dict[str, QLineEdit] = {}
        entry = QGridLayout()
        entry.addWidget(QLabel("Time"), 0, 0)
        entry.addWidget(self.time_field, 1, 0)
        for column, key in enumerate(VITALS, 1):
            spec = self.rules.field(key)
            field = QLineEdit()
            field.setAccessibleName(spec.label)
            field.setPlaceholderText(f"{spec.minimum}–{spec.maximum}")
            heading = QLabel(f"{spec.label} ({spec.unit})")
            heading.setWordWrap(True)  # the row of fields fits a narrow window
            heading.setBuddy(field)
            entry.addWidget(heading, 0, column, Qt.AlignmentFlag.AlignBottom)
            entry.addWidget(field, 1, column)
            self.vital_fields[key] = field
        self.add_button = QPushButton("Add reading")
        self.add_button.setToolTip("Add this row (Enter in any field)")
        # Below the fields, so the row fits a narrow (1024 px) window without side-scrolling.
        entry.addWidget(self.add_button, 2, 0, 1, 2)
        for field in [self.time_field, *self.vital_fields.values()]:
            field.returnPressed.connect(self.add_reading)
        self.add_button.clicked.connect(self.add_reading)
        self.entry_error = QLabel()
        self.entry_error.setStyleSheet(ERROR_STYLE)
        self.entry_error.setWordWrap(True)
        self.table = QTableWidget(0, 6)
        self.table.setAccessibleName("Vital signs")
        self.table.setHorizontalHeaderLabels(
            ["Time", "Min", "BP (mmHg)", "Heart rate", "SpO₂ (%)", "Reading"]
        )
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.remove_button = QPushButton("Remove selected row")
        self.remove_button.clicked.connect(self.remove_selected)
        self.no_abort = QLabel(escape(self.rules.no_abort_threshold.text))
        self.no_abort.setWordWrap(True)
        self.no_abort.setStyleSheet("background: #fdf0e6; padding: 4px")
        vitals = QGroupBox("Vital signs")
        vitals_layout = QVBoxLayout(vitals)
        vitals_layout.addLayout(entry)
        vitals_layout.addWidget(self.entry_error)
        vitals_layout.addWidget(self.table, 1)
        vitals_layout.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignLeft)
        vitals_layout.addWidget(self.no_abort)

        # --- observations
        self.observations: dict[str, QComboBox] = {}
        obs = QGroupBox("Observations (yes/no; no scale scores)")
        obs_layout = QFormLayout(obs)
        for key, label in self.rules.observations.items():
            if key == "other":
                continue
            combo = QComboBox()
            combo.setAccessibleName(label)
            for text, value in ((UNSET, None), ("Yes", True), ("No", False)):
                combo.addItem(text, value)
            self.observations[key] = combo
            obs_layout.addRow(f"{label}:", combo)
        self.other = QLineEdit()
        self.other.setAccessibleName("Other observations")
        self.other.setMaxLength(500)
        obs_layout.addRow("Other:", self.other)
        self.ready_to_leave = QLineEdit()
        self.ready_to_leave.setAccessibleName("Ready to leave at, minutes from the start")
        self.ready_to_leave.setPlaceholderText("minutes from the start")
        obs_layout.addRow("Ready to leave at:", self.ready_to_leave)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(details)
        left_layout.addWidget(vitals, 1)
        left_layout.addWidget(obs)
        scroll = QScrollArea()
        scroll.setAccessibleName("Session details")
        scroll.setWidgetResizable(True)
        scroll.setWidget(left)

        # --- right: next due, flags, discharge
        self.next_due = QLabel()
        self.next_due.setAccessibleName("Next reading due")
        self.next_due.setTextFormat(Qt.TextFormat.RichText)
        self.next_due.setWordWrap(True)
        self.details = QTextBrowser()
        self.details.setAccessibleName("Flags, due readings and interactions")
        self.discharge_at = QLineEdit()
        self.discharge_at.setAccessibleName("Discharge time")
        self.discharge_at.setPlaceholderText("HH:MM (blank: now)")
        self.escort = QComboBox()
        self.escort.setAccessibleName("Escort present")
        for text, value in ((UNSET, None), ("Yes", True), ("No", False)):
            self.escort.addItem(text, value)
        self.ticks: dict[str, QCheckBox] = {}
        discharge = QGroupBox("Discharge checklist")
        discharge_layout = QVBoxLayout(discharge)
        row = QHBoxLayout()
        row.addWidget(QLabel("Discharge at:"))
        row.addWidget(self.discharge_at)
        row.addWidget(QLabel("Escort present:"))
        row.addWidget(self.escort)
        discharge_layout.addLayout(row)
        for item in self.rules.checklist:
            if item.source == "tick":
                # A wrapped label beside an empty box: a long item never widens the page.
                box = QCheckBox()
                box.setAccessibleName(item.text)
                text = QLabel(item.text)
                text.setWordWrap(True)
                text.setBuddy(box)
                text.mousePressEvent = lambda _event, box=box: box.toggle()
                line = QHBoxLayout()
                line.addWidget(box, 0, Qt.AlignmentFlag.AlignTop)
                line.addWidget(text, 1)
                self.ticks[item.id] = box
                discharge_layout.addLayout(line)
        self.checklist_view = QLabel()
        self.checklist_view.setWordWrap(True)
        self.checklist_view.setTextFormat(Qt.TextFormat.RichText)
        discharge_layout.addWidget(self.checklist_view)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.clear_button = QPushButton("Clear…")
        self.clear_button.setToolTip("Forget this session (nothing is ever saved)")
        self.clear_button.clicked.connect(self.confirm_clear)
        self.print_button = QPushButton("Print record…")
        self.print_button.clicked.connect(self.print_record)
        self.blank_button = QPushButton("Blank form…")
        self.blank_button.setToolTip("A paper form for this product and schedule")
        self.blank_button.clicked.connect(self.print_blank)
        self.status = QLabel()
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for button in (self.clear_button, self.blank_button, self.print_button):
            buttons.addWidget(button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.next_due)
        right_layout.addWidget(self.error)
        right_layout.addWidget(self.details, 1)
        right_layout.addWidget(discharge)
        right_layout.addLayout(buttons)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(right)
        splitter.setSizes([620, 480])
        self._outer.addWidget(splitter)

        self.product.currentIndexChanged.connect(self._product_changed)
        self.route.currentIndexChanged.connect(self._route_changed)
        for combo in (self.schedule, self.escort, *self.observations.values()):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        # The typed fields, which Clear empties.
        self.text_fields = (
            self.weight,
            self.dose,
            self.lot,
            self.start,
            self.medications,
            self.other,
            self.ready_to_leave,
            self.discharge_at,
        )
        for field in self.text_fields:
            field.textChanged.connect(lambda _t: self.refresh())
        for box in self.ticks.values():
            box.toggled.connect(lambda _c: self.refresh())
        self.timer = QTimer(self)
        self.timer.setInterval(30_000)  # due and late follow the clock
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        self._product_changed()
        self.prefill_time()
        if getattr(self, "_pending", None):
            self.start_from(self._pending)

    # --- choices --------------------------------------------------------------------------
    def _product_changed(self) -> None:
        product = self.rules.products[self.product.currentData()]
        self.route.blockSignals(True)
        self.route.clear()
        for route in product.routes:
            self.route.addItem(self.rules.routes[route], route)
        self.route.blockSignals(False)
        self._route_changed()

    def _route_changed(self) -> None:
        product, route = self.product.currentData(), self.route.currentData()
        for item in self.rules.checklist:  # only the items the sources give for this product
            if item.id in self.ticks:
                self.ticks[item.id].setVisible(product in item.products)
                self.ticks[item.id].setEnabled(product in item.products)
        self.schedule.blockSignals(True)
        self.schedule.clear()
        fitting = [s for s in self.rules.schedules if product in s.products and route in s.routes]
        for schedule in fitting:
            self.schedule.addItem(schedule.name, schedule.id)
        if not fitting:
            self.schedule.addItem("No published schedule for this route", None)
        default = self.schedule.findData(self.rules.products[product].default_schedule)
        self.schedule.setCurrentIndex(max(default, 0))
        self.schedule.blockSignals(False)
        self.refresh()

    # --- entry ----------------------------------------------------------------------------
    def now_text(self) -> str:
        """The current clock time as HH:MM (from ``self.clock``, which tests replace)."""
        return self.clock().strftime("%H:%M")

    def prefill_time(self) -> None:
        """Put the current time into the reading-time field."""
        self._time_edited = False
        self.time_field.setText(self.now_text())

    def tick(self) -> None:
        """The clock moved: follow it in the time field (unless typed) and re-evaluate."""
        if not self._time_edited:
            self.time_field.setText(self.now_text())
        self.refresh()

    def add_reading(self) -> None:
        """Validate the entry row through the core and add it; the first row sets the start."""
        time_text = self.time_field.text().strip()
        if not CLOCK.match(time_text):
            self._entry_problem(f"time: {time_text!r} is not a clock time such as 09:30")
            return
        start = self.start.text().strip()
        if not start:
            start = time_text
        elif not CLOCK.match(start):
            self._entry_problem(f"first dose at: {start!r} is not a clock time such as 09:30")
            return
        row: dict[str, Any] = {"minutes": _minutes_between(start, time_text)}
        for key, field in self.vital_fields.items():
            text = field.text().strip()
            if not text:
                continue
            try:
                row[key] = int(text)
            except ValueError:
                self._entry_problem(
                    f"{self.rules.field(key).label}: {text!r} is not a whole number"
                )
                return
        try:
            read_record({"readings": [row]}, self.rules)
        except UserInputError as exc:
            self._entry_problem(str(exc).replace("readings[0].", ""))
            return
        self.entry_error.clear()
        if not self.start.text().strip():
            self.start.blockSignals(True)
            self.start.setText(start)
            self.start.blockSignals(False)
        self.readings.append(row)
        self.readings.sort(key=lambda r: r["minutes"])
        for field in self.vital_fields.values():
            field.clear()
        self.prefill_time()
        self.vital_fields["systolic"].setFocus()
        self.refresh()

    def _entry_problem(self, message: str) -> None:
        self.entry_error.setText(message)

    def remove_selected(self) -> None:
        """Remove the selected vitals row."""
        row = self.table.currentRow()
        if 0 <= row < len(self.readings):
            del self.readings[row]
            self.refresh()

    # --- record and result ------------------------------------------------------------------
    def raw_record(self) -> dict[str, Any]:
        """The record the widgets hold, as the CLI's JSON input."""
        raw: dict[str, Any] = {
            "product": self.product.currentData(),
            "route": self.route.currentData(),
        }
        if self.schedule.currentData():
            raw["schedule"] = self.schedule.currentData()
        numbers = {"weight_kg": self.weight, "dose_mg": self.dose}
        for key, field in numbers.items():
            text = field.text().strip().replace(",", ".")
            if text:
                try:
                    raw[key] = float(text) if "." in text else int(text)
                except ValueError:
                    raw[key] = text  # the core names the field
        for key, field in (("lot", self.lot), ("start_time", self.start)):
            if field.text().strip():
                raw[key] = field.text().strip()
        names = [n.strip() for n in self.medications.text().split(",") if n.strip()]
        if names:
            raw["medications"] = names
        if self.readings:
            raw["readings"] = list(self.readings)
        observations = {k: _tri(c) for k, c in self.observations.items() if _tri(c) is not None}
        if self.other.text().strip():
            observations["other"] = self.other.text().strip()
        if observations:
            raw["observations"] = observations
        if self.ready_to_leave.text().strip():
            text = self.ready_to_leave.text().strip()
            raw["ready_to_leave_minutes"] = int(text) if text.isdigit() else text
        discharge = self.discharge_at.text().strip()
        if discharge and CLOCK.match(discharge) and CLOCK.match(self.start.text().strip()):
            raw["discharge_minutes"] = _minutes_between(self.start.text().strip(), discharge)
        elif discharge:
            raw["discharge_minutes"] = discharge  # the core names the field
        if _tri(self.escort) is not None:
            raw["escort_present"] = _tri(self.escort)
        ticks = {
            key: True for key, box in self.ticks.items() if box.isChecked() and box.isEnabled()
        }
        if ticks:
            raw["checklist"] = ticks
        return raw

    def now_minutes(self) -> int | None:
        """Minutes since the first dose by the page's clock (None before a start time)."""
        start = self.start.text().strip()
        if not CLOCK.match(start):
            return None
        return max(_minutes_between(start, self.now_text()), 0)

    def refresh(self) -> None:
        """Evaluate the record now and show the result."""
        if self.rules is None:
            return
        try:
            record = read_record(self.raw_record(), self.rules)
        except UserInputError as exc:
            self.error.setText(str(exc))
            return
        self.error.clear()
        self.result = evaluate(
            record, self.rules, now=self.now_minutes(), kb_version=self.kb_version
        )
        self._show_table()
        self._show_result()

    def _show_table(self) -> None:
        record = self.result.record
        labels = {}
        for due in self.result.due:
            if due.done and due.minutes is not None:
                for reading in record.readings:
                    if reading.has_bp and abs(reading.minutes - due.minutes) <= due.window:
                        labels.setdefault(reading.minutes, due.label)
                        break
        self.table.setRowCount(len(record.readings))
        from kapdesk.decide.session import clock_at

        for row, reading in enumerate(record.readings):
            bp = f"{reading.systolic}/{reading.diastolic}" if reading.has_bp else UNSET
            cells = [
                clock_at(record.start_time, reading.minutes) or UNSET,
                str(reading.minutes),
                bp,
                UNSET if reading.heart_rate is None else str(reading.heart_rate),
                UNSET if reading.spo2 is None else str(reading.spo2),
                labels.get(reading.minutes, ""),
            ]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))

    def next_due_text(self) -> str:
        """The next reading due, as shown (plain text)."""
        return self.next_due.text()

    def _show_result(self) -> None:
        result = self.result
        due = result.next_due
        if due is None:
            self.next_due.setText("<b>Next reading due:</b> none left in the schedule")
            self.next_due.setStyleSheet("padding: 4px")
        else:
            when = due.clock or (f"{due.minutes} min" if due.minutes is not None else "")
            if due.id == "before-discharge":
                when = "before discharge" + (f" (not before {due.clock})" if due.clock else "")
            state = STATE_WORDS.get(due.state, "")
            self.next_due.setText(
                f"<b>Next reading due: {escape(when)}</b> — {escape(due.label)}"
                + (f" <b>({escape(state)})</b>" if state else "")
            )
            self.next_due.setStyleSheet(STATE_STYLES.get(due.state, "padding: 4px"))
        self.next_due.setProperty("state", due.state if due else "none")
        parts = [f"<h3>Flags ({len(result.flags)})</h3>"]
        if result.flags:
            parts += [f"<p>⚑ {escape(f.message)}</p>" for f in result.flags]
        else:
            parts.append("<p>No flag.</p>")
        if result.due:
            parts.append("<h3>Readings the schedule asks for</h3><ul>")
            for d in result.due:
                at = d.clock or (f"{d.minutes} min" if d.minutes is not None else "at discharge")
                parts.append(f"<li>{escape(d.label)} ({escape(at)}): {escape(d.state)}</li>")
            parts.append("</ul>")
        if result.interactions:
            parts.append("<h3>Interactions of the medications (kapdesk's list)</h3>")
            for m in result.interactions.matches:
                color = LEVEL_COLORS[m.level]
                parts.append(
                    f"<p><span style='background:{color}; color:#ffffff'>&nbsp;<b>"
                    f"{escape(m.level_label)}</b>&nbsp;</span> {escape(m.drug)} "
                    f"({escape(m.class_name)}): {escape(m.effect)}</p>"
                )
            for name in result.interactions.unknown:
                parts.append(f"<p>{escape(name)}: {escape(result.interactions.unknown_text)}</p>")
            parts.append(f"<p><small>{escape(result.interactions.scope)}</small></p>")
        for note in result.notes:
            parts.append(f"<p><small>{escape(note)}</small></p>")
        self.details.setHtml("\n".join(parts))
        marks = {True: "☑", False: "☒", None: "☐"}
        lines = [
            f"{marks[c.done]} {escape(c.text)}" for c in result.checklist if c.id not in self.ticks
        ]
        verdict = "yes" if result.discharge_ready else "no"
        lines.append(f"<b>Ready for discharge: {verdict}</b>")
        self.checklist_view.setText("<br>".join(lines))

    # --- carried over from the Eligibility page ---------------------------------------------
    def start_from(self, data: dict[str, Any]) -> None:
        """Fill product, route, weight and medications (from the Eligibility page)."""
        if self.rules is None:
            self._pending = data
            return
        index = self.product.findData(data.get("product"))
        if index >= 0:
            self.product.setCurrentIndex(index)
        index = self.route.findData(data.get("route"))
        if index >= 0:
            self.route.setCurrentIndex(index)
        if data.get("weight_kg") is not None:
            self.weight.setText(f"{data['weight_kg']:g}")
        if data.get("medications"):
            self.medications.setText(", ".join(data["medications"]))
        self.refresh()

    # --- actions ------------------------------------------------------------------------
    def confirm_clear(self) -> None:
        """Ask, then forget the session."""
        answer = QMessageBox.question(
            self,
            "Clear the session",
            "Forget every reading and answer of this session? Nothing is saved.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.clear()

    def clear(self) -> None:
        """Forget the session: readings, answers, times."""
        self.readings.clear()
        for field in self.text_fields:
            field.blockSignals(True)
            field.clear()
            field.blockSignals(False)
        for combo in (self.escort, *self.observations.values()):
            combo.setCurrentIndex(0)
        for box in self.ticks.values():
            box.setChecked(False)
        self.entry_error.clear()
        self.prefill_time()
        self.refresh()

    def _print(self, blank: bool) -> None:
        if self.result is None:
            return
        from kapdesk.ui.identifiers import ask_identifiers

        patient = ask_identifiers(self, "Session form" if blank else "Session record")
        if patient is None:
            return
        result, profile = self.result, self.profile_loader()
        if blank:
            from kapdesk.decide.session import blank_record

            result = evaluate(
                blank_record(
                    result.record.product,
                    result.record.route,
                    result.schedule.id if result.schedule else None,
                ),
                self.rules,
            )

        def write(kb):
            from kapdesk.documents.session_sheet import blank_form_pdf, session_record_pdf

            make = blank_form_pdf if blank else session_record_pdf
            return make(kb, result, profile=profile, patient=patient)

        self.status.setText("Preparing the PDF…")
        self.worker.submit(f"{TAG}{'blank' if blank else 'record'}", write)

    nothing_to_print = "The session page is still loading."

    def print_document(self) -> bool:
        """File › Print… / Save as PDF…: the session record (False if nothing or cancelled)."""
        self.print_record()
        return self.status.text() == "Preparing the PDF…"

    def print_record(self) -> None:
        """Preview the one-page session record (asks for the optional identifier)."""
        self._print(blank=False)

    def print_blank(self) -> None:
        """Preview the blank paper form for this product and schedule."""
        self._print(blank=True)

    def _on_done(self, tag: str, result) -> None:
        if tag in (f"{TAG}record", f"{TAG}blank"):
            self.status.setText("")
            from kapdesk.ui.pdf_preview import PdfPreviewDialog

            name = "session-record.pdf" if tag.endswith("record") else "session-form.pdf"
            PdfPreviewDialog.show_pdf(self, result, "Session record", name)

    def _on_failed(self, tag: str, message: str) -> None:
        if tag.startswith(TAG):
            self.status.setText("")
            QMessageBox.warning(self, "kapdesk — session", message)
