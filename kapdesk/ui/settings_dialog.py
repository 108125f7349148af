"""File › Settings…: the clinic profile printed on every document, with a live preview
of the letterhead (wrapped at word boundaries, never cut mid-word)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
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
from kapdesk.profile import (
    LIMITS,
    MULTILINE,
    PHONE_FIELDS,
    ClinicProfile,
    ProfileStore,
    phone_problem,
)


def letterhead_html(profile: ClinicProfile, lang: str = "en") -> str:
    """The letterhead as the documents print it: name, address, phone, after-hours."""
    name = profile.clinic_name or "(clinic name not set)"
    parts = [f"<b style='font-size:13pt'>{escape(name)}</b>"]
    if profile.address.strip():
        lines = [" ".join(line.split()) for line in profile.address.splitlines() if line.strip()]
        parts.append(escape("   ·   ".join(lines)))
    labels = {"en": ("Phone", "After hours"), "es": ("Teléfono", "Fuera de horario")}[lang]
    after_hours = profile.after_hours_es if lang == "es" and profile.after_hours_es else ""
    after_hours = after_hours or profile.after_hours
    contact = []
    if profile.phone:
        contact.append(f"<b>{labels[0]}:</b> {escape(profile.phone)}")
    if after_hours:
        contact.append(f"<b>{labels[1]}:</b> {escape(after_hours)}")
    if contact:
        parts.append("   ·   ".join(contact))
    return "<br>".join(parts)


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
            if name in MULTILINE:
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
            if name in PHONE_FIELDS:
                error = QLabel()
                error.setStyleSheet("color: #a00000")
                error.setWordWrap(True)
                error.hide()
                self.field_errors[name] = error
                form.addRow("", error)
                widget.textChanged.connect(lambda _t, name=name: self.check_field(name))
        self.fields["crisis_text_en"].setPlaceholderText(
            "Printed in the emergency box of English handouts and plans"
        )
        self.fields["crisis_text_es"].setPlaceholderText(
            "Se imprime en el recuadro de emergencia de las hojas en español"
        )
        self.fields["after_hours_es"].setPlaceholderText(
            "Spanish after-hours line; the English one is printed when empty"
        )

        preview_box = QGroupBox("Letterhead preview (every page)")
        preview_layout = QVBoxLayout(preview_box)
        self.preview: dict[str, QLabel] = {}
        for lang, caption in (("en", "English documents"), ("es", "Spanish documents")):
            label = QLabel()
            label.setObjectName(f"letterhead-preview-{lang}")
            label.setWordWrap(True)  # breaks between words, never inside one
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setAccessibleName(f"Letterhead preview, {caption}")
            label.setStyleSheet("background: white; padding: 6px; border: 1px solid #bbb")
            self.preview[lang] = label
            preview_layout.addWidget(QLabel(caption + ":"))
            preview_layout.addWidget(label)

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
        layout.addWidget(preview_box)
        layout.addWidget(offered_box)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        for widget in self.fields.values():
            widget.textChanged.connect(self.update_preview)
        self.update_preview()
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

    def update_preview(self) -> None:
        """Show the letterhead as typed so far, in both languages."""
        profile = self.profile_from_fields()
        for lang, label in self.preview.items():
            label.setText(letterhead_html(profile, lang))

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
