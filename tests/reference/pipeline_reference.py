"""An independent computation of the pipeline marts (glossary: Pipeline) in plain Python, from
the raw version rows of raw.opportunities alone: the state of every opportunity at any instant,
the open pipeline at the end of each day (mart_pipeline_daily) and the monthly waterfall with
the movements of the pipeline due in the month (mart_pipeline_waterfall).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

CLOSED = ("closed_won", "closed_lost")
FAR = datetime(9999, 12, 31)
TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class State:
    opportunity_id: str
    valid_from: datetime
    valid_to: datetime | None
    row: dict

    @property
    def is_open(self) -> bool:
        return self.row["stage"] not in CLOSED

    @property
    def amount(self) -> Decimal:
        return Decimal(str(self.row["amount"] or 0))

    def get(self, column: str, missing: str) -> str:
        return self.row.get(column) or missing

    def due_month(self) -> date | None:
        return self.due_period("month")

    def due_period(self, grain: str) -> date | None:
        at = self.row.get("expected_close_at")
        return period_of(at.date() if isinstance(at, datetime) else at, grain) if at else None


def period_of(day: date, grain: str) -> date:
    """The first day of the month, or the Monday of the ISO week, holding `day`."""
    return day.replace(day=1) if grain == "month" else day - timedelta(days=day.weekday())


def period_after(period: date, grain: str) -> date:
    return _month_after(period) if grain == "month" else period + timedelta(days=7)


def _clean(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def history(raw_rows: list[dict]) -> dict[str, list[State]]:
    """opportunity_id -> its states in time order: each version takes effect at its updated_at
    (its created_at when updated_at is missing or earlier), never before the previous version
    in version order (updated_at, missing first, then file, then line); a version superseded
    at the very instant it takes effect is never a state."""
    versions = defaultdict(list)
    for row in raw_rows:
        row = {k: _clean(v) for k, v in row.items()}
        versions[row["opportunity_id"]].append(row)
    states = {}
    for opportunity_id, rows in versions.items():
        rows.sort(key=lambda r: (r["updated_at"] is not None, r["updated_at"] or datetime.min,
                                 r["_source_file"], r["_source_line"]))
        starts, latest = [], None
        for row in rows:
            at = row["updated_at"]
            at = row["created_at"] if at is None or at < row["created_at"] else at
            latest = at if latest is None else max(latest, at)
            starts.append(latest)
        chain = []
        for i, row in enumerate(rows):
            end = starts[i + 1] if i + 1 < len(rows) else None
            if end is None or end > starts[i]:
                chain.append(State(opportunity_id, starts[i], end, row))
        states[opportunity_id] = chain
    return states


def state_at(chain: list[State], instant: datetime) -> State | None:
    for state in chain:
        if state.valid_from <= instant < (state.valid_to or FAR):
            return state
    return None


def _key(state: State) -> tuple[str, str, str]:
    return (state.get("owner_id", "unassigned"), state.get("segment", "(none)"),
            state.get("pipeline", "(none)"))


def _days(states: dict[str, list[State]]) -> list[date]:
    starts = [s.valid_from.date() for chain in states.values() for s in chain]
    first, last = min(starts), max(starts)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def pipeline_daily(raw_rows: list[dict]) -> dict[tuple, dict]:
    """(metric_date, stage, owner_id, segment, pipeline) -> the open pipeline at the day's end."""
    states = history(raw_rows)
    out: dict[tuple, dict] = {}
    for day in _days(states):
        end = datetime.combine(day + timedelta(days=1), time()) - TICK
        month = day.replace(day=1)
        for chain in states.values():
            state = state_at(chain, end)
            if state is None or not state.is_open:
                continue
            row = out.setdefault((day, state.row["stage"], *_key(state)), {
                "open_opportunities": 0, "open_amount": Decimal(0), "weighted_amount": Decimal(0),
                "due_this_month_opportunities": 0, "due_this_month_amount": Decimal(0)})
            row["open_opportunities"] += 1
            row["open_amount"] += state.amount
            row["weighted_amount"] += state.amount * Decimal(str(state.row["probability"] or 0))
            if state.due_month() == month:
                row["due_this_month_opportunities"] += 1
                row["due_this_month_amount"] += state.amount
    return out


BUCKETS = ("start", "created", "reopened", "increased", "decreased", "won", "lost", "end",
           "due_at_start", "moved_in", "pulled_in", "pushed_out", "due_won", "due_lost",
           "due_at_end")


