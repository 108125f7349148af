"""File › Install content update…: what a signed content pack changes, and the question.

The dialog only shows what the core found (``kapdesk.kb.pack.preview_pack``) and returns
the clinician's answer; verifying and installing run on the core worker.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class ContentUpdateDialog(QDialog):
    """Shows a verified pack's changes and asks before switching to it."""

    def __init__(self, summary: str, changes: str, warnings: list[str], parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Install content update")
        self.resize(760, 560)
        layout = QVBoxLayout(self)
        self.summary = QLabel(summary)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.warning = QLabel("\n".join(warnings))
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #8a4b00; font-weight: bold;")
        self.warning.setVisible(bool(warnings))
        layout.addWidget(self.warning)
        self.changes = QPlainTextEdit(changes)
        self.changes.setReadOnly(True)
        self.changes.setAccessibleName("What changes")
        layout.addWidget(self.changes, 1)
        question = QLabel(
            "Switch to this content now? The clinic profile is not changed, and you can go "
            "back with File › Go back to previous content."
        )
        question.setWordWrap(True)
        layout.addWidget(question)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.install_button = self.buttons.addButton(
            "Install", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
