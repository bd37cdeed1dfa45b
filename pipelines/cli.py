"""The `funnel` command line: generate sample data, ingest, run the whole pipeline.

Quiet by default (a summary line per step), `--verbose` for progress and Dagster's log.
Exit codes: 0 success, 1 the run failed, a blocking check failed, a mapping is broken or
another run holds the data directory, 2 wrong usage. Every error a user can cause is one line
saying what to do next (no traceback).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from datetime import date
from pathlib import Path

from pipelines.batch_commands import BATCH_COMMANDS, add_batch_commands
from pipelines.console import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Console
from pipelines.mapping_commands import MAPPING_COMMANDS, add_mapping_commands
from pipelines.preset_commands import PRESET_COMMANDS, add_preset_commands
from pipelines.review.command import REVIEW_COMMANDS, add_review_command


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: an option given before the command is not reset by the command's parser.
    common.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                        help="data directory (default: $FUNNEL_DATA_DIR or ./data)")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="show progress and the Dagster log")
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="print nothing but errors")

    # The engine dbt transforms with; ingestion exports the raw layer as Parquet for Spark.
    target = argparse.ArgumentParser(add_help=False)
    target.add_argument("--target", choices=("duckdb", "spark"), default=None,
                        help="dbt target: duckdb (default) or spark (needs the spark extra "
                        "and Java; default: $FUNNEL_DBT_TARGET or duckdb)")

    parser = argparse.ArgumentParser(
        prog="funnel",
        description="Funnel warehouse: the marketing and sales funnel metrics, built nightly.",
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    gen = commands.add_parser("generate", parents=[common], help="write realistic sample inbox files",
                              description="Write realistic daily batch files for the four sources.")
    _add_generate_options(gen)
    gen.add_argument("--out", type=Path, help="inbox folder to write (default: <data dir>/inbox)")

    commands.add_parser("ingest", parents=[common, target], help="ingest new inbox files into raw.*",
                        description="Ingest every inbox file not yet in the ledger into the raw layer.")
    run = commands.add_parser("run", parents=[common, target], help="run the whole pipeline once, in-process",
                              description="Ingest new files, build the dbt models and checks, in one "
                              "process. The dbt build (and the mart checks and publishing after it) is "
                              "skipped when nothing was ingested and no dbt file changed since the last build.")
    run.add_argument("--rebuild", action="store_true",
                     help="build, check and publish even when nothing changed since the last build")
    commands.add_parser("quality", parents=[common], help="summary of the last run's checks",
                        description="Print what passed, warned and failed in the last run, with "
                        "figures. Exits 1 when a blocking check failed or no run is recorded.")
    commands.add_parser("report", parents=[common], help="write the shared HTML funnel report",
                        description="Write <data dir>/reports/funnel_report_<date>.html and "
                        "latest.html from the published marts (one file, opens offline).")
    commands.add_parser("status", parents=[common], help="last run, source freshness, mart sizes",
                        description="Show the last run, how fresh each source is and the row "
                        "count of each mart.")
    demo = commands.add_parser("demo", parents=[common, target], help="generate sample data, then run",
                               description="Generate the sample inbox (unless it has files) and run the pipeline.")
    _add_generate_options(demo)
    add_batch_commands(commands, common)
    add_review_command(commands, common)
    add_preset_commands(commands, common)
    add_mapping_commands(commands, common)
    return parser


def _add_generate_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--days", type=int, default=30, help="days of data (default 30)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="volume multiplier; 1.0 is about 2,000 web events a day (default 1.0)")
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 1, 1),
                        help="first day, YYYY-MM-DD (default 2026-01-01)")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    for name, default in (("data_dir", None), ("verbose", False), ("quiet", False)):
        if not hasattr(args, name):
            setattr(args, name, default)
    console = Console(args.verbose, args.quiet)
    from pipelines.settings import FunnelSettings

    try:
        args.settings = FunnelSettings.from_environment(data_dir=args.data_dir,
                                                        dbt_target=getattr(args, "target", None))
    except ValueError as error:
        console.error(str(error))
        return EXIT_USAGE
    if args.command not in CREATES_DATA_DIR and not _data_dir_exists(args, console):
        return EXIT_USAGE
    handler = logging.StreamHandler()
    # Records of libraries' own loggers propagate past logger levels: filter at the handler.
    handler.setLevel(logging.INFO if args.verbose else logging.CRITICAL)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO if args.verbose else logging.CRITICAL,
                        handlers=[handler])
    from pipelines.run_lock import RunLockHeld

    try:
        return COMMANDS[args.command](args, console)
    except RunLockHeld as held:
        console.error(str(held))
        return EXIT_FAILED
    except KeyboardInterrupt:
        console.error("interrupted")
        return 130


def _data_dir_exists(args, console: Console) -> bool:
    data_dir = args.settings.data_path
    if data_dir.is_dir():
        return True
    given = ("--data-dir" if args.data_dir else
             "FUNNEL_DATA_DIR" if os.environ.get("FUNNEL_DATA_DIR") else "the default")
    console.error(f"data directory {data_dir} (from {given}) does not exist: check the path, "
                  f"or start one with `funnel demo --data-dir {data_dir}`")
    return False


def _inbox_exists(args, console: Console) -> bool:
    from pipelines.contract import SOURCES

    inbox = args.settings.inbox_dir
    if inbox.is_dir():
        return True
    console.error(f"no inbox at {inbox}: put each source's files in {inbox}/<source>/ "
                  f"({', '.join(SOURCES)}), or write sample files with `funnel generate`")
    return False


def _holding_run_lock(args, command: str):
    """The data directory's run lock, held for the whole command (pipelines/run_lock.py)."""
    from pipelines.run_lock import run_lock

    return run_lock(args.settings.data_path, command)


