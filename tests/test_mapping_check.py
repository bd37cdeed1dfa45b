"""`funnel mappings check` (issue 15): what each inbox file would load as, before anything is
loaded, read and mapped exactly as ingestion does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipelines import presets
from pipelines.cli import main
from pipelines.ingestion.mapping_check import check_mappings

OPPORTUNITIES = Path(__file__).parent / "exports" / "salesforce" / "opportunities" / "Opportunity.csv"


@pytest.fixture
def data_dir(tmp_path) -> Path:
    presets.install(["salesforce"], tmp_path)
    inbox = tmp_path / "inbox" / "opportunities"
    inbox.mkdir(parents=True)
    shutil.copy(OPPORTUNITIES, inbox / "any name.csv")
    return tmp_path


def test_check_shows_the_mapping_the_counts_and_mapped_rows_and_loads_nothing(data_dir, capsys):
    assert main(["mappings", "check", "--source", "opportunities", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "opportunities/any name.csv: mapping salesforce_opportunity.yml (by its header)" in out
    # Opportunity.csv: four rows, one of them deleted.
    assert "4 row(s) read: 3 would load, 0 rejected, 1 filtered" in out
    assert "closed_won" in out and "0065g00000A1xQ1AAJ" in out
    assert "0065g00000A1xQ4AAJ" not in out  # the deleted row
    assert "mappings/salesforce_opportunity_connector.yml: recognises no file" in out
    assert not (data_dir / "warehouse.duckdb").exists()


def test_a_column_an_expression_needs_is_named_and_fails_the_check(data_dir, capsys):
    path = data_dir / "inbox" / "opportunities" / "any name.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    # Drop the Probability column (a plain rename): the file still loads, the column is missing.
    header = lines[0].split(",")
    at = header.index('"Probability"')
    path.write_text("\n".join(",".join(v for i, v in enumerate(line.split(",")) if i != at)
                              for line in lines) + "\n", encoding="utf-8")
    result = check_mappings(data_dir / "inbox", data_dir / "mappings", ["opportunities"])
    [file_check] = result.files
    assert file_check.columns_missing == ["Probability"]
    assert file_check.rows_valid == 3
    assert not result.ok
    assert main(["mappings", "check", "--data-dir", str(data_dir)]) == 1
    assert "columns missing: Probability" in capsys.readouterr().out


def test_a_file_an_expression_cannot_read_is_unreadable(data_dir, capsys):
    path = data_dir / "inbox" / "opportunities" / "any name.csv"
    text = path.read_text(encoding="utf-8")  # the stage expression reads ForecastCategoryName
    path.write_text(text.replace('"ForecastCategoryName"', '"Forecast"'), encoding="utf-8")
    assert main(["mappings", "check", "--data-dir", str(data_dir)]) == 1
    out = capsys.readouterr().out
    assert "opportunities/any name.csv: mapping salesforce_opportunity.yml" in out
    assert "file could not be read" in out and "ForecastCategoryName" in out


def test_a_broken_mapping_holds_its_sources_files_and_fails_the_check(data_dir, capsys):
    (data_dir / "mappings" / "zz_broken.yml").write_text("source: opportunities\ncolumns: [oops\n")
    assert main(["mappings", "check", "--data-dir", str(data_dir)]) == 1
    out = capsys.readouterr().out
    assert "waits, not loaded, until mappings/zz_broken.yml is fixed" in out
    assert "mappings/zz_broken.yml, line" in out
