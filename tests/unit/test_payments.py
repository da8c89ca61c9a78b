"""Several payment lines, change only from cash, and Odoo's cash rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import finish, make_shop
from hypothesis import given
from hypothesis import strategies as st
from register.cart import Cart
from register.cash_rounding import CashRounding, rounded_total
from register.errors import NotPaid

D = Decimal
CASH, CARD = 1, 2


def rounding_shop(bootstrap, method="HALF-UP", only_cash=False):
    bootstrap["cash_roundings"] = [
        {"id": 4, "name": "Rp 100", "rounding": "100", "rounding_method": method}
    ]
    return make_shop(
        bootstrap, cash_rounding=True, rounding_method_id=4, only_round_cash_method=only_cash
    )


def beras_at(cart, catalog, price="74950"):
    line = cart.add(catalog.get(103))  # no tax
    cart.set_price(line.uuid, price, reason="test", by="t")
    return line


def test_several_payments_change_from_cash(shop, catalog):
    cart = Cart(shop)
    cart.add(catalog.get(101), 2)  # 7000
    cart.add_payment(CARD, "5000")
    cart.add_payment(CASH, "5000")
    assert cart.is_paid() and cart.change == D("3000")
    record = finish(cart)
    # payments are the tendered lines; paid = tendered - change
    assert [p["amount"] for p in record["payments"]] == ["5000", "5000"]
    assert (record["amount_paid"], record["amount_return"]) == ("7000", "3000")


def test_change_cannot_come_from_a_card(shop, catalog):
    cart = Cart(shop)
    cart.add(catalog.get(101), 2)
    cart.add_payment(CASH, "1000")
    cart.add_payment(CARD, "8000")
    assert not cart.is_paid()
    with pytest.raises(NotPaid, match="change can only be given from cash"):
        finish(cart)


def test_not_fully_paid_is_refused(shop, catalog):
    cart = Cart(shop)
    cart.add(catalog.get(101), 2)
    cart.add_payment(CARD, "6999")
    with pytest.raises(NotPaid, match="Rp 1 is still due"):
        finish(cart)


@pytest.mark.parametrize(
    ("method", "to_pay", "applied"),
    [("HALF-UP", "75000", "50"), ("DOWN", "74900", "-50"), ("UP", "75000", "50")],
)
def test_cash_rounding_methods(bootstrap, catalog, method, to_pay, applied):
    cart = Cart(rounding_shop(bootstrap, method))
    beras_at(cart, catalog)  # 74950
    assert cart.amount_due == D(to_pay)
    cart.add_payment(CASH, "100000")
    record = finish(cart)
    assert record["amount_total"] == "74950"
    assert record["rounding_applied"] == applied
    assert record["amount_paid"] == to_pay
    assert record["amount_return"] == str(100000 - int(to_pay))


def test_cash_rounding_with_a_card_and_cash(bootstrap, catalog):
    cart = Cart(rounding_shop(bootstrap))
    beras_at(cart, catalog, "74949")  # HALF-UP to 74900: -49
    cart.add_payment(CARD, "50000")
    cart.add_payment(CASH, "24900")
    assert cart.is_paid() and cart.change == 0
    record = finish(cart)
    assert (record["amount_paid"], record["rounding_applied"]) == ("74900", "-49")


def test_only_cash_is_rounded_when_configured(bootstrap, catalog):
    cart = Cart(rounding_shop(bootstrap, only_cash=True))
    beras_at(cart, catalog)
    assert cart.amount_due_for(CARD) == D("74950")
    assert cart.amount_due_for(CASH) == D("75000")
    card_only = Cart.from_dict(cart.shop, cart.to_dict())
    card_only.add_payment(CARD, "74950")
    assert finish(card_only)["rounding_applied"] == "0"
    cart.add_payment(CASH, "75000")
    record = finish(cart)
    assert (record["rounding_applied"], record["amount_paid"]) == ("50", "75000")


def test_totals_stay_unrounded_for_the_receipt(bootstrap, catalog):
    cart = Cart(rounding_shop(bootstrap))
    beras_at(cart, catalog)
    assert cart.totals().amount_total == D("74950")
    assert cart.rounding_applied == D("50") and cart.amount_to_pay == D("75000")


@given(
    st.integers(min_value=-10_000_000, max_value=10_000_000),
    st.sampled_from(["HALF-UP", "UP", "DOWN"]),
    st.sampled_from(["100", "500", "0.05"]),
)
def test_property_rounding_moves_less_than_a_step(cents, method, step):
    total = D(cents) / 100
    rounding = CashRounding(1, "r", step, method)
    to_pay = rounded_total(total, rounding, precision_rounding="0.01")
    difference = abs(to_pay - total)
    limit = D(step) / 2 if method == "HALF-UP" else D(step)
    assert difference <= limit
    assert difference < D(step)
    assert (to_pay / D(step)) == (to_pay / D(step)).to_integral_value()
