"""The shop's day for the manager page: its time zone, what each terminal and each cashier sold
today, and the registers' days (sessions) with their cash.

The day is the shop's, from midnight to midnight where the shop is (KASIR_TIMEZONE, else the Odoo
user's time zone as the mirror read it, else UTC), never the server's: a minimarket in Jakarta
(UTC+07:00) starts its day at 17:00 UTC. An order counts by its own created_at (the till's clock
when the sale was validated), whatever became of it on its way to Odoo; a rejected record is not
a sale. A register's day is shown when it closed in the shop's day or is still open, however
long ago it opened.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from register.money import Currency, money_str

from .config import known_zone
from .journal import Journal
from .phrases import Phrase
from .records import MAX_CLOCK_AHEAD

NO_CASHIER = "—"  # the cashier of an order that names none (a till without cashiers)


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
class Tally:
    """Orders counted: how many sales and refunds, their total, the first and last."""

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
class TerminalDay(Tally):
    """One terminal's orders of the day."""

    terminal: str = ""


@dataclass
class CashierDay(Tally):
    """One cashier's orders of the day, on every terminal (by the name the orders carry)."""

    cashier: str = NO_CASHIER


@dataclass
class CashMoves:
    """Cash put in or taken out of a drawer: how many times, how much in all."""

    count: int = 0
    total: Decimal = Decimal(0)


# How far along a record is on its way to Odoo, least first: a register's day is as far along
# as its least advanced record (the one a manager must look at).
PROGRESS = ("failed", "held", "queued", "discarded", "posted")


@dataclass
class Session:
    """A register's day on one terminal: opened with a count, cash moved, closed with a count."""

    terminal: str
    uuid: str  # the open's, which its cash moves and close name
    opened_at: datetime | None = None
    opened_by: str | None = None
    opening: Decimal | None = None
    cash_in: CashMoves = field(default_factory=CashMoves)
    cash_out: CashMoves = field(default_factory=CashMoves)
    closed_at: datetime | None = None
    closed_by: str | None = None
    counted: Decimal | None = None
    expected: Decimal | None = None  # what the till computed should be in the drawer
    note: str | None = None  # the cashier's, at the close
    state: str = "posted"  # of its least advanced record (PROGRESS)
    reason: str | None = None  # that record's error, if any
    odoo_id: int | None = None  # the session in Odoo its open was booked into

    @property
    def difference(self) -> Decimal | None:
        """Counted less expected at the close: what the drawer is over (or, below 0, short)."""
        if self.counted is None or self.expected is None:
            return None
        return self.counted - self.expected

    def track(self, state: str, error: str | None) -> None:
        """One more of its records, at `state` (with its error)."""
        if PROGRESS.index(state) < PROGRESS.index(self.state):
            self.state, self.reason = state, error
        elif state == self.state and self.reason is None:
            self.reason = error


@dataclass
class Day:
    """The shop's day: its bounds, each terminal and each cashier that sold in it, the total row,
    and the registers' days."""

    start: datetime
    end: datetime
    terminals: list[TerminalDay] = field(default_factory=list)
    cashiers: list[CashierDay] = field(default_factory=list)
    total: Tally = field(default_factory=Tally)
    sessions: list[Session] = field(default_factory=list)


def _order(body: str) -> tuple[datetime, Decimal, bool, str] | None:
    """(created_at, amount_total, whether it is a refund, its cashier's name) of an order
    record; None for a body that does not read as one (journals keep a few from before records
    were checked)."""
    try:
        record = json.loads(body)
        made = datetime.fromisoformat(record["created_at"])
        amount = Decimal(record["amount_total"])
        lines = record.get("lines") or []
        cashier = (record.get("cashier") or {}).get("name")
    except (ValueError, TypeError, KeyError, AttributeError, InvalidOperation):
        return None
    if made.tzinfo is None or not amount.is_finite() or not isinstance(lines, list):
        return None
    # A refund names, on its lines, the sold line each gives back (see records.py).
    refund = any(isinstance(line, dict) and line.get("refunded_line_uuid") for line in lines)
    return made, amount, refund, cashier if isinstance(cashier, str) and cashier else NO_CASHIER


