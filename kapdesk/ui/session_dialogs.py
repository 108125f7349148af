"""Dialogs for the dosing day: the patient identifier for one printout, and the
Interactions view (drug names in, kapdesk's ketamine-specific entries out)."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from kapdesk.decide.interactions import InteractionCheck, check, interaction_table, listing
from kapdesk.palette import LEVEL_COLORS


def _match_html(match) -> str:
    color = LEVEL_COLORS[match.level]
    note = f"<br><small>{escape(match.note)}</small>" if match.note else ""
    return (
        f"<p><span style='background:{color}; color:#ffffff'>&nbsp;<b>"
        f"{escape(match.level_label)}</b>&nbsp;</span> "
        f"<b>{escape(match.drug)}</b> ({escape(match.class_name)}) — "
        f"{escape(', '.join(match.products))}<br>"
        f"<b>Effect:</b> {escape(match.effect)}<br>"
        f"<b>Recommendation:</b> {escape(match.recommendation)}<br>"
        f"<small>Sources: {escape(', '.join(match.sources))}</small>{note}</p>"
    )


def interactions_html(result: InteractionCheck) -> str:
    """The check as HTML: level in words and colour, effect, recommendation, sources."""
    parts = [f"<p><i>{escape(result.scope)}</i></p>"]
    parts += [_match_html(m) for m in result.matches]
    for other in result.other_product:
        parts.append(
            f"<p>{escape(other.query)} → {escape(other.drug)} ({escape(other.class_name)}): "
            f"listed only for {escape(', '.join(other.products))}.</p>"
        )
    for name in result.unknown:
        parts.append(f"<p><b>{escape(name)}</b>: {escape(result.unknown_text)}.</p>")
    return "\n".join(parts)


class InteractionsDialog(QDialog):
    """Type drug names (commas between them); see what kapdesk's list says."""

    def __init__(self, parent: QWidget | None = None, names: list[str] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Interactions with ketamine and esketamine")
        self.resize(640, 560)
        self.names = QLineEdit()
        self.names.setAccessibleName("Drug names")
        self.names.setPlaceholderText("e.g. diazepam, modafinil, lithium")
        self.product = QComboBox()
        self.product.setAccessibleName("Product")
        self.product.addItem("Both products", None)
        for pid, label in interaction_table().products.items():
            self.product.addItem(label, pid)
        self.view = QTextBrowser()
        self.view.setAccessibleName("Interaction entries")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow("Drug names:", self.names)
        form.addRow("Product:", self.product)
        layout.addLayout(form)
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.names.textChanged.connect(self.refresh)
        self.product.currentIndexChanged.connect(self.refresh)
        if names:
            self.names.setText(", ".join(names))
        self.refresh()

    def refresh(self) -> None:
        """Look the typed names up now (no names: the whole list)."""
        names = [n.strip() for n in self.names.text().split(",") if n.strip()]
        product = self.product.currentData()
        if names:
            self.result = check(names, product)
            self.view.setHtml(interactions_html(self.result))
            return
        data = listing(product)
        parts = [f"<p><i>{escape(data['scope'])}</i></p>"]
        for row in data["table"]:
            members = f" ({escape(', '.join(row['members']))})" if row["members"] else ""
            parts.append(f"<h3>{escape(row['class_name'])}{members}</h3>")
            for item in row["interactions"]:
                color = LEVEL_COLORS[item["level"]]
                parts.append(
                    f"<p><span style='background:{color}; color:#ffffff'>&nbsp;<b>"
                    f"{escape(item['level_label'])}</b>&nbsp;</span> "
                    f"{escape(', '.join(item['products']))}: {escape(item['effect'])}</p>"
                )
        self.result = None
        self.view.setHtml("\n".join(parts))
