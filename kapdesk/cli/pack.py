"""`kapdesk pack …`: signed offline content updates (build, verify, diff, install, go back).

Every refusal (tampered, unknown key, replayed or equal version, newer schema, truncated,
over the size limit, damaged database) exits 2 with one line on stderr. ``cryptography``
is imported only when one of these commands runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kapdesk.paths import AppPaths


def _print_json(data) -> None:
    from kapdesk.cli import _print_json as print_json

    print_json(data)


def _warn(warnings) -> None:
    for warning in warnings:
        print(f"kapdesk: warning: {warning}", file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from kapdesk.cli.io import check_output_file
    from kapdesk.errors import escape_controls
    from kapdesk.kb.pack import build_pack

    out = check_output_file(args.out, "--out")
    manifest, key = build_pack(Path(args.secret_key), out)
    trusted = f"{key.name} key" if key.name else "a key this kapdesk does NOT trust"
    print(
        f"Wrote {escape_controls(str(out))}: content version {manifest.content_version}, reviewed "
        f"{manifest.reviewed.isoformat()}, expires {manifest.expires.isoformat()}, "
        f"{manifest.db_bytes} bytes, signed with {trusted} {key.id_text}"
    )
    if not key.name:
        _warn([f"key {key.id_text} is not pinned in this kapdesk; clinics will refuse the pack"])
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from kapdesk.kb.pack import verify_pack

    verified = verify_pack(Path(args.pack))
    manifest = verified.manifest
    if args.json:
        _print_json(
            {
                "pack": str(args.pack),
                "valid": True,
                "key": {"name": verified.header.key.name, "id": verified.header.key.id_text},
                "manifest": manifest.to_dict(),
                "warnings": list(verified.warnings),
            }
        )
    else:
        print(
            f"OK: {args.pack}: content version {manifest.content_version}, reviewed "
            f"{manifest.reviewed.isoformat()}, built {manifest.built.isoformat()}, expires "
            f"{manifest.expires.isoformat()}; signed by the {verified.header.key.name} key "
            f"{verified.header.key.id_text}; database checked"
        )
    _warn(verified.warnings)
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from kapdesk.kb.diff import text_report
    from kapdesk.kb.pack import preview_pack
    from kapdesk.kb.store import open_active_kb

    with open_active_kb(AppPaths.resolve(args.data_dir)) as active:
        verified, diff = preview_pack(Path(args.pack), active)
    if args.json:
        _print_json(diff.to_dict())
    else:
        print(text_report(diff))
    _warn(verified.warnings)
    return 0


def cmd_install(args: argparse.Namespace) -> int:
    from kapdesk.kb.pack import install_pack

    outcome = install_pack(AppPaths.resolve(args.data_dir), Path(args.pack))
    print(outcome.message)
    _warn(outcome.warnings)
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from kapdesk.kb.pack import rollback_pack

    print(rollback_pack(AppPaths.resolve(args.data_dir)).message)
    return 0


def _describe(info: dict) -> str:
    what = "content pack" if info["origin"] == "pack" else "bundled content"
    expired = " — DUE FOR REVIEW" if info["expired"] else ""
    return (
        f"{what} version {info['content_version']} (reviewed {info['reviewed']}, expires "
        f"{info['expires']}{expired}; knowledge base {info['kb_version']})"
    )


def cmd_status(args: argparse.Namespace) -> int:
    from kapdesk.kb.pack import pack_status

    status = pack_status(AppPaths.resolve(args.data_dir))
    if args.json:
        _print_json(status)
        return 0
    print(f"Active:    {_describe(status['active'])}")
    print(f"Bundled:   {_describe(status['bundled'])}")
    for label, key in (("Installed", "installed_pack"), ("Previous", "previous_pack")):
        pack = status[key]
        if pack:
            intact = "intact" if pack["intact"] else "DAMAGED (not used)"
            print(
                f"{label + ':':<10} content pack version {pack['content_version']} (built "
                f"{pack['built']}, expires {pack['expires']}, {pack['key']} key; {intact})"
            )
        else:
            print(f"{label + ':':<10} none")
    print(f"Rollback:  goes back to {status['rollback_to']}")
    print(f"Highest version ever installed: {status['highest_installed'] or 'none'}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `kapdesk pack …` to the command line."""
    from kapdesk.cli import _Parser

    pack = sub.add_parser("pack", help="signed offline content updates (content packs)")
    actions = pack.add_subparsers(dest="pack_command", parser_class=_Parser, metavar="ACTION")
    actions.required = True

    build = actions.add_parser(
        "build", help="publisher: build resources/ into a pack signed with a minisign key"
    )
    build.add_argument("--secret-key", required=True, metavar="FILE", help="minisign secret key")
    build.add_argument("--out", required=True, metavar="PACK", help="the pack file to write")
    build.set_defaults(func=cmd_build)

    verify = actions.add_parser("verify", help="check a pack's signature, manifest and database")
    verify.add_argument("pack", metavar="PACK")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(func=cmd_verify)

    diff = actions.add_parser("diff", help="what a pack would change in the active content")
    diff.add_argument("pack", metavar="PACK")
    diff.add_argument("--json", action="store_true")
    diff.set_defaults(func=cmd_diff)

    install = actions.add_parser("install", help="verify a pack and make it the active content")
    install.add_argument("pack", metavar="PACK")
    install.set_defaults(func=cmd_install)

    actions.add_parser(
        "rollback", help="go back to the previous pack (or the bundled content)"
    ).set_defaults(func=cmd_rollback)

    status = actions.add_parser("status", help="which content is active, and what is kept")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_status)
