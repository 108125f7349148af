"""The Compare page: 2–4 options side by side, the onset chart, and the printable sheet.

The page holds no clinical content and no layout of the printout: the grid comes
from kapdesk.decide.compare and the sheet from kapdesk.documents.comparison, both
run on the core worker. The page only keeps the choice (which options, in which
order, for whom, in which language, for which condition) and shows the result. It
never asks the core for an invalid comparison: fewer than 2 options shows a hint,
and options are offered only while fewer than 4 are chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRectF, QSize, Qt, QUrl
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QHelpEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTextBrowser,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from kapdesk.content.model import CONDITIONS, EVIDENCE_TYPES, STRENGTHS
from kapdesk.decide.compare import (
    MAX_MODALITIES,
    MIN_MODALITIES,
    Cell,
    Comparison,
    Part,
    compare,
)
from kapdesk.decide.timeline import (
    MIN_BAR,
    Axis,
    build_axis,
    chart_bars,
    visible_tick_labels,
)
from kapdesk.fsio import atomic_write
from kapdesk.kb.catalog import wording
from kapdesk.palette import (
    AXIS_COLOR,
    COURSE_COLOR,
    MUTED_COLOR,
    NO_RATING_COLOR,
    ONSET_COLOR,
    STRENGTH_COLORS,
)
from kapdesk.profile import ClinicProfile
from kapdesk.ui.worker import CoreWorker

if TYPE_CHECKING:
    from kapdesk.kb.store import KnowledgeBase

TAG = "compare:"
LANGUAGES = (("en", "English"), ("es", "Español"))
AUDIENCES = (("clinician", "Clinician"), ("patient", "Patient"))
BAND = "#f4f4f4"
LABEL_SHARE = 16  # % of the grid's width for the row names
SPLITTER_KEYS = {"lower": "compare/sources_splitter", "main": "compare/grid_splitter"}
# The page's own words around the grid, in the language of the comparison.
SCREEN_WORDS = {
    "en": {
        "sources": "sources ({n})",
        "reason": "reason",
        "chart_title": "How soon might it help, and how long does it last?",
        "in_full": "In full:",
        "no_information": "No information.",
        "reason_given": "Reason given in the content:",
        "evidence": "Evidence:",
        "no_difference": "These options do not differ on any row.",
        "sources_hint": "Click “sources” in a cell to see its references. In the patient "
        "view, hover over an answer to read it in full.",
    },
    "es": {
        "sources": "fuentes ({n})",
        "reason": "motivo",
        "chart_title": "¿Cuándo podría ayudar y cuánto dura el efecto?",
        "in_full": "Texto completo:",
        "no_information": "Sin información.",
        "reason_given": "Motivo indicado en el contenido:",
        "evidence": "Evidencia:",
        "no_difference": "Estas opciones no difieren en ninguna fila.",
        "sources_hint": "Haga clic en «fuentes» en una celda para ver sus referencias. Pase el "
        "puntero sobre una respuesta para leerla completa.",
    },
}


def screen_words(lang: str) -> dict[str, str]:
    """The page's words in ``lang`` (English for anything else)."""
    return SCREEN_WORDS.get(lang, SCREEN_WORDS["en"])


@dataclass(frozen=True)
class Choice:
    """One modality as the picker list shows it."""

    id: str
    name: str
    short_name: str
    category: str
    search_text: str


@dataclass(frozen=True)
class GridResult:
    """A comparison with what the page needs to show it (all resolved on the worker)."""

    comparison: Comparison
    citations: dict[str, str]
    strength_words: dict[str, str]
    evidence_words: dict[str, str]
    condition_words: dict[str, str]
    no_rating: str


def _catalog(kb: KnowledgeBase) -> tuple[list[Choice], list[tuple[str, str]]]:
    labels = kb.labels
    choices = [
        Choice(
            m.id,
            m.name,
            m.short_name,
            labels.category(m.category),
            " ".join((m.id, m.name, m.short_name, m.name_es, *m.aliases)).casefold(),
        )
        for m in kb.modalities()
    ]
    return choices, [(c, labels.condition(c)) for c in CONDITIONS]


def _grid_job(
    ids: list[str], audience: str, lang: str, condition: str | None
) -> Callable[[KnowledgeBase], GridResult]:
    def job(kb: KnowledgeBase) -> GridResult:
        comparison = compare(kb, ids, audience=audience, lang=lang, condition=condition)
        labels = kb.labels
        return GridResult(
            comparison,
            {ref: kb.reference(ref).full_citation() for ref in comparison.source_ids()},
            {rating: labels.strength(rating, lang) for rating in STRENGTHS},
            {kind: labels.evidence(kind) for kind in EVIDENCE_TYPES},
            {c: labels.condition(c, lang) for c in CONDITIONS},
            wording(lang)["no_information"],
        )

    return job


