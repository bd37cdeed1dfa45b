"""The people behind new contacts: names, employer, job, country, phone, email.

About 15% of records are incomplete the way CRM data really is (no phone, company or job
title, or a malformed email), and a few sales-created records are second copies of a person
marketing already has (same email under a new contact id).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.generate import volumes
from pipelines.generate.sampling import from_choices, pick
from pipelines.generate.vocabulary import (
    COMPANIES,
    COUNTRIES,
    FIRST_NAMES,
    JOB_TITLES,
    LAST_NAMES,
    PERSONAL_EMAIL_DOMAINS,
)

WEB, IMPORTED, SALES = "web", "imported", "sales"  # how a contact came to be
FIRST_CONTACT_ID = 51_000_001

IDENTITY_COLUMNS = (
    "first_name", "last_name", "email", "phone", "company", "job_title", "country",
)
_FLAWS = ("missing_phone", "missing_company", "missing_job_title", "malformed_email")


class ContactDirectory:
    """Everyone created so far: for numbering, unique emails, and CRM duplicates."""

    def __init__(self) -> None:
        self.count = 0
        self._emails = pl.Series("email", [], dtype=pl.String)
        self._marketing_people = pl.DataFrame(schema={c: pl.String for c in IDENTITY_COLUMNS})

    def add(self, people: pl.DataFrame) -> None:
        self.count += people.height
        self._emails = pl.concat([self._emails, people["email"].str.to_lowercase()])
        self._marketing_people = pl.concat([
            self._marketing_people,
            people.filter(pl.col("origin") != SALES).select(IDENTITY_COLUMNS),
        ])

    def known_emails(self) -> pl.Series:
        return self._emails

    def marketing_people(self) -> pl.DataFrame:
        return self._marketing_people


def new_people(rng: np.random.Generator, n: int, directory: ContactDirectory) -> pl.DataFrame:
    """n new contacts: contact_id, origin, form_type and the identity columns."""
    numbers = np.arange(directory.count, directory.count + n)
    origin = pick(rng, [1 - volumes.SALES_CREATED_SHARE - volumes.IMPORTED_SHARE,
                        volumes.IMPORTED_SHARE, volumes.SALES_CREATED_SHARE], n)
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)
    company = rng.integers(0, len(COMPANIES), n)
    country = pick(rng, [c[1] for c in COUNTRIES], n)
    people = pl.DataFrame({
        "contact_id": (pl.Series(numbers + FIRST_CONTACT_ID)).cast(pl.String),
        "origin": from_choices((WEB, IMPORTED, SALES), origin),
        "form_type": from_choices(("form_submit", "demo_request"), pick(rng, [75, 25], n)),
        "first_name": from_choices([f for f, _ in FIRST_NAMES], first),
        "last_name": from_choices([s for s, _ in LAST_NAMES], last),
        "email": _emails(rng, numbers, first, last, company, directory.known_emails()),
        "phone": _phones(rng, country),
        "company": from_choices([c for c, _ in COMPANIES], company),
        "job_title": from_choices([t for t, _ in JOB_TITLES],
                                  pick(rng, [w for _, w in JOB_TITLES], n)),
        "country": from_choices([c[0] for c in COUNTRIES], country),
    }).with_columns(pl.when(pl.col("origin") != WEB).then(None).otherwise(pl.col("form_type"))
                    .alias("form_type"))
    people = _with_flaws(rng, people)
    return _with_duplicates(rng, people, directory.marketing_people())


def _emails(
    rng: np.random.Generator,
    numbers: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    company: np.ndarray,
    known: pl.Series,
) -> pl.Series:
    n = numbers.size
    first_ascii = from_choices([a for _, a in FIRST_NAMES], first)
    last_ascii = from_choices([a for _, a in LAST_NAMES], last)
    work_domain = from_choices([d for _, d in COMPANIES], company)
    personal = from_choices(PERSONAL_EMAIL_DOMAINS,
                            rng.integers(0, len(PERSONAL_EMAIL_DOMAINS), n))
    domain = pl.select(pl.when(pl.Series(rng.random(n) < 0.08)).then(personal)
                       .otherwise(work_domain)).to_series()
    pattern = pl.Series(pick(rng, [60, 20, 10, 10], n))
    local = pl.select(
        pl.when(pattern == 0).then(first_ascii + "." + last_ascii)
        .when(pattern == 1).then(first_ascii.str.slice(0, 1) + last_ascii)
        .when(pattern == 2).then(first_ascii)
        .otherwise(first_ascii + "_" + last_ascii)
    ).to_series()
    email = local + "@" + domain
    # A person already taken, or twice in this batch, gets a number like real mailboxes do.
    taken = email.is_in(known.implode()) | email.is_duplicated()
    number = pl.Series(numbers % 100_000).cast(pl.String)
    return pl.select(pl.when(taken).then(local + number + "@" + domain).otherwise(email)) \
        .to_series().alias("email")


def _phones(rng: np.random.Generator, country: np.ndarray) -> pl.Series:
    n = country.size
    code = from_choices([c[2] for c in COUNTRIES], country)
    area = from_choices([c[3] for c in COUNTRIES], country)
    middle = pl.Series(rng.integers(200, 1000, n)).cast(pl.String)
    end = pl.Series(rng.integers(0, 10_000, n)).cast(pl.String).str.zfill(4)
    return (code + " " + area + " " + middle + " " + end).alias("phone")


def _with_flaws(rng: np.random.Generator, people: pl.DataFrame) -> pl.DataFrame:
    n = people.height
    flawed = rng.random(n) < volumes.INCOMPLETE_SHARE
    flaw = pl.Series(np.where(flawed, pick(rng, [35, 20, 20, 25], n), -1))
    variant = pl.Series(rng.integers(0, 4, n))
    email = pl.col("email")
    local, domain = email.str.split("@").list.first(), email.str.split("@").list.last()
    malformed = (
        pl.when(variant == 0).then(local + "@")  # jane.doe@
        .when(variant == 1).then(local.str.replace_all(r"[._]", " ") + "@" + domain)  # a space
        .when(variant == 2).then(local + "@" + domain.str.split(".").list.first())  # no TLD
        .otherwise(local + "." + domain)  # no @
    )
    return people.with_columns(
        pl.when(flaw == 0).then(None).otherwise(pl.col("phone")).alias("phone"),
        pl.when(flaw == 1).then(None).otherwise(pl.col("company")).alias("company"),
        pl.when(flaw == 2).then(None).otherwise(pl.col("job_title")).alias("job_title"),
        pl.when(flaw == 3).then(malformed).otherwise(email).alias("email"),
    )


def _with_duplicates(
    rng: np.random.Generator, people: pl.DataFrame, earlier: pl.DataFrame
) -> pl.DataFrame:
    """Some sales-created contacts re-enter a person marketing already has."""
    is_sales = (people["origin"] == SALES).to_numpy()
    duplicate = is_sales & (rng.random(people.height) < volumes.DUPLICATE_EMAIL_SHARE)
    if earlier.height == 0 or not duplicate.any():
        return people
    rows = np.flatnonzero(duplicate)
    originals = earlier[rng.integers(0, earlier.height, rows.size)]
    # The rep types the address with capitals; it is the same address once normalised.
    originals = originals.with_columns(pl.col("email").str.to_titlecase())
    replaced = people.with_row_index("_row").update(
        originals.with_columns(_row=pl.Series(rows, dtype=pl.UInt32)), on="_row",
        include_nulls=True)
    return replaced.drop("_row")
