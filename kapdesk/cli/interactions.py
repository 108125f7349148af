"""``kapdesk interactions``: look drug names up in the ketamine interaction table."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``interactions`` subcommand."""
    parser = sub.add_parser(
        "interactions",
        help="what kapdesk's ketamine-specific list says about drug names (no name: the list)",
    )
    parser.add_argument("drugs", nargs="*", metavar="DRUG", help="drug or class names")
    parser.add_argument("--product", metavar="racemic|esketamine", help="one product only")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the matches (or the whole table) as the CLI contract says."""
    from kapdesk.cli import _open_kb, _print_json
    from kapdesk.decide.interactions import check, listing, text_report

    with _open_kb(args):  # the table is read from the knowledge base
        if args.drugs:
            result = check(args.drugs, args.product)
            data, text = result.to_dict(), text_report(result)
        else:
            data = listing(args.product)
            text = "\n".join([data["scope"], *_table_lines(data["table"])])
    if args.json:
        _print_json(data)
    else:
        print(text)
    return 0


def _table_lines(rows: list[dict]) -> list[str]:
    lines: list[str] = []
    for row in rows:
        members = f" ({', '.join(row['members'])})" if row["members"] else ""
        lines.append(f"\n{row['class_name']}{members}")
        for item in row["interactions"]:
            lines.append(
                f"  [{item['level_label']}] {', '.join(item['products'])}: {item['effect']}"
            )
    return lines
