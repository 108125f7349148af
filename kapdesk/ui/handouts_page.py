"""The Handouts page: choose patient handouts, personalise them, preview and print.

The library (titles, languages, reading level and PEMAT-P scores) and every PDF come
from the core on the worker thread; this page only shows them. The patient's name,
appointment and note exist in the form fields and in the PDF bytes handed to the
preview, nowhere else: they are never written to settings, the database, the log or
a temporary file, and "Clear patient details" empties them for the next patient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kapdesk.profile import ClinicProfile
from kapdesk.ui.patient_print import confirm_patient_print
from kapdesk.ui.worker import CoreWorker

TAG = "handouts:"
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
OFF_TARGET = "#9b1c1c"
LEVEL_LANGUAGES = {"en": "English", "es": "Spanish"}  # one reading-level column each
# Two-line headers and bare figures (the status line and each cell's tooltip name the
# measure), so that the handout's title gets the width on a 1024-pixel screen.
COLUMNS = (
    "Handout",
    "Languages",
    *(f"{name}\nreading level" for name in LEVEL_LANGUAGES.values()),
    "PEMAT-P\nunderstandable",
    "PEMAT-P\nactionable",
)


def load_rows(kb: Any) -> list[dict[str, Any]]:
    """Runs on the worker: one summary row per handout (measuring readability is slow)."""
    from kapdesk.kb.catalog import library

    return library().summary()


def _reading_level(score: dict[str, Any]) -> QTableWidgetItem:
    """ "4.8", its measure in the tooltip; dark red with "(off target)" when it misses."""
    mark = "" if score["meets_target"] else " (off target)"
    item = QTableWidgetItem(f"{score['score']:.1f}{mark}")
    item.setToolTip(
        f"{score['label']} {score['score']:.1f}; target {score['target']}, "
        "measured with textstat on the printed text"
    )
    if not score["meets_target"]:
        item.setForeground(Qt.GlobalColor.darkRed)
    return item


def _pemat(row: dict[str, Any], scale: str) -> str:
    values = {lang: scores[scale] for lang, scores in row["pemat"].items()}
    shown = {lang: "n/a" if v is None else f"{v:.0f}%" for lang, v in values.items()}
    if len(set(shown.values())) == 1:
        return next(iter(shown.values()))
    return " · ".join(f"{lang}: {text}" for lang, text in shown.items())


class HandoutsPage(QWidget):
    """Library table, options, and Preview (with Print… and Save as PDF… in the preview)."""

    links_ready = Signal(dict)  # modality id -> handout id, for the Reference page

    def __init__(
        self,
        worker: CoreWorker,
        profile_loader: Callable[[], ClinicProfile],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self.profile_loader = profile_loader
        self._rows: list[dict[str, Any]] = []
        self._request = 0
        self._pending: str | None = None

        self.status = QLabel("Loading the handout library…")
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Handout library")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

        self.language = QComboBox()
        for code, name in LANGUAGE_NAMES.items():
            self.language.addItem(name, code)
        self.language.setAccessibleName("Handout language")
        self.large_print = QCheckBox("Large print (18 pt bold, wide line spacing)")
        self.patient = QLineEdit(placeholderText="Optional; printed on the first page only")
        self.patient.setAccessibleName("Patient name")
        self.appointment = QLineEdit(placeholderText="Optional, e.g. Tuesday 4 March, 10:00")
        self.appointment.setAccessibleName("Next appointment")
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("Optional; printed exactly as typed")
        self.note.setAccessibleName("Note from the clinician")
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(90)
        self.clear_button = QPushButton("Clear patient details")
        self.preview_button = QPushButton("Preview…")
        self.preview_button.setEnabled(False)
        # A long bundle (many topics in large print) can take seconds: it can be stopped.
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancel-render")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel_preview)
        self.preview_button.setDefault(True)
        self.chosen = QLabel("Tick one or more handouts.")
        privacy = QLabel(
            "Patient details are used for this printout only and are never saved by kapdesk."
        )
        privacy.setWordWrap(True)
        privacy.setStyleSheet("color: #555555")

        options = QGroupBox("Options")
        form = QFormLayout(options)
        form.addRow("Language", self.language)
        form.addRow("", self.large_print)
        form.addRow("Patient name", self.patient)
        form.addRow("Next appointment", self.appointment)
        form.addRow("Note", self.note)
        form.addRow("", privacy)
        buttons = QHBoxLayout()
        buttons.addWidget(self.chosen, 1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addWidget(options)
        layout.addLayout(buttons)

        self.table.itemChanged.connect(self._update_chosen)
        self.clear_button.clicked.connect(self.clear_patient_details)
        self.preview_button.clicked.connect(self.preview)
        worker.done.connect(self._on_done)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        # After connecting done/failed: a page built late submits at once.
        worker.when_ready(self._load)

    # --- library ------------------------------------------------------------------------
    def _load(self, _kb: object = None) -> None:
        self.worker.submit(TAG + "library", load_rows)

    def _fill(self, rows: list[dict[str, Any]]) -> None:
        self._rows = rows
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            title = QTableWidgetItem(row["title"])
            title.setData(Qt.ItemDataRole.UserRole, row["id"])
            title.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsUserCheckable
                | Qt.ItemFlag.ItemIsSelectable
            )
            title.setCheckState(Qt.CheckState.Unchecked)
            title.setToolTip("\n".join(row["titles"].values()))
            levels = [
                _reading_level(row["readability"][lang])
                if lang in row["readability"]
                else QTableWidgetItem("—")
                for lang in LEVEL_LANGUAGES
            ]
            cells = [
                title,
                QTableWidgetItem(", ".join(row["languages"])),
                *levels,
                QTableWidgetItem(_pemat(row, "understandability")),
                QTableWidgetItem(_pemat(row, "actionability")),
            ]
            for column, cell in enumerate(cells):
                if column:
                    cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(index, column, cell)
        self.table.blockSignals(False)
        targets = {
            f"{LEVEL_LANGUAGES.get(lang, lang)}: {score['label']} {score['target']}"
            for row in rows
            for lang, score in row["readability"].items()
        }
        self._say(
            f"{len(rows)} handouts. Reading level, measured on the printed text: "
            + "; ".join(sorted(targets))
            + "."
        )
        links = {m: row["id"] for row in rows for m in row["modalities"]}
        self.links_ready.emit(links)
        if self._pending:
            self.show_handout(self._pending)
        self._update_chosen()

    def checked_ids(self) -> list[str]:
        """The ticked handouts, in library order."""
        ids = []
        for index in range(self.table.rowCount()):
            item = self.table.item(index, 0)
            if item.checkState() == Qt.CheckState.Checked:
                ids.append(item.data(Qt.ItemDataRole.UserRole))
        return ids

    def _update_chosen(self, *_: object) -> None:
        count = len(self.checked_ids())
        self.preview_button.setEnabled(count > 0)
        if count == 0:
            self.chosen.setText("Tick one or more handouts.")
        elif count == 1:
            self.chosen.setText("1 handout chosen.")
        else:
            self.chosen.setText(f"{count} handouts chosen: one PDF with a contents page.")

    def show_handout(self, handout_id: str) -> None:
        """Tick only ``handout_id`` and bring it into view (from the Reference page)."""
        if not self._rows:
            self._pending = handout_id
            return
        self._pending = None
        self.table.blockSignals(True)
        for index in range(self.table.rowCount()):
            item = self.table.item(index, 0)
            match = item.data(Qt.ItemDataRole.UserRole) == handout_id
            item.setCheckState(Qt.CheckState.Checked if match else Qt.CheckState.Unchecked)
            if match:
                self.table.selectRow(index)
                self.table.scrollToItem(item)
        self.table.blockSignals(False)
        self._update_chosen()

    # --- patient details and preview -------------------------------------------------------
    def clear_patient_details(self) -> None:
        self.patient.clear()
        self.appointment.clear()
        self.note.clear()

    nothing_to_print = "Tick one or more handouts first."

    def print_document(self) -> bool:
        """File › Print… / Save as PDF…: the ticked handouts."""
        if not self.preview_button.isEnabled():
            return False
        self.preview()
        return True

    def preview(self) -> None:
        """Build the PDF on the worker; the preview opens when it is ready."""
        ids = self.checked_ids()
        if not ids:
            return
        from kapdesk.documents.handout import HandoutOptions

        options = HandoutOptions(
            lang=self.language.currentData(),
            large_print=self.large_print.isChecked(),
            patient=self.patient.text(),
            note=self.note.toPlainText(),
            appointment=self.appointment.text(),
        )
        profile = self.profile_loader()
        if not confirm_patient_print(self, profile, options.lang):
            return

        def build(kb):
            from kapdesk.documents.handout import render_handouts
            from kapdesk.kb.catalog import library

            return render_handouts(
                library(), ids, options=options, profile=profile, kb_version=kb.version
            )

        self._request += 1
        self.preview_button.setEnabled(False)
        self.cancel_button.show()
        self._say("Preparing the handout…")
        self.worker.submit(f"{TAG}pdf:{self._request}", build)

    def cancel_preview(self) -> None:
        """Stop the handout being prepared (the worker stops within a page)."""
        self.worker.cancel(f"{TAG}pdf:{self._request}")

    def _on_cancelled(self, tag: str) -> None:
        if tag == f"{TAG}pdf:{self._request}":
            self.cancel_button.hide()
            self._update_chosen()
            self._say("Cancelled: no handout was made.")

    def _show_preview(self, rendered: Any) -> None:
        from kapdesk.ui.pdf_preview import PdfPreviewDialog

        pages = f"{rendered.pages} page{'s' if rendered.pages != 1 else ''}"
        self._say(f"Ready: {rendered.title} ({pages}).")
        PdfPreviewDialog.show_pdf(self, rendered.pdf, rendered.title, rendered.suggested_name)

    # --- results from the worker ----------------------------------------------------------
    def _on_done(self, tag: str, result: object) -> None:
        if tag == TAG + "library":
            self._fill(result)
        elif tag == f"{TAG}pdf:{self._request}":
            self.cancel_button.hide()
            self._update_chosen()
            self._show_preview(result)

    def _on_failed(self, tag: str, message: str) -> None:
        if not tag.startswith(TAG):
            return
        if tag == TAG + "library":
            self._say(f"The handout library could not be loaded: {message}", error=True)
        elif tag == f"{TAG}pdf:{self._request}":
            self.cancel_button.hide()
            self._update_chosen()
            self._say(f"The handout could not be made: {message}", error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {OFF_TARGET}" if error else "")
