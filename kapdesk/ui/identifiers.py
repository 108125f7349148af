"""Who a clinician record is about: typed for one printout, never stored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

if TYPE_CHECKING:
    from kapdesk.documents.frame import PatientIdentifiers

IDENTIFIER_FIELDS = (
    ("name", "Patient name"),
    ("birth_date", "Date of birth"),
    ("record", "Record no."),
)


class IdentifiersDialog(QDialog):
    """Patient name, date of birth and record number (and any ``extra`` fields), each
    optional; printed on every page of this printout only."""

    def __init__(
        self,
        title: str,
        extra: tuple[tuple[str, str], ...] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout(self)
        for key, label in (*IDENTIFIER_FIELDS, *extra):
            field = QLineEdit()
            field.setAccessibleName(f"{label} for this printout")
            field.setObjectName(f"id-{key}")
            field.setMaxLength(120)
            self.fields[key] = field
            form.addRow(f"{label}:", field)
        hint = QLabel(
            "Optional. Printed on this printout only (a line to write on when empty); "
            "kapdesk does not store it."
        )
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Preview")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(hint)
        form.addRow(buttons)

    def values(self) -> dict[str, str]:
        """What was typed, by field key."""
        return {key: field.text() for key, field in self.fields.items()}

    @classmethod
    def ask(
        cls, parent: QWidget | None, title: str, extra: tuple[tuple[str, str], ...] = ()
    ) -> dict[str, str] | None:
        """Show the dialog modally; None when cancelled."""
        dialog = cls(title, extra, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.values()


def ask_identifiers(parent: QWidget | None, title: str) -> PatientIdentifiers | None:
    """Ask for the patient identifiers of one printout; None when cancelled. They are
    checked where the document is made, so a bad value is reported like any other."""
    typed = IdentifiersDialog.ask(parent, title)
    if typed is None:
        return None
    from kapdesk.documents.frame import PatientIdentifiers

    return PatientIdentifiers(typed["name"], typed["birth_date"], typed["record"])
