"""The dosing-session record for the chart, and the blank paper form of the same layout.

One page in the shared frame (letterhead, page numbers, knowledge-base version,
disclaimer): the patient identifier block (name, date of birth, record number — typed for
this printout only, never stored), the product and dose, the vitals table with the
statement that the sources give no validated in-session abort threshold, the due
readings, the flags, the yes/no observations, the concomitant medications and their
interactions, the discharge checklist, the signature lines and the references.
"""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib import colors
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from kapdesk.decide.session import SessionResult, clock_at, session_rules
from kapdesk.documents.frame import (
    MARGIN,
    DocumentInfo,
    PatientIdentifiers,
    body_styles,
    render,
)
from kapdesk.documents.markup import escape
from kapdesk.errors import UserInputError
from kapdesk.fsio import atomic_write
from kapdesk.palette import LEVEL_COLORS
from kapdesk.profile import ClinicProfile

TITLE = "Ketamine dosing session record"
BLANK_TITLE = "Ketamine dosing session — monitoring form"
SUBTITLE = (
    "Chart record from kapdesk. A decision aid, not an order; the clinician's judgement decides."
)
GRID = colors.HexColor("#999999")
SHADE = colors.HexColor("#eeeeee")
FLAG_SHADE = colors.HexColor("#fdf0e6")
BOX = "☐"
TICKED = "☑"
CROSSED = "☒"
BLANK_ROWS = 9
WIDTH = 612 - 2 * MARGIN  # the letter frame
COLUMN = WIDTH / 2 - 6


def _styles() -> dict:
    styles = body_styles()
    base = styles["body"]
    from reportlab.lib.styles import ParagraphStyle

    return {
        "title": ParagraphStyle(
            "st", parent=styles["title"], fontSize=14, leading=16, spaceAfter=1
        ),
        "h": ParagraphStyle("sh", parent=styles["h3"], fontSize=9, leading=11, spaceBefore=5),
        "body": ParagraphStyle("sb", parent=base, fontSize=8, leading=10),
        "small": ParagraphStyle("ss", parent=base, fontSize=7, leading=8.6),
        "tiny": ParagraphStyle("sx", parent=base, fontSize=6, leading=7.2),
        "refs": ParagraphStyle("sr", parent=base, fontSize=5.5, leading=6.6),
    }


def _table(rows: list[list], widths: list | None, header: bool = True, extra=()) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        *extra,
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    table.setStyle(TableStyle(style))
    return table


def _p(text: str, style) -> Paragraph:
    return Paragraph(escape(text), style)


def _session_line(result: SessionResult, blank: bool, s) -> list[Flowable]:
    rules = session_rules()
    record = result.record
    product = rules.products[record.product] if record.product else None
    route = rules.routes.get(record.route or "", "")
    if blank:
        if product and product.doses_mg:
            dose = "  ".join(f"{BOX} {d} mg" for d in product.doses_mg) + f"  {BOX} other ____ mg"
        else:
            dose = "______ mg  (______ mg/kg; weight ______ kg)"
        start, lot, total, ready = "____:____", "__________", "______", "______"
    else:
        dose = f"{record.dose_mg:g} mg" if record.dose_mg is not None else "not recorded"
        if result.mg_per_kg is not None:
            dose += f" ({result.mg_per_kg:g} mg/kg at {record.weight_kg:g} kg)"
        start = record.start_time or "not recorded"
        lot = record.lot or "—"
        total = str(record.discharge_minutes) if record.discharge_minutes is not None else "—"
        ready = (
            str(record.ready_to_leave_minutes) if record.ready_to_leave_minutes is not None else "—"
        )
    name = product.name if product else "Product not recorded"
    lines = [
        f"<b>Product:</b> {escape(name)}" + (f" · <b>Route:</b> {escape(route)}" if route else ""),
        f"<b>Dose:</b> {escape(dose)} · <b>Lot:</b> {escape(lot)} · "
        f"<b>Start (first dose):</b> {escape(start)}",
        f"<b>Total monitored:</b> {escape(total)} min (first dose to end of monitoring) · "
        f"<b>Ready to leave at:</b> {escape(ready)} min (REMS question: if no minimum applied)",
    ]
    if result.schedule:
        lines.append(f"<b>Schedule:</b> {escape(result.schedule.name)}")
    elif product and record.route and product.no_schedule:
        lines.append(f"<b>Schedule:</b> {escape(product.no_schedule)}")
    return [Paragraph(line, s["body"]) for line in lines]