def _badge(rating: str | None, word: str) -> str:
    colour = STRENGTH_COLORS.get(rating or "", NO_RATING_COLOR)
    return (
        f"<span style='background-color:{colour}; color:#ffffff; font-weight:bold'>"
        f"&nbsp;{escape(word)}&nbsp;</span>"
    )


def _part_html(result: GridResult, part: Part) -> str:
    word = result.strength_words.get(part.rating or "", "")
    if part.condition and result.comparison.condition is None:
        # One line per condition: its name and its rating, in words and colour.
        condition = escape(result.condition_words[part.condition])
        rating = _badge(part.rating, word) if part.rating else escape(result.no_rating)
        return f"{condition}: {rating}"
    if part.rating:
        return f"{_badge(part.rating, word)} {escape(part.text)}"
    return escape(part.text)


def _cell_html(result: GridResult, row_index: int, cell: Cell) -> str:
    words = screen_words(result.comparison.lang)
    if cell.missing:
        body = f"<span style='color:{MUTED_COLOR}'>{escape(cell.text)}</span>"
        more = escape(words["reason"])
    else:
        summary = result.comparison.condition is None and cell.parts[0].condition
        joiner = "<br>" if summary else "<br><br>"
        body = joiner.join(_part_html(result, part) for part in cell.parts)
        more = escape(words["sources"].format(n=len(cell.sources)))
    link = f"cell:{row_index}:{cell.modality}"
    return f"{body}<br><a href='{link}'><small>{more}</small></a>"


def grid_html(result: GridResult, only_differences: bool) -> str:
    """The grid as rich text: strength in words and colour, a sources link in each cell."""
    comparison = result.comparison
    # Short names head the columns (as on the printed sheet); the full names are in
    # the list of compared options beside the grid.
    names = comparison.short_names
    column = (100 - LABEL_SHARE) // len(comparison.modalities)
    head = "".join(
        f"<th align='left' width='{column}%' style='background-color:#e6e6e6'>"
        f"{escape(names[mid])}</th>"
        for mid in comparison.modalities
    )
    rows = []
    shown = 0
    for index, row in enumerate(comparison.rows):
        if only_differences and not row.differs:
            continue
        shown += 1
        fill = f" style='background-color:{BAND}'" if shown % 2 == 0 else ""
        cells = "".join(
            f"<td valign='top'>{_cell_html(result, index, cell)}</td>" for cell in row.cells
        )
        label = f"<td valign='top' width='{LABEL_SHARE}%'><b>{escape(row.label)}</b></td>"
        rows.append(f"<tr{fill}>{label}{cells}</tr>")
    if not rows:
        no_difference = escape(screen_words(comparison.lang)["no_difference"])
        rows.append(f"<tr><td colspan='{len(names) + 1}'>{no_difference}</td></tr>")
    return (
        "<table width='100%' cellspacing='0' cellpadding='5' border='1' "
        "style='border-color:#b3b3b3; border-style:solid'>"
        f"<tr><th align='left' style='background-color:#e6e6e6'></th>{head}</tr>"
        + "".join(rows)
        + "</table>"
    )


def cell_detail(cell: Cell) -> str:
    """The full plain text behind a cell's short patient answers ("" when it shows it all)."""
    return "\n\n".join(part.detail for part in cell.parts if part.detail)


def sources_html(result: GridResult, row_index: int, modality_id: str) -> str:
    """What one cell rests on: the full plain text behind a short answer, each statement's
    references and evidence type, or the reason the content gives for having no
    information."""
    comparison = result.comparison
    words = screen_words(comparison.lang)
    row = comparison.rows[row_index]
    cell = row.cell(modality_id)
    head = f"<b>{escape(comparison.names[modality_id])}</b> — {escape(row.label)}"
    detail = cell_detail(cell)
    if detail:
        head += f"<p><i>{escape(words['in_full'])}</i> {escape(detail)}</p>"
    if cell.missing:
        return (
            f"{head}<p><i>{escape(words['no_information'])}</i> "
            f"{escape(words['reason_given'])} {escape(cell.missing_reason or '')}"
        )
    items = []
    for ref in cell.sources:
        items.append(f"<li>{escape(result.citations[ref])}</li>")
    kinds = sorted({result.evidence_words[p.evidence] for p in cell.parts if p.evidence})
    evidence = f"<p>{escape(words['evidence'])} {escape('; '.join(kinds))}</p>" if kinds else ""
    return f"{head}{evidence}<ol>{''.join(items)}</ol>"