def cmd_generate(args, console: Console) -> int:
    from pipelines.generate import generate_sample

    out = (args.out or args.settings.inbox_dir).resolve()
    started = time.perf_counter()
    counts = generate_sample(out, days=args.days, seed=args.seed, scale=args.scale,
                             start=args.start, progress=console.progress)
    rows = ", ".join(f"{n:,} {source}" for source, n in counts.items())
    console.say(f"generated {rows} in {out} ({time.perf_counter() - started:.1f}s)")
    return EXIT_OK


def cmd_ingest(args, console: Console) -> int:
    from pipelines.runner import run_ingestion

    if not _inbox_exists(args, console):
        return EXIT_FAILED
    with _holding_run_lock(args, "ingest"):
        return run_ingestion(console, args.settings)


def cmd_run(args, console: Console) -> int:
    if not _inbox_exists(args, console):
        return EXIT_FAILED
    rebuild = getattr(args, "rebuild", False)
    with _holding_run_lock(args, "run"):
        if not rebuild:
            from pipelines.nothing_new import nothing_new

            lines = nothing_new(args.settings)
            if lines is not None:
                for line in lines:
                    console.say(line)
                return EXIT_OK
        from pipelines.runner import run_pipeline

        return run_pipeline(console, args.settings, rebuild=rebuild)


def cmd_demo(args, console: Console) -> int:
    with _holding_run_lock(args, "demo"):
        inbox = args.settings.inbox_dir
        if inbox.is_dir() and any(p.is_file() for p in inbox.rglob("*")):
            console.say(f"{inbox} already has files: not generating new sample data")
        else:
            args.out = None
            status = cmd_generate(args, console)
            if status != EXIT_OK:
                return status
        return cmd_run(args, console)


def cmd_quality(args, console: Console) -> int:
    from pipelines.quality.report import load_last_checks, render_quality_report
    from pipelines.runner import LAST_CHECKS_FILE

    reports = args.settings.reports_dir
    document = load_last_checks(reports / LAST_CHECKS_FILE)
    if document is None:
        console.error(f"no run recorded in {reports}: run `funnel run` first")
        return EXIT_FAILED
    text, failed_blocking = render_quality_report(document, verbose=args.verbose)
    print(text)
    return EXIT_FAILED if failed_blocking else EXIT_OK


def cmd_status(args, console: Console) -> int:
    from pipelines.operations.status import render_status
    from pipelines.quality.report import load_last_checks
    from pipelines.runner import LAST_CHECKS_FILE

    settings = args.settings
    print(render_status(settings.warehouse_path,
                        load_last_checks(settings.reports_dir / LAST_CHECKS_FILE)))
    return EXIT_OK


def cmd_report(args, console: Console) -> int:
    from pipelines.report import write_report
    from pipelines.runner import LAST_CHECKS_FILE

    settings = args.settings
    try:
        path = write_report(settings.data_path, settings.reports_dir,
                            settings.reports_dir / LAST_CHECKS_FILE)
    except FileNotFoundError as error:
        console.error(f"{error} (run `funnel run` first)")
        return EXIT_FAILED
    console.say(f"report: {path} ({path.stat().st_size // 1024} KiB), also {path.parent / 'latest.html'}")
    return EXIT_OK


# Commands that may start from a data directory that does not exist yet.
CREATES_DATA_DIR = {"generate", "demo", "presets"}


COMMANDS = {"generate": cmd_generate, "ingest": cmd_ingest, "run": cmd_run, "demo": cmd_demo,
            "quality": cmd_quality, "status": cmd_status, "report": cmd_report,
            **BATCH_COMMANDS, **REVIEW_COMMANDS, **PRESET_COMMANDS,
            **MAPPING_COMMANDS}

if __name__ == "__main__":
    sys.exit(main())
