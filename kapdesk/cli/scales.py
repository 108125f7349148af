"""`kapdesk scales list`, `kapdesk score` and `kapdesk form`: rating scales from the terminal.

Answers, earlier totals and the patient identifier exist only in memory and in the PDF
asked for; nothing is stored.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kapdesk.errors import UserInputError
from kapdesk.paths import AppPaths

FORM_SCALES = ("phq9", "gad7", "pcl5")


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _open_kb(args: argparse.Namespace):
    """The knowledge base (built if needed); opening it makes its scales the active ones."""
    from kapdesk.kb.store import ensure_kb

    kb, _ = ensure_kb(AppPaths.resolve(args.data_dir))
    return kb


def _write(target: Path, data: bytes, pages: int) -> None:
    """Write atomically (all or nothing), then say so; ``target`` was checked up front."""
    from kapdesk.cli.io import write_outputs
    from kapdesk.errors import escape_controls

    write_outputs([(target, data, "--pdf")])
    print(
        f"Wrote {escape_controls(str(target))} ({pages} page{'s' if pages != 1 else ''})",
        file=sys.stderr,
    )


def cmd_scales(args: argparse.Namespace) -> int:
    """List the shipped scales (languages, licence) and the ones not shipped, with why."""
    from kapdesk.decide.scales import describe, scale_rows

    with _open_kb(args):
        rows = scale_rows()
    if args.json:
        _print_json(rows)
    else:
        print(describe(rows))
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    """Score one scale's answers; optionally write the clinician summary."""
    from kapdesk.cli.io import check_output_file
    from kapdesk.decide.scales import (
        check_lang,
        cited_references,
        get_scale,
        read_answers,
        read_input,
        score,
        text_summary,
    )
    from kapdesk.profile import load_profile

    out = check_output_file(args.pdf, "--pdf") if args.pdf is not None else None
    identity = {"name": args.patient or "", "dob": args.dob or "", "record": args.record or ""}
    if any(identity.values()) and not args.pdf:
        raise UserInputError("--patient/--dob/--record: only printed on the summary; add --pdf OUT")
    raw = read_input(args.answers, "ANSWERS")
    profile = load_profile(AppPaths.resolve(args.data_dir))
    with _open_kb(args) as kb:
        scale = get_scale(args.scale)
        lang = check_lang(scale, args.lang)
        items, previous = read_answers(scale, raw)
        version = kb.version
        result = score(
            scale, items, lang, previous=previous, profile=profile, kb_version=version.short
        )
        references = cited_references(kb, result)
    if args.pdf:
        from kapdesk.documents.frame import PatientIdentifiers
        from kapdesk.documents.scale_sheet import summary_pdf

        data, pages = summary_pdf(
            result,
            profile=profile,
            kb_version=version,
            references=references,
            patient=PatientIdentifiers(*identity.values()),
        )
        _write(out, data, pages)
    if args.json:
        _print_json(result.to_dict())
    elif not args.pdf:
        print(text_summary(result))
    return 0


def cmd_form(args: argparse.Namespace) -> int:
    """Write the blank patient form of one scale."""
    from kapdesk.decide.scales import check_lang, get_scale
    from kapdesk.profile import load_profile

    if args.scale not in FORM_SCALES:
        with _open_kb(args):
            get_scale(args.scale)  # an unknown id is refused with the list of shipped scales
        raise UserInputError(
            f"SCALE: '{args.scale}' has no form of its own; print its parent's "
            f"(allowed: {', '.join(FORM_SCALES)})"
        )
    if not args.pdf:
        raise UserInputError("--pdf: missing; give --pdf OUT.pdf for the blank form")
    from kapdesk.cli.io import check_output_file
    from kapdesk.documents.scale_sheet import form_pdf

    out = check_output_file(args.pdf, "--pdf")

    profile = load_profile(AppPaths.resolve(args.data_dir))
    with _open_kb(args) as kb:
        scale = get_scale(args.scale)
        lang = check_lang(scale, args.lang)
        data, pages = form_pdf(
            scale, lang, profile=profile, kb_version=kb.version, large_print=args.large_print
        )
    _write(out, data, pages)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `scales`, `score` and `form` to the command line."""
    scales = sub.add_parser("scales", help="rating scales: what is shipped, in which languages")
    scales_sub = scales.add_subparsers(dest="scales_command", metavar="ACTION")
    scales_sub.required = True
    listing = scales_sub.add_parser(
        "list", help="shipped scales with languages and licence; scales not shipped and why"
    )
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=cmd_scales)

    score = sub.add_parser("score", help="score PHQ-9, GAD-7, PCL-5, PHQ-2 or GAD-2 answers")
    score.add_argument("scale", metavar="SCALE", help="phq9, gad7, pcl5, phq2 or gad2")
    score.add_argument(
        "answers",
        metavar="ANSWERS.json|-",
        help='{"items": [one score per item, null if unanswered], '
        '"previous": [{"date": "2026-11-02", "total": 18}]}, or - for stdin',
    )
    score.add_argument("--lang", default="en", metavar="en|es", help="the text answered")
    score.add_argument("--json", action="store_true")
    score.add_argument("--pdf", metavar="OUT", help="write the clinician score summary (PDF)")
    score.add_argument("--patient", metavar="NAME", help="printed on the summary, never stored")
    score.add_argument("--dob", metavar="DATE", help="date of birth, printed, never stored")
    score.add_argument("--record", metavar="NUMBER", help="record number, printed, never stored")
    score.set_defaults(func=cmd_score)

    form = sub.add_parser("form", help="print the blank patient form of a scale (PDF)")
    form.add_argument("scale", metavar="SCALE", help="phq9, gad7 or pcl5")
    form.add_argument("--lang", default="en", metavar="en|es", help="es: PHQ-9 only")
    form.add_argument(
        "--large-print", action="store_true", help="18 pt bold text, line spacing 1.5"
    )
    form.add_argument("--pdf", metavar="OUT", help="where to write the form")
    form.set_defaults(func=cmd_form)
