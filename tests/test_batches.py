"""Batches can be retracted and replayed (`funnel batches`, `funnel retract`, `funnel replay`):
a batch loaded with a wrong mapping, replayed with the fixed one, gives the warehouse a load
with the fixed mapping would have given; a retracted batch leaves the warehouse as if it had
never arrived, exact repeats of its rows in later batches loaded in their place; killed at any
point and run again, each command gives the same warehouse.

The data: a small generated sample (6 days) plus two hand-written contacts files. X is a
HubSpot-style export loaded through a mapping; with the mapping fixed, two of its rows are
exact copies of day 6's, one line repeats another of X, and Y (a later contacts file) resends
three of X's rows unchanged. With the wrong mapping (created_at read from "Last Modified Date")
none of those are repeats. W is day 5's web file, whose resent rows day 6 repeats."""

import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest
from test_reruns import published, run_in
from warehouse_snapshot import differences, snapshot

from pipelines.contract import CONTACTS, TIMESTAMP
from pipelines.generate import generate_sample, hubspot
from pipelines.ingestion.ingest import ingest_inbox
from pipelines.ingestion.mapping import load_mappings
from pipelines.run_lock import LOCK_FILE

SAMPLE = {"days": 6, "seed": 3, "scale": 0.2}
X = "contacts/contacts_2026-01-07_crm.csv"
Y = "contacts/contacts_2026-01-08_resend.csv"
MAPPING_FILE = "crm_contacts.yml"
FIXED = hubspot.MAPPING_TEXT.replace('"crm_export_*.csv"', '"contacts_*_crm.csv"')
WRONG = FIXED.replace('created_at: "Create Date"', 'created_at: "Last Modified Date"')
TIMESTAMPS = [c for c, kind in CONTACTS.columns.items() if kind == TIMESTAMP]


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    inbox = tmp_path_factory.mktemp("batches") / "inbox"
    generate_sample(inbox, **SAMPLE)
    day6 = pl.read_parquet(inbox / "contacts" / "contacts_2026-01-06.parquet")
    new = day6.with_columns(
        ("52" + pl.col("contact_id").str.slice(2)).alias("contact_id"),
        ("x." + pl.col("email")).alias("email"),
        *(pl.col(c) + timedelta(days=1) for c in TIMESTAMPS))
    rows = pl.concat([day6.head(2), new, new.head(1)])  # copies of day 6, new ones, a doubled line
    no_deals = pl.DataFrame(schema={"contact_id": pl.String, "opportunity_id": pl.String})
    hubspot.export_frame(rows, no_deals).write_csv(inbox / X)
    resent = new.head(3).with_columns(pl.col(c).dt.strftime("%Y-%m-%dT%H:%M:%S") for c in TIMESTAMPS)
    resent.write_csv(inbox / Y)
    return inbox


def web_file(inbox: Path) -> str:
    (path,) = (inbox / "web_visits").glob("web_visits_2026-01-05.*")
    return path.relative_to(inbox).as_posix()


def data_dir_with(inbox: Path, target: Path, mapping: str, without: tuple[str, ...] = ()) -> Path:
    shutil.copytree(inbox, target / "inbox")
    for name in without:
        (target / "inbox" / name).unlink()
    (target / "mappings").mkdir()
    (target / "mappings" / MAPPING_FILE).write_text(mapping)
    return target


def ingest(data_dir: Path) -> None:
    """Ingest the inbox in-process, without the Dagster run around it (seconds, not a build)."""
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    try:
        ingest_inbox(con, data_dir / "inbox", load_mappings(data_dir / "mappings"))
    finally:
        con.close()


def ingested(inbox: Path, target: Path, mapping: str, without: tuple[str, ...] = ()) -> Path:
    """X and the sample arrive one night, Y the next (X's place is before Y's)."""
    data_dir = data_dir_with(inbox, target, mapping, without=(*without, Y))
    ingest(data_dir)
    if Y not in without:
        shutil.copy2(inbox / Y, data_dir / "inbox" / Y)
        ingest(data_dir)
    return data_dir


def copy(data_dir: Path, target: Path) -> Path:
    return shutil.copytree(data_dir, target, symlinks=True, ignore=shutil.ignore_patterns(LOCK_FILE))


