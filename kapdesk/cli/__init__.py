"""The kapdesk command line: every feature of the app, without a display.

Exit codes: 0 success; 2 bad input (one line on stderr naming the field, the value
and what is allowed); 1 internal error or unreadable data. ``--json`` prints one
JSON document on stdout. Qt is imported only by the ``gui`` command.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sqlite3
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from kapdesk import __version__
from kapdesk.cli.io import (
    check_data_dir,
    check_distinct,
    check_output_dir,
    check_output_file,
    configure_streams,
    error_line,
    write_outputs,
)
from kapdesk.errors import (
    ContentError,
    DataError,
    InstallationError,
    UserInputError,
    escape_controls,
    quote,
)
from kapdesk.paths import AppPaths


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        from kapdesk.cli.io import error_line

        self.exit(2, error_line(f"{self.prog}: error: {message}"))


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _warn_profile(profile, lang: str) -> None:
    """One stderr line per thing a patient document will lack; the command still succeeds."""
    from kapdesk.documents.notices import profile_warnings

    for warning in profile_warnings(profile, lang):
        print(f"kapdesk: warning: {warning}", file=sys.stderr)


def _pages(count: int) -> str:
    return f"{count} page{'s' if count != 1 else ''}"


def _open_kb(args: argparse.Namespace):
    from kapdesk.kb.store import open_active_kb

    return open_active_kb(AppPaths.resolve(args.data_dir))


# --- commands ---------------------------------------------------------------------------


def cmd_gui(args: argparse.Namespace) -> int:
    from kapdesk.ui.app import run

    return run(data_dir=args.data_dir, quit_after_show=args.quit_after_show)


def cmd_kb_build(args: argparse.Namespace) -> int:
    from kapdesk.kb.store import ensure_kb

    paths = AppPaths.resolve(args.data_dir)
    kb, built = ensure_kb(paths, force=args.force)
    with kb:
        state = "Built" if built else "Up to date:"
        print(f"{state} knowledge base {kb.version} at {kb.path}")
    return 0


def cmd_kb_verify(args: argparse.Namespace) -> int:
    from kapdesk.content.kinds import compile_resources
    from kapdesk.kb.store import ensure_kb

    try:
        compiled = compile_resources()
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"kapdesk: {exc.args[0].splitlines()[0]}", file=sys.stderr)
        return 2
    from kapdesk.documents.fonts import font_problems

    damaged = font_problems()
    if damaged:  # the program's own files, not the content: exit 1, reinstall
        for problem in damaged:
            sys.stderr.write(error_line(problem))
        return 1
    kb, _ = ensure_kb(AppPaths.resolve(args.data_dir))
    with kb:
        problems = kb.verify()
        if kb.version.content_hash != compiled.version.content_hash:
            problems.append(f"{kb.path.name}: (database): built from different content")
        if problems:
            for problem in problems:
                print(problem, file=sys.stderr)
            return 2
        stats = kb.stats()
        print(
            f"OK: {stats['modalities']} modalities, {stats['statements']} statements, "
            f"{stats['references']} references, {len(compiled.handouts.texts)} handout texts, "
            f"rules and wording; knowledge base {kb.version}"
        )
    if getattr(args, "notes", False):
        # Reviewer notes are kept with the references and shown only here (issue 11).
        noted = [r for r in compiled.references.values() if r.note]
        print(f"Reviewer notes ({len(noted)} references):")
        for ref in noted:
            print(f"  {ref.id}: {ref.note}")
    return 0


def cmd_kb_info(args: argparse.Namespace) -> int:
    with _open_kb(args) as kb:
        info = {
            "path": str(kb.path),
            "version": kb.version.short,
            "content_hash": kb.version.content_hash,
            "reviewed": kb.version.reviewed.isoformat(),
            "content_version": kb.release.content_version,
            "content_origin": kb.origin,
            "expires": kb.release.expires.isoformat(),
            **kb.stats(),
        }
    if args.json:
        _print_json(info)
    else:
        for key, value in info.items():
            print(f"{key:>14}: {value}")
    return 0


def cmd_modalities(args: argparse.Namespace) -> int:
    with _open_kb(args) as kb:
        rows = [
            {"id": m.id, "name": m.name, "short_name": m.short_name, "category": m.category}
            for m in kb.modalities()
        ]
    if args.json:
        _print_json(rows)
    else:
        width = max(len(r["id"]) for r in rows)
        for r in rows:
            print(f"{r['id']:<{width}}  {r['name']}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from kapdesk.content.model import CONDITIONS, SECTIONS

    out = check_output_file(args.pdf, "--pdf") if args.pdf is not None else None
    with _open_kb(args) as kb:
        modality = kb.modality(args.modality)
        refs = kb.references_for(modality)
        labels = kb.labels
        if out is not None:
            import io

            from kapdesk.documents.modality_sheet import write_modality_sheet
            from kapdesk.profile import load_profile

            profile = load_profile(AppPaths.resolve(args.data_dir))
            buffer = io.BytesIO()
            pages = write_modality_sheet(
                buffer, kb, modality, profile=profile, note=args.note or ""
            )
            write_outputs([(out, buffer.getvalue(), "--pdf")])
            print(f"Wrote {escape_controls(str(out))} ({_pages(pages)})", file=sys.stderr)
            return 0
        if args.json:
            data = modality.to_dict()
            data["references"] = [r.to_dict() | {"full": r.full_citation()} for r in refs]
            data["kb_version"] = kb.version.short
            _print_json(data)
            return 0
        print(modality.name)
        print(f"{labels.category(modality.category)} · also: {', '.join(modality.aliases)}")
        print()
        print(modality.summary.text)
        for section in SECTIONS:
            print(f"\n{labels.section(section)}")
            for statement in modality.sections.get(section, ()):
                print(f"  - {statement.text} [{', '.join(statement.sources)}]")
            if section in modality.missing:
                print(f"  No information: {modality.missing[section]}")
        print("\nEvidence strength")
        for condition in CONDITIONS:
            strength = modality.strengths.get(condition)
            rating = labels.strength(strength.rating) if strength else "No rating"
            print(f"  {labels.condition(condition)}: {rating}")
        print("\nReferences")
        for number, ref in enumerate(refs, 1):
            print(f"  {number}. {ref.full_citation()}")
        print(f"\nKnowledge base {kb.version}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    with _open_kb(args) as kb:
        result = kb.search(args.query, limit=args.limit)
    if args.json:
        _print_json(result.to_dict())
    elif not result.hits:
        print(f"No results for {quote(args.query)}")
    else:
        for hit in result.hits:
            print(f"{hit.id:<18} {hit.title}")
            print(f"{'':<18} {hit.snippet}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from kapdesk.decide.eligibility import (
        answers_from_json,
        evaluate,
        load_context,
        read_input,
        text_report,
    )

    out = check_output_file(args.pdf, "--pdf") if args.pdf is not None else None
    raw = answers_from_json(read_input(args.answers, "ANSWERS"), "ANSWERS")
    with _open_kb(args) as kb:
        context = load_context(kb)
    result = evaluate(raw, context)
    if out is not None:
        from kapdesk.documents.frame import PatientIdentifiers
        from kapdesk.documents.screening import ScreeningDetails, screening_pdf
        from kapdesk.profile import load_profile

        profile = load_profile(AppPaths.resolve(args.data_dir))
        details = ScreeningDetails(
            PatientIdentifiers(args.patient or "", args.dob or "", args.record or ""),
            screener=args.screener or "",
            vitals_time=args.vitals_time or "",
        )
        pdf = screening_pdf(context, result, profile=profile, details=details)
        write_outputs([(out, pdf, "--pdf")])
        print(f"Wrote {escape_controls(str(out))}", file=sys.stderr)
    if args.json:
        _print_json(result.to_dict())
    else:
        print(text_report(result, context))
    return 0


def cmd_pick(args: argparse.Namespace) -> int:
    from kapdesk.decide.integration import pick, read_presentation, text_report
    from kapdesk.profile import load_profile

    plan_only = {
        "--choose": args.choose,
        "--lang": args.lang,
        "--large-print": args.large_print,
        "--therapist": args.therapist,
        "--first-session": args.first_session,
        "--frequency": args.frequency,
    }
    for option, value in plan_only.items():
        if value and not args.plan_pdf:
            raise UserInputError(f"{option}: only used with --plan-pdf OUT (the patient's plan)")
    outputs = {
        "--pdf": check_output_file(args.pdf, "--pdf") if args.pdf is not None else None,
        "--plan-pdf": (
            check_output_file(args.plan_pdf, "--plan-pdf") if args.plan_pdf is not None else None
        ),
    }
    check_distinct(outputs)
    presentation = read_presentation(args.presentation)
    profile = load_profile(AppPaths.resolve(args.data_dir))
    plan = None
    files: list[tuple[Path, bytes, str]] = []
    with _open_kb(args) as kb:
        result = pick(kb, presentation, profile.offered)
        if args.plan_pdf:  # laid out first: a refused choice leaves no file behind
            from kapdesk.documents.handout import HandoutOptions
            from kapdesk.documents.plan_sheet import plan_pdf
            from kapdesk.kb.catalog import library

            options = HandoutOptions(
                lang=library().check_lang(args.lang or "en"),
                large_print=args.large_print,
                patient=args.patient or "",
                therapist=args.therapist or "",
                first_session=args.first_session or "",
                frequency=args.frequency or "",
            )
            plan, rendered = plan_pdf(
                kb, result, profile=profile, modality=args.choose, options=options
            )
        if outputs["--pdf"] is not None:
            from kapdesk.documents.frame import PatientIdentifiers
            from kapdesk.documents.picker_sheet import picker_sheet_bytes

            ids = PatientIdentifiers(args.patient or "", args.dob or "", args.record or "")
            summary = picker_sheet_bytes(kb, result, profile=profile, identifiers=ids)
            files.append((outputs["--pdf"], summary, "--pdf"))
    if plan is not None and outputs["--plan-pdf"] is not None:
        files.append((outputs["--plan-pdf"], rendered.pdf, "--plan-pdf"))
    write_outputs(files)  # both, or neither new
    for path, _, option in files:
        detail = f" (plan for {plan.modality}, {plan.lang})" if option == "--plan-pdf" else ""
        print(f"Wrote {escape_controls(str(path))}{detail}", file=sys.stderr)
    if plan is not None and outputs["--plan-pdf"] is not None:
        _warn_profile(profile, plan.lang)
    if args.json:
        _print_json({**result.to_dict(), **({"plan": plan.to_dict()} if plan else {})})
    elif not (args.pdf or args.plan_pdf):
        print(text_report(result))
    return 0


def cmd_handout(args: argparse.Namespace) -> int:
    from kapdesk.kb.catalog import library

    with _open_kb(args) as kb:
        version = kb.version
    lib = library()
    if args.topics == ["list"]:
        if args.json:
            _print_json(lib.summary())
        else:
            print("\n".join(lib.describe(hid) for hid in lib.ids))
        return 0
    if args.json:
        raise UserInputError("--json: only `kapdesk handout list --json` prints JSON")
    if args.out is None and args.out_dir is None:
        raise UserInputError(
            "--out: missing; give --out FILE.pdf (one PDF) or --out-dir DIR (one PDF per topic)"
        )
    out = check_output_file(args.out, "--out") if args.out is not None else None
    out_dir = check_output_dir(args.out_dir, "--out-dir") if args.out_dir is not None else None
    from kapdesk.documents.handout import HandoutOptions, render_handouts
    from kapdesk.profile import load_profile

    topics = [lib.check_topic(topic) for topic in dict.fromkeys(args.topics)]
    options = HandoutOptions(
        lang=lib.check_lang(args.lang),
        large_print=args.large_print,
        patient=args.patient or "",
        note=args.note or "",
        appointment=args.appointment or "",
    )
    profile = load_profile(AppPaths.resolve(args.data_dir))
    # Everything is laid out in memory first: bad input never leaves a partial file,
    # and the patient's details reach the disk only inside the PDFs asked for.
    groups = [topics] if out is not None else [[topic] for topic in topics]
    rendered = [
        render_handouts(lib, group, options=options, profile=profile, kb_version=version)
        for group in groups
    ]
    if out_dir is not None:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserInputError(
                f"--out-dir: cannot create {quote(out_dir)} ({exc.strerror or exc}); "
                "nothing was written"
            ) from None
    files = [
        (
            out if out is not None else out_dir / document.suggested_name,
            document.pdf,
            "--out" if out is not None else "--out-dir",
        )
        for document in rendered
    ]
    write_outputs(files)  # every topic, or none new
    for (target, _, _), document in zip(files, rendered, strict=True):
        print(f"Wrote {escape_controls(str(target))} ({_pages(document.pages)})", file=sys.stderr)
    _warn_profile(profile, options.lang)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from kapdesk.decide.compare import compare, text_report

    out = check_output_file(args.pdf, "--pdf") if args.pdf is not None else None
    with _open_kb(args) as kb:
        comparison = compare(
            kb, args.ids, audience=args.audience, lang=args.lang, condition=args.condition
        )
        if out is not None:
            from kapdesk.documents.comparison import comparison_pdf
            from kapdesk.profile import load_profile

            profile = load_profile(AppPaths.resolve(args.data_dir))
            data, pages = comparison_pdf(kb, comparison, profile=profile)
            write_outputs([(out, data, "--pdf")])
            print(f"Wrote {escape_controls(str(out))} ({_pages(pages)})", file=sys.stderr)
            if comparison.audience == "patient":
                _warn_profile(profile, comparison.lang)
    if args.json:
        _print_json(comparison.to_dict())
    elif out is None:
        print(text_report(comparison))
    return 0


# (new command functions are added above this line, one function each)


# --- parser -----------------------------------------------------------------------------


# Feature commands live in their own modules under kapdesk/cli/, each with
# ``register(sub)`` adding its subparser (handlers import their core modules lazily, so
# building the parser stays cheap). One name per line, in the order of ``--help``.
COMMAND_MODULES: tuple[str, ...] = (
    "profile",
    "session",
    "interactions",
    "scales",
    "pack",
)


def _limit(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number") from None
    if not 1 <= number <= 200:
        raise argparse.ArgumentTypeError(f"{number} is outside 1–200")
    return number


def _identifier_arguments(parser: argparse.ArgumentParser) -> None:
    """--patient, --dob, --record: printed on this printout only, never stored."""
    parser.add_argument(
        "--patient", metavar="NAME", help="patient name printed on every page (never stored)"
    )
    parser.add_argument("--dob", metavar="DATE", help="patient's date of birth (never stored)")
    parser.add_argument("--record", metavar="NUMBER", help="record number (never stored)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kapdesk", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"kapdesk {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where the knowledge base, clinic profile and settings live "
        "(default: the per-user data directory, or $KAPDESK_DATA_DIR)",
    )
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    gui = sub.add_parser("gui", help="start the app (the default command)")
    gui.add_argument(
        "--quit-after-show",
        action="store_true",
        help="show the main window and exit once the event loop is idle",
    )
    gui.set_defaults(func=cmd_gui)

    kb = sub.add_parser("kb", help="build, verify or describe the knowledge base")
    kb_sub = kb.add_subparsers(dest="kb_command", parser_class=_Parser, metavar="ACTION")
    kb_sub.required = True
    build = kb_sub.add_parser("build", help="compile resources/ into the knowledge base")
    build.add_argument("--force", action="store_true", help="rebuild even if up to date")
    build.set_defaults(func=cmd_kb_build)
    verify = kb_sub.add_parser("verify", help="check every statement's sources, grades and dates")
    verify.add_argument(
        "--notes",
        action="store_true",
        help="also list the reviewers' notes on references (never shown elsewhere)",
    )
    verify.set_defaults(func=cmd_kb_verify)
    info = kb_sub.add_parser("info", help="version, location and size of the knowledge base")
    info.add_argument("--json", action="store_true")
    info.set_defaults(func=cmd_kb_info)

    mods = sub.add_parser("modalities", help="list modality ids and names")
    mods.add_argument("--json", action="store_true")
    mods.set_defaults(func=cmd_modalities)

    show = sub.add_parser("show", help="show one modality with its references")
    show.add_argument("modality", metavar="MODALITY_ID")
    show.add_argument("--json", action="store_true")
    show.add_argument("--pdf", metavar="OUT", help="write a one-modality reference sheet (PDF)")
    show.add_argument("--note", metavar="TEXT", help="clinician note printed on the sheet")
    show.set_defaults(func=cmd_show)

    search = sub.add_parser("search", help="search the knowledge base")
    search.add_argument("query", metavar="QUERY")
    search.add_argument("--limit", type=_limit, default=20, metavar="N", help="1–200 (default 20)")
    search.add_argument("--json", action="store_true")
    search.set_defaults(func=cmd_search)

    check = sub.add_parser("check", help="screen answers against the ketamine eligibility rules")
    check.add_argument("answers", metavar="ANSWERS.json|-", help="a JSON object, or - for stdin")
    check.add_argument("--json", action="store_true")
    check.add_argument("--pdf", metavar="OUT", help="write the printable chart summary (PDF)")
    _identifier_arguments(check)
    check.add_argument("--screener", metavar="NAME", help="who screened (printed, never stored)")
    check.add_argument(
        "--vitals-time", metavar="TEXT", help="when the vitals were taken, e.g. '09:40'"
    )
    check.set_defaults(func=cmd_check)

    pick = sub.add_parser("pick", help="rank integration therapies for a patient's presentation")
    pick.add_argument(
        "presentation", metavar="PRESENTATION.json|-", help="a JSON object, or - for stdin"
    )
    pick.add_argument("--json", action="store_true")
    pick.add_argument("--pdf", metavar="OUT", help="write the clinician summary (PDF)")
    pick.add_argument(
        "--plan-pdf", metavar="OUT", help="write the patient's 'Your integration plan' (PDF)"
    )
    pick.add_argument(
        "--choose",
        metavar="MODALITY",
        help="the plan's therapy (default: the top-ranked unblocked, offered candidate)",
    )
    pick.add_argument("--lang", metavar="en|es", help="the plan's language (default en)")
    pick.add_argument(
        "--large-print", action="store_true", help="plan in 18 pt bold text, line spacing 1.5"
    )
    _identifier_arguments(pick)
    pick.add_argument("--therapist", metavar="NAME", help="the plan's therapist (never stored)")
    pick.add_argument("--first-session", metavar="TEXT", help="the plan's first session date")
    pick.add_argument("--frequency", metavar="TEXT", help="how often, e.g. 'every week'")
    pick.set_defaults(func=cmd_pick)

    handout = sub.add_parser("handout", help="print patient handouts as PDF, or list them")
    handout.add_argument(
        "topics", nargs="+", metavar="TOPIC", help="handout ids, or `list` to list them"
    )
    handout.add_argument("--lang", default="en", metavar="en|es", help="language (default en)")
    handout.add_argument(
        "--large-print", action="store_true", help="18 pt bold text, line spacing 1.5"
    )
    handout.add_argument(
        "--patient", metavar="NAME", help="printed on the first page only (never stored)"
    )
    handout.add_argument(
        "--note", metavar="TEXT", help="clinician note, printed literally (never stored)"
    )
    handout.add_argument(
        "--appointment", metavar="TEXT", help="next appointment, printed on the first page"
    )
    handout_out = handout.add_mutually_exclusive_group()
    handout_out.add_argument(
        "--out", metavar="FILE.pdf", help="one PDF of all topics (with a contents page)"
    )
    handout_out.add_argument("--out-dir", metavar="DIR", help="one PDF per topic")
    handout.add_argument("--json", action="store_true", help="with `list`: print JSON")
    handout.set_defaults(func=cmd_handout)

    comp = sub.add_parser("compare", help="compare 2 to 4 modalities side by side")
    comp.add_argument("ids", nargs="+", metavar="ID", help="2 to 4 modality ids (see `modalities`)")
    comp.add_argument(
        "--audience", default="clinician", help="clinician (default) or patient wording"
    )
    comp.add_argument("--lang", default="en", help="en (default) or es; es is for patients")
    comp.add_argument(
        "--condition",
        help="rate the evidence for one condition: depression, trd, gad, panic, "
        "social-anxiety, ptsd (default: every condition)",
    )
    comp.add_argument("--json", action="store_true")
    comp.add_argument("--pdf", metavar="OUT", help="write the printable comparison sheet (PDF)")
    comp.set_defaults(func=cmd_compare)
    for name in COMMAND_MODULES:
        importlib.import_module(f"kapdesk.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    configure_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*(argv or sys.argv[1:]), "gui"])
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        check_data_dir(args.data_dir)
        return func(args)
    except UserInputError as exc:
        sys.stderr.write(error_line(f"kapdesk: error: {exc}"))
        return 2
    except InstallationError as exc:
        sys.stderr.write(error_line(f"kapdesk: {exc}"))
        return 1
    except ContentError as exc:
        # The resource files cannot be compiled: one line, and `kb verify` lists them all.
        head = str(exc).splitlines()[0]
        print(f"kapdesk: {head}; run `kapdesk kb verify` to list them", file=sys.stderr)
        return 2
    except DataError as exc:
        sys.stderr.write(error_line(f"kapdesk: {exc}"))
        return 1
    except sqlite3.DatabaseError as exc:
        # The knowledge base went bad under a running command (it is derived data):
        # set it aside so that the next command rebuilds it, never an exit-1 loop.
        from kapdesk.kb.store import discard_damaged

        aside = discard_damaged(AppPaths.resolve(args.data_dir))
        sys.stderr.write(
            error_line(
                f"kapdesk: the knowledge base could not be read ({exc})"
                + ("; it was set aside and is rebuilt on the next run" if aside else "")
            )
        )
        return 1
    except BrokenPipeError:
        # The reader went away (`kapdesk … | head`): stop quietly, also at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # the contract: never a traceback on the terminal
        where = _log_internal_error(args, exc)
        sys.stderr.write(
            error_line(
                f"kapdesk: internal error: {type(exc).__name__}: {exc}"
                + (f" (details in {where})" if where else "")
            )
        )
        return 1


def _log_internal_error(args: argparse.Namespace, exc: BaseException) -> Path | None:
    """Append the traceback to the log in the data directory; return its path.

    Only the command name, the exception type and the code locations are written:
    never the arguments or the exception message, which may hold a patient's name or
    a clinician's note.
    """
    try:
        path = AppPaths.resolve(args.data_dir).ensure().log_path
        frames = "".join(traceback.format_tb(exc.__traceback__))
        stamp = datetime.now().isoformat(timespec="seconds")
        with path.open("a", encoding="utf-8") as log_file:
            log_file.write(
                f"{stamp} internal error in `kapdesk {args.command}`: {type(exc).__name__}\n"
                f"{frames}\n"
            )
        return path
    except OSError:
        return None
