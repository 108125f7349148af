"""``kapdesk session``: evaluate a dosing-session record, or print a blank paper form."""

from __future__ import annotations

import argparse
import sys

from kapdesk.cli.io import check_output_file, write_outputs
from kapdesk.errors import UserInputError, escape_controls


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``session`` subcommand."""
    parser = sub.add_parser(
        "session",
        help="evaluate a dosing-session record (flags, due readings, discharge) or print a "
        "blank session form",
    )
    parser.add_argument(
        "session", nargs="?", metavar="SESSION.json|-", help="a JSON object, or - for stdin"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--pdf", metavar="OUT", help="write the one-page session record (PDF)")
    parser.add_argument(
        "--blank", action="store_true", help="write a blank paper form (with --product, --pdf)"
    )
    parser.add_argument("--product", metavar="esketamine|racemic", help="with --blank")
    parser.add_argument("--route", metavar="R", help="with --blank: iv, im, oral-sl, intranasal")
    parser.add_argument("--schedule", metavar="ID", help="with --blank: a schedule id")
    parser.add_argument(
        "--patient", metavar="NAME", help="patient name printed on the PDF (never stored)"
    )
    parser.add_argument("--dob", metavar="DATE", help="date of birth printed on the PDF")
    parser.add_argument("--record-number", metavar="N", help="record number printed on the PDF")
    parser.set_defaults(func=run)


def _identifier(args: argparse.Namespace):
    from kapdesk.documents.frame import PatientIdentifiers

    given = PatientIdentifiers(args.patient or "", args.dob or "", args.record_number or "")
    return given.validated(("--patient", "--dob", "--record-number"))


def run(args: argparse.Namespace) -> int:
    """Evaluate SESSION.json (or write the blank form) as the CLI contract says."""
    from kapdesk.cli import _open_kb, _print_json
    from kapdesk.paths import AppPaths

    if args.blank:
        return _blank(args)
    for option in ("product", "route", "schedule"):
        if getattr(args, option):
            raise UserInputError(f"--{option}: only used with --blank (the record holds it)")
    if not args.session:
        raise UserInputError(
            "SESSION.json: missing; give a JSON file or - for stdin "
            "(or --blank --product P --pdf OUT for a paper form)"
        )
    from kapdesk.decide.eligibility import answers_from_json, read_input
    from kapdesk.decide.session import evaluate, read_record, text_report

    out = check_output_file(args.pdf, "--pdf") if args.pdf is not None else None
    raw = answers_from_json(read_input(args.session, "SESSION"), "SESSION")
    identifier = _identifier(args) if args.pdf else None
    with _open_kb(args) as kb:  # the rules are read from the knowledge base
        record = read_record(raw)
        result = evaluate(record, kb_version=kb.version.short)
        if args.pdf:
            from kapdesk.documents.session_sheet import session_record_pdf
            from kapdesk.profile import load_profile

            profile = load_profile(AppPaths.resolve(args.data_dir))
            data = session_record_pdf(kb, result, profile=profile, patient=identifier)
            write_outputs([(out, data, "--pdf")])
            print(f"Wrote {escape_controls(str(out))}", file=sys.stderr)
    if args.json:
        _print_json(result.to_dict())
    elif not args.pdf:
        print(text_report(result))
    return 0


def _blank(args: argparse.Namespace) -> int:
    from kapdesk.cli import _open_kb
    from kapdesk.paths import AppPaths

    if args.session:
        raise UserInputError("SESSION.json: not used with --blank (the form is empty)")
    if args.json:
        raise UserInputError("--json: not used with --blank (the form is a PDF)")
    if not args.pdf:
        raise UserInputError("--pdf: missing; --blank writes a PDF form: give --pdf OUT")
    out = check_output_file(args.pdf, "--pdf")
    if args.product is None:
        raise UserInputError("--product: missing; give --product esketamine or racemic")
    from kapdesk.decide.session import blank_record, evaluate

    identifier = _identifier(args)
    with _open_kb(args) as kb:  # the rules are read from the knowledge base
        record = blank_record(args.product, args.route, args.schedule)
        from kapdesk.documents.session_sheet import blank_form_pdf
        from kapdesk.profile import load_profile

        profile = load_profile(AppPaths.resolve(args.data_dir))
        result = evaluate(record, kb_version=kb.version.short)
        data = blank_form_pdf(kb, result, profile=profile, patient=identifier)
    write_outputs([(out, data, "--pdf")])
    print(f"Wrote {escape_controls(str(out))}", file=sys.stderr)
    return 0
