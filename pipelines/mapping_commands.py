"""The `funnel mappings check` command: what the mappings would do to the inbox, before
anything is loaded (pipelines/ingestion/mapping_check.py)."""

from __future__ import annotations

import argparse

from pipelines.console import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Console
from pipelines.contract import SOURCES


def add_mapping_commands(commands, common: argparse.ArgumentParser) -> None:
    mappings = commands.add_parser(
        "mappings", parents=[common], help="check the mappings against the inbox",
        description="Check the mapping files against the files waiting in the inbox.")
    actions = mappings.add_subparsers(dest="mappings_action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check", parents=[common], help="what each inbox file would load as, nothing loaded",
        description="For each inbox file: the mapping that recognises it, the columns found and "
        "missing, the rows that would load, be rejected or be filtered, and a sample of the "
        "mapped rows; then the mappings no file uses and the mapping files that are not valid. "
        "Nothing is loaded. Exit 1 when a file would not load whole or a mapping is broken.")
    check.add_argument("--source", choices=list(SOURCES), action="append",
                       help="only this source (repeatable)")
    check.add_argument("--rows", type=int, default=5, metavar="N",
                       help="sample rows shown per file (default 5)")


def cmd_mappings(args, console: Console) -> int:
    from pipelines.ingestion.mapping_check import check_mappings, render

    if args.rows < 0:
        console.error("--rows must be 0 or more")
        return EXIT_USAGE
    settings = args.settings
    if not settings.inbox_dir.is_dir():
        console.error(f"no inbox at {settings.inbox_dir}: put the exports in inbox/<source>/")
        return EXIT_USAGE
    result = check_mappings(settings.inbox_dir, settings.mappings_dir, args.source, args.rows)
    print(render(result, verbose=args.verbose))
    return EXIT_OK if result.ok else EXIT_FAILED


MAPPING_COMMANDS = {"mappings": cmd_mappings}
