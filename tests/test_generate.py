"""The sample data generator: reproducible files, the input contract, and a believable funnel.

Most tests read the default sample (30 days, scale 1) back from disk, as ingestion would, and
check properties of the data rather than of the code that made it.
"""

from __future__ import annotations

import gzip
import io
import json
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import polars as pl
import pytest
import yaml

from pipelines.contract import CONTACTS, NUMBER, OPPORTUNITY_STAGES, SOURCES, TIMESTAMP
from pipelines.generate import generate_sample
from pipelines.generate.hubspot import COLUMNS as HUBSPOT_COLUMNS
from pipelines.generate.hubspot import MAPPING_TEXT
from pipelines.generate.simulation import GENERATED_SOURCES
from pipelines.generate.writers import FORMATS, file_format
from pipelines.limits import FORECAST_TIMESTAMPS

START = date(2026, 1, 1)
DAYS = 30
SITE = "https://www.acme-analytics.example"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$"
HUBSPOT_STAGES = {"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead",
                  "opportunity", "customer"}


# ---------------------------------------------------------------- reading files back


def _decompressed(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def read_batch(path: Path) -> pl.DataFrame:
    """A batch file as text columns, timestamps of Parquet files spelled ISO 8601 in UTC."""
    data = _decompressed(path)
    if path.name.endswith(".parquet"):
        frame = pl.read_parquet(io.BytesIO(data))
        return frame.with_columns(
            pl.col(pl.Datetime).dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        ).with_columns(pl.all().cast(pl.String))
    if ".csv" in path.name:
        return pl.read_csv(io.BytesIO(data), infer_schema=False)
    records = [json.loads(line) for line in data.splitlines() if line.strip()]
    columns = list(dict.fromkeys(k for r in records for k in r))
    return pl.DataFrame(
        {c: [None if r.get(c) is None else str(r[c]) for r in records] for c in columns},
        schema={c: pl.String for c in columns},
    )


def utc(column: str) -> pl.Expr:
    """A text timestamp (naive = UTC, 'Z', or an offset) as a UTC datetime; null if invalid."""
    text = pl.col(column).str.replace(" ", "T").str.replace("Z$", "+00:00")
    text = pl.when(text.str.contains(r"[+-]\d\d:\d\d$")).then(text).otherwise(text + "+00:00")
    return text.str.to_datetime("%Y-%m-%dT%H:%M:%S%:z", strict=False, time_zone="UTC")


def load(inbox: Path, source: str) -> pl.DataFrame:
    """Every row of a source (HubSpot exports renamed back to the contract), with its file's
    date and format; timestamp columns parsed into `<column>_utc`."""
    parts = []
    for path in sorted((inbox / source).iterdir()):
        frame = read_batch(path)
        if path.name.startswith("crm_export_"):
            frame = frame.rename({h: c for c, h in HUBSPOT_COLUMNS.items()}).with_columns(
                pl.col("lifecycle_stage").replace(
                    {"marketingqualifiedlead": "mql", "salesqualifiedlead": "sql"}))
        file_date = date.fromisoformat(path.name.split("_")[-1][:10])
        parts.append(frame.with_columns(_file=pl.lit(path.name), _file_date=pl.lit(file_date)))
    frame = pl.concat(parts, how="diagonal_relaxed")
    timestamps = [c for c, kind in SOURCES[source].columns.items() if kind == TIMESTAMP]
    return frame.with_columns(utc(c).alias(f"{c}_utc") for c in timestamps)


def valid_rows(frame: pl.DataFrame, source: str) -> pl.DataFrame:
    """Rows with a key and parseable required timestamps, each distinct row once."""
    contract = SOURCES[source]
    required_times = [c for c, k in contract.required.items() if k == TIMESTAMP]
    ok = pl.col(contract.key).is_not_null() & pl.all_horizontal(
        pl.col(f"{c}_utc").is_not_null() for c in required_times)
    numbers = [c for c, k in contract.columns.items() if k == NUMBER]
    ok = ok & pl.all_horizontal(
        pl.col(c).is_null() | pl.col(c).cast(pl.Float64, strict=False).is_not_null()
        for c in numbers) if numbers else ok
    columns = [f"{c}_utc" if k == TIMESTAMP else c for c, k in contract.columns.items()]
    return frame.filter(ok).unique(subset=columns, keep="first", maintain_order=True)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The default sample, as `funnel generate` writes it: returns the inbox."""
    inbox = tmp_path_factory.mktemp("sample") / "inbox"
    counts = generate_sample(inbox)
    assert set(counts) == set(GENERATED_SOURCES)
    return inbox


@pytest.fixture(scope="module")
def web(sample) -> pl.DataFrame:
    return load(sample, "web_visits")


@pytest.fixture(scope="module")
def contacts(sample) -> pl.DataFrame:
    return load(sample, "contacts")


@pytest.fixture(scope="module")
def deals(sample) -> pl.DataFrame:
    return load(sample, "opportunities")


@pytest.fixture(scope="module")
def touches(sample) -> pl.DataFrame:
    return load(sample, "sales_interactions")


@pytest.fixture(scope="module")
def events(web) -> pl.DataFrame:
    """Valid web events once each, in time order per visitor, with the gap to the visitor's
    previous event and whether the event lands on the site (an outside or no referrer)."""
    return (
        valid_rows(web, "web_visits").unique("event_id", keep="first", maintain_order=True)
        .sort("visitor_id", "occurred_at_utc", "event_id")
        .with_columns(
            gap_s=(pl.col("occurred_at_utc") - pl.col("occurred_at_utc").shift(1))
            .dt.total_seconds().over("visitor_id"),
            previous_at=pl.col("occurred_at_utc").shift(1).over("visitor_id"),
            lands=pl.col("referrer_url").is_null()
            | ~pl.col("referrer_url").str.starts_with(SITE),
        )
    )


@pytest.fixture(scope="module")
def latest_contacts(contacts) -> pl.DataFrame:
    return (valid_rows(contacts, "contacts").sort("updated_at_utc")
            .group_by("contact_id").last())


def files_of(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- reproducible output


def test_same_arguments_give_identical_bytes_and_another_seed_other_data(tmp_path):
    arguments = {"days": 8, "scale": 0.2, "start": date(2026, 3, 1)}
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        generate_sample(tmp_path / name / "inbox", seed=seed, **arguments)
    first, again, other = (files_of(tmp_path / n) for n in "abc")
    assert len(first) == 8 * 4 + 1  # four sources a day, and the mapping
    assert first == again
    assert first.keys() == other.keys()
    same = [k for k in first if "inbox" in k and first[k] == other[k]]
    assert all(read_batch(tmp_path / "a" / k).height == 0 for k in same)  # only empty batches


def test_more_days_leave_the_earlier_days_files_unchanged(tmp_path):
    generate_sample(tmp_path / "short" / "inbox", days=7, seed=3, scale=0.2)
    generate_sample(tmp_path / "long" / "inbox", days=8, seed=3, scale=0.2)
    short, long = files_of(tmp_path / "short"), files_of(tmp_path / "long")
    assert short.keys() < long.keys()
    assert all(long[k] == short[k] for k in short)


def test_gzip_headers_carry_no_time_and_no_file_name(sample):
    for path in sample.rglob("*.gz"):
        header = path.read_bytes()[:10]
        assert header[:2] == b"\x1f\x8b"
        assert header[3] & 0x08 == 0, f"{path.name}: file name in gzip header"
        assert header[4:8] == b"\0\0\0\0", f"{path.name}: time stamp in gzip header"


def test_rows_written_are_reported_per_source(tmp_path):
    messages = []
    counts = generate_sample(tmp_path / "inbox", days=2, scale=0.2, progress=messages.append)
    assert len(messages) == 2 and messages[0].startswith("2026-01-01")
    for name, rows in counts.items():
        on_disk = sum(read_batch(p).height for p in (tmp_path / "inbox" / name).iterdir())
        assert rows == on_disk
    assert counts["web_visits"] > 0 and counts["contacts"] > 0


@pytest.mark.parametrize("arguments", [{"days": 0}, {"scale": 0}, {"seed": -1}])
def test_impossible_arguments_are_refused_before_writing(tmp_path, arguments):
    with pytest.raises(ValueError, match=next(iter(arguments))):
        generate_sample(tmp_path / "inbox", **arguments)
    assert not (tmp_path / "inbox").exists()


# ---------------------------------------------------------------- layout and contract


def test_default_sample_has_a_daily_file_per_source_in_every_format(sample):
    names = sorted(p.name for p in sample.rglob("*") if p.is_file())
    assert len(names) == DAYS * 4
    formats = {n.split(".", 1)[1] for n in names}
    assert formats == set(FORMATS) == {"csv", "csv.gz", "parquet", "ndjson", "ndjson.gz"}
    for source in GENERATED_SOURCES:
        dates = {n.split("_")[-1][:10] for n in names if (sample / source / n).exists()}
        assert dates == {str(START + timedelta(days=d)) for d in range(DAYS)}


def test_every_format_appears_within_any_seven_days():
    for first_day in range(60):
        seen = {file_format(d, s) for d in range(first_day, first_day + 7) for s in GENERATED_SOURCES}
        assert seen == set(FORMATS)


def test_every_batch_file_has_exactly_the_contract_columns(sample):
    for source, contract in ((n, SOURCES[n]) for n in GENERATED_SOURCES):
        for path in (sample / source).iterdir():
            if path.name.startswith("crm_export_"):
                continue
            data = _decompressed(path)
            if path.name.endswith(".parquet"):
                columns = [pl.read_parquet_schema(io.BytesIO(data))]
            elif ".csv" in path.name:
                columns = [data.split(b"\n", 1)[0].decode().split(",")]
            else:  # every NDJSON record has every column, bar a malformed one without key
                columns = [list(json.loads(line)) for line in data.splitlines()]
            for names in columns:
                assert set(names) | {contract.key} == set(contract.columns), path.name


def test_parquet_files_are_typed_and_clean(sample):
    for source, contract in ((n, SOURCES[n]) for n in GENERATED_SOURCES):
        for path in (sample / source).glob("*.parquet"):
            frame = pl.read_parquet(path)
            for name, kind in contract.columns.items():
                expected = {TIMESTAMP: pl.Datetime("us", "UTC"), NUMBER: pl.Float64}
                assert frame.schema[name] == expected.get(kind, pl.String), (path.name, name)
            for name in contract.required:
                assert frame[name].null_count() == 0, (path.name, name)


# ---------------------------------------------------------------- the HubSpot export


def test_hubspot_export_every_seventh_day_with_its_mapping(sample, contacts):
    exports = sorted(p.name for p in (sample / "contacts").glob("crm_export_*.csv"))
    assert exports == [f"crm_export_{START + timedelta(days=d)}.csv" for d in (6, 13, 20, 27)]

    mapping_path = sample.parent / "mappings" / "hubspot_contacts.yml"
    assert mapping_path.read_text() == MAPPING_TEXT
    mapping = yaml.safe_load(MAPPING_TEXT)
    assert mapping["source"] == "contacts"
    assert all(Path(e).match(mapping["files"]) for e in exports)
    assert set(mapping["columns"]) <= set(CONTACTS.columns)

    export = read_batch(sample / "contacts" / exports[-1])
    assert set(mapping["columns"].values()) < set(export.columns)
    assert "Associated Deals" in export.columns
    assert "contact_id" not in export.columns
    assert set(export["Lifecycle Stage"].drop_nulls()) <= HUBSPOT_STAGES
    assert export["Lifecycle Stage"].is_in(["marketingqualifiedlead", "salesqualifiedlead"]).any()
    created = export["Create Date"].str.to_datetime(mapping["timestamp_format"], strict=False)
    assert created.null_count() <= 3  # only the few deliberately broken rows
    exported = contacts.filter(pl.col("_file").str.starts_with("crm_export_"))
    assert exported["updated_at_utc"].null_count() == 0


def test_the_ingestion_loads_the_mapping_as_written(sample):
    from pipelines.ingestion.mapping import load_mapping

    mapping = load_mapping(sample.parent / "mappings" / "hubspot_contacts.yml")
    assert mapping.columns == HUBSPOT_COLUMNS
    assert mapping.matches("contacts", "crm_export_2026-01-07.csv")


# ---------------------------------------------------------------- web traffic


def _channel_patterns() -> dict[str, pl.Expr]:
    source = pl.col("utm_source").str.to_lowercase()
    medium = pl.col("utm_medium").str.to_lowercase()
    host = pl.col("referrer_url").str.extract(r"^https?://([^/]+)")
    no_utm = pl.col("utm_source").is_null() & pl.col("utm_medium").is_null()
    search = host.is_in(["www.google.com", "www.bing.com", "duckduckgo.com", "search.yahoo.com",
                         "www.ecosia.org"])
    social = host.is_in(["www.linkedin.com", "t.co", "www.facebook.com", "www.reddit.com"])
    return {
        "paid_search": medium.is_in(["cpc", "ppc"]) & source.is_in(["google", "bing"]),
        "paid_social": (medium == "paid_social")
        | ((medium == "cpc") & source.is_in(["linkedin", "facebook"])),
        "email": (medium == "email") & source.is_in(["newsletter", "hubspot"]),
        "organic_search": no_utm & search,
        "organic_social": (no_utm & social) | (medium == "social"),
        "referral": no_utm & host.is_not_null() & ~search & ~social,
        "events": medium.is_in(["event", "webinar"]),
        "direct": no_utm & pl.col("referrer_url").is_null(),
        "other": medium.is_in(["print", "qr", "podcast", "sms"]),
    }


def test_visits_arrive_through_every_channel(events):
    landings = events.filter("lands")
    shares = {name: landings.filter(rule).height / landings.height
              for name, rule in _channel_patterns().items()}
    assert all(share >= 0.01 for share in shares.values()), shares
    assert shares["organic_search"] > shares["events"]
    assert 0.98 <= sum(shares.values()) <= 1.0 + 1e-9  # the patterns cover every landing


def test_volume_and_event_mix(sample, web, events):
    per_day = events.group_by(pl.col("occurred_at_utc").dt.date()).agg(
        pl.len().alias("events"), pl.col("visitor_id").n_unique().alias("visitors"))
    assert 54_000 <= web.height <= 66_000
    assert 1_600 <= per_day["events"].median() <= 2_400
    assert 240 <= per_day["visitors"].median() <= 380
    types = events["event_type"].value_counts(normalize=True)
    share = dict(zip(types["event_type"], types["proportion"], strict=True))
    assert share["page_view"] > 0.8
    assert set(share) == set(SOURCES["web_visits"].known_values["event_type"])
    assert events["page_url"].str.starts_with(SITE + "/").all()
    assert events.filter(pl.col("event_type") == "pricing_view")["page_url"].str.ends_with(
        "/pricing").all()
    assert events["time_on_page_s"].drop_nulls().cast(pl.Float64).min() > 0
    assert set(events["device"]) == {"desktop", "mobile", "tablet"}


def test_scale_multiplies_every_volume(tmp_path):
    small = generate_sample(tmp_path / "small" / "inbox", days=4, scale=1.0, seed=9)
    large = generate_sample(tmp_path / "large" / "inbox", days=4, scale=3.0, seed=9)
    assert 2.6 <= large["web_visits"] / small["web_visits"] <= 3.4
    assert 2.2 <= large["contacts"] / small["contacts"] <= 3.8


def test_sessions_have_the_edge_cases_of_real_traffic(events):
    within = pl.col("gap_s") < 1800
    landing_with_campaign = pl.col("lands") & pl.col("utm_campaign").is_not_null()
    crosses_midnight = (~pl.col("lands") & within
                        & (pl.col("previous_at").dt.date() < pl.col("occurred_at_utc").dt.date()))
    cases = {
        "session continues past midnight": crosses_midnight,
        "new campaign within 30 minutes": landing_with_campaign & within,
        "next session exactly 30:00 later": pl.col("lands") & (pl.col("gap_s") == 1800),
        "next session later the same day": pl.col("lands") & (pl.col("gap_s") > 1800)
        & (pl.col("gap_s") < 86_400),
        "pause of 15 to 29:59 minutes inside a session": ~pl.col("lands")
        & (pl.col("gap_s") >= 900) & within,
    }
    for name, condition in cases.items():
        assert events.filter(condition).height > 0, name


def test_visitors_return_on_other_days_through_other_channels(events):
    patterns = _channel_patterns()
    channel = pl.lit(None, dtype=pl.String)
    for name, rule in reversed(patterns.items()):
        channel = pl.when(rule).then(pl.lit(name)).otherwise(channel)
    returning = (
        events.filter("lands").with_columns(channel=channel)
        .group_by("visitor_id")
        .agg(pl.col("occurred_at_utc").dt.date().n_unique().alias("days"),
             pl.col("channel").n_unique().alias("channels"))
        .filter((pl.col("days") > 1) & (pl.col("channels") > 1))
    )
    assert returning.height > 100


# ---------------------------------------------------------------- web and CRM together


def test_sign_ups_carry_identity_and_precede_the_contact(events, contacts):
    forms = events.filter(pl.col("event_type").is_in(["form_submit", "demo_request"]))
    assert forms.height > 300
    assert (forms["contact_id"].is_not_null() | forms["email"].is_not_null()).all()
    assert forms["contact_id"].is_null().any() and forms["email"].is_null().any()
    typed = forms["email"].drop_nulls()
    assert (typed != typed.str.strip_chars()).any()
    assert (typed != typed.str.to_lowercase()).any()

    created = valid_rows(contacts, "contacts").group_by("contact_id").agg(
        pl.col("created_at_utc").min(), pl.col("email").first())
    signed = forms.filter(pl.col("contact_id").is_not_null()).join(
        created, on="contact_id", suffix="_contact")
    delay = (signed["created_at_utc"] - signed["occurred_at_utc"]).dt.total_seconds()
    assert signed.height > 200
    assert delay.min() >= 5 and delay.max() <= 15 * 60
    by_email = forms.with_columns(key=pl.col("email").str.strip_chars().str.to_lowercase()).join(
        created.with_columns(key=pl.col("email").str.to_lowercase()), on="key")
    assert by_email.height > 200


def test_some_sign_ups_have_an_anonymous_past_and_some_contacts_visit_only_later(
        events, contacts):
    forms = events.filter(pl.col("event_type").is_in(["form_submit", "demo_request"]))
    first_seen = events.group_by("visitor_id").agg(pl.col("occurred_at_utc").min().alias("first"))
    with_past = forms.join(first_seen, on="visitor_id").filter(
        pl.col("first").dt.date() < pl.col("occurred_at_utc").dt.date())
    assert with_past.height > 50

    created = valid_rows(contacts, "contacts").group_by("contact_id").agg(
        pl.col("created_at_utc").min())
    identified_later = (
        events.filter(pl.col("contact_id").is_not_null()
                      & ~pl.col("event_type").is_in(["form_submit", "demo_request"]))
        .join(first_seen, on="visitor_id").join(created, on="contact_id")
        .filter(pl.col("first") > pl.col("created_at_utc"))
    )
    assert identified_later["contact_id"].n_unique() > 10


def test_sales_created_contacts_have_an_owner_and_no_web_history(events, contacts,
                                                                 latest_contacts):
    rows = valid_rows(contacts, "contacts")
    first_versions = rows.sort("updated_at_utc").group_by("contact_id").first()
    on_web = set(events["contact_id"].drop_nulls()) | set(
        events["email"].drop_nulls().str.strip_chars().str.to_lowercase())
    offline = first_versions.filter(
        pl.col("owner_id").is_not_null() & ~pl.col("contact_id").is_in(list(on_web))
        & ~pl.col("email").str.to_lowercase().is_in(list(on_web)))
    share = offline.height / latest_contacts.height
    assert 0.12 <= share <= 0.28, share
    assert offline["original_source"].is_in(["OFFLINE"]).any()
    assert offline["original_source"].is_null().any()
    assert (offline["original_source"].is_null() | (offline["original_source"] == "OFFLINE")).all()


def test_about_fifteen_percent_of_contacts_are_incomplete(latest_contacts):
    email_ok = latest_contacts["email"].str.strip_chars().str.to_lowercase().str.contains(
        EMAIL_PATTERN).fill_null(False)
    fields = ["first_name", "last_name", "company", "job_title", "country", "phone"]
    filled = pl.all_horizontal(pl.col(f).is_not_null() & (pl.col(f) != "") for f in fields)
    complete = latest_contacts.select(filled).to_series() & email_ok
    incomplete_share = 1 - complete.mean()
    assert 0.10 <= incomplete_share <= 0.20, incomplete_share
    assert (~email_ok).any()  # malformed emails are among the gaps
    assert latest_contacts["phone"].is_null().any()


def test_contacts_progress_through_later_versions(contacts):
    rows = valid_rows(contacts, "contacts")
    stage_rank = pl.col("lifecycle_stage").replace_strict(
        {s: i for i, s in enumerate(["subscriber", "lead", "mql", "sql", "opportunity",
                                     "customer"])}, return_dtype=pl.Int64)
    versions = rows.sort("updated_at_utc").group_by("contact_id", maintain_order=True).agg(
        stage_rank.alias("ranks"), pl.len().alias("versions"),
        pl.col("updated_at_utc").n_unique().alias("times"))
    assert versions.filter(pl.col("versions") >= 3).height > 50
    assert versions.filter(pl.col("times") > 1).height > 200
    assert all(r == sorted(r) for r in versions["ranks"].to_list())
    for stage in ("lead", "mql", "sql"):
        stamped = rows.filter(pl.col(f"became_{stage}_at_utc").is_not_null())
        assert stamped.height > 0
        assert (stamped[f"became_{stage}_at_utc"] <= stamped["updated_at_utc"]).all()
    assert (rows["created_at_utc"] <= rows["updated_at_utc"]).all()
    assert rows["lifecycle_stage"].is_in(["customer"]).any()


def test_a_few_contacts_share_an_email_under_two_ids(latest_contacts):
    shared = (latest_contacts.with_columns(key=pl.col("email").str.to_lowercase())
              .group_by("key").agg(pl.col("contact_id").n_unique().alias("ids"))
              .filter(pl.col("ids") > 1))
    assert 1 <= shared.height <= 0.03 * latest_contacts.height


# ---------------------------------------------------------------- deals and sales touches


def test_contacts_and_deals_in_proportion_to_traffic(latest_contacts, deals):
    per_day = latest_contacts.group_by(pl.col("created_at_utc").dt.date()).len()["len"]
    assert 18 <= per_day.median() <= 32
    opened = (valid_rows(deals, "opportunities").group_by("opportunity_id")
              .agg(pl.col("created_at_utc").min())
              .filter(pl.col("created_at_utc").dt.date() >= date(2026, 1, 16)))
    assert 1.5 <= opened.height / 15 <= 6


def test_opportunities_move_through_stages_and_close(deals, latest_contacts):
    rows = valid_rows(deals, "opportunities").sort("updated_at_utc")
    order = {s: i for i, s in enumerate(OPPORTUNITY_STAGES)}
    paths = rows.group_by("opportunity_id", maintain_order=True).agg(
        pl.col("stage").unique(maintain_order=True))
    for stages in paths["stage"]:
        ranks = [min(order[s], 4) for s in stages]
        assert ranks == sorted(ranks) and stages[0] == "prospecting", stages
    assert paths.filter(pl.col("stage").list.len() >= 4).height > 5

    closed = rows.filter(pl.col("stage").str.starts_with("closed_"))
    assert closed["closed_at_utc"].null_count() == 0
    assert rows.filter(~pl.col("stage").str.starts_with("closed_"))["closed_at"].null_count() \
        == rows.filter(~pl.col("stage").str.starts_with("closed_")).height
    assert (closed.filter(pl.col("stage") == "closed_lost")["lost_reason"].null_count() == 0)
    assert closed.filter(pl.col("stage") == "closed_won")["lost_reason"].null_count() == \
        closed.filter(pl.col("stage") == "closed_won").height

    amounts = rows.with_columns(pl.col("amount").cast(pl.Float64)).group_by("segment").agg(
        pl.col("amount").median())
    median = dict(zip(amounts["segment"], amounts["amount"], strict=True))
    assert median["enterprise"] > median["mid_market"] > median["smb"] > 0
    assert set(rows["currency"]) >= {"USD", "EUR"}

    unknown = set(rows["contact_id"]) - set(latest_contacts["contact_id"])
    assert 1 <= len(unknown) <= 0.2 * rows["opportunity_id"].n_unique()


def test_deals_carry_forecasts_whose_close_dates_slip(deals):
    rows = valid_rows(deals, "opportunities").sort("updated_at_utc")
    by_stage = rows.group_by("stage").agg(pl.col("probability").cast(pl.Float64).unique(),
                                          pl.col("forecast_category").unique())
    probability = {s: p.to_list() for s, p in zip(by_stage["stage"], by_stage["probability"],
                                                  strict=True)}
    assert probability["prospecting"] == [0.1] and probability["negotiation"] == [0.75]
    assert probability["closed_won"] == [1.0] and probability["closed_lost"] == [0.0]
    ranks = [probability[s][0] for s in OPPORTUNITY_STAGES if s != "closed_lost"]
    assert ranks == sorted(ranks)
    assert set(rows["forecast_category"]) == {"pipeline", "best_case", "commit", "closed",
                                              "omitted"}
    assert set(rows["pipeline"]) == {"new_business", "expansion"}

    open_rows = rows.filter(~pl.col("stage").str.starts_with("closed_"))
    expected = open_rows["expected_close_at_utc"].drop_nulls()
    assert (expected.dt.time() == time(0)).all()  # a date, as CRMs keep it
    assert (expected.dt.date() >= open_rows.filter(
        pl.col("expected_close_at_utc").is_not_null())["updated_at_utc"].dt.date()).all()
    dates = open_rows.group_by("opportunity_id").agg(
        pl.col("expected_close_at_utc").drop_nulls().unique().sort().alias("dates"))
    slipped = dates.filter(pl.col("dates").list.len() >= 2)
    pushed_twice = dates.filter(pl.col("dates").list.len() >= 3)
    out_of_month = dates.filter(pl.col("dates").list.eval(
        pl.element().dt.month_start()).list.n_unique() >= 2)
    assert slipped.height >= 0.1 * dates.height and pushed_twice.height >= 3, dates
    assert out_of_month.height >= 2
    # A date only moves later: each deal's dates in version order are already sorted.
    in_order = open_rows.group_by("opportunity_id", maintain_order=True).agg(
        pl.col("expected_close_at_utc").drop_nulls())
    assert all(d.to_list() == sorted(d.to_list()) for d in in_order["expected_close_at_utc"])
    # A push is a version of its own: the stage does not change.
    assert rows.group_by("opportunity_id").agg(pl.col("stage").n_unique() < pl.len()
                                               ).get_column("stage").any()


def test_mqls_are_followed_up_or_ignored(latest_contacts, touches):
    cutoff = datetime(2026, 1, 10, tzinfo=UTC)
    mqls = latest_contacts.filter(pl.col("became_mql_at_utc") < cutoff)
    outbound = valid_rows(touches, "sales_interactions").filter(
        pl.col("interaction_type").is_in(["email_sent", "call", "meeting"]))
    first_touch = mqls.join(outbound, on="contact_id", how="left").filter(
        pl.col("occurred_at_utc").is_null() | (pl.col("occurred_at_utc")
                                               >= pl.col("became_mql_at_utc"))
    ).group_by("contact_id").agg(
        ((pl.col("occurred_at_utc").min() - pl.col("became_mql_at_utc").first())
         .dt.total_hours()).alias("hours"))
    touched = first_touch["hours"].drop_nulls()
    assert mqls.height > 40
    assert 0.6 <= touched.len() / first_touch.height <= 0.9
    assert (touched < 24).any() and (touched > 24).any()


def test_sales_interactions_follow_the_sales_motion(touches, latest_contacts):
    rows = valid_rows(touches, "sales_interactions")
    assert set(rows["interaction_type"]) == set(
        SOURCES["sales_interactions"].known_values["interaction_type"])
    inbound = rows["interaction_type"].is_in(
        ["email_opened", "email_clicked", "email_replied", "document_viewed", "document_clicked"])
    assert (rows.filter(inbound)["direction"] == "inbound").all()
    assert (rows.filter(~inbound)["direction"] == "outbound").all()
    documents = rows.filter(pl.col("interaction_type").str.starts_with("document_"))
    assert documents["content_id"].null_count() == 0 and documents["content_id"].n_unique() >= 4
    proposals = rows.filter(pl.col("interaction_type") == "proposal_sent")
    assert proposals.height > 0 and proposals["opportunity_id"].null_count() == 0

    sends = rows.filter(pl.col("interaction_type") == "email_sent").group_by("contact_id").agg(
        pl.col("occurred_at_utc").min().alias("first_send"))
    opens = rows.filter(pl.col("interaction_type") == "email_opened").join(sends, on="contact_id")
    assert (opens["occurred_at_utc"] > opens["first_send"]).all()
    unknown = rows.filter(~pl.col("contact_id").is_in(latest_contacts["contact_id"].implode()))
    assert 1 <= unknown.height <= 0.05 * rows.height

    late_days = rows.filter(pl.col("occurred_at_utc").dt.date() >= date(2026, 1, 20))
    per_day = late_days.height / 11
    assert 90 <= per_day <= 220, per_day


# ---------------------------------------------------------------- imperfections


def test_timestamps_are_spelled_in_several_ways_for_the_same_instants(sample):
    text = b"".join(_decompressed(p) for p in (sample / "web_visits").iterdir()
                    if not p.name.endswith(".parquet"))
    for spelling in (rb"T\d\d:\d\d:\d\dZ", rb"T\d\d:\d\d:\d\d\+02:00", rb"T\d\d:\d\d:\d\d-05:00",
                     rb"\d \d\d:\d\d:\d\d[,\"]", rb"T\d\d:\d\d:\d\d[,\"]"):
        assert re.search(spelling, text), spelling


def test_rows_are_duplicated_resent_and_late(web):
    with_time = web.filter(pl.col("event_id").is_not_null())
    doubled = with_time.group_by("_file", "event_id").len().filter(pl.col("len") > 1)
    assert doubled["_file"].n_unique() == DAYS  # every web file has a row twice

    per_event = with_time.group_by("event_id").agg(
        pl.col("_file_date").n_unique().alias("files"), pl.col("_file_date").min(),
        pl.col("occurred_at_utc").min())
    resent = per_event.filter(pl.col("files") > 1)
    assert resent.height >= DAYS - 1
    late = per_event.filter(
        (pl.col("files") == 1) & (pl.col("occurred_at_utc").dt.date() < pl.col("_file_date")))
    assert late.height > 100


def test_malformed_rows_only_in_text_files(sample):
    for source, contract in ((n, SOURCES[n]) for n in GENERATED_SOURCES):
        frame = load(sample, source)
        time_column = "occurred_at" if "occurred_at" in contract.columns else "created_at"
        bad = frame.filter(
            pl.col(contract.key).is_null()
            | pl.col(f"{time_column}_utc").is_null()
            | (pl.col("time_on_page_s" if source == "web_visits" else contract.key) == "n/a")
            | (pl.col("amount" if source == "opportunities" else contract.key) == "twelve"))
        assert bad.height >= 10, source
        assert not bad["_file"].str.ends_with(".parquet").any(), source
        assert set(bad["_file"].str.extract(r"\.(csv|ndjson)")) == {"csv", "ndjson"}


def test_no_timestamp_before_the_start_or_after_the_last_day(sample):
    end = datetime(2026, 1, 31, tzinfo=UTC)
    begin = datetime(2026, 1, 1, tzinfo=UTC)
    for source, contract in ((n, SOURCES[n]) for n in GENERATED_SOURCES):
        frame = load(sample, source)
        for name, kind in contract.columns.items():
            if kind == TIMESTAMP:
                times = frame[f"{name}_utc"].drop_nulls()
                if times.is_empty():  # an optional column the generator does not fill
                    continue
                # An open deal's expected close forecasts the future (exempt at the door too).
                latest = times.max() if name not in FORECAST_TIMESTAMPS.get(source, ()) \
                    else times.filter(times < end).max()
                assert times.min() >= begin and latest < end, (source, name)
