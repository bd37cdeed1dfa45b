"""Two nights on one data directory (issue 14): night 1 holds a clean generated sample plus
every corpus file (each impossible value of the issue among them), night 2 a clean new day.
A bad batch never stops the nightly run: night 2 exits 0 with every blocking check passed and
publishes; night 1 loses no record of the corpus and names every file it could not read."""

import contextlib
import io
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest
from corpus import CASES, IMPOSSIBLE_VALUE_CASES
from corpus.case import IGNORED, LOADED
from corpus.run import Observation, count_records, observe_tables, write_case

from pipelines.cli import main
from pipelines.generate import generate_sample
from pipelines.runner import LAST_CHECKS_FILE

SAMPLE = {"seed": 1, "scale": 0.1}
FIRST_NIGHT_DAYS = 3
NEW_DAY = date(2026, 1, 4)  # the day the second night brings (the sample starts on 1 January)
NIGHTLY = [c for c in CASES if c.nightly]


@dataclass
class Night:
    status: int
    output: str  # what `funnel run` printed (standard output and error)
    checks: dict  # reports/last_run_checks.json after the run
    started: datetime


@dataclass
class Nights:
    data_dir: Path
    first: Night
    second: Night
    new_files: list[Path]


def run_night(data_dir: Path) -> Night:
    printed = io.StringIO()
    started = datetime.now(UTC)
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        status = main(["--data-dir", str(data_dir), "run"])
    checks = json.loads((data_dir / "reports" / LAST_CHECKS_FILE).read_text())
    return Night(status, printed.getvalue(), checks, started)


def add_new_day(data_dir: Path, scratch: Path) -> list[Path]:
    """Copy into the inbox the files a sample one day longer has and the inbox has not."""
    generate_sample(scratch / "inbox", days=FIRST_NIGHT_DAYS + 1, **SAMPLE)
    added = []
    for path in sorted((scratch / "inbox").rglob("*")):
        target = data_dir / "inbox" / path.relative_to(scratch / "inbox")
        if path.is_file() and not target.exists():
            shutil.copyfile(path, target)
            added.append(target)
    return added


@pytest.fixture(scope="module")
def nights(tmp_path_factory) -> Nights:
    data_dir = tmp_path_factory.mktemp("corpus_nights")
    generate_sample(data_dir / "inbox", days=FIRST_NIGHT_DAYS, **SAMPLE)
    for case in NIGHTLY:
        write_case(case, data_dir)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("FUNNEL_DATA_DIR", raising=False)  # main() sets it; undone on leaving
        first = run_night(data_dir)
        new_files = add_new_day(data_dir, tmp_path_factory.mktemp("one_more_day"))
        second = run_night(data_dir)
    return Nights(data_dir, first, second, new_files)


def failed_blocking(night: Night) -> list[str]:
    return [f"{c['asset']} {c['check']}" for c in night.checks["checks"]
            if c["blocking"] and not c["passed"] and c["severity"] != "WARN"]


def test_the_corpus_night_holds_every_impossible_value():
    assert set(IMPOSSIBLE_VALUE_CASES) <= {c.name for c in NIGHTLY}


def test_a_clean_night_after_the_corpus_passes_every_blocking_check(nights):
    assert nights.new_files, "the second night brings no new file"
    assert failed_blocking(nights.second) == []
    evaluated = {c["asset"].split("/")[0] for c in nights.second.checks["checks"]}
    assert "marts" in evaluated, "the marts' checks did not run"
    assert nights.second.status == 0, nights.second.output[-2000:]


def test_the_clean_night_is_published(nights):
    published = nights.data_dir / "published"
    assert (published / "manifest.json").exists(), "nothing was ever published"
    manifest = json.loads((published / "manifest.json").read_text())
    assert datetime.fromisoformat(manifest["published_at"]) > nights.second.started
    con = duckdb.connect(str(published / "funnel.duckdb"), read_only=True)
    try:
        new_day_rows = con.execute("SELECT count(*) FROM marts.mart_funnel_daily WHERE metric_date = ?",
                                   [NEW_DAY]).fetchone()[0]
    finally:
        con.close()
    assert new_day_rows > 0


def copies_of_other_files(inbox: Path) -> set[str]:
    """Names of the inbox files whose bytes another file has too: one of them is ingested, the
    others are ignored as copies (and said so)."""
    by_content: dict[bytes, list[str]] = {}
    for path in inbox.rglob("*"):
        if path.is_file():
            by_content.setdefault(path.read_bytes(), []).append(path.name)
    return {name for names in by_content.values() if len(names) > 1 for name in names}


def test_no_record_of_the_corpus_is_lost_in_the_night(nights):
    copies = copies_of_other_files(nights.data_dir / "inbox")
    con = duckdb.connect(str(nights.data_dir / "warehouse.duckdb"), read_only=True)
    unbalanced = []
    try:
        for case in NIGHTLY:
            seen = Observation(count_records(case))
            observe_tables(con, case, seen)
            if seen.outcome == IGNORED and IGNORED not in case.outcomes and case.file in copies:
                assert f"{case.file}: same content as" in nights.first.output
            elif seen.outcome not in case.outcomes:
                unbalanced.append(f"{case.name}: {seen.outcome}, expected "
                                  f"{' or '.join(sorted(case.outcomes))}")
            elif seen.outcome == LOADED and (seen.lost or seen.ledger["rows_read"] != seen.counted):
                unbalanced.append(f"{case.name}: {seen.counted} records, {seen.loaded} loaded + "
                                  f"{seen.rejected} rejected + {seen.repeated} repeats, ledger "
                                  f"read {seen.ledger['rows_read']}")
    finally:
        con.close()
    assert unbalanced == []


def test_the_corpus_night_names_every_file_it_did_not_load(nights):
    not_loaded = [c.file for c in NIGHTLY if LOADED not in c.outcomes]
    unnamed = [name for name in not_loaded if name not in nights.first.output]
    assert unnamed == [], nights.first.output[-2000:]
