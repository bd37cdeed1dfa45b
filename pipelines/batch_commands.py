"""The `funnel batches`, `retract` and `replay` commands: the ingested files, and how to undo
one (pipelines/ingestion/batches.py, retraction.py)."""

from __future__ import annotations

import argparse

from pipelines.console import EXIT_FAILED, EXIT_OK, Console


def add_batch_commands(commands, common: argparse.ArgumentParser) -> None:
    """`funnel batches`, `retract` and `replay`: the ingested files, and how to undo one."""
    from pipelines.contract import SOURCES

    listing = commands.add_parser(
        "batches", parents=[common], help="list the ingested files (batches) and their status",
        description="List every ingested file: source, file, hash, when, rows read / loaded / "
        "rejected / exact repeats, status (loaded, unreadable, retracted) and the mapping that "
        "loaded it (stale: the mapping file changed since).")
    listing.add_argument("--source", choices=sorted(SOURCES), help="only this source's batches")
    naming = ("FILE_OR_HASH: the batch's ledger path (e.g. contacts/day3.csv, as `funnel "
              "batches` shows it), a path to the file, or a unique prefix of its hash")
    retract = commands.add_parser(
        "retract", parents=[common], help="take a batch out of the warehouse (kept in audit.*)",
        description="Take a batch out of the raw layer as if it had never arrived: its rows move "
        "to audit.<source>_retracted, the ledger marks it retracted, and the next `funnel run` "
        "rebuilds the models without it. A plain run does not ingest it again; `funnel replay` "
        "does. " + naming)
    retract.add_argument("batch", metavar="FILE_OR_HASH")
    replay = commands.add_parser(
        "replay", parents=[common], help="retract a batch and load its file again with today's mapping",
        description="Retract a batch and ingest its file again from the inbox with today's "
        "mapping and rules, at the place it first arrived: the warehouse equals one that had "
        "loaded it so the first time. The file must still be in the inbox. " + naming)
    replay.add_argument("batch", metavar="FILE_OR_HASH")


def cmd_batches(args, console: Console) -> int:
    import duckdb

    from pipelines.ingestion.batches import list_batches, render_batches, stale_mapping_notes

    settings = args.settings
    path = settings.warehouse_path
    if not path.is_file():
        print(render_batches([], settings.mappings_dir))
        return EXIT_OK
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException:
        console.error(f"{path} is being written by a running pipeline: try again when it finishes")
        return EXIT_FAILED
    try:
        print(render_batches(list_batches(con, args.source), settings.mappings_dir))
        for note in stale_mapping_notes(con, settings.mappings_dir):
            print(note)
    finally:
        con.close()
    return EXIT_OK


def cmd_retract(args, console: Console) -> int:
    from pipelines.ingestion.retraction import retract_batch

    return _batch_command(retract_batch, args, console)


def cmd_replay(args, console: Console) -> int:
    from pipelines.ingestion.retraction import replay_batch

    return _batch_command(replay_batch, args, console)


def _batch_command(command, args, console: Console) -> int:
    from pipelines.ingestion.batch_lookup import BatchError
    from pipelines.run_lock import RunLockHeld

    try:
        lines = command(args.batch, args.settings)
    except (BatchError, RunLockHeld) as error:
        console.error(str(error))
        return EXIT_FAILED
    for line in lines:
        if line.startswith("error: "):
            console.error(line.removeprefix("error: "))
        else:
            console.say(line)
    return EXIT_FAILED if any(line.startswith("error: ") for line in lines) else EXIT_OK


BATCH_COMMANDS = {"batches": cmd_batches, "retract": cmd_retract, "replay": cmd_replay}
