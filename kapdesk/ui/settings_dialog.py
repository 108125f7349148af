"""File › Settings…: the clinic profile printed on every document."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from kapdesk.errors import KapdeskError
from kapdesk.profile import LIMITS, ClinicProfile, ProfileStore, phone_problem


class SettingsDialog(QDialog):
    """Edits the clinic profile; nothing is saved until the profile is valid."""

    def __init__(
        self,
        store: ProfileStore,
        offered_choices: list[tuple[str, str]],
        known_ids: list[str] | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings — clinic profile")
        self.store = store
        self.known_ids = known_ids
        self.saved: ClinicProfile | None = None
        profile = store.load()

        self.fields: dict[str, QLineEdit | QPlainTextEdit] = {}
        self.field_errors: dict[str, QLabel] = {}
        form = QFormLayout()
        for name, (label, limit) in LIMITS.items():
            if name in {"address", "crisis_text"}:
                widget: QLineEdit | QPlainTextEdit = QPlainTextEdit(getattr(profile, name))
                widget.setTabChangesFocus(True)
                widget.setFixedHeight(70)
            else:
                widget = QLineEdit(getattr(profile, name))
                widget.setMaxLength(limit)
            widget.setAccessibleName(label)
            widget.setObjectName(name)
            self.fields[name] = widget
            form.addRow(label + ":", widget)
            if name in {"phone", "after_hours"}:
                error = QLabel()
                error.setStyleSheet("color: #a00000")
                error.setWordWrap(True)
                error.hide()
                self.field_errors[name] = error
                form.addRow("", error)
                widget.textChanged.connect(lambda _t, name=name: self.check_field(name))
        self.fields["crisis_text"].setPlaceholderText(
            "Printed in the 'call us' box of every handout, e.g. who to call in an emergency"
        )

        offered_box = QGroupBox("Integration therapies this clinic offers")
        offered_layout = QVBoxLayout(offered_box)
        self.offered: dict[str, QCheckBox] = {}
        for mid, name in offered_choices:
            box = QCheckBox(name)
            box.setObjectName(f"offered-{mid}")
            box.setChecked(mid in profile.offered)
            self.offered[mid] = box
            offered_layout.addWidget(box)
        if not offered_choices:
            offered_layout.addWidget(QLabel("The knowledge base is still loading."))

        self.error = QLabel()
        self.error.setStyleSheet("color: #a00000; font-weight: bold")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(offered_box)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def check_field(self, name: str) -> bool:
        """Show, under the field, why its text is not acceptable; True when it is."""
        widget = self.fields[name]
        text = widget.toPlainText() if isinstance(widget, QPlainTextEdit) else widget.text()
        problem = phone_problem(name, text)
        error = self.field_errors[name]
        error.setText(problem.split(": ", 1)[1] if problem else "")
        error.setVisible(bool(problem))
        widget.setAccessibleDescription(error.text())
        return problem is None

    def profile_from_fields(self) -> ClinicProfile:
        values = {
            name: (w.toPlainText() if isinstance(w, QPlainTextEdit) else w.text())
            for name, w in self.fields.items()
        }
        offered = tuple(mid for mid, box in self.offered.items() if box.isChecked())
        return ClinicProfile(**values, offered=offered)

    def save(self) -> None:
        """Save a valid profile and close, or say what is wrong and stay open."""
        if not all([self.check_field(name) for name in self.field_errors]):
            return
        try:
            self.saved = self.store.save(self.profile_from_fields(), self.known_ids)
        except KapdeskError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()
