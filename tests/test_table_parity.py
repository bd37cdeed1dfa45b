"""The row-for-row comparison behind the Spark parity test (tests/table_parity.py) finds what
it must: a value beyond the tolerance, a changed string or null, a missing row; and it ignores
row order and float noise within 1e-9 relative."""

import polars as pl
from table_parity import table_differences

TABLE = pl.DataFrame({
    "key": ["a", "b", None],
    "count": [1, 2, 3],
    "rate": [0.25, 2.0, None],
})


def test_equal_tables_in_another_order_and_within_tolerance():
    assert table_differences("t", TABLE, TABLE.reverse()) == []
    noisy = TABLE.with_columns(pl.col("rate") * (1 + 1e-12))
    assert table_differences("t", TABLE, noisy) == []


def test_other_integer_width_is_compared_by_value():
    assert table_differences("t", TABLE, TABLE.with_columns(pl.col("count").cast(pl.Int32))) == []


def test_a_double_beyond_the_tolerance():
    problems = table_differences("t", TABLE, TABLE.with_columns(pl.col("rate") * (1 + 1e-6)))
    assert len(problems) == 1 and problems[0].startswith("t.rate: 2 of 3 sorted rows differ")


def test_a_null_where_a_value_was():
    problems = table_differences("t", TABLE, TABLE.with_columns(pl.col("key").fill_null("c")))
    assert len(problems) == 1 and problems[0].startswith("t.key: 1 of 3")


def test_a_missing_row_or_column():
    assert table_differences("t", TABLE, TABLE.head(2)) == ["t: 3 rows left, 2 rows right"]
    assert "only left ['rate']" in table_differences("t", TABLE, TABLE.drop("rate"))[0]
