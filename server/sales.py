"""The shop's day for the manager page: its time zone, and what each terminal sold today.

The day is the shop's, from midnight to midnight where the shop is (KASIR_TIMEZONE, else the Odoo
user's time zone as the mirror read it, else UTC), never the server's: a minimarket in Jakarta
(UTC+07:00) starts its day at 17:00 UTC. An order counts by its own created_at (the till's clock
when the sale was validated), whatever became of it on its way to Odoo; a rejected record is not
a sale. The records carry no cashier yet, so the day is told per terminal only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from .config import known_zone
from .journal import Journal
from .records import MAX_CLOCK_AHEAD


def shop_zone(setting: str | None, bootstrap: dict[str, Any] | None) -> ZoneInfo:
    """KASIR_TIMEZONE when set (it wins even before the mirror has put it in the bootstrap),
    else the mirrored bootstrap's `tz`, else UTC."""
    for name in (setting, (bootstrap or {}).get("tz")):
        if isinstance(name, str) and name and known_zone(name):
            return ZoneInfo(name)
    return ZoneInfo("UTC")


def offset_text(moment: datetime) -> str:
    """The UTC offset of an aware datetime as people read it: "UTC+07:00", "UTC-03:30"."""
    offset = moment.strftime("%z")  # "+0700"
    return f"UTC{offset[:3]}:{offset[3:5]}"


def day_bounds(zone: ZoneInfo, now: float) -> tuple[datetime, datetime]:
    """The shop's day that holds `now`: its midnight and the next one, in `zone` (23 or 25
    hours apart on the day daylight saving time starts or ends)."""
    today = datetime.fromtimestamp(now, zone).date()
    return (
        datetime.combine(today, time(), zone),
        datetime.combine(today + timedelta(days=1), time(), zone),
    )


@dataclass
class TerminalDay:
    """One terminal's orders of the day, or every terminal's (the total row)."""

    terminal: str
    sales: int = 0
    refunds: int = 0
    total: Decimal = Decimal(0)  # sales less refunds (a refund's amount_total is negative)
    first: datetime | None = None
    last: datetime | None = None

    def add(self, made: datetime, amount: Decimal, refund: bool) -> None:
        if refund:
            self.refunds += 1
        else:
            self.sales += 1
        self.total += amount
        self.first = made if self.first is None else min(self.first, made)
        self.last = made if self.last is None else max(self.last, made)


@dataclass
class Day:
    """The shop's day: its bounds, each terminal that sold in it, and the total row."""

    start: datetime
    end: datetime
    terminals: list[TerminalDay] = field(default_factory=list)
    total: TerminalDay = field(default_factory=lambda: TerminalDay(""))


def _order(body: str) -> tuple[datetime, Decimal, bool] | None:
    """(created_at, amount_total, whether it is a refund) of an order record; None for a body
    that does not read as one (journals keep a few from before records were checked)."""
    try:
        record = json.loads(body)
        made = datetime.fromisoformat(record["created_at"])
        amount = Decimal(record["amount_total"])
        lines = record.get("lines") or []
    except (ValueError, TypeError, KeyError, AttributeError, InvalidOperation):
        return None
    if made.tzinfo is None or not amount.is_finite() or not isinstance(lines, list):
        return None
    # A refund names, on its lines, the sold line each gives back (see records.py).
    refund = any(isinstance(line, dict) and line.get("refunded_line_uuid") for line in lines)
    return made, amount, refund


def day_sales(orders: Iterable[tuple[str, str]], start: datetime, end: datetime) -> Day:
    """The orders, as (terminal, record JSON), made from `start` up to `end` (excluded), summed
    per terminal (by name) and in all."""
    day = Day(start, end)
    by_terminal: dict[str, TerminalDay] = {}
    for terminal, body in orders:
        order = _order(body)
        if order is None or not start <= order[0] < end:
            continue
        row = by_terminal.get(terminal)
        if row is None:
            row = by_terminal[terminal] = TerminalDay(terminal)
        row.add(*order)
        day.total.add(*order)
    day.terminals = [by_terminal[name] for name in sorted(by_terminal)]
    return day


def today(journal: Journal, zone: ZoneInfo, now: float) -> Day:
    """The shop's day holding `now`, from the journal's orders that may have been made in it:
    those accepted (or changed) since its start less the most a till's clock may run ahead."""
    start, end = day_bounds(zone, now)
    since = start.timestamp() - MAX_CLOCK_AHEAD.total_seconds()
    return day_sales(journal.orders_changed_since(since), start, end)