def _vitals(result: SessionResult, blank: bool, s) -> list[Flowable]:
    record = result.record
    head = [
        _p(t, s["small"])
        for t in ("Time", "Min after dose", "BP (mmHg)", "Heart rate (/min)", "SpO₂ (%)", "Reading")
    ]
    rows: list[list] = [head]
    if blank:
        for due in result.due:
            minutes = (
                "" if due.minutes is None or due.id == "before-discharge" else str(due.minutes)
            )
            rows.append(["", _p(minutes, s["small"]), "     /", "", "", _p(due.label, s["small"])])
        rows += [
            ["", "", "     /", "", "", ""] for _ in range(max(BLANK_ROWS - len(result.due), 3))
        ]
    else:
        labels = {}
        for due in result.due:
            if due.done and due.minutes is not None:
                for reading in record.readings:
                    if reading.has_bp and abs(reading.minutes - due.minutes) <= due.window:
                        labels.setdefault(reading.minutes, due.label)
                        break
        for reading in record.readings:
            bp = f"{reading.systolic}/{reading.diastolic}" if reading.has_bp else "—"
            rows.append(
                [
                    _p(clock_at(record.start_time, reading.minutes) or "—", s["small"]),
                    _p(str(reading.minutes), s["small"]),
                    _p(bp, s["small"]),
                    _p("—" if reading.heart_rate is None else str(reading.heart_rate), s["small"]),
                    _p("—" if reading.spo2 is None else str(reading.spo2), s["small"]),
                    _p(labels.get(reading.minutes, ""), s["small"]),
                ]
            )
        if not record.readings:
            rows.append([_p("No readings recorded.", s["small"]), "", "", "", "", ""])
    table = _table(
        rows,
        [50, 55, 75, 75, 55, WIDTH - 310],
        extra=[("ROWHEIGHT", (0, 1), (-1, -1), 12)] if blank else (),
    )
    warning = _table(
        [[_p(result.no_abort_threshold, s["small"])]],
        [WIDTH],
        header=False,
        extra=[("BACKGROUND", (0, 0), (-1, -1), FLAG_SHADE)],
    )
    return [Paragraph("Vital signs", s["h"]), table, Spacer(1, 2), warning]


def _due_and_flags(result: SessionResult, cite, s) -> list[Flowable]:
    out: list[Flowable] = []
    if result.due:
        words = {
            "done": "taken",
            "missed": "MISSED",
            "late": "LATE",
            "due": "due",
            "upcoming": "upcoming",
            "pending": "at discharge",
        }
        parts = []
        for d in result.due:
            at = f"{d.minutes} min" if d.minutes is not None else "at discharge"
            parts.append(
                f"{escape(d.label)} ({at}{', ' + d.clock if d.clock else ''}): {words[d.state]}"
            )
        out.append(
            Paragraph(
                "<b>Readings the schedule asks for:</b> " + "; ".join(parts) + ".", s["small"]
            )
        )
    out.append(Paragraph(f"Flags ({len(result.flags)})", s["h"]))
    if result.flags:
        rows = [
            [Paragraph("⚑ " + escape(f.message) + cite(f.sources), s["small"])]
            for f in result.flags
        ]
        out.append(
            _table(
                rows, [WIDTH], header=False, extra=[("BACKGROUND", (0, 0), (-1, -1), FLAG_SHADE)]
            )
        )
    else:
        out.append(_p("No flag: none of the sourced checks applies to this record.", s["small"]))
    return out


def _observations(result: SessionResult, blank: bool, s) -> list[Flowable]:
    rules = session_rules()
    observations = result.record.observations
    rows = []
    for key, label in rules.observations.items():
        if key == "other":
            continue
        if blank:
            answer = f"{BOX} Yes   {BOX} No"
        else:
            value = observations.get(key)
            answer = {True: f"{TICKED} Yes", False: f"{CROSSED} No", None: "not recorded"}[value]
        rows.append([_p(label, s["small"]), _p(answer, s["small"])])
    other = "" if blank else observations.get("other", "")
    rows.append(
        [
            _p(rules.observations["other"], s["small"]),
            _p(other or ("" if blank else "—"), s["small"]),
        ]
    )
    if blank:
        rows.append(["", ""])
    return [
        Paragraph("Observations", s["h"]),
        _table(rows, [95, COLUMN - 95], header=False),
        _p(rules.observations_note.text, s["tiny"]),
    ]


def _medications(result: SessionResult, blank: bool, s) -> list[Flowable]:
    from kapdesk.decide.interactions import interaction_table

    rules = session_rules()
    table = interaction_table()
    record = result.record
    product = rules.products.get(record.product or "racemic")
    taken = set(result.interactions.classes) if result.interactions else set()
    rows = []
    for class_id in product.medication_classes:
        name = table.drug_class(class_id).name
        if blank:
            answer = f"{BOX} Yes  {BOX} No"
        else:
            answer = f"{TICKED} Yes" if class_id in taken else "not recorded"
        rows.append([_p(name, s["small"]), _p(answer, s["small"])])
    out: list[Flowable] = [
        Paragraph("Concomitant medications", s["h"]),
        _table(rows, [125, COLUMN - 125], header=False),
    ]
    if not blank and record.medications:
        out.append(_p("Recorded: " + ", ".join(record.medications), s["tiny"]))
        if result.interactions and result.interactions.unknown:
            unknown = ", ".join(result.interactions.unknown)
            out.append(_p(f"{unknown}: {result.interactions.unknown_text}.", s["tiny"]))
    return out