def _month_after(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def pipeline_waterfall(raw_rows: list[dict], grain: str = "month") -> dict[tuple, dict[str, Decimal]]:
    """(month, owner_id, segment, pipeline) -> the waterfall buckets and due movements; with
    grain "week", the same per ISO week (Monday), "due" meaning an expected close in the week."""
    states = history(raw_rows)
    days = _days(states)
    month, last = period_of(days[0], grain), period_of(days[-1], grain)
    out: dict[tuple, dict[str, Decimal]] = {}
    while month <= last:
        begin = datetime.combine(month, time())
        finish = datetime.combine(period_after(month, grain), time())
        for chain in states.values():
            start, end = state_at(chain, begin - TICK), state_at(chain, finish - TICK)
            moves = [s for s in chain if begin <= s.valid_from < finish]
            if end is None or not (moves or (start and start.is_open)):
                continue
            b = dict.fromkeys(BUCKETS, Decimal(0))
            b["start"] = start.amount if start and start.is_open else Decimal(0)
            b["end"] = end.amount if end.is_open else Decimal(0)
            previous, due, closed = start, bool(start and start.is_open
                                                and start.due_period(grain) == month), set()
            for state in moves:
                was_open = previous is not None and previous.is_open
                if state.is_open and not was_open:
                    b["created"] += state.amount
                    if previous is not None:
                        b["reopened"] += state.amount
                elif was_open:
                    change = state.amount - previous.amount
                    b["increased" if change > 0 else "decreased"] += abs(change)
                    if not state.is_open:
                        kind = "won" if state.row["stage"] == "closed_won" else "lost"
                        b[kind] += state.amount
                        closed.add(kind)
                due = due or (state.is_open and state.due_period(grain) == month)
                previous = state
            due_at_start = bool(start and start.is_open and start.due_period(grain) == month)
            later_at_start = bool(start and start.is_open and start.due_period(grain)
                                  and start.due_period(grain) > month)
            if due_at_start:
                b["due_at_start"] = start.amount
            if due and not due_at_start:
                b["pulled_in" if later_at_start else "moved_in"] = end.amount
            if due and end.is_open and end.due_period(grain) and end.due_period(grain) > month:
                b["pushed_out"] = end.amount
            for kind in closed:
                if due:
                    b[f"due_{kind}"] = b[kind]
            if end.is_open and end.due_period(grain) == month:
                b["due_at_end"] = end.amount
            total = out.setdefault((month, *_key(end)), dict.fromkeys(BUCKETS, Decimal(0)))
            for name, value in b.items():
                total[name] += value
        month = period_after(month, grain)
    return out


def _month_before(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def _same_day_month_before(day: date) -> date:
    first = _month_before(day.replace(day=1))
    last = _month_after(first) - timedelta(days=1)
    return first.replace(day=min(day.day, last.day))


def pipeline_coverage(raw_rows: list[dict], quotas: list[dict]) -> dict[tuple, dict]:
    """(month, owner_id, segment) -> quota, closed won, gap, due, coverage, weighted; as of the
    month's last day (or the latest day) and at the same day of the previous month."""
    states = history(raw_rows)
    days = _days(states)
    quota = {(q["period_month"], q["owner_id"], q["segment"]): q["quota"] for q in quotas}
    month, out = days[0].replace(day=1), {}
    while month <= days[-1].replace(day=1):
        measured = min(_month_after(month) - timedelta(days=1), days[-1])
        for prefix, period, day in (("", month, measured),
                                    ("previous_", _month_before(month),
                                     _same_day_month_before(measured))):
            instant = datetime.combine(day + timedelta(days=1), time()) - TICK
            for chain in states.values():
                state = state_at(chain, instant)
                if state is None:
                    continue
                row = out.setdefault((month, state.get("owner_id", "unassigned"),
                                      state.get("segment", "(none)")), {})
                figures = {"closed_won_amount": Decimal(0), "due_amount": Decimal(0),
                           "due_weighted_amount": Decimal(0)}
                closed = state.row["closed_at"] or state.row["updated_at"]
                if state.row["stage"] == "closed_won" and closed and \
                        date(closed.year, closed.month, 1) == period:
                    figures["closed_won_amount"] = state.amount
                if state.is_open and state.due_month() == period:
                    figures["due_amount"] = state.amount
                    figures["due_weighted_amount"] = state.amount * Decimal(
                        str(state.row["probability"] or 0))
                for name, value in figures.items():
                    row[prefix + name] = row.get(prefix + name, Decimal(0)) + value
        for (period, owner, segment), value in quota.items():
            if period == month:
                out.setdefault((month, owner, segment), {})["quota"] = value
            if period == _month_before(month):
                out.setdefault((month, owner, segment), {})["previous_quota"] = value
        month = _month_after(month)
    for row in out.values():
        for prefix in ("", "previous_"):
            for name in ("closed_won_amount", "due_amount", "due_weighted_amount"):
                row.setdefault(prefix + name, Decimal(0))
            q = row.setdefault(prefix + "quota", None)
            gap = None if q is None else Decimal(str(q)) - row[prefix + "closed_won_amount"]
            row[prefix + "gap_to_quota"] = gap
            row[prefix + "coverage"] = row[prefix + "due_amount"] / gap if gap and gap > 0 else None
    return out