@dataclass(frozen=True)
class ChartLayout:
    """Where the onset chart's parts go at one width."""

    legend: list[list[str]]  # the legend's items ("onset", "course"), line by line
    left: float  # where the plot starts (after the names)
    plot_width: float
    text_below: bool  # each bar's words on their own line under it (narrow widgets)
    height: int


class OnsetChart(QWidget):
    """Time to first benefit and course length as bars: the printed chart, on screen.

    It lays itself out for its width: the words beside each bar go under it, and the
    legend onto two lines, when the widget is too narrow to hold them on one line, so
    nothing is ever cut off (a 1024×700 screen gives it about 320 px).
    """

    MIN_PLOT = 100.0  # narrower than this, the words go under their bars

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._comparison: Comparison | None = None
        self.setAccessibleName("Onset and course chart")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_comparison(self, comparison: Comparison | None) -> None:
        self._comparison = comparison
        self._fit_height()
        self.update()
        if comparison is None:
            self.setAccessibleDescription("")
            return
        bars = chart_bars(comparison.timelines, comparison.lang)
        self.setAccessibleDescription("; ".join(f"{b.name} {b.kind}: {b.text}" for b in bars))

    def _line_height(self) -> float:
        return QFontMetricsF(self.font()).height() * 1.35

    def _bold(self) -> QFont:
        bold = QFont(self.font())
        bold.setBold(True)
        return bold

    def chart_layout(self, width: float) -> ChartLayout | None:
        """The layout at ``width`` pixels (None with nothing to show)."""
        if not self._comparison:
            return None
        comparison = self._comparison
        metrics = QFontMetricsF(self.font())
        bars = chart_bars(comparison.timelines, comparison.lang)
        bold = QFontMetricsF(self._bold())
        left = max(bold.horizontalAdvance(t.name) for t in comparison.timelines) + 12
        text_w = max(metrics.horizontalAdvance(b.text) for b in bars)
        text_below = left + self.MIN_PLOT + 12 + text_w + 12 > width
        plot_w = width - left - 12 if text_below else width - left - text_w - 24
        plot_w = max(plot_w, 60.0)
        words = wording(comparison.lang)
        legend: list[list[str]] = [[]]
        x = left
        for kind in ("onset", "course"):
            item = 40 + metrics.horizontalAdvance(words[f"chart_{kind}"])
            if legend[-1] and x + item - 18 > width:
                legend.append([])
                x = left
            legend[-1].append(kind)
            x += item
        line = self._line_height()
        rows = len(bars) * (2 if text_below else 1)
        height = int(line * (len(legend) + 0.2 + rows + 1.8)) + 8
        return ChartLayout(legend, left, plot_w, text_below, height)

    def _fit_height(self) -> None:
        layout = self.chart_layout(self.width())
        self.setFixedHeight(layout.height if layout else 0)

    def resizeEvent(self, event) -> None:
        """Lay out again for the new width (the height follows)."""
        super().resizeEvent(event)
        self._fit_height()

    def sizeHint(self) -> QSize:
        layout = self.chart_layout(480)
        return QSize(480, layout.height if layout else 0)

    def bar_texts(self) -> list[str]:
        """The words beside each bar (what a screen reader and a test can check)."""
        if not self._comparison:
            return []
        return [bar.text for bar in chart_bars(self._comparison.timelines, self._comparison.lang)]

    def paintEvent(self, event: QPaintEvent) -> None:
        layout = self.chart_layout(self.width())
        if layout is None:
            return
        comparison = self._comparison
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetricsF(self.font())
        bold = self._bold()
        bars = chart_bars(comparison.timelines, comparison.lang)
        axis = build_axis(comparison.timelines, comparison.lang)
        line = self._line_height()
        left, plot_w = layout.left, layout.plot_width
        top = line * (len(layout.legend) + 0.2)
        step = 2 if layout.text_below else 1

        def x_of(days: float) -> float:
            return left + axis.position(days) * plot_w

        self._paint_legend(painter, metrics, layout, line, comparison.lang)
        bottom = top + line * len(bars) * step
        self._paint_axis(painter, metrics, axis, x_of, top, bottom)
        for index, bar in enumerate(bars):
            y = top + index * line * step
            if bar.kind == "onset":
                painter.setFont(bold)
                painter.setPen(QColor("#000000"))
                painter.drawText(QPointF(0, y + line * 0.72), bar.name)
                painter.setFont(self.font())
            if bar.span is not None:
                start, end = x_of(bar.span.low), x_of(bar.span.high)
                if end - start < MIN_BAR:
                    start, end = (start + end - MIN_BAR) / 2, (start + end + MIN_BAR) / 2
                colour = ONSET_COLOR if bar.kind == "onset" else COURSE_COLOR
                painter.fillRect(
                    QRectF(start, y + line * 0.2, end - start, line * 0.6), QColor(colour)
                )
            painter.setPen(QColor("#000000" if bar.span else MUTED_COLOR))
            if layout.text_below:
                painter.drawText(QPointF(left, y + line * 1.65), bar.text)
            else:
                painter.drawText(QPointF(left + plot_w + 12, y + line * 0.72), bar.text)
        painter.end()

    def _paint_legend(
        self, painter: QPainter, metrics: QFontMetricsF, layout: ChartLayout, line: float, lang: str
    ) -> None:
        words = wording(lang)
        colours = {"onset": ONSET_COLOR, "course": COURSE_COLOR}
        for row, kinds in enumerate(layout.legend):
            x, y = layout.left, row * line
            for kind in kinds:
                painter.fillRect(QRectF(x, y + line * 0.3, 16, line * 0.5), QColor(colours[kind]))
                label = words[f"chart_{kind}"]
                painter.setPen(QColor("#000000"))
                painter.drawText(QPointF(x + 22, y + line * 0.75), label)
                x += 40 + metrics.horizontalAdvance(label)

    def _paint_axis(
        self,
        painter: QPainter,
        metrics: QFontMetricsF,
        axis: Axis,
        x_of: Callable[[float], float],
        top: float,
        bottom: float,
    ) -> None:
        ticks = [(x_of(days), label) for days, label in axis.ticks]
        labelled = visible_tick_labels(ticks, metrics.horizontalAdvance, gap=6)
        painter.setPen(QPen(QColor(AXIS_COLOR), 1))
        painter.drawLine(QPointF(ticks[0][0], bottom), QPointF(ticks[-1][0], bottom))
        for x, label in ticks:
            painter.setPen(QPen(QColor("#dedede"), 1))
            painter.drawLine(QPointF(x, top), QPointF(x, bottom))
            if label in labelled:
                painter.setPen(QColor(MUTED_COLOR))
                width = metrics.horizontalAdvance(label)
                x_text = min(max(x - width / 2, 0.0), self.width() - width)  # never cut off
                painter.drawText(QPointF(x_text, bottom + metrics.height()), label)


