"""The main window: navigation, menus, status bar; pages do the work."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

# Only what the window needs to show is imported here; QMessageBox and the Qt namespace
# (whose enums PySide6 builds on first use) are imported where they are used.
from PySide6.QtCore import QByteArray, QRect, QSettings
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QProgressBar,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kapdesk import __version__
from kapdesk.errors import KapdeskError
from kapdesk.paths import AppPaths
from kapdesk.ui.reference_page import ReferencePage
from kapdesk.ui.worker import CoreWorker

if TYPE_CHECKING:  # imported where used: the profile module (sqlite3) after the window is up
    from PySide6.QtGui import QCloseEvent

    from kapdesk.profile import ClinicProfile

# (attribute, navigation title), in the order a clinician works.
PAGES = (
    ("reference", "Reference"),
    ("compare", "Compare"),
    ("eligibility", "Eligibility"),
    ("session", "Session"),
    ("picker", "Integration picker"),
    ("handouts", "Handouts"),
    ("scales", "Scales"),
)

DEFAULT_SIZE = (1180, 760)
# The window never opens larger than this share of the screen's available area.
SCREEN_SHARE = 0.95

DISCLAIMER = (
    "kapdesk is a decision aid, not a substitute for clinical judgement. Every statement "
    "shows its sources; check them before acting on it."
)


def clamped(rect: QRect, available: QRect, share: float = SCREEN_SHARE) -> QRect:
    """``rect`` made to fit ``available``: no larger than ``share`` of it (the rest is
    left for the window frame), and inside it."""
    result = QRect(rect)
    result.setWidth(min(result.width(), int(available.width() * share)))
    result.setHeight(min(result.height(), int(available.height() * share)))
    result.moveLeft(
        min(max(result.left(), available.left()), available.right() - result.width() + 1)
    )
    result.moveTop(
        min(max(result.top(), available.top()), available.bottom() - result.height() + 1)
    )
    return result


def _keys(action: QAction, key: QKeySequence.StandardKey | str, fallback: str = "") -> None:
    """Give ``action`` the platform's standard shortcut (or the ``key`` text), else
    ``fallback``. ``setShortcuts`` and not ``setShortcut``: the latter's overloads make
    PySide6 build the whole ``Qt`` namespace (~15 ms) before the window shows."""
    if isinstance(key, str):
        action.setShortcuts([QKeySequence(key)])
    else:
        action.setShortcuts(key)
    if fallback and action.shortcut().isEmpty():
        action.setShortcuts([QKeySequence(fallback)])


class MainWindow(QMainWindow):
    """Navigation list, the pages, menus and the status bar."""

    def __init__(self, paths: AppPaths) -> None:
        super().__init__()
        self.paths = paths
        self.setWindowTitle("kapdesk")
        self.settings = QSettings(str(paths.settings_path), QSettings.Format.IniFormat)
        self.worker = CoreWorker(paths, self)
        self.kb_version = None
        self.content: dict | None = None  # origin, content_version, expires of the active KB
        self.update_dialog = None
        self._pack_path: Path | None = None
        self._offered_choices: list[tuple[str, str]] = []
        self._known_ids: list[str] | None = None

        self.nav = QListWidget()
        self.nav.setAccessibleName("Pages")
        self.nav.setFixedWidth(150)
        self.nav.setSpacing(2)
        self.pages = QStackedWidget()
        self.reference = ReferencePage(self.worker, self.load_profile)
        self.reference.handout_requested.connect(self.open_handout)
        self.reference.add_to_comparison.connect(self._add_to_comparison)
        self.reference.interactions_requested.connect(self.open_interactions)
        # Every other page is built on its first visit, so the window appears as fast
        # as an empty one; pages that start after the knowledge base opened catch up
        # through CoreWorker.when_ready.
        self._built: dict[str, QWidget] = {"reference": self.reference}
        self._factories = {
            "compare": self._make_compare,
            "eligibility": self._make_eligibility,
            "session": self._make_session,
            "picker": self._make_picker,
            "handouts": self._make_handouts,
            "scales": self._make_scales,
        }
        for name, title in PAGES:
            self.nav.addItem(title)
            self.pages.addWidget(self._built.get(name) or QWidget())
        self.nav.currentRowChanged.connect(self._show_row)
        self.nav.setCurrentRow(0)
        self._update_title(0)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(6, 6, 6, 0)
        # Non-modal: shown from the content's expiry date on, never blocks the work.
        self.review_banner = QLabel()
        self.review_banner.setWordWrap(True)
        self.review_banner.setAccessibleName("Content due for review")
        self.review_banner.setStyleSheet(
            "background: #fff4d6; color: #5c3b00; border: 1px solid #d9a400; padding: 6px;"
        )
        self.review_banner.hide()
        outer.addWidget(self.review_banner)
        layout = QHBoxLayout()
        layout.addWidget(self.nav)
        layout.addWidget(self.pages, 1)
        outer.addLayout(layout, 1)
        self.setCentralWidget(central)

        self.kb_label = QLabel("Knowledge base: loading…")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.kb_label)
        self._build_menus()
        self._restore_geometry()

        self.worker.ready.connect(self._kb_ready)
        self.worker.reloaded.connect(self._kb_ready)
        self.worker.progress.connect(self._kb_progress)
        self.worker.failed.connect(self._worker_failed)
        self.worker.done.connect(self._worker_done)

    # --- pages --------------------------------------------------------------------------
    def _make_compare(self) -> QWidget:
        from kapdesk.ui.compare_page import ComparePage

        return ComparePage(self.worker, self.load_profile)

    def _make_eligibility(self) -> QWidget:
        from kapdesk.ui.eligibility_page import EligibilityPage

        page = EligibilityPage(self.worker, self.load_profile)
        page.start_session.connect(self.start_session)
        page.interactions_requested.connect(self.open_interactions)
        return page

    def _make_session(self) -> QWidget:
        from kapdesk.ui.session_page import SessionPage

        return SessionPage(self.worker, self.load_profile)

    def _make_picker(self) -> QWidget:
        from kapdesk.ui.picker_page import PickerPage

        return PickerPage(self.worker, self.load_profile, self.open_reference)

    def _make_handouts(self) -> QWidget:
        from kapdesk.ui.handouts_page import HandoutsPage

        page = HandoutsPage(self.worker, self.load_profile)
        page.links_ready.connect(self.reference.set_handout_links)
        return page

    def _make_scales(self) -> QWidget:
        from kapdesk.ui.scales_page import ScalesPage

        return ScalesPage(self.worker, self.load_profile)

    def page(self, name: str) -> QWidget:
        """The page called ``name``, built now if this is its first use."""
        if name not in self._built:
            row = [n for n, _ in PAGES].index(name)
            widget = self._factories[name]()
            placeholder = self.pages.widget(row)
            self.pages.insertWidget(row, widget)
            self.pages.removeWidget(placeholder)
            placeholder.deleteLater()
            self._built[name] = widget
        return self._built[name]

    compare = property(lambda self: self.page("compare"))
    eligibility = property(lambda self: self.page("eligibility"))
    picker = property(lambda self: self.page("picker"))
    handouts = property(lambda self: self.page("handouts"))
    session = property(lambda self: self.page("session"))
    scales = property(lambda self: self.page("scales"))

    def start_session(self, data: dict) -> None:
        """Open the Session page with product, route, weight and medications carried over."""
        self.session.start_from(data)
        self.show_page(self.session)

    def open_interactions(self, names: list | None = None) -> None:
        """The Interactions view (from the Reference and Eligibility pages)."""
        from kapdesk.ui.session_dialogs import InteractionsDialog

        if self.worker.kb is None:
            self.statusBar().showMessage("The knowledge base is still opening; try again.", 5000)
            return
        dialog = InteractionsDialog(self, list(names or []))
        self._interactions_dialog = dialog
        dialog.show()

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(PAGES):
            self.page(PAGES[row][0])
            self.pages.setCurrentIndex(row)
            self._update_title(row)

    def _update_title(self, row: int) -> None:
        self.setWindowTitle(f"{PAGES[row][1]} — kapdesk")

    def current_page_name(self) -> str:
        """The attribute name of the page shown ("reference", "compare", …)."""
        return PAGES[max(0, self.nav.currentRow())][0]

    def show_page(self, page: QWidget) -> None:
        """Switch the navigation to ``page``."""
        self.nav.setCurrentRow(self.pages.indexOf(page))

    def _add_to_comparison(self, modality_id: str) -> None:
        self.compare.add_modality(modality_id)
        self.show_page(self.compare)

    def open_handout(self, handout_id: str) -> None:
        """Show a handout, ticked, on the Handouts page (used by other pages' buttons)."""
        self.show_page(self.handouts)
        self.handouts.show_handout(handout_id)

    def open_reference(self, modality_id: str) -> None:
        """Show a modality on the Reference page (used by other pages' links)."""
        self.show_page(self.reference)
        self.reference.show_modality(modality_id)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.print_action = QAction("&Print…", self)
        _keys(self.print_action, QKeySequence.StandardKey.Print)
        self.print_action.setStatusTip("Print this page's document")
        self.print_action.triggered.connect(lambda: self.document_action("print"))
        file_menu.addAction(self.print_action)
        self.save_pdf_action = QAction("Save as P&DF…", self)
        _keys(self.save_pdf_action, "Ctrl+Shift+S")
        self.save_pdf_action.setStatusTip("Save this page's document as a PDF")
        self.save_pdf_action.triggered.connect(lambda: self.document_action("save"))
        file_menu.addAction(self.save_pdf_action)
        file_menu.addSeparator()
        settings = QAction("&Settings…", self)
        _keys(settings, QKeySequence.StandardKey.Preferences, "Ctrl+,")
        settings.triggered.connect(self.open_settings)
        file_menu.addAction(settings)
        file_menu.addSeparator()
        install = QAction("&Install content update…", self)
        install.triggered.connect(lambda: self.install_content_update())
        file_menu.addAction(install)
        go_back = QAction("&Go back to previous content…", self)
        go_back.triggered.connect(self.go_back_content)
        file_menu.addAction(go_back)
        self.install_action = install
        self.go_back_action = go_back
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        _keys(quit_action, QKeySequence.StandardKey.Quit, "Ctrl+Q")
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        find = QAction("&Find", self)
        find.setShortcuts([QKeySequence(QKeySequence.StandardKey.Find), QKeySequence("Ctrl+K")])
        find.triggered.connect(self.focus_search)
        self.addAction(find)
        edit_menu = self.menuBar().addMenu("&Edit")
        edit_menu.addAction(find)

        go_menu = self.menuBar().addMenu("&Go")
        self.page_actions: list[QAction] = []
        for row, (_name, title) in enumerate(PAGES):
            action = QAction(title, self)
            if row < 9:
                _keys(action, f"Ctrl+{row + 1}")
            action.triggered.connect(lambda _=False, row=row: self.nav.setCurrentRow(row))
            go_menu.addAction(action)
            self.page_actions.append(action)

        help_menu = self.menuBar().addMenu("&Help")
        guide = QAction("&User guide", self)
        _keys(guide, QKeySequence.StandardKey.HelpContents, "F1")
        guide.triggered.connect(lambda: self.show_help())
        help_menu.addAction(guide)
        shortcuts = QAction("&Keyboard shortcuts", self)
        shortcuts.triggered.connect(lambda: self.show_help("shortcuts"))
        help_menu.addAction(shortcuts)
        help_menu.addSeparator()
        about = QAction("&About kapdesk", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)
        self.settings_action = settings
        self.find_action = find
        self.help_action = guide
        self.shortcut_actions = [
            self.find_action,
            *self.page_actions,
            self.print_action,
            self.save_pdf_action,
            settings,
            guide,
            quit_action,
        ]

    # --- startup ------------------------------------------------------------------------
    def start_loading(self) -> None:
        """Just after the window shows: finish what the first paint did not need, then
        open (or build) the knowledge base in the background."""
        self.reference.finish_setup()
        self.worker.start()

    def _kb_progress(self, done: int, total: int, what: str) -> None:
        self.progress.show()
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.kb_label.setText(f"Building the knowledge base: {what}")

    def _kb_ready(self, kb) -> None:
        def summary(kb):
            labels = kb.labels
            browse = [(m.id, m.name, labels.category(m.category)) for m in kb.modalities()]
            browse.sort(key=lambda row: row[2])
            offered = [(m.id, m.name) for m in kb.modalities() if m.category == "psychotherapy"]
            from kapdesk.errors import KapdeskError
            from kapdesk.kb.catalog import library

            try:  # a broken handout file must not keep the Reference page from opening
                links = {m: hid for hid, mods in library().modalities.items() for m in mods}
            except KapdeskError:
                links = {}
            content = {
                "origin": kb.origin,
                "content_version": kb.release.content_version,
                "expires": kb.release.expires,
            }
            return kb.version, browse, offered, kb.modality_ids(), links, content

        self.worker.submit("kb-summary", summary)

    def _worker_done(self, tag: str, result) -> None:
        if tag in ("pack-preview", "pack-install", "pack-rollback"):
            self._content_update_done(tag, result)
            return
        if tag != "kb-summary":
            return
        version, browse, offered, ids, handout_links, content = result
        self.kb_version = version
        self.content = content
        self._offered_choices = offered
        self._known_ids = ids
        self.progress.hide()
        self.kb_label.setText(
            f"Knowledge base {version.short} · {self.content_text()} · "
            f"reviewed {version.reviewed.isoformat()}"
        )
        self._update_review_banner()
        self.reference.kb_ready(browse)
        self.reference.set_handout_links(handout_links)

    def content_text(self) -> str:
        """Which content is active, e.g. "content version 2 (content pack)"."""
        if not self.content:
            return "content loading"
        origin = "content pack" if self.content["origin"] == "pack" else "bundled"
        return f"content version {self.content['content_version']} ({origin})"

    def _update_review_banner(self, today: date | None = None) -> None:
        expires = self.content["expires"] if self.content else None
        due = expires is not None and (today or date.today()) >= expires
        if due:
            self.review_banner.setText(
                f"The clinical content was due for review on {expires.isoformat()}. Check "
                "statements against their sources, and ask the content publisher for an update "
                "(File › Install content update…)."
            )
        self.review_banner.setVisible(due)

    def _worker_failed(self, tag: str, message: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        if tag == "open":
            self.progress.hide()
            self.kb_label.setText("Knowledge base unavailable")
            QMessageBox.critical(self, "kapdesk — knowledge base", message)
        elif tag in ("pack-preview", "pack-install", "pack-rollback", "reopen"):
            QMessageBox.warning(self, "kapdesk — content update", message)

    # --- content updates ----------------------------------------------------------------
    def install_content_update(self, path: str | Path | None = None) -> None:
        """Verify a content pack, show what it changes and ask before switching to it."""
        from PySide6.QtWidgets import QFileDialog

        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self,
                "Install content update",
                "",
                "kapdesk content packs (*.kpack);;All files (*)",
            )
            if not path:
                return
        pack_path = Path(path)
        self._pack_path = pack_path

        def preview(kb):
            from kapdesk.kb.diff import text_report
            from kapdesk.kb.pack import preview_pack

            verified, diff = preview_pack(pack_path, kb)
            m = verified.manifest
            summary = (
                f"<b>{pack_path.name}</b>: content version {m.content_version}, reviewed "
                f"{m.reviewed.isoformat()}, expires {m.expires.isoformat()}; signature of the "
                f"{verified.header.key.name} key checked."
            )
            return summary, text_report(diff), list(verified.warnings)

        self.worker.submit("pack-preview", preview)

    def _content_update_done(self, tag: str, result) -> None:
        if tag == "pack-preview":
            from kapdesk.ui.content_update import ContentUpdateDialog

            summary, changes, warnings = result
            self.update_dialog = ContentUpdateDialog(summary, changes, warnings, self)
            self.update_dialog.accepted.connect(self._install_confirmed)
            self.update_dialog.open()
            return
        self.statusBar().showMessage(result.message, 15_000)
        self.worker.reopen()

    def _install_confirmed(self) -> None:
        pack_path, paths = self._pack_path, self.paths

        def install(kb):
            from kapdesk.kb.pack import install_pack

            return install_pack(paths, pack_path)

        self.worker.submit("pack-install", install)

    def go_back_content(self) -> None:
        """Ask, then go back to the previous content pack (or the bundled content)."""
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(
            self,
            "Go back to previous content",
            f"The active content is {self.content_text()}. Go back to the content that was "
            "active before the last update? The clinic profile is not changed.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        paths = self.paths

        def rollback(kb):
            from kapdesk.kb.pack import rollback_pack

            return rollback_pack(paths)

        self.worker.submit("pack-rollback", rollback)

    # --- actions ------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.nav.setCurrentRow(0)
        self.reference.search_box.setFocus()
        self.reference.search_box.selectAll()

    def load_profile(self) -> ClinicProfile:
        """The clinic profile (an empty one, after a warning, if it cannot be read)."""
        from PySide6.QtWidgets import QMessageBox

        from kapdesk.profile import ClinicProfile, ProfileStore

        try:
            with ProfileStore(self.paths.profile_path) as store:
                return store.load()
        except KapdeskError as exc:
            QMessageBox.warning(self, "kapdesk — clinic profile", str(exc))
            return ClinicProfile()

    def open_settings(self) -> None:
        """File › Settings…: edit the clinic profile; "Saved" in the status bar after."""
        from PySide6.QtWidgets import QMessageBox

        from kapdesk.profile import ProfileStore
        from kapdesk.ui.settings_dialog import SettingsDialog

        try:
            store = ProfileStore(self.paths.profile_path)
        except KapdeskError as exc:
            QMessageBox.critical(self, "kapdesk — clinic profile", str(exc))
            return
        with store:
            try:
                dialog = SettingsDialog(store, self._offered_choices, self._known_ids, self)
            except KapdeskError as exc:  # e.g. in use by another window
                QMessageBox.critical(self, "kapdesk — clinic profile", str(exc))
                return
            if dialog.exec() == SettingsDialog.DialogCode.Accepted:
                self.statusBar().showMessage("Saved the clinic profile.", 8000)

    def document_action(self, action: str) -> bool:
        """File › Print… ("print") or Save as PDF… ("save") on the current page's document.

        The page builds its document as its own print button does; the preview then runs
        the action at once. Returns False (and says why) when the page has nothing to
        print yet.
        """
        from kapdesk.ui.pdf_preview import PdfPreviewDialog

        page = self.page(self.current_page_name())
        request = getattr(page, "print_document", None)
        PdfPreviewDialog.pending_action = action
        if request is None or not request():
            PdfPreviewDialog.pending_action = None
            self.statusBar().showMessage(
                getattr(page, "nothing_to_print", "Nothing to print on this page yet."), 8000
            )
            return False
        return True

    def show_help(self, topic: str | None = None) -> None:
        """Open the offline user guide at ``topic`` (default: the current page)."""
        from kapdesk.ui.help_dialog import HelpDialog

        dialog = HelpDialog(
            [(name, title) for name, title in PAGES],
            self.shortcut_list(),
            topic or self.current_page_name(),
            self,
        )
        self._help = dialog
        dialog.show()

    def shortcut_list(self) -> list[tuple[str, str]]:
        """(keys, what they do) for the menus' shortcuts and the pages' own keys."""
        rows = [
            (
                ", ".join(
                    k.toString(QKeySequence.SequenceFormat.NativeText) for k in a.shortcuts()
                ),
                a.text().replace("&", "").rstrip("…"),
            )
            for a in self.shortcut_actions
            if a.shortcuts()
        ]
        return [
            *rows,
            ("Esc", "Clear the search (Reference)"),
            ("Enter", "Open the first search result (Reference)"),
            ("Tab / Shift+Tab", "Move between controls"),
            ("PgUp / PgDn", "Previous / next page (print preview)"),
            ("Ctrl++ / Ctrl+−", "Zoom in / out (print preview)"),
        ]

    def about_text(self) -> str:
        """What Help › About says: program, knowledge base and content version."""
        version = "loading"
        if self.kb_version and self.content:
            version = (
                f"{self.kb_version.short}, {self.content_text()}, content reviewed "
                f"{self.kb_version.reviewed.isoformat()}, due for review "
                f"{self.content['expires'].isoformat()}"
            )
        from kapdesk.ui.help_dialog import about_html

        return about_html(__version__, version, DISCLAIMER)

    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(self, "About kapdesk", self.about_text())

    # --- geometry -----------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        """The saved geometry, or the default size, clamped to the current screen."""
        geometry = self.settings.value("window/geometry", QByteArray(), type=QByteArray)
        if geometry.isEmpty() or not self.restoreGeometry(geometry):
            self.resize(*DEFAULT_SIZE)
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            self.setGeometry(clamped(self.geometry(), screen.availableGeometry()))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.sync()
        self.worker.shutdown()
        super().closeEvent(event)
