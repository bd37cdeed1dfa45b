"""Corpus cases about values: timestamps in many spellings, impossible dates, number formats,
and dates out of order. Line 1 of a CSV file is its header."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa

from .case import reject
from .files import AT, case, contact, csv, ndjson, opportunity, parquet, web

NOT_A_TIMESTAMP = ("iso 8601", "timestamp", "date")
NOT_A_NUMBER = ("not a number", "number")
NOT_FINITE = ("finite", "nan", "inf")
TOO_OLD = ("before", "floor", "year")
FUTURE = ("future",)
EMPTY = ("empty", "missing", "required")
BEFORE_CREATION = ("before", "created")
_NOW = datetime.now(UTC).replace(tzinfo=None)
SOON = (_NOW + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
IN_THREE_DAYS = (_NOW + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def opportunity_json(opportunity_id: str, amount: str) -> str:
    """An NDJSON line whose amount is written as given (JSON's NaN is no valid JSON)."""
    return (f'{{"opportunity_id": "{opportunity_id}", "contact_id": "c1", "created_at": "{AT}", '
            f'"stage": "proposal", "amount": {amount}}}')


TIMESTAMP_CASES = [
    # 'Z' and numeric offsets (with and without colon) are converted to naive UTC.
    case("ts_zone_suffixes", "web_visits", csv(
        "web_visits", web("e1", "2026-02-02T10:00:00Z"), web("e2", "2026-02-02T10:00:00+02:00"),
        web("e3", "2026-02-02T10:00:00-05:00"), web("e4", "2026-02-02T10:00:00+0530")),
        values={2: {"occurred_at": ts("2026-02-02T10:00")}, 3: {"occurred_at": ts("2026-02-02T08:00")},
                4: {"occurred_at": ts("2026-02-02T15:00")}, 5: {"occurred_at": ts("2026-02-02T04:30")}}),
    # An hour-only offset, as PostgreSQL exports write it ('2026-02-02 10:00:00+00').
    case("ts_hour_only_offset", "web_visits", csv(
        "web_visits", web("e1", "2026-02-02 10:00:00+00"), web("e2", "2026-02-02T10:00:00+02")),
        values={2: {"occurred_at": ts("2026-02-02T10:00")}, 3: {"occurred_at": ts("2026-02-02T08:00")}}),
    # Fractions of a second: milli, micro, nano (cut to microseconds), with a zone.
    case("ts_fractions", "web_visits", csv(
        "web_visits", web("e1", "2026-02-02T10:00:00.5"), web("e2", "2026-02-02T10:00:00.123456"),
        web("e3", "2026-02-02T10:00:00.123456789Z"), web("e4", "2026-02-02T10:00:00.250+01:00")),
        values={2: {"occurred_at": ts("2026-02-02T10:00:00.5")},
                3: {"occurred_at": ts("2026-02-02T10:00:00.123456")},
                4: {"occurred_at": ts("2026-02-02T10:00:00.123456")},
                5: {"occurred_at": ts("2026-02-02T09:00:00.25")}}),
    # A space instead of 'T', no seconds, a date alone (midnight UTC).
    case("ts_partial_spellings", "web_visits", csv(
        "web_visits", web("e1", "2026-02-02 10:00:00"), web("e2", "2026-02-02T10:00"),
        web("e3", "2026-02-02")),
        values={2: {"occurred_at": ts("2026-02-02T10:00")}, 3: {"occurred_at": ts("2026-02-02T10:00")},
                4: {"occurred_at": ts("2026-02-02T00:00")}}),
    # '26-01-02' is a two-digit year: ambiguous, never read as year 26.
    case("ts_two_digit_year", "web_visits", csv(
        "web_visits", web("e1"), web("e2", "26-01-02"), web("e3", "26-01-02T10:00:00")),
        rejected={3: reject("occurred_at", "two-digit", "ambiguous", "year"),
                  4: reject("occurred_at", "two-digit", "ambiguous", "year")}),
    # Year 0001 (a default date of some tools) is before the timestamp floor.
    case("ts_year_0001", "contacts", csv(
        "contacts", contact("c1"), contact("c2", "0001-01-01T00:00:00")),
        rejected={3: reject("created_at", *TOO_OLD)}),
    # 1970-01-01, an epoch of zero, is before the floor too.
    case("ts_epoch_zero_date", "web_visits", csv(
        "web_visits", web("e1"), web("e2", "1970-01-01T00:00:00Z")),
        rejected={3: reject("occurred_at", *TOO_OLD)}),
    # Year 2099: in the future beyond the tolerance.
    case("ts_year_2099", "contacts", csv(
        "contacts", contact("c1"), contact("c2", "2099-01-01T00:00:00")),
        rejected={3: reject("created_at", *FUTURE)}),
    # Two hours ahead is within the tolerance (clocks differ); three days ahead is not. The
    # nights leave it out: its date can be tomorrow's, which would make it depend on the hour.
    case("ts_future_tolerance", "web_visits", csv(
        "web_visits", web("e1", SOON), web("e2", IN_THREE_DAYS)),
        rejected={3: reject("occurred_at", *FUTURE)}, nightly=False),
    # Epoch numbers (seconds, milliseconds) in a timestamp column are not timestamps.
    case("ts_epoch_numbers", "web_visits", csv(
        "web_visits", web("e1"), web("e2", "1767225600"), web("e3", "1767225600000")),
        rejected={3: reject("occurred_at", *NOT_A_TIMESTAMP), 4: reject("occurred_at", *NOT_A_TIMESTAMP)}),
    # Dates that do not exist: 30 February, month 13, hour 24.
    case("ts_impossible_dates", "web_visits", csv(
        "web_visits", web("e1"), web("e2", "2026-02-30"), web("e3", "2026-13-01T00:00:00"),
        web("e4", "2026-02-02T24:30:00")),
        rejected={n: reject("occurred_at", *NOT_A_TIMESTAMP) for n in (3, 4, 5)}),
    # Day-first, slashed and spelled-out dates are not ISO 8601.
    case("ts_non_iso_spellings", "web_visits", csv(
        "web_visits", web("e1"), web("e2", "02/03/2026 10:00"), web("e3", "2026/02/02 10:00:00"),
        web("e4", "Feb 2 2026")),
        rejected={n: reject("occurred_at", *NOT_A_TIMESTAMP) for n in (3, 4, 5)}),
    # Empty and blank required timestamps are rejected; an empty optional one is null; padding is trimmed.
    case("ts_empty_and_blank", "contacts", csv(
        "contacts", contact("c1", updated=""), contact("c2", ""), contact("c3", '"   "'),
        contact("c4", f" {AT} ")),
        rejected={3: reject("created_at", *EMPTY), 4: reject("created_at", *EMPTY)},
        values={2: {"updated_at": None}, 5: {"created_at": ts(AT)}}),
    # A Parquet timestamp column in 2099 is checked like text: typed values pass the same door.
    case("ts_parquet_typed_future", "sales_interactions", parquet({
        "interaction_id": ["i1", "i2"], "contact_id": ["c1", "c1"],
        "occurred_at": pa.array([ts(AT), ts("2099-06-01T00:00")], pa.timestamp("us")),
        "interaction_type": ["call", "call"]}), ext="parquet",
        rejected={2: reject("occurred_at", *FUTURE)}),
    # A Parquet timestamp with a time zone is stored in UTC.
    case("ts_parquet_zoned", "web_visits", parquet({
        "event_id": ["e1"], "visitor_id": ["v1"], "event_type": ["page_view"], "page_url": ["/a"],
        "occurred_at": pa.array([ts("2026-02-02T10:00")], pa.timestamp("us", tz="UTC")).cast(
            pa.timestamp("us", tz="Europe/Paris"))}), ext="parquet",
        values={1: {"occurred_at": ts("2026-02-02T10:00")}}),
    # Epoch integers in a Parquet timestamp column are not timestamps.
    case("ts_parquet_epoch_ints", "web_visits", parquet({
        "event_id": ["e1"], "visitor_id": ["v1"], "event_type": ["page_view"], "page_url": ["/a"],
        "occurred_at": pa.array([1767225600], pa.int64())}), ext="parquet",
        rejected={1: reject("occurred_at", *NOT_A_TIMESTAMP)}),
    # A JSON number in a timestamp field is not a timestamp.
    case("ts_ndjson_number", "web_visits", ndjson(
        {"event_id": "e1", "visitor_id": "v1", "occurred_at": AT, "event_type": "page_view", "page_url": "/a"},
        {"event_id": "e2", "visitor_id": "v1", "occurred_at": 1767225600, "event_type": "page_view",
         "page_url": "/a"}), ext="ndjson",
        rejected={2: reject("occurred_at", *NOT_A_TIMESTAMP)}),
]

NUMBER_CASES = [
    # NaN in an amount, in both spellings.
    case("num_nan_amount", "opportunities", csv(
        "opportunities", opportunity("o1"), opportunity("o2", "NaN"), opportunity("o3", "nan")),
        rejected={3: reject("amount", *NOT_FINITE), 4: reject("amount", *NOT_FINITE)}),
    # Infinity in an amount.
    case("num_inf_amount", "opportunities", csv(
        "opportunities", opportunity("o1"), opportunity("o2", "inf"), opportunity("o3", "Infinity")),
        rejected={3: reject("amount", *NOT_FINITE), 4: reject("amount", *NOT_FINITE)}),
    # Minus infinity in an amount.
    case("num_minus_inf_amount", "opportunities", csv(
        "opportunities", opportunity("o1"), opportunity("o2", "-inf")),
        rejected={3: reject("amount", *NOT_FINITE)}),
    # A negative amount.
    case("num_negative_amount", "opportunities", csv(
        "opportunities", opportunity("o1", "0"), opportunity("o2", "-250")),
        rejected={3: reject("amount", "negative", "below", "less than")}),
    # Thousands separators, English and European, are not numbers the door guesses at.
    case("num_thousands_separators", "opportunities", csv(
        "opportunities", opportunity("o1"), opportunity("o2", '"1,234.5"'), opportunity("o3", '"1.234,5"')),
        rejected={3: reject("amount", *NOT_A_NUMBER), 4: reject("amount", *NOT_A_NUMBER)}),
    # Exponents and padding are numbers.
    case("num_exponent_and_padding", "opportunities", csv(
        "opportunities", opportunity("o1", "1e3"), opportunity("o2", "2.5E-1"), opportunity("o3", " 12.50 ")),
        values={2: {"amount": 1000.0}, 3: {"amount": 0.25}, 4: {"amount": 12.5}}),
    # Currency symbols, codes and percent signs make a value not a number.
    case("num_currency_text", "opportunities", csv(
        "opportunities", opportunity("o1"), opportunity("o2", "$100"), opportunity("o3", "100 EUR"),
        opportunity("o4", "12%")),
        rejected={n: reject("amount", *NOT_A_NUMBER) for n in (3, 4, 5)}),
    # NaN in another number column (seconds on a page).
    case("num_nan_seconds", "web_visits", csv(
        "web_visits", web("e1", seconds="12"), web("e2", seconds="NaN")),
        rejected={3: reject("time_on_page_s", *NOT_FINITE)}),
    # Typed Parquet doubles: NaN, infinity and a negative amount pass the same door as text.
    case("num_parquet_typed", "opportunities", parquet({
        "opportunity_id": ["o1", "o2", "o3", "o4"], "contact_id": ["c1"] * 4,
        "created_at": [AT] * 4, "stage": ["proposal"] * 4,
        "amount": pa.array([10.0, float("nan"), float("inf"), -5.0], pa.float64())}), ext="parquet",
        rejected={2: reject("amount", *NOT_FINITE), 3: reject("amount", *NOT_FINITE),
                  4: reject("amount", "negative", "below", "less than")}),
    # JSON's non-standard NaN literal and a negative number.
    case("num_ndjson_nan_literal", "opportunities", ndjson(
        opportunity_json("o1", "5"), opportunity_json("o2", "NaN"), opportunity_json("o3", "-1")),
        ext="ndjson", rejected={2: reject("amount", *NOT_FINITE),
                                3: reject("amount", "negative", "below", "less than")}),
]

ORDER_CASES = [
    # An opportunity closed before it was created.
    case("order_close_before_creation", "opportunities", csv(
        "opportunities", opportunity("o1", closed="2026-02-05T00:00:00"),
        opportunity("o2", created="2026-02-03T12:00:00", closed="2026-02-01T09:00:00")),
        rejected={3: reject("closed_at", *BEFORE_CREATION)}),
    # A date-only close on the day of a timestamped creation is valid (compared as dates);
    # the day before is not.
    case("order_date_only_close", "opportunities", csv(
        "opportunities", opportunity("o1", created="2026-02-03T15:30:00", closed="2026-02-03"),
        opportunity("o2", created="2026-02-03T15:30:00", closed="2026-02-02")),
        rejected={3: reject("closed_at", *BEFORE_CREATION)},
        values={2: {"closed_at": ts("2026-02-03T00:00")}}),
    # The same with Parquet types: a date32 close on the creation day.
    case("order_parquet_date_close", "opportunities", parquet({
        "opportunity_id": ["o1"], "contact_id": ["c1"], "stage": ["closed_won"], "amount": [10.0],
        "created_at": pa.array([ts("2026-02-03T15:30")], pa.timestamp("us")),
        "closed_at": pa.array([ts("2026-02-03").date()], pa.date32())}), ext="parquet",
        values={1: {"closed_at": ts("2026-02-03T00:00")}}),
    # A contact updated before it was created.
    case("order_update_before_creation", "contacts", csv(
        "contacts", contact("c1", updated="2026-02-03T00:00:00"),
        contact("c2", created="2026-02-03T00:00:00", updated="2026-02-01T00:00:00")),
        rejected={3: reject("updated_at", *BEFORE_CREATION)}),
]
