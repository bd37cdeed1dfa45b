"""Building the exact bytes of corpus files: CSV and NDJSON lines, Parquet tables written with
pyarrow, gzip members. Every case says its bytes through these, so a case stays one line of
intent."""

from __future__ import annotations

import gzip
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq

from .case import LOADED, Case

HEADERS = {
    "web_visits": "event_id,visitor_id,occurred_at,event_type,page_url,email,time_on_page_s",
    "contacts": "contact_id,created_at,updated_at,email,first_name",
    "opportunities": "opportunity_id,contact_id,created_at,stage,amount,closed_at",
    "sales_interactions": "interaction_id,contact_id,occurred_at,interaction_type",
}
AT = "2026-02-02T10:00:00"  # an ordinary, valid moment (the sample's days are in January)


def web(event_id: str, at: str = AT, page: str = "/pricing", email: str = "",
        seconds: str = "", visitor: str = "v1") -> str:
    return f"{event_id},{visitor},{at},page_view,{page},{email},{seconds}"


def contact(contact_id: str, created: str = AT, updated: str = "", email: str = "",
            first_name: str = "Ann") -> str:
    return f"{contact_id},{created},{updated},{email},{first_name}"


def opportunity(opportunity_id: str, amount: str = "100", created: str = AT, closed: str = "",
                stage: str = "proposal", contact_id: str = "c1") -> str:
    return f"{opportunity_id},{contact_id},{created},{stage},{amount},{closed}"


def lines(*records: str | bytes, eol: bytes = b"\n", final: bool = True) -> bytes:
    """Records joined by `eol`, with a final line end unless `final` is False."""
    data = eol.join(r if isinstance(r, bytes) else r.encode("utf-8") for r in records)
    return data + eol if final else data


def csv(source: str, *rows: str | bytes, eol: bytes = b"\n", final: bool = True) -> bytes:
    """A CSV file with the source's usual corpus header."""
    return lines(HEADERS[source], *rows, eol=eol, final=final)


def ndjson(*records: dict | str | bytes) -> bytes:
    """One JSON object per line; a str or bytes record is written as it is."""
    return lines(*(json.dumps(r) if isinstance(r, dict) else r for r in records))


def parquet(columns: dict[str, list | pa.Array], schema: pa.Schema | None = None) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.table(columns, schema=schema), sink)
    return sink.getvalue()


def parquet_with_names(names: list[str], arrays: list[pa.Array]) -> bytes:
    """A Parquet file whose column names may repeat (pa.table refuses them, Parquet does not)."""
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, names=names), sink)
    return sink.getvalue()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def case(name: str, source: str, data: bytes | None, ext: str = "csv", **expected) -> Case:
    """A case whose file is `<name>.<ext>` in the inbox folder `source`."""
    return Case(name, source, f"{name}.{ext}", data, **expected)


def either(*outcomes: str) -> frozenset[str]:
    return frozenset(outcomes or (LOADED,))