class ComparePage(QWidget):
    """Choose 2–4 options, read them side by side, print the sheet."""

    def __init__(
        self,
        worker: CoreWorker,
        profile_loader: Callable[[], ClinicProfile],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self.profile_loader = profile_loader
        self.choices: dict[str, Choice] = {}
        self._waiting: list[str] = []  # added before the catalog arrived
        self.chosen: list[str] = []
        self.result: GridResult | None = None
        self._seq = 0
        self._words_lang = "en"
        self._splitters_restored = False
        self._build()
        worker.done.connect(self._on_done)
        worker.failed.connect(self._on_failed)
        # After connecting done/failed: a page built late submits at once.
        worker.when_ready(lambda _kb: worker.submit(f"{TAG}catalog", _catalog))

    # --- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        self.filter_box = QLineEdit(placeholderText="Type to filter options…")
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.setAccessibleName("Filter options")
        self.available = QListWidget()
        self.available.setAccessibleName("Options to add")
        self.available.setWordWrap(True)
        self.add_button = QPushButton("Add to comparison")
        self.chosen_list = QListWidget()
        self.chosen_list.setAccessibleName("Options compared, left to right")
        self.chosen_list.setWordWrap(True)
        self.left_button = QPushButton("◀ Left")
        self.left_button.setToolTip("Move the selected option one column to the left")
        self.right_button = QPushButton("Right ▶")
        self.right_button.setToolTip("Move the selected option one column to the right")
        self.remove_button = QPushButton("Remove")

        self.audience = QComboBox()
        self.audience.setAccessibleName("Audience")
        for value, text in AUDIENCES:
            self.audience.addItem(text, value)
        self.language = QComboBox()
        self.language.setAccessibleName("Language")
        for value, text in LANGUAGES:
            self.language.addItem(text, value)
        self.condition = QComboBox()
        self.condition.setAccessibleName("Condition")
        self.condition.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.condition.setMinimumContentsLength(14)
        self.condition.addItem("All conditions", None)
        self.only_differences = QCheckBox("Show only differences")
        self.preview_button = QPushButton("Print preview…")
        self.save_button = QPushButton("Save as PDF…")
        self.status = QLabel("Loading the knowledge base…")
        self.status.setWordWrap(True)
        self.grid = QTextBrowser()
        self.grid.setOpenLinks(False)
        self.grid.setAccessibleName("Comparison grid")
        # A short patient answer shows its full plain text as the cell's tooltip.
        self.grid.viewport().installEventFilter(self)
        self.chart = OnsetChart()
        self.sources = QTextBrowser()
        self.sources.setAccessibleName("Sources of the chosen cell")
        self._sources_hint("en")
        # The grid's column names and the name of the row at the top stay in view while
        # the grid scrolls (tall clinician rows scroll their own label away).
        self.header = QWidget()
        self.header.setAccessibleName("Column names")
        header_layout = QHBoxLayout(self.header)
        header_layout.setContentsMargins(0, 0, 0, 0)
        header_layout.setSpacing(0)
        self.header_row = QLabel()
        self.header_row.setAccessibleName("Row at the top of the grid")
        self.header_labels: list[QLabel] = []
        self._header_layout = header_layout
        header_layout.addWidget(self.header_row)
        header_layout.addStretch(1)
        self.header.setStyleSheet(
            "QLabel { background: #e6e6e6; padding: 3px 5px; font-weight: bold }"
        )
        self.header.hide()
        self.grid.verticalScrollBar().valueChanged.connect(lambda _v: self._update_header())

        pick = QGroupBox("Options")
        pick_layout = QVBoxLayout(pick)
        pick_layout.addWidget(self.filter_box)
        pick_layout.addWidget(self.available, 2)
        pick_layout.addWidget(self.add_button)
        pick_layout.addWidget(QLabel("Compared, left to right:"))
        pick_layout.addWidget(self.chosen_list, 1)
        moves = QGridLayout()
        moves.addWidget(self.left_button, 0, 0)
        moves.addWidget(self.right_button, 0, 1)
        moves.addWidget(self.remove_button, 1, 0, 1, 2)
        moves.addWidget(self.preview_button, 2, 0, 1, 2)
        moves.addWidget(self.save_button, 3, 0, 1, 2)
        pick_layout.addLayout(moves)

        controls = QGridLayout()
        controls.addWidget(QLabel("For:"), 0, 0)
        controls.addWidget(self.audience, 0, 1)
        controls.addWidget(QLabel("Language:"), 0, 2)
        controls.addWidget(self.language, 0, 3)
        controls.addWidget(QLabel("Condition:"), 1, 0)
        controls.addWidget(self.condition, 1, 1, 1, 3)
        controls.setColumnStretch(4, 1)
        status_row = QHBoxLayout()
        status_row.addWidget(self.only_differences)
        status_row.addWidget(self.status, 1)

        lower = QSplitter(Qt.Orientation.Horizontal)
        chart_box = QGroupBox()
        chart_layout = QVBoxLayout(chart_box)
        chart_title = QLabel()
        chart_title.setWordWrap(True)
        self.chart_title = chart_title
        chart_layout.addWidget(chart_title)
        chart_layout.addWidget(self.chart)
        chart_layout.addStretch(1)
        lower.addWidget(chart_box)
        lower.addWidget(self.sources)
        lower.setStretchFactor(0, 3)  # the chart's words fit beside its bars at 1024 px
        lower.setStretchFactor(1, 2)
        lower.setChildrenCollapsible(False)
        self.sources_splitter = lower
        grid_box = QWidget()
        grid_layout = QVBoxLayout(grid_box)
        grid_layout.setContentsMargins(0, 0, 0, 0)
        grid_layout.setSpacing(0)
        grid_layout.addWidget(self.header)
        grid_layout.addWidget(self.grid, 1)
        main = QSplitter(Qt.Orientation.Vertical)
        main.addWidget(grid_box)
        main.addWidget(lower)
        self.grid_splitter = main
        main.setStretchFactor(0, 3)
        main.setStretchFactor(1, 1)
        main.setSizes([560, 200])

        right = QVBoxLayout()
        right.addLayout(controls)
        right.addLayout(status_row)
        right.addWidget(main, 1)
        layout = QHBoxLayout(self)
        pick.setMaximumWidth(280)
        layout.addWidget(pick)
        layout.addLayout(right, 1)

        self.filter_box.textChanged.connect(self._fill_available)
        self.filter_box.returnPressed.connect(self._add_current)
        self.available.itemActivated.connect(lambda _item: self._add_current())
        self.add_button.clicked.connect(self._add_current)
        self.left_button.clicked.connect(lambda: self._move(-1))
        self.right_button.clicked.connect(lambda: self._move(1))
        self.remove_button.clicked.connect(self._remove_current)
        self.chosen_list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.audience.currentIndexChanged.connect(self._audience_changed)
        self.language.currentIndexChanged.connect(lambda _i: self._request())
        self.condition.currentIndexChanged.connect(lambda _i: self._request())
        self.only_differences.toggled.connect(lambda _on: self._show_grid())
        self.grid.anchorClicked.connect(self._show_sources)
        self.preview_button.clicked.connect(self.preview)
        self.save_button.clicked.connect(self.save_pdf)
        self._set_language_words("en")
        self.setEnabled(False)
        self._audience_changed()

    # --- choosing -----------------------------------------------------------------------
    def add_modality(self, modality_id: str) -> bool:
        """Add an option as the rightmost column; False (with a hint) if it cannot be added."""
        if not self.choices:  # the page is still loading: add it when the catalog arrives
            self._waiting.append(modality_id)
            return True
        if modality_id not in self.choices:
            return False
        if modality_id in self.chosen:
            self.status.setText(f"{self.choices[modality_id].short_name} is already compared.")
            return False
        if len(self.chosen) >= MAX_MODALITIES:
            self.status.setText(
                f"A comparison holds at most {MAX_MODALITIES} options; remove one first."
            )
            return False
        self.chosen.append(modality_id)
        self._chosen_changed(len(self.chosen) - 1)
        return True

    def _add_current(self) -> None:
        item = self.available.currentItem() or self.available.item(0)
        if item is not None and self.add_modality(item.data(Qt.ItemDataRole.UserRole)):
            self.filter_box.clear()

    def _move(self, step: int) -> None:
        row = self.chosen_list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < len(self.chosen):
            return
        self.chosen[row], self.chosen[target] = self.chosen[target], self.chosen[row]
        self._chosen_changed(target)

    def _remove_current(self) -> None:
        row = self.chosen_list.currentRow()
        if row < 0:
            return
        del self.chosen[row]
        self._chosen_changed(min(row, len(self.chosen) - 1))

    def _chosen_changed(self, current: int) -> None:
        self.chosen_list.clear()
        for mid in self.chosen:
            item = QListWidgetItem(self.choices[mid].name)
            item.setData(Qt.ItemDataRole.UserRole, mid)
            self.chosen_list.addItem(item)
        self.chosen_list.setCurrentRow(current)
        self._fill_available()
        self._update_buttons()
        self._request()

    def _fill_available(self) -> None:
        words = self.filter_box.text().casefold().split()
        self.available.clear()
        full = len(self.chosen) >= MAX_MODALITIES
        for choice in self.choices.values():
            if choice.id in self.chosen or not all(w in choice.search_text for w in words):
                continue
            item = QListWidgetItem(choice.name)
            item.setData(Qt.ItemDataRole.UserRole, choice.id)
            item.setToolTip(f"{choice.name} ({choice.category})")
            if full:
                item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.available.addItem(item)
        if self.available.count() and not full:
            self.available.setCurrentRow(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.chosen_list.currentRow()
        count = len(self.chosen)
        self.add_button.setEnabled(count < MAX_MODALITIES and self.available.count() > 0)
        self.left_button.setEnabled(row > 0)
        self.right_button.setEnabled(0 <= row < count - 1)
        self.remove_button.setEnabled(row >= 0)
        ready = count >= MIN_MODALITIES
        self.preview_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    def _audience_changed(self) -> None:
        """Clinician texts exist in English only, so the language follows the audience."""
        patient = self.audience.currentData() == "patient"
        if not patient:
            self.language.blockSignals(True)
            self.language.setCurrentIndex(0)
            self.language.blockSignals(False)
        self.language.setEnabled(patient)
        self._request()

    def options(self) -> dict[str, str | None]:
        """The current choice, as the core's keyword arguments."""
        return {
            "audience": self.audience.currentData(),
            "lang": self.language.currentData(),
            "condition": self.condition.currentData(),
        }

    # --- the grid -------------------------------------------------------------------------
    def _request(self) -> None:
        self._seq += 1
        if len(self.chosen) < MIN_MODALITIES:
            self.result = None
            self.grid.setHtml(
                f"<p style='color:{MUTED_COLOR}'>Choose {MIN_MODALITIES} to {MAX_MODALITIES} "
                "options on the left to compare them side by side.</p>"
            )
            self.chart.set_comparison(None)
            self._build_header()
            if self.choices:
                left = MIN_MODALITIES - len(self.chosen)
                self.status.setText(f"Add {left} more option{'s' if left != 1 else ''}.")
            return
        options = self.options()
        self.worker.submit(
            f"{TAG}grid:{self._seq}",
            _grid_job(
                list(self.chosen), options["audience"], options["lang"], options["condition"]
            ),
        )

    def _sources_hint(self, lang: str) -> None:
        hint = escape(screen_words(lang)["sources_hint"])
        self.sources.setHtml(f"<p style='color:{MUTED_COLOR}'>{hint}</p>")

    def _set_language_words(self, lang: str) -> None:
        words = screen_words(lang)
        self.chart_title.setText(f"<b>{escape(words['chart_title'])}</b>")
        if self._words_lang != lang:
            self._words_lang = lang
            self._sources_hint(lang)

    def _build_header(self) -> None:
        for label in self.header_labels:
            self._header_layout.removeWidget(label)
            label.deleteLater()
        self.header_labels = []
        if self.result is None:
            self.header.hide()
            return
        comparison = self.result.comparison
        for position, mid in enumerate(comparison.modalities):
            label = QLabel(comparison.short_names[mid])
            label.setToolTip(comparison.names[mid])
            self._header_layout.insertWidget(position + 1, label)
            self.header_labels.append(label)
        self.header.show()
        self._update_header()

    def _update_header(self) -> None:
        """Align the frozen column names with the grid and name the row at its top."""
        if self.result is None or not self.header_labels:
            return
        viewport = self.grid.viewport()
        margin = int(self.grid.document().documentMargin())
        width = viewport.width() - 2 * margin
        left = margin + self.grid.frameWidth()
        self._header_layout.setContentsMargins(left, 0, 0, 0)
        self.header_row.setFixedWidth(max(40, width * LABEL_SHARE // 100))
        column = width * ((100 - LABEL_SHARE) // len(self.header_labels)) // 100
        for label in self.header_labels:
            label.setFixedWidth(max(40, column))
        self.header_row.setText(self.top_row_label())

    def top_row_label(self) -> str:
        """The name of the grid row at the top of the view ("" above the first row)."""
        if self.result is None:
            return ""
        cursor = self.grid.cursorForPosition(QPoint(8, 4))
        table = cursor.currentTable()
        if table is None:
            return ""
        row = table.cellAt(cursor).row()
        visible = self._visible_indices()
        if not 1 <= row <= len(visible):
            return ""
        return self.result.comparison.rows[visible[row - 1]].label

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._update_header()

    def showEvent(self, event) -> None:
        """Restore the splitters' positions once the page sits in the main window."""
        super().showEvent(event)
        if self._splitters_restored:
            return
        self._splitters_restored = True
        from kapdesk.ui.files import window_settings

        settings = window_settings(self)
        if settings is None:
            return
        for name, splitter in (("lower", self.sources_splitter), ("main", self.grid_splitter)):
            state = settings.value(SPLITTER_KEYS[name])
            if state is not None:
                splitter.restoreState(state)
            splitter.splitterMoved.connect(
                lambda _pos, _index, name=name, splitter=splitter: settings.setValue(
                    SPLITTER_KEYS[name], splitter.saveState()
                )
            )

    def _show_grid(self) -> None:
        if self.result is None:
            return
        comparison = self.result.comparison
        self._set_language_words(comparison.lang)
        self.grid.setHtml(grid_html(self.result, self.only_differences.isChecked()))
        self._build_header()
        self.chart.set_comparison(comparison)
        same = len(comparison.rows) - len(comparison.differing_rows())
        hidden = " (hidden)" if self.only_differences.isChecked() and same else ""
        self.status.setText(
            f"{len(comparison.rows)} rows; {same} the same for all options{hidden}. "
            f"Knowledge base {comparison.kb_version}."
        )

    def visible_rows(self) -> list[str]:
        """The attributes the grid shows now, top to bottom."""
        if self.result is None:
            return []
        return [self.result.comparison.rows[i].attribute for i in self._visible_indices()]

    def _visible_indices(self) -> list[int]:
        only = self.only_differences.isChecked()
        rows = self.result.comparison.rows if self.result else ()
        return [i for i, row in enumerate(rows) if row.differs or not only]

    def tooltip_at(self, pos: QPoint) -> str:
        """The tooltip for the grid cell at ``pos`` (viewport coordinates): the full plain
        text behind a short patient answer, or "" where the cell already shows it all."""
        if self.result is None:
            return ""
        cursor = self.grid.cursorForPosition(pos)
        table = cursor.currentTable()
        if table is None:
            return ""
        where = table.cellAt(cursor)
        visible = self._visible_indices()
        # Row 0 is the header and column 0 the questions.
        if not (1 <= where.row() <= len(visible) and where.column() >= 1):
            return ""
        comparison = self.result.comparison
        row = comparison.rows[visible[where.row() - 1]]
        detail = cell_detail(row.cell(comparison.modalities[where.column() - 1]))
        return f"<p>{escape(detail)}</p>" if detail else ""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        tooltip = isinstance(event, QHelpEvent) and event.type() == QEvent.Type.ToolTip
        if tooltip and watched is self.grid.viewport():
            text = self.tooltip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self.grid.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().eventFilter(watched, event)

    def _show_sources(self, url: QUrl) -> None:
        if self.result is None or not url.toString().startswith("cell:"):
            return
        _, row, modality_id = url.toString().split(":", 2)
        self.sources.setHtml(sources_html(self.result, int(row), modality_id))

    # --- printing -------------------------------------------------------------------------
    def _pdf_job(self, path: Path | None) -> Callable[[KnowledgeBase], tuple]:
        profile = self.profile_loader()
        ids, options = list(self.chosen), self.options()

        def job(kb: KnowledgeBase) -> tuple[bytes, int, Comparison]:
            from kapdesk.documents.comparison import comparison_pdf

            comparison = compare(kb, ids, **options)
            data, pages = comparison_pdf(kb, comparison, profile=profile)
            if path is not None:
                atomic_write(path, data)
            return data, pages, comparison

        return job

    nothing_to_print = "Add at least two options to compare first."

    def print_document(self) -> bool:
        """File › Print… / Save as PDF…: the sheet of the current comparison."""
        if len(self.chosen) < MIN_MODALITIES:
            return False
        self.preview()
        return True

    def preview(self) -> None:
        """Build the sheet on the worker; the preview opens when it is ready."""
        if len(self.chosen) >= MIN_MODALITIES:
            self.status.setText("Preparing the printable sheet…")
            self.worker.submit(f"{TAG}preview", self._pdf_job(None))

    def save_pdf(self) -> None:
        if len(self.chosen) < MIN_MODALITIES:
            return
        from kapdesk.ui.files import ask_pdf_path

        name = "-".join(self.chosen) + f"-{self.options()['audience']}.pdf"
        target = ask_pdf_path(self, "Save comparison as PDF", name)
        if target is not None:
            self._save_target = target
            self.worker.submit(f"{TAG}save", self._pdf_job(target))

    def _open_preview(self, data: bytes, comparison: Comparison) -> None:
        from kapdesk.ui.pdf_preview import PdfPreviewDialog

        names = " · ".join(comparison.short_names[m] for m in comparison.modalities)
        name = "-".join(comparison.modalities) + f"-{comparison.audience}.pdf"
        self.status.setText("")
        PdfPreviewDialog.show_pdf(self, data, f"Comparison: {names}", name)

    # --- results from the worker ----------------------------------------------------------
    def _on_done(self, tag: str, result) -> None:
        if not tag.startswith(TAG):
            return
        kind = tag[len(TAG) :]
        if kind == "catalog":
            self._catalog_ready(*result)
        elif kind.startswith("grid:") and int(kind.split(":", 1)[1]) == self._seq:
            self.result = result
            self._show_grid()
        elif kind == "preview":
            self._open_preview(result[0], result[2])
        elif kind == "save":
            from kapdesk.ui.files import report_saved

            pages = result[1]
            self.status.setText(f"Saved the sheet ({pages} page{'s' if pages != 1 else ''}).")
            if getattr(self, "_save_target", None) is not None:
                report_saved(self, self._save_target)

    def _catalog_ready(self, choices: list[Choice], conditions: list[tuple[str, str]]) -> None:
        self.choices = {c.id: c for c in choices}
        for value, text in conditions:
            self.condition.addItem(text, value)
        self.setEnabled(True)
        self._fill_available()
        waiting, self._waiting = self._waiting, []
        for modality_id in waiting:
            self.add_modality(modality_id)
        self._request()

    def _on_failed(self, tag: str, message: str) -> None:
        if tag.startswith(TAG):
            self.status.setText(message)
            if not tag.startswith(f"{TAG}grid:"):
                QMessageBox.warning(self, "kapdesk — comparison", message)
