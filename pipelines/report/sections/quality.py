"""Contact completeness by channel and owner, and the records to fix
(`mart_contact_quality_summary`, `mart_contact_quality`)."""

from __future__ import annotations

from pipelines.report import charts, queries
from pipelines.report import html as h
from pipelines.report.sections import Context
from pipelines.report.source import Marts

ANCHOR, TITLE = "quality", "Contact completeness: the records to fix"
SUMMARY, DETAIL = "mart_contact_quality_summary", "mart_contact_quality"
FIELD_COLUMNS = [("missing_email", "no email"), ("invalid_email", "invalid email"),
                 ("missing_first_name", "no first name"), ("missing_last_name", "no last name"),
                 ("missing_company", "no company"), ("missing_job_title", "no job title"),
                 ("missing_country", "no country"), ("missing_phone", "no phone")]
RECORDS_SHOWN = 100


def _summary_columns(first: h.Column) -> list[h.Column]:
    return ([first, h.Column("contacts", "contacts", h.fmt_int),
             h.Column("complete", "complete_contacts", h.fmt_int),
             h.Column("incomplete", "incomplete_contacts", h.fmt_int),
             h.Column("completeness", "completeness_rate", h.fmt_pct)]
            + [h.Column(label, key, h.fmt_int) for key, label in FIELD_COLUMNS]
            + [h.Column("suspected duplicates", "suspected_duplicates", h.fmt_int)])


def _summary(m: Marts) -> str:
    totals = queries.quality_totals(m)
    if not totals.get("contacts"):
        return '<p class="empty">No contacts yet.</p>'
    by_channel = queries.quality_by_channel(m)
    by_owner = queries.quality_by_owner(m)
    kpis = h.kpis([
        ("contacts", h.fmt_int(totals["contacts"]), "every contact, all time"),
        ("complete records", h.fmt_int(totals["complete_contacts"]),
         h.fmt_pct(totals["completeness_rate"]) + " complete"),
        ("incomplete records", h.fmt_int(totals["incomplete_contacts"]), "to fix (listed below)"),
        ("suspected duplicates", h.fmt_int(totals["suspected_duplicates"]), "same email, several ids")])
    rate_chart = h.figure(
        "chart-completeness-by-channel",
        charts.horizontal_bars([r["channel"] for r in by_channel],
                               [r["completeness_rate"] for r in by_channel],
                               label="Completeness rate by channel", fmt=h.fmt_pct, max_value=1.0,
                               colors=[charts.color_for(r["channel"], i) for i, r in enumerate(by_channel)]),
        "Share of complete contact records, by original channel.")
    field_chart = h.figure(
        "chart-missing-fields",
        charts.horizontal_bars([label for _, label in FIELD_COLUMNS],
                               [totals.get(key) or 0 for key, _ in FIELD_COLUMNS],
                               label="Missing or invalid fields", fmt=h.fmt_int,
                               colors=["#c62828"] * len(FIELD_COLUMNS)),
        "How many contacts miss each required field (one contact can miss several).")
    return (kpis + f'<div class="grid">{rate_chart}{field_chart}</div>'
            + "<h3>By owner (the people who fix the records)</h3>"
            + h.table(by_owner, _summary_columns(h.text("owner", "owner_id")))
            + "<h3>By original channel</h3>"
            + h.table(by_channel, _summary_columns(h.text("channel", "channel"))))


def _records(m: Marts) -> str:
    rows, total = queries.records_to_fix(m, RECORDS_SHOWN)
    columns = [h.text("contact", "contact_id"), h.text("owner", "owner"),
               h.text("channel", "original_channel")]
    if rows and "created_date" in rows[0]:
        columns.append(h.Column("created", "created_date", h.fmt_date, numeric=False))
    columns += [h.text("missing or invalid", "missing_fields"),
                h.Column("suspected duplicate", "is_suspected_duplicate",
                         lambda v: "yes" if v else "", numeric=False)]
    return (f"<h3>Records to fix ({h.fmt_int(total)})</h3>"
            "<p class=\"note\">Incomplete or suspected-duplicate contacts, by owner. The full list: "
            "<code>select * from marts.mart_contact_quality where not is_complete or "
            "is_suspected_duplicate</code>. They are never dropped from any metric.</p>"
            + h.table(rows, columns, limit=RECORDS_SHOWN, total_rows=total, scroll=True,
                      empty="No record to fix: every contact is complete."))


def build(m: Marts, ctx: Context) -> str:
    parts = []
    parts.append(_summary(m) if m.has(SUMMARY) else h.not_built(SUMMARY))
    parts.append(_records(m) if m.has(DETAIL) else h.not_built(DETAIL))
    intro = ("A contact record is complete when it has a valid email and a first name, last name, "
             "company, job title, country and phone (glossary: complete contact record). Marketing "
             "owns registration, sales ops the upkeep of records.")
    return h.section(ANCHOR, TITLE, "".join(parts), intro)
