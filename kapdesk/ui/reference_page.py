"""The Reference page: search as you type, browse by category, read a modality."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSize, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from kapdesk.ui.worker import CoreWorker

SEARCH_DELAY_MS = 40
PLACEHOLDER = "<p style='color:#555555'>Choose a modality on the left.</p>"


class _ResizeWatcher(QObject):
    """Calls ``callback`` after each resize of the widgets it filters."""

    def __init__(self, callback, parent: QObject) -> None:
        super().__init__(parent)
        self._callback = callback

    def eventFilter(self, watched: QObject, event) -> bool:
        """Pass every event on; after a resize, call back."""
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.Resize:
            self._callback()
        return False


class ReferencePage(QWidget):
    """Search box, results list and the detail of the chosen modality."""

    modality_shown = Signal(str)
    add_to_comparison = Signal(str)  # modality id, for the Compare page
    handout_requested = Signal(str)  # handout id
    interactions_requested = Signal(list)  # drug names for the Interactions view

    def __init__(self, worker: CoreWorker, profile_loader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.profile_loader = profile_loader
        self._search_seq = 0
        self._current_id: str | None = None
        self._browse: list[tuple[str, str, str]] = []

        self.search_box = QLineEdit(
            placeholderText="Search modalities, side effects, aliases…  (Ctrl+K)"
        )
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setAccessibleName("Search the knowledge base")
        self.results = QListWidget()
        self.results.setAccessibleName("Search results")
        self.results.setWordWrap(True)
        self.results.setUniformItemSizes(False)
        self.status = QLabel("Loading the knowledge base…")
        self.status.setWordWrap(True)
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(lambda url: self.detail.scrollToAnchor(url.fragment()))
        self.detail.setAccessibleName("Modality detail")
        self.detail.setTabChangesFocus(True)
        self.detail.setHtml(PLACEHOLDER)
        self.save_pdf = QPushButton("Print preview…")
        self.save_pdf.setEnabled(False)
        self.save_pdf.setToolTip("Preview, print or save this modality's clinician reference sheet")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search_box)
        left_layout.addWidget(self.status)
        left_layout.addWidget(self.results, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.detail, 1)
        buttons = QHBoxLayout()
        self.interactions_button = QPushButton("Interactions…")
        self.interactions_button.setToolTip(
            "What kapdesk's ketamine-specific list says about a patient's drugs"
        )
        self.interactions_button.clicked.connect(lambda: self.interactions_requested.emit([]))
        buttons.addWidget(self.interactions_button)
        buttons.addStretch(1)
        self._handout_links: dict[str, str] = {}
        self.handout_button = QPushButton("Handout…")
        self.handout_button.setToolTip("Open the patient handout about this modality")
        self.handout_button.hide()
        self.handout_button.clicked.connect(self._request_handout)
        self.modality_shown.connect(self._update_handout_button)
        buttons.addWidget(self.handout_button)
        self.compare_button = QPushButton("Add to comparison")
        self.compare_button.setToolTip("Add this modality as a column on the Compare page")
        self.compare_button.setEnabled(False)
        self.compare_button.clicked.connect(lambda: self.add_to_comparison.emit(self._current_id))
        self.modality_shown.connect(lambda _mid: self.compare_button.setEnabled(True))
        buttons.addWidget(self.compare_button)
        buttons.addWidget(self.save_pdf)
        right_layout.addLayout(buttons)
        splitter = QSplitter()  # horizontal by default (see finish_setup on Qt.*)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._run_search)
        self.search_box.textChanged.connect(lambda _: self._timer.start())
        self.search_box.returnPressed.connect(self._open_first)
        self.results.itemActivated.connect(self._open_item)
        self.results.itemClicked.connect(self._open_item)
        self.save_pdf.clicked.connect(self._save_pdf)
        worker.done.connect(self._on_done)
        worker.failed.connect(self._on_failed)
        self.search_box.setEnabled(False)
        self._finished = False

    def finish_setup(self) -> None:
        """What the first paint does not need, done once just after the window shows.

        It is everything that touches the ``Qt`` namespace: PySide6 builds its ~90 enums
        on first use (about 15 ms), which would otherwise delay the window.
        """
        if self._finished:
            return
        self._finished = True
        from PySide6.QtCore import Qt

        # Citation links are clickable but not Tab stops: the detail is one stop, scrolled
        # with the arrow keys, so Tab reaches the buttons below it at once.
        self.detail.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        escape_key = QShortcut(QKeySequence("Esc"), self, self.clear_search)
        escape_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        # Result cards follow the list's width (a filter: no Python call on every
        # resize while the window first shows).
        self.results.viewport().installEventFilter(_ResizeWatcher(self._fit_hits, self))

    nothing_to_print = "Open a modality first: File › Print… prints its reference sheet."

    def print_document(self) -> bool:
        """File › Print…: the reference sheet of the modality shown (False if none)."""
        if not self._current_id:
            return False
        self._save_pdf()
        return True

    def clear_search(self) -> None:
        """Esc: empty the search box and put the cursor back in it."""
        self.search_box.clear()
        self.search_box.setFocus()

    def clear_detail(self) -> None:
        """Forget the modality shown (a new search no longer lists it)."""
        self._current_id = None
        self.detail.setHtml(PLACEHOLDER)
        self.save_pdf.setEnabled(False)
        self.compare_button.setEnabled(False)
        self.handout_button.hide()

    # --- knowledge base ready -----------------------------------------------------------
    def kb_ready(self, browse: list[tuple[str, str, str]]) -> None:
        """``browse`` is [(id, name, category label)] for the list shown without a query."""
        self._browse = browse
        self.search_box.setEnabled(True)
        self.search_box.setFocus()
        self._run_search()

    # --- search -------------------------------------------------------------------------
    def _run_search(self) -> None:
        text = self.search_box.text()
        self._search_seq += 1
        seq = self._search_seq
        if not text.strip():
            self._show_browse()
            return
        self.worker.submit(f"search:{seq}", lambda kb: kb.search(text, limit=30))

    def _show_browse(self) -> None:
        from PySide6.QtCore import Qt  # not at import time: see finish_setup

        self.results.clear()
        current = None
        for mid, name, category in self._browse:
            if category != current:
                header = QListWidgetItem(category)
                header.setFlags(Qt.ItemFlag.NoItemFlags)
                font = header.font()
                font.setBold(True)
                header.setFont(font)
                self.results.addItem(header)
                current = category
            item = QListWidgetItem("   " + name)
            item.setData(Qt.ItemDataRole.UserRole, mid)
            self.results.addItem(item)
        self.status.setText(f"{len(self._browse)} modalities. Type to search.")

    def _show_hits(self, result) -> None:
        from html import escape

        from PySide6.QtCore import Qt

        from kapdesk.ui.html import highlighted

        self.results.clear()
        for hit in result.hits:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, hit.id)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, hit.title)
            label = QLabel(
                f"<b>{escape(hit.title)}</b><br><small>{highlighted(hit.segments)}</small>"
            )
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setContentsMargins(4, 3, 4, 3)
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            self.results.addItem(item)
            self.results.setItemWidget(item, label)
        self._fit_hits()
        if self._current_id and self._current_id not in {hit.id for hit in result.hits}:
            self.clear_detail()
        count = len(result.hits)
        self.status.setText(
            f"{count} result{'s' if count != 1 else ''} for “{result.query}”"
            if count
            else f"No results for “{result.query}”. Try fewer or shorter words."
        )

    def _fit_hits(self) -> None:
        """Wrap every result card to the list's width (never wider: nothing is cut off)."""
        if not self.results.count():
            return
        width = max(self.results.viewport().width() - 8, 60)
        for row in range(self.results.count()):
            item = self.results.item(row)
            label = self.results.itemWidget(item)
            if label is not None and label.width() != width:
                label.setFixedWidth(width)
                item.setSizeHint(QSize(width, label.heightForWidth(width)))

    def _open_first(self) -> None:
        from PySide6.QtCore import Qt  # not at import time: see finish_setup

        for row in range(self.results.count()):
            item = self.results.item(row)
            if item.data(Qt.ItemDataRole.UserRole):
                self.results.setCurrentItem(item)
                self._open_item(item)
                return

    def _open_item(self, item: QListWidgetItem) -> None:
        from PySide6.QtCore import Qt  # not at import time: see finish_setup

        mid = item.data(Qt.ItemDataRole.UserRole)
        if mid:
            self.show_modality(mid)

    def show_modality(self, modality_id: str) -> None:
        def load(kb):
            from kapdesk.ui.html import modality_html

            modality = kb.modality(modality_id)
            return modality_html(modality, kb.references_for(modality), kb.labels)

        self._current_id = modality_id
        self.worker.submit(f"detail:{modality_id}", load)

    # --- patient handout ----------------------------------------------------------------
    def set_handout_links(self, links: dict[str, str]) -> None:
        """``links`` maps modality ids to the handout that explains them."""
        self._handout_links = dict(links)
        self._update_handout_button(self._current_id)

    def _update_handout_button(self, modality_id: str | None) -> None:
        self.handout_button.setVisible(modality_id in self._handout_links)

    def _request_handout(self) -> None:
        if self._current_id in self._handout_links:
            self.handout_requested.emit(self._handout_links[self._current_id])

    # --- PDF ----------------------------------------------------------------------------
    def _save_pdf(self) -> None:
        if not self._current_id:
            return
        profile = self.profile_loader()
        mid = self._current_id

        def write(kb):
            import io

            from kapdesk.documents.modality_sheet import write_modality_sheet

            out = io.BytesIO()
            modality = kb.modality(mid)
            write_modality_sheet(out, kb, modality, profile=profile)
            return modality.name, out.getvalue()

        self.status.setText("Preparing the reference sheet…")
        self.worker.submit("pdf", write)

    # --- results from the worker ----------------------------------------------------------
    def _on_done(self, tag: str, result) -> None:
        if tag.startswith("search:"):
            if int(tag.split(":", 1)[1]) == self._search_seq:
                self._show_hits(result)
        elif tag.startswith("detail:"):
            if tag.split(":", 1)[1] == self._current_id:
                self.detail.setHtml(result)
                self.save_pdf.setEnabled(True)
                self.modality_shown.emit(self._current_id)
        elif tag == "pdf":
            name, pdf = result
            self.status.setText("")
            from kapdesk.ui.pdf_preview import PdfPreviewDialog

            PdfPreviewDialog.show_pdf(self, pdf, name, f"{self._current_id}-reference.pdf")

    def _on_failed(self, tag: str, message: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        if tag.startswith(("search:", "detail:", "pdf")):
            QMessageBox.warning(self, "kapdesk", message)
