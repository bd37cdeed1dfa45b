"""The contact of an opportunity or interaction (glossary: contact of an opportunity or
interaction), asserted on fct_opportunities and fct_sales_interactions built by `dbt build` from
hand-made raw rows: own id, else (interactions) contact_email, else the primary associated
contact, else the earliest, else unknown; an association delivered in a later batch resolves
the contact on the next build. The project is built twice per module: before and after the
late batch."""

from __future__ import annotations

import duckdb
import pytest
from dbt_fixtures import CORE_SELECTION, RawData, failed_nodes, raw_columns, read_table, run_dbt, ts
from reference.contact_links import resolve_contacts
from reference.funnel_reference import email_owners, latest_versions, load_raw


def contact(contact_id, created, email=None, original_source=None):
    return {"contact_id": contact_id, "created_at": ts(created), "email": email,
            "original_source": original_source}


def opportunity(opportunity_id, contact_id=None):
    return {"opportunity_id": opportunity_id, "contact_id": contact_id,
            "created_at": ts("2024-03-10 09:00:00"), "stage": "prospecting", "amount": 100.0}


def interaction(interaction_id, contact_id=None, contact_email=None):
    return {"interaction_id": interaction_id, "contact_id": contact_id,
            "contact_email": contact_email, "occurred_at": ts("2024-03-10 10:00:00"),
            "interaction_type": "call"}


def link(from_type, from_id, to_type, to_id, is_primary=None, created=None, role=None):
    return {"from_type": from_type, "from_id": from_id, "to_type": to_type, "to_id": to_id,
            "is_primary": is_primary, "created_at": ts(created) if created else None,
            "role": role}


def raw_rows() -> RawData:
    raw = RawData()
    raw.add("contacts", [
        contact("C1", "2024-03-01 08:00:00", "c1@corp.io", "paid_search"),
        contact("C2", "2024-03-01 09:00:00", "c2@corp.io", "email"),
        contact("C3", "2024-03-01 10:00:00", "c3@corp.io", "referral"),
        contact("C4", "2024-03-01 11:00:00", None, "events"),
        # Two contacts share an email: the first-created (C5) is its contact.
        contact("C6", "2024-03-02 08:00:00", "shared@corp.io"),
        contact("C5", "2024-03-01 12:00:00", "shared@corp.io"),
    ])
    raw.add("opportunities", [
        opportunity("O_OWN", "C1"),      # own id wins over a primary association
        opportunity("O_PRIMARY"),        # primary (contact -> opportunity) over earlier ones
        opportunity("O_EARLIEST"),       # earliest by created_at, a missing one last
        opportunity("O_TIE"),            # same created_at: smallest contact id
        opportunity("O_LATE"),           # its association arrives in a later batch
        opportunity("O_NONE"),           # nothing: unknown
    ])
    raw.add("sales_interactions", [
        interaction("I_OWN", "C1", "c2@corp.io"),         # own id wins over the email
        interaction("I_EMAIL", None, "c2@corp.io"),       # email wins over a primary association
        interaction("I_SHARED", None, "shared@corp.io"),  # first-created of the email's contacts
        interaction("I_NO_MATCH", None, "nobody@corp.io"),  # unmatched email: association
        interaction("I_LATE"),
        interaction("I_NONE"),
    ])
    raw.add("associations", [
        link("opportunity", "O_OWN", "contact", "C2", is_primary="true"),
        link("opportunity", "O_PRIMARY", "contact", "C1", created="2024-03-01 00:00:00"),
        link("contact", "C3", "opportunity", "O_PRIMARY", is_primary="TRUE",
             created="2024-03-09 00:00:00"),
        link("opportunity", "O_EARLIEST", "contact", "C1", is_primary="false",
             created="2024-03-05 00:00:00"),
        link("opportunity", "O_EARLIEST", "contact", "C4"),
        link("opportunity", "O_EARLIEST", "contact", "C2", created="2024-03-03 00:00:00"),
        link("opportunity", "O_TIE", "contact", "C3", created="2024-03-03 00:00:00"),
        link("opportunity", "O_TIE", "contact", "C2", created="2024-03-03 00:00:00"),
        link("interaction", "I_EMAIL", "contact", "C3", is_primary="1"),
        link("contact", "C4", "interaction", "I_NO_MATCH", created="2024-03-04 00:00:00"),
        # Not a contact relation: ignored by the rule.
        link("opportunity", "O_NONE", "account", "A1", is_primary="true"),
    ], source_file="associations/batch1.csv")
    return raw


LATE_BATCH = [
    link("opportunity", "O_LATE", "contact", "C2", created="2024-03-11 00:00:00"),
    link("interaction", "I_LATE", "contact", "C3", is_primary="yes"),
]