def _checklist(result: SessionResult, blank: bool, s) -> list[Flowable]:
    rules = session_rules()
    rows = []
    for item in result.checklist:
        mark = BOX if blank else {True: TICKED, False: CROSSED, None: BOX}[item.done]
        rows.append([_p(mark, s["body"]), _p(item.text, s["small"])])
    out: list[Flowable] = [
        Paragraph("Discharge checklist", s["h"]),
        _table(rows, [16, COLUMN - 16], header=False),
    ]
    if result.record.product == "racemic" and rules.checklist_note.get("racemic"):
        out.append(_p(rules.checklist_note["racemic"], s["tiny"]))
    if not blank:
        verdict = (
            "Ready for discharge: yes" if result.discharge_ready else "Ready for discharge: no"
        )
        out.append(Paragraph(f"<b>{escape(verdict)}</b>", s["body"]))
    return out


def _signature(s) -> list[Flowable]:
    line = "_" * 26
    return [
        Paragraph("Clinician", s["h"]),
        Paragraph(f"Name: {line}", s["body"]),
        Spacer(1, 7),
        Paragraph(f"Signature: {line}", s["body"]),
        Spacer(1, 7),
        Paragraph(f"Date and time: {'_' * 20}", s["body"]),
    ]


def _columns(left: list[Flowable], right: list[Flowable]) -> Table:
    table = Table([[left, right]], colWidths=[WIDTH / 2, WIDTH / 2])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, -1), 6),
                ("RIGHTPADDING", (1, 0), (1, -1), 0),
            ]
        )
    )
    return table


def _interaction_lines(result: SessionResult, cite, s) -> list[Flowable]:
    if not result.interactions or not result.interactions.matches:
        return []
    out: list[Flowable] = [Paragraph("Interactions of these medications (kapdesk's list)", s["h"])]
    for match in result.interactions.matches:
        color = LEVEL_COLORS[match.level]
        out.append(
            Paragraph(
                f'<font color="{color}"><b>{escape(match.level_label)}</b></font> — '
                f"{escape(match.drug)} ({escape(match.class_name)}): {escape(match.effect)}"
                + cite(match.sources),
                s["tiny"],
            )
        )
    out.append(_p(result.interactions.scope, s["tiny"]))
    return out


def session_story(kb, result: SessionResult, *, blank: bool) -> list[Flowable]:
    """The one-page body: every text escaped, sources cited by number."""
    s = _styles()
    ref_ids = result.source_ids()
    number = {ref: index for index, ref in enumerate(ref_ids, 1)}

    def cite(sources: tuple[str, ...]) -> str:
        nums = sorted({number[ref] for ref in sources if ref in number})
        return f" <super>[{', '.join(str(n) for n in nums)}]</super>" if nums else ""

    story: list[Flowable] = [
        Paragraph(escape(BLANK_TITLE if blank else TITLE), s["title"]),
        _p(SUBTITLE, s["tiny"]),
        Spacer(1, 3),  # the patient identifier block is the frame's, on every page
        *_session_line(result, blank, s),
        *_vitals(result, blank, s),
    ]
    if not blank:
        story += _due_and_flags(result, cite, s)
    left = _observations(result, blank, s) + _medications(result, blank, s)
    right = _checklist(result, blank, s) + _signature(s)
    if not blank:
        right += _interaction_lines(result, cite, s)
    story.append(_columns(left, right))
    refs = []
    for ref in ref_ids:
        try:
            refs.append(f"{number[ref]}. {kb.reference(ref).full_citation()}")
        except KeyError:
            refs.append(f"{number[ref]}. {ref}")
    story.append(Paragraph("References", s["h"]))
    story.append(_p("  ".join(refs), s["refs"]))
    return story


def _pdf(
    kb,
    result: SessionResult,
    *,
    blank: bool,
    profile: ClinicProfile,
    patient: PatientIdentifiers | None,
    invariant: bool,
) -> bytes:
    record = result.record
    info = DocumentInfo(
        title=BLANK_TITLE if blank else TITLE,
        kb_version=kb.version,
        profile=profile,
        subject="kapdesk dosing-session " + ("form" if blank else "record"),
        keywords=("kapdesk", "session", record.product or ""),
        identifiers=(patient or PatientIdentifiers()).validated(),
    )
    out = io.BytesIO()
    render(out, session_story(kb, result, blank=blank), info, invariant=invariant)
    return out.getvalue()


def session_record_pdf(
    kb,
    result: SessionResult,
    *,
    profile: ClinicProfile,
    patient: PatientIdentifiers | None = None,
    invariant: bool = False,
) -> bytes:
    """The filled session record as PDF bytes."""
    return _pdf(kb, result, blank=False, profile=profile, patient=patient, invariant=invariant)


def blank_form_pdf(
    kb,
    result: SessionResult,
    *,
    profile: ClinicProfile,
    patient: PatientIdentifiers | None = None,
    invariant: bool = False,
) -> bytes:
    """The blank paper form (same layout, empty) for the result's product and schedule."""
    return _pdf(kb, result, blank=True, profile=profile, patient=patient, invariant=invariant)


def save_pdf(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; an unwritable path is the user's."""
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise UserInputError(
            f"--pdf: '{path}' cannot be written ({exc.strerror or exc}); "
            "give a file path in a folder you can write to"
        ) from None
