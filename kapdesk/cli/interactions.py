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
    from kapdesk.cli import _print_json
    from kapdesk.decide.interactions import check, listing, text_report

    if not args.drugs:
        data = listing(args.product)
        if args.json:
            _print_json(data)
            return 0
        print(data["scope"])
        for row in data["table"]:
            members = f" ({', '.join(row['members'])})" if row["members"] else ""
            print(f"\n{row['class_name']}{members}")
            for item in row["interactions"]:
                print(f"  [{item['level_label']}] {', '.join(item['products'])}: {item['effect']}")
        return 0
    result = check(args.drugs, args.product)
    if args.json:
        _print_json(result.to_dict())
    else:
        print(text_report(result))
    return 0
