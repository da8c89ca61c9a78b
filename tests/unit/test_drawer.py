"""The drawer over a register's day: counts typed per banknote and coin, and the cash the till
expects (opening + cash payments − change + cash in − cash out), to the rupiah."""

from __future__ import annotations

from decimal import Decimal

import pytest
from register.drawer import (
    IDR_DENOMINATIONS,
    cash_amount,
    counted,
    day_totals,
    denominations,
    pieces,
)
from register.errors import InvalidAmount
from register.money import Currency

CASH, CARD = 1, 2


def order(total: str, *payments: tuple[int, str], change: str = "0") -> dict:
    return {
        "kind": "order",
        "amount_total": total,
        "amount_return": change,
        "payments": [{"uuid": f"p{i}", "method_id": m, "amount": a} for i, (m, a) in enumerate(payments)],
    }  # fmt: skip


def move(kind: str, amount: str, reason: str = "Beli es batu") -> dict:
    return {"kind": "cash_move", "type": kind, "amount": amount, "reason": reason}


def test_idr_is_counted_in_its_ten_banknotes_and_coins(shop):
    assert denominations(shop.currency) == IDR_DENOMINATIONS
    assert [int(d) for d in IDR_DENOMINATIONS] == [
        100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000
    ]  # fmt: skip
    usd = Currency("USD", Decimal("0.01"), 2, "$")
    assert denominations(usd) == ()


def test_a_count_piece_by_piece():
    counts = {Decimal(100000): 3, Decimal(50000): 1, Decimal(500): 7, Decimal(100): 0}
    assert counted(counts) == Decimal("353500")
    assert counted({}) == 0


@pytest.mark.parametrize(("typed", "number"), [("", 0), (" 3 ", 3), ("0", 0), ("12", 12)])
def test_pieces_as_typed(typed, number):
    assert pieces(typed) == number


@pytest.mark.parametrize("typed", ["-1", "1.5", "2,0", "x", "٣", "1e3", "10000000"])
def test_pieces_refuse_what_is_not_a_whole_count(typed):
    with pytest.raises(InvalidAmount):
        pieces(typed)


def test_amounts_are_never_negative_and_keep_the_currencys_decimals(shop):
    assert cash_amount("150.000", shop.currency) == Decimal(150000)
    assert cash_amount("0", shop.currency) == 0
    with pytest.raises(InvalidAmount, match="negative"):
        cash_amount("-5000", shop.currency)
    with pytest.raises(InvalidAmount, match="no decimals"):
        cash_amount("2,5", shop.currency)  # IDR in this shop has 0 decimals
    with pytest.raises(InvalidAmount, match="more than"):
        cash_amount("0", shop.currency, positive=True)
    usd = Currency("USD", Decimal("0.01"), 2, "$")
    assert cash_amount("12.50", usd) == Decimal("12.50")
    with pytest.raises(InvalidAmount):
        cash_amount("12.505", usd)


def test_expected_cash_counts_cash_less_change_and_the_moves(shop):
    records = [
        order("13650", (CASH, "20000"), change="6350"),
        order("50000", (CARD, "50000")),
        order("30000", (CASH, "10000"), (CARD, "20000")),
        move("out", "20000"),
        move("in", "5000", "Modal tambahan"),
        order("-4000", (CASH, "-4000")),  # a refund gives cash back
    ]
    day = day_totals(shop, "150000", records)
    assert day.orders == 4
    assert day.sales_total == Decimal("89650")
    assert day.cash_sales == Decimal("19650")  # 20000 - 6350 + 10000 - 4000
    assert (day.cash_in, day.cash_out) == (Decimal(5000), Decimal(20000))
    assert day.expected_cash == Decimal("154650")  # 150000 + 19650 + 5000 - 20000
    methods = {m.method_id: (m.amount, m.payments) for m in day.methods}
    assert methods == {CASH: (Decimal("19650"), 3), CARD: (Decimal("70000"), 2)}
    assert [m["reason"] for m in day.moves] == ["Beli es batu", "Modal tambahan"]
    assert day.difference(Decimal("153650")) == Decimal(-1000)
    assert day.difference(Decimal("154650")) == 0


def test_an_empty_day_expects_the_opening_count(shop):
    day = day_totals(shop, "75000", [])
    assert (day.orders, day.sales_total, day.expected_cash) == (0, 0, Decimal(75000))
    assert all(m.amount == 0 and m.payments == 0 for m in day.methods)
