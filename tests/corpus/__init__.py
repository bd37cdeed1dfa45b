"""The malformed-input corpus (issue 14): small inbox files, each with what ingestion must
make of it. `tests/test_malformed_corpus.py` runs every case through ingestion,
`tests/test_malformed_corpus_nights.py` puts them into one data directory for two nightly runs,
and `python -m tests.corpus.report` prints the corpus as a table."""

from .cases_binary import ARCHIVE_CASES, NDJSON_CASES, PARQUET_CASES
from .cases_inbox import INBOX_CASES, KEY_CASES, MAPPING_CASES
from .cases_text import CSV_CASES, ENCODING_CASES, LINE_END_CASES
from .cases_values import NUMBER_CASES, ORDER_CASES, TIMESTAMP_CASES

CASES = [*TIMESTAMP_CASES, *NUMBER_CASES, *ORDER_CASES, *ENCODING_CASES, *LINE_END_CASES,
         *CSV_CASES, *ARCHIVE_CASES, *PARQUET_CASES, *NDJSON_CASES, *MAPPING_CASES,
         *INBOX_CASES, *KEY_CASES]
# The impossible values of issue 14, point 1: each followed by a clean night in the nights test.
IMPOSSIBLE_VALUE_CASES = ("num_nan_amount", "num_inf_amount", "num_minus_inf_amount",
                          "num_negative_amount", "ts_year_2099", "ts_year_0001",
                          "ts_two_digit_year", "order_close_before_creation",
                          "order_date_only_close")
