"""The Scales page: PHQ-9, GAD-7, PCL-5, PHQ-2 and GAD-2 entered by keyboard and scored live.

Type one digit per item and the cursor moves on; Backspace on an empty item goes back.
Total, band, clusters, the PCL-5 provisional rule and every flag come from
:func:`kapdesk.decide.scales.score`; the safety prompt shows at the top. Earlier totals
typed from the chart are drawn with today's score and the band lines. Nothing is
stored: answers and earlier totals live in the widgets, and Clear forgets them.
"""

from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtCore import QDate, QPointF, QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QKeyEvent,
    QPainter,
    QPainterPath,
    QPen,
    QRegularExpressionValidator,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from kapdesk.content.scales import Scale, ScaleLibrary
from kapdesk.decide.scales import (
    LANGUAGE_NAMES,
    PreviousTotal,
    ScaleResult,
    cited_references,
    cluster_rows,
    licence_line,
    provisional_text,
    score,
    text_summary,
    total_text,
    trend_layout,
)
from kapdesk.profile import ClinicProfile
from kapdesk.ui.identifiers import ask_identifiers
from kapdesk.ui.worker import CoreWorker

TAG = "scales:"
ALERT = "#a4161a"
LINE = "#2e7fb8"


class AnswerEdit(QLineEdit):
    """One item's answer: a single digit; Backspace on an empty field goes back."""

    back = Signal()

    def __init__(self, top: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMaxLength(1)
        self.setFixedWidth(34)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setValidator(QRegularExpressionValidator(QRegularExpression(f"[0-{top}]"), self))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Backspace and not self.text():
            self.back.emit()
            return
        super().keyPressEvent(event)


class TrendChart(QWidget):
    """Totals by date with the band lines (layout from the core; painting only here)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: ScaleResult | None = None
        self.setMinimumHeight(170)
        self.setAccessibleName("Trend of totals")

    def set_result(self, result: ScaleResult | None) -> None:
        self.result = result
        self.update()

    def paintEvent(self, _event) -> None:
        if self.result is None:
            return
        layout = trend_layout(self.result)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        left, right, top, bottom = 30, 130, 14, 26
        w, h = self.width() - left - right, self.height() - top - bottom

        def xy(ux: float, uy: float) -> QPointF:
            return QPointF(left + 10 + ux * max(w - 20, 1), top + (1 - uy) * h)

        painter.setPen(QPen(QColor("#000000")))
        painter.drawLine(left, top, left, top + h)
        painter.drawLine(left, top + h, left + w, top + h)
        painter.drawText(2, top + h + 4, "0")
        painter.drawText(2, top + 8, str(layout.max_total))
        dash = QPen(QColor("#8c8c8c"))
        dash.setStyle(Qt.PenStyle.DashLine)
        for uy, value, label in layout.lines:
            y = xy(0, uy).y()
            painter.setPen(dash)
            painter.drawLine(left, int(y), left + w, int(y))
            if label:
                painter.drawText(left + w + 4, int(y) + 4, label)
                painter.drawText(2, int(y) + 4, str(value))
        points = [(xy(ux, uy), point) for ux, uy, point in layout.points]
        if not points:
            painter.setPen(QPen(QColor("#5c5c5c")))
            painter.drawText(left + 12, top + 20, "Type earlier totals to see the trend.")
            return
        path = QPainterPath(points[0][0])
        for position, _ in points[1:]:
            path.lineTo(position)
        painter.setPen(QPen(QColor(LINE), 2))
        painter.drawPath(path)
        for position, point in points:
            color = QColor("#000000") if point.current else QColor(LINE)
            painter.setBrush(color)
            painter.setPen(QPen(color))
            painter.drawEllipse(position, 4, 4)
            painter.drawText(int(position.x()) - 6, int(position.y()) - 8, str(point.total))
            painter.setPen(QPen(QColor("#333333")))
            painter.drawText(int(position.x()) - 30, top + h + 16, point.date.strftime("%Y-%m-%d"))
        painter.end()


class ScalesPage(QWidget):
    """Choose a scale and language, type the answers, read the live result."""

    def __init__(
        self,
        worker: CoreWorker,
        profile_loader,
        parent: QWidget | None = None,
        library: ScaleLibrary | None = None,
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self.profile_loader = profile_loader
        self.library: ScaleLibrary | None = None
        self.profile: ClinicProfile = profile_loader()
        self.scale: Scale | None = None
        self.result: ScaleResult | None = None
        self.previous: list[PreviousTotal] = []
        self.fields: list[AnswerEdit] = []
        self.words: list[QLabel] = []
        self.texts: list[QLabel] = []

        self.scale_box = QComboBox()
        self.scale_box.setAccessibleName("Scale")
        self.lang_box = QComboBox()
        self.lang_box.setAccessibleName("Language of the text answered")
        self.about_button = QPushButton("About this scale…")
        top = QHBoxLayout()
        top.addWidget(QLabel("Scale:"))
        top.addWidget(self.scale_box, 1)
        top.addWidget(QLabel("Language:"))
        top.addWidget(self.lang_box)
        top.addWidget(self.about_button)

        self.instruction = QLabel("Loading the scales…")
        self.instruction.setWordWrap(True)
        self.items_widget = QWidget()
        self.items_grid = QGridLayout(self.items_widget)
        self.items_grid.setColumnStretch(1, 1)
        self.items_grid.setVerticalSpacing(0)  # an item's answer sits close under it
        scroll = QScrollArea()
        scroll.setAccessibleName("Scale items")
        scroll.setWidgetResizable(True)
        items_box = QWidget()
        items_layout = QVBoxLayout(items_box)
        items_layout.addWidget(self.instruction)
        items_layout.addWidget(self.items_widget)
        items_layout.addStretch(1)
        scroll.setWidget(items_box)

        self.safety = QLabel()
        self.safety.setWordWrap(True)
        self.safety.setTextFormat(Qt.TextFormat.RichText)
        self.safety.setStyleSheet(
            f"background: #fbe9e9; border: 2px solid {ALERT}; padding: 6px; color: #000000"
        )
        self.safety.setAccessibleName("Safety prompt")
        self.safety.hide()
        self.total_label = QLabel()
        self.total_label.setStyleSheet("font-size: 20px; font-weight: bold")
        self.total_label.setAccessibleName("Total")
        self.band_label = QLabel()
        self.band_label.setStyleSheet("font-size: 15px")
        self.band_label.setAccessibleName("Band")
        self.details = QTextBrowser()
        self.details.setAccessibleName("Clusters and flags")

        self.trend_date = QDateEdit()
        self.trend_date.setCalendarPopup(True)
        self.trend_date.setDisplayFormat("yyyy-MM-dd")
        self.trend_date.setMaximumDate(QDate.currentDate())
        self.trend_date.setDate(QDate.currentDate().addDays(-28))
        self.trend_total = QSpinBox()
        self.trend_total.setAccessibleName("Earlier total")
        self.add_button = QPushButton("Add earlier total")
        self.remove_button = QPushButton("Remove")
        self.trend_list = QListWidget()
        self.trend_list.setMaximumHeight(80)
        self.chart = TrendChart()
        trend_box = QGroupBox("Trend (earlier totals typed from the chart; not stored)")
        trend_layout_ = QVBoxLayout(trend_box)
        entry = QHBoxLayout()
        entry.addWidget(self.trend_date)
        entry.addWidget(self.trend_total)
        entry.addWidget(self.add_button)
        entry.addWidget(self.remove_button)
        trend_layout_.addLayout(entry)
        trend_layout_.addWidget(self.trend_list)
        trend_layout_.addWidget(self.chart, 1)

        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Forget every answer and earlier total (nothing is saved)")
        self.copy_button = QPushButton("Copy summary")
        self.copy_button.setToolTip("Copy the result as text for the EHR")
        self.print_button = QPushButton("Print preview…")
        self.form_button = QPushButton("Blank form…")
        self.large_print = QCheckBox("Large print")
        self.status = QLabel("")
        buttons = QHBoxLayout()
        for widget in (
            self.clear_button,
            self.copy_button,
            self.print_button,
            self.form_button,
            self.large_print,
        ):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        buttons.addWidget(self.status)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.safety)
        right_layout.addWidget(self.total_label)
        right_layout.addWidget(self.band_label)
        right_layout.addWidget(self.details, 1)
        right_layout.addWidget(trend_box, 1)
        splitter = QSplitter()
        splitter.addWidget(scroll)
        splitter.addWidget(right)
        splitter.setSizes([620, 480])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

        self.scale_box.currentIndexChanged.connect(self._scale_changed)
        self.lang_box.currentIndexChanged.connect(self._lang_changed)
        self.about_button.clicked.connect(self.show_about)
        self.add_button.clicked.connect(self.add_previous)
        self.remove_button.clicked.connect(self.remove_previous)
        self.clear_button.clicked.connect(self.clear)
        self.copy_button.clicked.connect(self.copy_summary)
        self.print_button.clicked.connect(self.print_preview)
        self.form_button.clicked.connect(self.blank_form)
        worker.done.connect(self._on_done)
        worker.failed.connect(self._on_failed)
        if library is not None:
            self.set_library(library)
        else:  # the scales are read from the knowledge base once it is open
            worker.when_ready(self._kb_ready)

    def _kb_ready(self, _kb: object) -> None:
        self.worker.submit(f"{TAG}library", lambda kb: kb.catalog.scales)

    def set_library(self, library: ScaleLibrary) -> None:
        """Offer the scales of ``library`` and show the first one."""
        self.library = library
        self.scale_box.blockSignals(True)
        self.scale_box.clear()
        for scale in library.scales.values():
            self.scale_box.addItem(f"{scale.short_name} — {scale.name}", scale.id)
        self.scale_box.blockSignals(False)
        self.scale = next(iter(library.scales.values()))
        self._build_items()

    # --- building -----------------------------------------------------------------------
    @property
    def lang(self) -> str:
        """The language of the text answered."""
        return self.lang_box.currentData() or "en"

    def select_scale(self, scale_id: str) -> None:
        """Switch to ``scale_id`` (forgets the answers and earlier totals)."""
        self.scale_box.setCurrentIndex(self.scale_box.findData(scale_id))

    def _scale_changed(self) -> None:
        if self.library is None or self.scale_box.currentData() is None:
            return
        self.scale = self.library.scales[self.scale_box.currentData()]
        self.previous.clear()
        self._build_items()

    def _lang_changed(self) -> None:
        if self.scale is not None and self.lang in self.scale.texts:
            self._show_texts()
            self.refresh()

    def _build_items(self) -> None:
        while self.items_grid.count():
            widget = self.items_grid.takeAt(0).widget()
            if widget is not None:
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        self.fields, self.words, self.texts = [], [], []
        self.lang_box.blockSignals(True)
        current = self.lang_box.currentData()
        self.lang_box.clear()
        for code in self.scale.languages:
            self.lang_box.addItem(LANGUAGE_NAMES.get(code, code), code)
        index = self.lang_box.findData(current)
        self.lang_box.setCurrentIndex(max(index, 0))
        self.lang_box.blockSignals(False)
        clusters = {c.first: c for c in self.scale.clusters}
        row = 0
        for number in range(1, self.scale.item_count + 1):
            if number in clusters:
                cluster = clusters[number]
                heading = QLabel(f"<b>Cluster {cluster.id} ({escape(cluster.label)})</b>")
                self.items_grid.addWidget(heading, row, 0, 1, 2)
                row += 1
            field = AnswerEdit(self.scale.max_score)
            field.setAccessibleName(f"Item {number}")
            text = QLabel()
            text.setWordWrap(True)
            # The answer in words goes under the item, in a line kept for it: the item
            # text has the column's whole width, and nothing moves as answers are typed.
            words = QLabel()
            words.setStyleSheet("color: #1f4e8c; font-weight: bold;")
            words.setContentsMargins(0, 1, 0, 10)  # and the next item starts apart
            words.setMinimumHeight(words.fontMetrics().lineSpacing() + 11)
            field.textChanged.connect(lambda _t, i=number - 1: self._answered(i))
            field.textEdited.connect(lambda t, i=number - 1: self._focus(i + 1) if t else None)
            field.back.connect(lambda i=number - 1: self._focus(i - 1))
            self.items_grid.addWidget(field, row, 0, Qt.AlignmentFlag.AlignTop)
            self.items_grid.addWidget(text, row, 1, Qt.AlignmentFlag.AlignTop)
            self.items_grid.addWidget(words, row + 1, 1, Qt.AlignmentFlag.AlignTop)
            row += 1
            self.fields.append(field)
            self.texts.append(text)
            self.words.append(words)
            row += 1
        self.trend_total.setRange(0, self.scale.max_total)
        self.trend_list.clear()
        self._show_texts()
        self.refresh()
        # The new fields become visible on the next turn of the event loop.
        QTimer.singleShot(0, lambda: self._focus(0))

    def _show_texts(self) -> None:
        text = self.scale.texts[self.lang]
        options = ", ".join(
            f"{v} = {o}" for v, o in zip(self.scale.scores, text.options, strict=True)
        )
        stem = f"<br/><i>{escape(text.stem)}</i>" if text.stem else ""
        self.instruction.setText(
            f"<b>{escape(text.title)}</b><br/>{escape(text.instruction)}{stem}"
            f"<br/><small>Type one digit per item: {escape(options)}</small>"
        )
        for number, label in enumerate(self.texts, 1):
            label.setText(f"{number}. {text.items[number - 1]}")
        for index in range(len(self.fields)):
            self._show_words(index)

    # --- answering ----------------------------------------------------------------------
    def _focus(self, index: int) -> None:
        if 0 <= index < len(self.fields):
            self.fields[index].setFocus()
            self.fields[index].selectAll()

    def _show_words(self, index: int) -> None:
        value = self.fields[index].text()
        options = self.scale.texts[self.lang].options
        self.words[index].setText(options[int(value)] if value else "")

    def _answered(self, index: int) -> None:
        self._show_words(index)
        self.refresh()

    def answers(self) -> list[int | None]:
        """The typed answers, None where an item is empty."""
        return [int(f.text()) if f.text() else None for f in self.fields]

    def refresh(self) -> None:
        """Score what is typed and show the result."""
        if self.scale is None or len(self.fields) != self.scale.item_count:
            return
        self.result = score(
            self.scale, self.answers(), self.lang, previous=self.previous, profile=self.profile
        )
        result = self.result
        self.total_label.setText(f"Total: {total_text(result)}")
        if result.band is not None:
            self.band_label.setText(f"Band: {result.band_text}")
        elif self.scale.bands:
            self.band_label.setText("Band: — (every item must be answered)")
        else:
            self.band_label.setText("No severity bands for this scale")
        if result.safety:
            crisis = result.safety.crisis_text or result.safety.crisis_missing
            language = LANGUAGE_NAMES.get(self.lang, self.lang)
            self.safety.setText(
                f"<b style='color:{ALERT}'>Safety prompt</b><br/><b>"
                f"{escape(result.safety.message)}</b><br/><b>Clinic crisis text ({language}):"
                f"</b> {escape(crisis)}"
            )
            self.safety.show()
        else:
            self.safety.hide()
        parts = []
        rows = cluster_rows(result)
        if rows:
            parts.append(
                "<p><b>Clusters</b><br/>"
                + "<br/>".join(f"{escape(h)}: {escape(v)}" for h, v in rows)
                + "</p>"
            )
        if self.scale.provisional is not None:
            parts.append(f"<p><b>Provisional DSM-5 diagnosis:</b> {provisional_text(result)}</p>")
        flags = [f for f in result.flags if not f.safety]
        if flags:
            parts.append(
                "<ul>"
                + "".join(
                    f"<li>{escape(f.message)}"
                    + (f"<br/><small>{escape(f.detail)}</small>" if f.detail else "")
                    + f" <small>[{escape(', '.join(f.sources))}]</small></li>"
                    for f in flags
                )
                + "</ul>"
            )
        self.details.setHtml("".join(parts))
        self.chart.set_result(result)

    # --- trend --------------------------------------------------------------------------
    def add_previous(self) -> None:
        """Add the typed earlier total (dates after today are refused by the date box)."""
        when = self.trend_date.date().toPython()
        if when > date.today():
            return
        self.previous.append(PreviousTotal(when, self.trend_total.value()))
        self.previous.sort(key=lambda p: p.date)
        self._show_previous()

    def remove_previous(self) -> None:
        row = self.trend_list.currentRow()
        if 0 <= row < len(self.previous):
            del self.previous[row]
            self._show_previous()

    def _show_previous(self) -> None:
        self.trend_list.clear()
        for entry in self.previous:
            self.trend_list.addItem(f"{entry.date.isoformat()}: {entry.total}")
        self.refresh()

    # --- actions ------------------------------------------------------------------------
    def clear(self) -> None:
        """Forget every answer and earlier total."""
        for field in self.fields:
            field.blockSignals(True)
            field.clear()
            field.blockSignals(False)
        self.previous.clear()
        self.trend_list.clear()
        for index in range(len(self.fields)):
            self._show_words(index)
        self.refresh()
        self._focus(0)

    def summary_text(self) -> str:
        """The plain-text summary that "Copy summary" puts on the clipboard."""
        return text_summary(self.result) if self.result else ""

    def copy_summary(self) -> None:
        QGuiApplication.clipboard().setText(self.summary_text())
        self.status.setText("Summary copied.")

    def show_about(self) -> None:
        if self.scale is None:
            return
        text = self.scale.texts[self.lang]
        bands = self.scale.bands_note.text if self.scale.bands_note else ""
        QMessageBox.information(
            self,
            f"About the {self.scale.short_name}",
            f"{self.scale.name}\n\n{self.scale.scoring.text}\n{bands}\n\n"
            f"Text: {text.provenance}\n\nLicence: {licence_line(self.scale)}",
        )

    nothing_to_print = "Choose a scale and answer it first."

    def print_document(self) -> bool:
        """File › Print… / Save as PDF…: the score summary (False if nothing or cancelled)."""
        self.print_preview()
        return self.status.text() == "Preparing the summary…"

    def print_preview(self) -> None:
        if self.result is None:
            return
        identity = ask_identifiers(self, "Score summary")
        if identity is None:
            return
        self.profile = self.profile_loader()
        result = score(
            self.scale, self.answers(), self.lang, previous=self.previous, profile=self.profile
        )
        profile = self.profile

        def write(kb):
            from kapdesk.documents.scale_sheet import summary_pdf

            pdf, _ = summary_pdf(
                result,
                profile=profile,
                kb_version=kb.version,
                references=cited_references(kb, result),
                patient=identity,
            )
            return pdf, f"{result.scale.short_name} score summary", f"{result.scale.id}-summary.pdf"

        self.status.setText("Preparing the summary…")
        self.worker.submit(f"{TAG}pdf", write)

    def blank_form(self) -> None:
        if self.scale is None or self.library is None:
            return
        scale = self.library.scales[self.scale.parent or self.scale.id]
        lang, large = self.lang, self.large_print.isChecked()
        profile = self.profile_loader()

        def write(kb):
            from kapdesk.documents.scale_sheet import form_pdf

            pdf, _ = form_pdf(
                scale, lang, profile=profile, kb_version=kb.version, large_print=large
            )
            return pdf, scale.texts[lang].title, f"{scale.id}-form-{lang}.pdf"

        self.status.setText("Preparing the form…")
        self.worker.submit(f"{TAG}pdf", write)

    def _on_done(self, tag: str, result) -> None:
        if tag == f"{TAG}library":
            self.set_library(result)
            return
        if tag != f"{TAG}pdf":
            return
        self.status.setText("")
        pdf, title, name = result
        from kapdesk.ui.pdf_preview import PdfPreviewDialog

        PdfPreviewDialog.show_pdf(self, pdf, title, name)

    def _on_failed(self, tag: str, message: str) -> None:
        if tag == f"{TAG}library":
            self.instruction.setText(f"The scales could not be loaded: {message}")
            return
        if tag.startswith(TAG):
            self.status.setText("")
            QMessageBox.warning(self, "kapdesk — scales", message)

    def showEvent(self, event) -> None:
        # The crisis text may have changed under File › Settings.
        self.profile = self.profile_loader()
        self.refresh()
        super().showEvent(event)