def without_retracted_ledger_rows(data_dir: Path, target: Path) -> Path:
    """The warehouse file, minus the ledger rows that say a batch was retracted (a warehouse
    that never saw the batch has no such row); everything else as is."""
    target.mkdir()
    shutil.copy2(data_dir / "warehouse.duckdb", target / "warehouse.duckdb")
    con = duckdb.connect(str(target / "warehouse.duckdb"))
    con.execute("DELETE FROM raw._ingested_files WHERE status = 'retracted'")
    con.close()
    return target / "warehouse.duckdb"


def everything(data_dir: Path) -> dict:
    return snapshot(data_dir / "warehouse.duckdb", schemas=("raw", "audit"))


def query(data_dir: Path, sql: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def ledger(data_dir: Path, path: str) -> tuple:
    (row,) = query(data_dir, "SELECT status, rows_loaded, rows_repeated FROM raw._ingested_files "
                   "WHERE file_path = ?", [path])
    return row


def cli(data_dir: Path, *args: str, crash_at: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "FUNNEL_DATA_DIR": str(data_dir)}
    env.pop("FUNNEL_CRASH_AT", None)
    if crash_at:
        env["FUNNEL_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args], env=env,
                          start_new_session=True, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def wrong(inbox, tmp_path_factory) -> Path:
    return ingested(inbox, tmp_path_factory.mktemp("wrong"), WRONG)


@pytest.fixture(scope="module")
def replayed(wrong, tmp_path_factory) -> Path:
    """`wrong`, the mapping fixed, X replayed (uninterrupted)."""
    data_dir = copy(wrong, tmp_path_factory.mktemp("replayed") / "data")
    (data_dir / "mappings" / MAPPING_FILE).write_text(FIXED)
    result = cli(data_dir, "replay", X)
    assert result.returncode == 0, result.stderr
    return data_dir


@pytest.fixture(scope="module")
def retracted(wrong, inbox, tmp_path_factory) -> Path:
    """`wrong`, W retracted (uninterrupted)."""
    data_dir = copy(wrong, tmp_path_factory.mktemp("retracted") / "data")
    result = cli(data_dir, "retract", web_file(inbox))
    assert result.returncode == 0, result.stderr
    return data_dir


def test_replay_with_the_fixed_mapping_equals_loading_it_right_the_first_time(
        inbox, wrong, replayed, tmp_path):
    fixed = ingested(inbox, tmp_path / "fixed", FIXED)
    # The scenario holds: with the fixed mapping X repeats day 6 and itself, and Y repeats X.
    assert ledger(fixed, X)[2] == 3 and ledger(fixed, Y)[2] == 3
    assert ledger(wrong, X)[2] == 1 and ledger(wrong, Y)[2] == 0  # X: its doubled line
    assert differences(snapshot(fixed / "warehouse.duckdb", schemas=("raw",)),
                       snapshot(replayed / "warehouse.duckdb", schemas=("raw",))) == []
    # The wrong rows are kept out of raw, not lost.
    [(moved,)] = query(replayed, "SELECT count(*) FROM audit.contacts_retracted")
    assert moved == ledger(wrong, X)[1] > 0


def test_retract_equals_a_load_that_never_saw_the_batch(inbox, wrong, retracted, tmp_path):
    never = ingested(inbox, tmp_path / "never", WRONG, without=(web_file(inbox),))
    restored = query(retracted, "SELECT sum(repeats_restored) FROM audit.retractions")[0][0]
    assert restored > 0, "the day 6 copies of W's rows are loaded in their place"
    assert differences(snapshot(never / "warehouse.duckdb", schemas=("raw",)),
                       snapshot(without_retracted_ledger_rows(retracted, tmp_path / "cmp"),
                                schemas=("raw",))) == []
    [(moved,)] = query(retracted, "SELECT count(*) FROM audit.web_visits_retracted")
    assert moved == query(wrong, "SELECT count(*) FROM raw.web_visits WHERE _source_file = ?",
                          [web_file(inbox)])[0][0]


def test_retracting_twice_changes_nothing_and_a_plain_ingest_leaves_it_out(inbox, retracted, tmp_path):
    data_dir = copy(retracted, tmp_path / "data")
    before = everything(data_dir)
    again = cli(data_dir, "retract", web_file(inbox))
    assert again.returncode == 0 and "already retracted" in again.stdout
    ingest(data_dir)  # the retracted file is still in the inbox
    assert differences(before, everything(data_dir)) == []


@pytest.mark.parametrize(("command", "crash_at"), [
    ("retract", "retract.taken_out"), ("replay", "replay.taken_out"), ("replay", "replay.loaded")])
def test_a_killed_retract_or_replay_run_again_gives_the_same_warehouse(
        command, crash_at, inbox, wrong, replayed, retracted, tmp_path):
    data_dir = copy(wrong, tmp_path / "data")
    (data_dir / "mappings" / MAPPING_FILE).write_text(FIXED)
    target, uninterrupted = (web_file(inbox), retracted) if command == "retract" else (X, replayed)
    before = everything(data_dir)
    killed = cli(data_dir, command, target, crash_at=crash_at)
    assert killed.returncode == -9, f"{crash_at} was not reached: {killed.stderr[-2000:]}"
    assert differences(before, everything(data_dir)) == [], "a killed command leaves nothing half-done"
    assert cli(data_dir, command, target).returncode == 0
    assert differences(everything(uninterrupted), everything(data_dir)) == []


def test_batches_lists_each_file_with_its_status_and_stale_mapping(inbox, wrong, tmp_path):
    data_dir = copy(wrong, tmp_path / "data")
    assert cli(data_dir, "retract", web_file(inbox)).returncode == 0
    (data_dir / "mappings" / MAPPING_FILE).write_text(FIXED)
    listing = cli(data_dir, "batches")
    assert listing.returncode == 0, listing.stderr
    lines = {line.split()[1]: line for line in listing.stdout.splitlines()[1:] if "/" in line.split()[1]}
    assert "retracted" in lines[web_file(inbox)]
    assert f"{MAPPING_FILE} (changed since: stale)" in lines[X]
    assert "loaded" in lines[Y] and "stale" not in lines[Y]
    assert f"1 batch(es) of contacts were loaded with an older version of mappings/{MAPPING_FILE}: " \
           f"`funnel replay {X}`" in listing.stdout
    only = cli(data_dir, "batches", "--source", "contacts").stdout
    assert X in only and web_file(inbox) not in only


def test_funnel_run_names_the_batches_of_a_changed_mapping(wrong, tmp_path, capsys):
    from pipelines.cli import Console
    from pipelines.runner import _say_stale_mappings
    from pipelines.settings import FunnelSettings

    data_dir = copy(wrong, tmp_path / "data")
    settings = FunnelSettings(data_dir=str(data_dir))
    _say_stale_mappings(Console(verbose=False), settings)
    assert capsys.readouterr().out == "", "the mapping is unchanged"
    (data_dir / "mappings" / MAPPING_FILE).write_text(FIXED)
    _say_stale_mappings(Console(verbose=False), settings)
    assert f"1 batch(es) of contacts were loaded with an older version of mappings/{MAPPING_FILE}: " \
           f"`funnel replay {X}` to load them with today's mapping" in capsys.readouterr().out


def test_retract_then_replay_of_the_same_file_changes_the_build_state_each_time(
        inbox, wrong, tmp_path):
    from pipelines.ingestion.audit import pending_full_refresh
    from pipelines.settings import FunnelSettings
    from pipelines.transform.assets import build_args
    from pipelines.transform.build_state import raw_state

    def state():
        con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
        try:
            return raw_state(con), len(pending_full_refresh(con))
        finally:
            con.close()

    data_dir = copy(wrong, tmp_path / "data")
    export = data_dir / "raw" / "web_visits"  # the Spark target's Parquet copy of raw
    export.mkdir(parents=True)
    (export / "loaded_20260101T000000000000.parquet").write_bytes(b"")
    loaded, _ = state()
    assert cli(data_dir, "retract", web_file(inbox)).returncode == 0
    retracted, refreshes = state()
    assert retracted != loaded and refreshes == 1
    assert not export.exists(), "the next export writes the source again"
    settings = FunnelSettings(data_dir=str(data_dir))
    assert "--full-refresh" in build_args(settings, full_refresh=True)
    assert "--full-refresh" not in build_args(settings)

    # Replayed unchanged, W takes its place back: the rows and their counts are those before
    # the retraction, yet the models must be rebuilt (their copies of the lineage changed).
    assert cli(data_dir, "replay", web_file(inbox)).returncode == 0
    assert differences(snapshot(wrong / "warehouse.duckdb", schemas=("raw",)),
                       snapshot(data_dir / "warehouse.duckdb", schemas=("raw",))) == []
    replayed, _ = state()
    assert replayed not in (loaded, retracted)


def test_a_batch_is_named_by_its_ledger_path_a_file_path_or_a_hash_prefix(wrong, tmp_path):
    from pipelines.ingestion.batch_lookup import BatchError, find_batch

    inbox = wrong / "inbox"
    outside = tmp_path / "copy.csv"
    shutil.copy2(wrong / "inbox" / X, outside)
    con = duckdb.connect(str(wrong / "warehouse.duckdb"), read_only=True)
    try:
        batch = find_batch(con, X, inbox)
        assert batch.file_path == X
        for name in (str(wrong / "inbox" / X), batch.file_hash[:8], str(outside)):
            assert find_batch(con, name, inbox) == batch, name
        with pytest.raises(BatchError, match="no ingested batch"):
            find_batch(con, "contacts/nothing.csv", inbox)
    finally:
        con.close()


def test_replay_of_a_file_gone_from_the_inbox_and_unknown_names_are_one_line_errors(wrong, tmp_path):
    data_dir = copy(wrong, tmp_path / "data")
    (data_dir / "inbox" / X).unlink()
    gone = cli(data_dir, "replay", X)
    assert gone.returncode == 1
    assert gone.stderr.count("\n") == 1 and "no longer in the inbox" in gone.stderr
    unknown = cli(data_dir, "retract", "contacts/nothing.csv")
    assert unknown.returncode == 1 and unknown.stderr.startswith("error: no ingested batch")


def test_retract_waits_for_nobody_while_a_run_holds_the_lock(wrong, tmp_path):
    data_dir = copy(wrong, tmp_path / "data")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from pipelines.run_lock import run_lock\n"
         "with run_lock(Path(sys.argv[1]), 'run'):\n print('held', flush=True); time.sleep(60)",
         str(data_dir)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        blocked = cli(data_dir, "retract", X)
    finally:
        holder.kill()
        holder.wait()
    assert blocked.returncode == 1
    assert blocked.stderr.count("\n") == 1 and f"pid {holder.pid}" in blocked.stderr
    assert ledger(data_dir, X)[0] == "loaded"


# End to end: the models and the published copy, through `funnel run`.

@pytest.fixture(scope="module")
def reference(inbox, tmp_path_factory) -> Path:
    """A from-scratch run with the fixed mapping, without W."""
    data_dir = data_dir_with(inbox, tmp_path_factory.mktemp("reference") / "data", FIXED,
                             without=(web_file(inbox),))
    assert run_in(data_dir) == 0
    return data_dir


def test_replay_and_retract_then_run_equal_a_from_scratch_run(inbox, reference, tmp_path):
    data_dir = data_dir_with(inbox, tmp_path / "data", WRONG)
    run_in(data_dir)  # the models and their incremental state now hold W and the wrong X
    (data_dir / "mappings" / MAPPING_FILE).write_text(FIXED)
    assert run_in(data_dir, X, command=("replay", "--quiet")) == 0
    assert run_in(data_dir, web_file(inbox), command=("retract", "--quiet")) == 0
    assert run_in(data_dir) == 0
    assert query(data_dir, "SELECT count(*) FROM audit.retractions "
                 "WHERE full_refresh AND models_refreshed_at IS NULL") == [(0,)]
    assert differences(snapshot(reference / "warehouse.duckdb"),
                       snapshot(without_retracted_ledger_rows(data_dir, tmp_path / "cmp"))) == []
    assert differences(published(reference), published(data_dir)) == []
