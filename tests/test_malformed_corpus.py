"""The malformed-input corpus (issue 14), case by case, through ingestion alone on a fresh
DuckDB: every record of the file, counted by the test, is loaded, rejected with its line, field
and reason, or an exact repeat; a file that cannot be read is refused and named; the user is
told what is wrong and where. The cases are data: tests/corpus/."""

import duckdb
import pytest
from corpus import CASES, IMPOSSIBLE_VALUE_CASES
from corpus.case import LOADED
from corpus.check import failures
from corpus.files import case as make_case
from corpus.files import csv, web
from corpus.run import count_records, ingest_case, run_case, write_case

BROKEN_MAPPINGS = [c for c in CASES if c.mapping is not None and not c.nightly]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_corpus_case(case, tmp_path):
    seen = run_case(case, tmp_path)
    found = failures(case, seen)
    assert not found, f"{case.name} ({case.display}):\n- " + "\n- ".join(found)


def test_the_corpus_is_large_and_each_file_has_its_own_name():
    assert len(CASES) >= 50
    assert len({c.name for c in CASES}) == len(CASES)
    assert len({c.file for c in CASES}) == len(CASES)  # the nights put them in one inbox
    assert set(IMPOSSIBLE_VALUE_CASES) <= {c.name for c in CASES if c.nightly}


def test_every_loadable_case_can_be_counted_by_the_test():
    uncountable = [c.name for c in CASES if LOADED in c.outcomes and count_records(c) is None]
    assert not uncountable


def test_the_count_is_physical_lines_not_what_a_parser_makes_of_them():
    unbalanced = make_case("count", "web_visits", csv("web_visits", web("e1"), web("e2", page='"/x'),
                                                      web("e3"), "", "  "))
    assert count_records(unbalanced) == 3


@pytest.mark.parametrize("case", BROKEN_MAPPINGS, ids=lambda c: c.name)
def test_a_broken_mapping_affects_only_its_own_source(case, tmp_path):
    write_case(case, tmp_path)
    other = make_case("other_source_day", "web_visits", csv("web_visits", web("e1"), web("e2")))
    write_case(other, tmp_path)
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    try:
        (result,) = ingest_case(con, other, tmp_path)
        loaded = con.execute("SELECT count(*) FROM raw.web_visits").fetchone()[0]
    finally:
        con.close()
    assert (result.rows_loaded, loaded) == (2, 2)