def insert_late_batch(data_dir) -> None:
    """Append the later batch to raw.associations, as ingestion would."""
    rows = RawData().add("associations", LATE_BATCH, source_file="associations/batch2.csv")
    columns = list(raw_columns("associations"))
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    try:
        con.executemany(
            f"INSERT INTO raw.associations ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            [[row[c] for c in columns] for row in rows.rows["associations"]])
    finally:
        con.close()


def build_core(data_dir) -> None:
    result = run_dbt(data_dir, ["build", *CORE_SELECTION])
    problems = [p for p in failed_nodes(result) if p.split(":")[1].strip() != "warn"]
    assert result.success and not problems, "\n".join(problems or failed_nodes(result))


def facts(data_dir, model: str, key: str) -> dict[str, dict]:
    frame = read_table(data_dir, f"marts.{model}")
    return {row[key]: row for row in frame.iter_rows(named=True)}


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """The facts of the first build, then of the build after the later batch arrived."""
    data_dir = tmp_path_factory.mktemp("dbt_associations")
    raw_rows().write(data_dir)
    build_core(data_dir)
    first = (facts(data_dir, "fct_opportunities", "opportunity_id"),
             facts(data_dir, "fct_sales_interactions", "interaction_id"))
    insert_late_batch(data_dir)
    build_core(data_dir)
    second = (facts(data_dir, "fct_opportunities", "opportunity_id"),
              facts(data_dir, "fct_sales_interactions", "interaction_id"))
    return first, second, reference(data_dir)


def reference(data_dir) -> tuple[dict, dict]:
    """The independent computation (tests/reference/contact_links.py) on the same raw tables."""
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        raw = load_raw(con)
    finally:
        con.close()
    contacts = latest_versions(raw["contacts"], "contact_id", by_updated_at=True)
    opps = resolve_contacts(latest_versions(raw["opportunities"], "opportunity_id", True),
                            "opportunity_id", "opportunity", raw.get("associations"))
    touches = resolve_contacts(latest_versions(raw["sales_interactions"], "interaction_id"),
                               "interaction_id", "interaction", raw.get("associations"),
                               email_owners(contacts))
    return ({r["opportunity_id"]: r for r in opps.iter_rows(named=True)},
            {r["interaction_id"]: r for r in touches.iter_rows(named=True)})


@pytest.fixture(scope="module")
def opportunities(builds):
    return builds[1][0]


@pytest.fixture(scope="module")
def interactions(builds):
    return builds[1][1]


def resolved(rows: dict[str, dict], key: str) -> tuple:
    return rows[key]["contact_id"], rows[key]["contact_basis"]


@pytest.mark.parametrize(("opportunity_id", "expected"), [
    ("O_OWN", ("C1", "own_id")),
    ("O_PRIMARY", ("C3", "primary_association")),
    ("O_EARLIEST", ("C2", "earliest_association")),
    ("O_TIE", ("C2", "earliest_association")),
    ("O_NONE", (None, "unknown")),
])
def test_an_opportunity_takes_its_own_id_then_the_primary_then_the_earliest(
        opportunities, opportunity_id, expected):
    assert resolved(opportunities, opportunity_id) == expected


@pytest.mark.parametrize(("interaction_id", "expected"), [
    ("I_OWN", ("C1", "own_id")),
    ("I_EMAIL", ("C2", "email")),
    ("I_SHARED", ("C5", "email")),
    ("I_NO_MATCH", ("C4", "earliest_association")),
    ("I_NONE", (None, "unknown")),
])
def test_an_interaction_takes_its_own_id_then_its_email_then_an_association(
        interactions, interaction_id, expected):
    assert resolved(interactions, interaction_id) == expected


def test_a_resolved_contact_gives_its_channel(opportunities, interactions):
    assert opportunities["O_PRIMARY"]["channel"] == "referral"
    assert opportunities["O_PRIMARY"]["is_contact_known"]
    assert interactions["I_EMAIL"]["channel"] == "email"


def test_an_unknown_contact_is_counted_under_unknown(opportunities, interactions):
    for row in (opportunities["O_NONE"], interactions["I_NONE"]):
        assert (row["channel"], row["is_contact_known"]) == ("unknown", False)
    assert not opportunities["O_NONE"]["is_first_win"]


def test_an_association_of_a_later_batch_resolves_the_contact_on_the_next_build(builds):
    (first_opps, first_interactions), (opps, interactions), _ = builds
    assert resolved(first_opps, "O_LATE") == (None, "unknown")
    assert resolved(first_interactions, "I_LATE") == (None, "unknown")
    assert resolved(opps, "O_LATE") == ("C2", "earliest_association")
    assert opps["O_LATE"]["channel"] == "email"
    assert resolved(interactions, "I_LATE") == ("C3", "primary_association")
    assert interactions["I_LATE"]["channel"] == "referral"


def test_without_a_raw_associations_table_the_own_ids_still_resolve(tmp_path):
    RawData().add("contacts", contact("C1", "2024-03-01 08:00:00")).add(
        "opportunities", [opportunity("O1", "C1"), opportunity("O2")]).write(tmp_path)
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("DROP TABLE raw.associations")
    con.close()
    build_core(tmp_path)
    rows = facts(tmp_path, "fct_opportunities", "opportunity_id")
    assert resolved(rows, "O1") == ("C1", "own_id")
    assert resolved(rows, "O2") == (None, "unknown")


def test_the_facts_equal_the_reference_computation(builds):
    _, (opps, interactions), (reference_opps, reference_interactions) = builds
    for built, expected in ((opps, reference_opps), (interactions, reference_interactions)):
        assert {k: resolved(built, k) for k in built} == {k: resolved(expected, k) for k in expected}