def day_sales(orders: Iterable[tuple[str, str]], start: datetime, end: datetime) -> Day:
    """The orders, as (terminal, record JSON), made from `start` up to `end` (excluded), summed
    per terminal (by name), per cashier (by name) and in all, in one pass."""
    day = Day(start, end)
    by_terminal: dict[str, TerminalDay] = {}
    by_cashier: dict[str, CashierDay] = {}
    for terminal, body in orders:
        order = _order(body)
        if order is None or not start <= order[0] < end:
            continue
        *counted, cashier = order
        row = by_terminal.get(terminal) or by_terminal.setdefault(
            terminal, TerminalDay(terminal=terminal)
        )
        person = by_cashier.get(cashier) or by_cashier.setdefault(
            cashier, CashierDay(cashier=cashier)
        )
        for tally in (row, person, day.total):
            tally.add(*counted)
    day.terminals = [by_terminal[name] for name in sorted(by_terminal)]
    day.cashiers = [by_cashier[name] for name in sorted(by_cashier)]
    return day


def _cash(value: Any) -> Decimal | None:
    try:
        amount = Decimal(value)
    except (TypeError, ValueError, InvalidOperation):
        return None
    return amount if amount.is_finite() else None


def _moment(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


def day_sessions(
    records: Iterable[tuple[str, str, str, str | None, int | None]], start: datetime
) -> list[Session]:
    """The registers' days of the records, as `Journal.day_records` gives them (terminal, body,
    state, error, odoo_id, in each terminal's order), that closed at or after `start` or are
    still open, by terminal and then in the order they opened."""
    sessions: dict[str, Session] = {}
    for terminal, body, state, error, odoo_id in records:
        try:
            record = json.loads(body)
            key = record["uuid"] if record.get("op") == "open" else record["session_uuid"]
        except (ValueError, TypeError, KeyError, AttributeError):
            continue  # not a day record a till made: nothing to show
        if not isinstance(key, str):
            continue
        day = sessions.get(key) or sessions.setdefault(key, Session(terminal, key))
        day.track(state, error)
        cash, who = _cash(record.get("cash")), record.get("cashier")
        if record.get("kind") == "cash_move":
            moves = day.cash_in if record.get("type") == "in" else day.cash_out
            moves.count += 1
            moves.total += _cash(record.get("amount")) or 0
        elif record.get("op") == "open":
            day.opened_at, day.opened_by, day.opening = _moment(record.get("created_at")), who, cash
            day.odoo_id = odoo_id
        else:
            day.closed_at, day.closed_by, day.counted = _moment(record.get("created_at")), who, cash
            day.expected, day.note = _cash(record.get("expected")), record.get("note") or None
    return [day for day in sessions.values() if day.closed_at is None or day.closed_at >= start]


def today(journal: Journal, zone: ZoneInfo, now: float) -> Day:
    """The shop's day holding `now`, from the journal's orders that may have been made in it:
    those accepted (or changed) since its start less the most a till's clock may run ahead;
    and the registers' days after the last close accepted before that (made before the day
    started, however the till's clock ran)."""
    start, end = day_bounds(zone, now)
    since = start.timestamp() - MAX_CLOCK_AHEAD.total_seconds()
    day = day_sales(journal.orders_changed_since(since), start, end)
    day.sessions = day_sessions(journal.day_records(since), start)
    return day


def money_format(shop: dict[str, Any] | None) -> Callable[[Decimal], str]:
    """How the manager sees an amount: as the till shows it, in the shop's currency
    ("Rp 12.500"); the plain decimal before the first mirror."""
    try:
        currency = Currency.from_bootstrap(shop) if shop else None
    except (KeyError, TypeError, ValueError, ArithmeticError):
        currency = None
    return currency.format if currency is not None else money_str


def record_name(
    kind: str, record: dict[str, Any], zone: ZoneInfo, money: Callable[[Decimal], str]
) -> Phrase | None:
    """A readable name for a register's day record, which has none of its own ("Day opened ·
    kasir-1 · 30-11 08:01", "Cash out Rp 20.000 · kasir-1"); None for other records."""
    terminal = record.get("terminal")
    if kind == "cash_move":
        amount = _cash(record.get("amount"))
        if amount is None:
            return None
        if record.get("type") == "in":
            return Phrase("Cash in {amount} · {terminal}", amount=money(amount), terminal=terminal)
        return Phrase("Cash out {amount} · {terminal}", amount=money(amount), terminal=terminal)
    made = _moment(record.get("created_at"))
    if kind != "session" or made is None:
        return None
    when = made.astimezone(zone).strftime("%d-%m %H:%M")
    if record.get("op") == "open":
        return Phrase("Day opened · {terminal} · {when}", terminal=terminal, when=when)
    return Phrase("Day closed · {terminal} · {when}", terminal=terminal, when=when)
