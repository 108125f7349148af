"""Before a patient document is made: say what the clinic profile leaves out.

When the clinic phone is not set the patient would see no number to call, so the
clinician is asked first ("set it now" opens Settings, "print anyway" goes on). When
the clinic's crisis text is set in English only, a Spanish document prints the
handout's own Spanish emergency wording; that is said once per session.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from kapdesk.profile import ClinicProfile

NO_PHONE = "Patients will not see a clinic phone number."
_said: set[str] = set()


def confirm_patient_print(parent: QWidget, profile: ClinicProfile, lang: str) -> bool:
    """True to go on with the patient document; False when the clinician chose to set
    the profile first (Settings is opened) or cancelled."""
    from kapdesk.documents.notices import profile_warnings

    warnings = profile_warnings(profile, lang)
    crisis = [w for w in warnings if "crisis" in w]
    if crisis and "crisis" not in _said:
        _said.add("crisis")
        QMessageBox.information(
            parent,
            "kapdesk — clinic profile",
            "The clinic's crisis text is set in English only. Spanish documents print the "
            "handout's own Spanish emergency wording; add a Spanish crisis text in "
            "File › Settings to print the clinic's.",
        )
    if profile.phone:
        return True
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("kapdesk — clinic profile")
    box.setText(NO_PHONE)
    box.setInformativeText(
        "The clinic phone is not set, so the call box tells the patient to call their "
        "care team without a number."
    )
    set_now = box.addButton("Set it now", QMessageBox.ButtonRole.ActionRole)
    anyway = box.addButton("Print anyway", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(set_now)
    box.exec()
    if box.clickedButton() is anyway:
        return True
    if box.clickedButton() is set_now:
        window = parent.window()
        if hasattr(window, "open_settings"):
            window.open_settings()
    return False
