"""The cash drawer over a register's day: the counts, and what should be in it.

A day opens with the cash counted in the drawer, takes cash from sales (less the change given
back) and from cash moves (in and out, each with its reason), and closes with a count set
against what the till expected:

    expected cash = opening + cash payments − change + cash in − cash out

as Odoo's session computes `cash_register_balance_end` (its cash payments already net of the
change). Every amount is a Decimal of the records' exact text; nothing is rounded on the way.
Counts are typed per banknote and coin (IDR: Rp 100 to Rp 100.000) or as one amount.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import InvalidAmount
from .money import Currency, parse_money, to_decimal
from .shop import Shop

__all__ = [
    "IDR_DENOMINATIONS",
    "Day",
    "MethodTotal",
    "cash_amount",
    "counted",
    "day_totals",
    "denominations",
    "pieces",
]

# Indonesia's coins and banknotes in use (Bank Indonesia): what a cashier counts a drawer in.
IDR_DENOMINATIONS = tuple(
    Decimal(n) for n in (100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000)
)
MAX_PIECES = 10**6  # of one banknote or coin in one drawer: more is a typing slip


def denominations(currency: Currency) -> tuple[Decimal, ...]:
    """The banknotes and coins a drawer of `currency` is counted in, smallest first; none known:
    the cashier types the total."""
    return IDR_DENOMINATIONS if currency.name.upper() == "IDR" else ()


def pieces(text: Any) -> int:
    """How many of one banknote or coin, as typed ("" is none): a whole number, never negative."""
    typed = str(text if text is not None else "").strip()
    if not typed:
        return 0
    if not (typed.isascii() and typed.isdigit()):
        raise InvalidAmount("Count whole pieces (0 or more), not “{text}”.", text=typed)
    number = int(typed)
    if number > MAX_PIECES:
        raise InvalidAmount("{count} pieces of one kind is too many to count.", count=typed)
    return number


def counted(counts: Mapping[Decimal, int]) -> Decimal:
    """The cash in a drawer counted piece by piece: {denomination: pieces}."""
    return sum((Decimal(value) * n for value, n in counts.items()), Decimal(0))


def cash_amount(text: Any, currency: Currency, *, positive: bool = False) -> Decimal:
    """An amount of cash typed by the cashier (a count, or a move): never negative, with at most
    the currency's decimals (`parse_money` refuses the rest); `positive`: more than nothing."""
    amount = parse_money(str(text if text is not None else ""), currency)
    if positive and amount <= 0:
        raise InvalidAmount("Type an amount of more than {zero}.", zero=currency.format(0))
    return amount


@dataclass(frozen=True)
class MethodTotal:
    """What one payment method took over the day: the amount (cash: net of the change given
    back) and how many payments."""

    method_id: int
    name: str
    amount: Decimal
    payments: int


@dataclass(frozen=True)
class Day:
    """A register's day as its X and Z reports show it."""

    opening: Decimal
    orders: int
    sales_total: Decimal
    methods: tuple[MethodTotal, ...]
    cash_sales: Decimal  # cash payments less the change given back
    cash_in: Decimal
    cash_out: Decimal
    moves: tuple[dict[str, Any], ...]  # the cash moves as recorded, in order

    @property
    def expected_cash(self) -> Decimal:
        return self.opening + self.cash_sales + self.cash_in - self.cash_out

    def difference(self, counted_cash: Decimal) -> Decimal:
        """Counted less expected: negative when cash is missing."""
        return counted_cash - self.expected_cash


def day_totals(shop: Shop, opening: Any, records: Iterable[dict[str, Any]]) -> Day:
    """The day from its records: the orders (kind "order") and cash moves (kind "cash_move")
    of one session, in any order. Change is given in cash (the register gives change only in
    cash), so it comes off the cash method's takings."""
    cash_ids = {method.id for method in shop.payment_methods if method.is_cash}
    amounts: dict[int, Decimal] = {}
    payments: dict[int, int] = {}
    orders = 0
    total = change = cash_in = cash_out = Decimal(0)
    moves = []
    for record in records:
        kind = record.get("kind")
        if kind == "cash_move":
            amount = to_decimal(record["amount"])
            if record.get("type") == "in":
                cash_in += amount
            else:
                cash_out += amount
            moves.append(record)
        elif kind == "order":
            orders += 1
            total += to_decimal(record.get("amount_total") or 0)
            change += to_decimal(record.get("amount_return") or 0)
            for payment in record.get("payments") or ():
                method_id = int(payment["method_id"])
                amounts[method_id] = amounts.get(method_id, Decimal(0)) + to_decimal(
                    payment["amount"]
                )
                payments[method_id] = payments.get(method_id, 0) + 1
    cash_first = next(iter(sorted(cash_ids)), None)
    if change and cash_first is not None:
        amounts[cash_first] = amounts.get(cash_first, Decimal(0)) - change
    methods = tuple(
        MethodTotal(
            method.id, method.name, amounts.get(method.id, Decimal(0)), payments.get(method.id, 0)
        )
        for method in shop.payment_methods
    )
    cash_sales = sum((amounts.get(i, Decimal(0)) for i in cash_ids), Decimal(0))
    return Day(
        opening=to_decimal(opening),
        orders=orders,
        sales_total=total,
        methods=methods,
        cash_sales=cash_sales,
        cash_in=cash_in,
        cash_out=cash_out,
        moves=tuple(moves),
    )
