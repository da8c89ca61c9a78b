"""Refunds from the terminal's history: never more than sold minus already refunded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import finish, make_shop
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from register.cart import Cart
from register.catalog import Product
from register.errors import InvalidQuantity, NotPaid
from register.refunds import RefundLedger

D = Decimal
CASH, CARD = 1, 2


def sale(shop, catalog):
    cart = Cart(shop, catalog=catalog)
    cart.add(catalog.get(101), 3)  # 10500
    cart.add(catalog.get(103))  # 74900
    cart.add_payment(CASH, "85400")
    return finish(cart)


def test_refund_lines_point_at_the_sale(shop, catalog):
    order = sale(shop, catalog)
    indomie = order["lines"][0]
    ledger = RefundLedger([order])
    cart = Cart(shop, catalog=catalog)
    (line,) = cart.refund_of(order, {indomie["uuid"]: 2}, ledger)
    assert (line.qty, line.price_unit, line.tax_ids) == (D(-2), D(3500), (1,))
    totals = cart.totals()
    # 2 x 3500 back: -7000, of which PPN -694
    assert (totals.amount_total, totals.amount_tax) == (D(-7000), D(-694))
    assert cart.amount_remaining == D(-7000) and not cart.is_paid()
    cart.add_payment(CASH, "7000")  # typed positive: paid back
    record = finish(cart, seq=2)
    assert record["lines"][0]["refunded_line_uuid"] == indomie["uuid"]
    assert record["lines"][0]["qty"] == "-2"
    assert [p["amount"] for p in record["payments"]] == ["-7000"]
    assert (record["amount_total"], record["amount_paid"], record["amount_return"]) == (
        "-7000",
        "-7000",
        "0",
    )


def test_refund_never_exceeds_what_is_left(shop, catalog):
    order = sale(shop, catalog)
    indomie = order["lines"][0]["uuid"]
    first = Cart(shop)
    first.refund_of(order, {indomie: 2}, RefundLedger([order]))
    first.add_payment(CARD, "7000")
    refund = finish(first, seq=2)
    # the refund was made offline too: the ledger knows it from the terminal's history
    ledger = RefundLedger([order, refund, order])  # the same order twice counts once
    assert (ledger.sold(indomie), ledger.refunded(indomie), ledger.left(indomie)) == (3, 2, 1)
    assert ledger.refundable(order["uuid"]) == {indomie: D(1), order["lines"][1]["uuid"]: D(1)}
    second = Cart(shop)
    with pytest.raises(InvalidQuantity, match=r"Only 1 of Indomie .* \(3 sold, 2 already"):
        second.refund_of(order, {indomie: 2}, ledger)
    second.refund_of(order, {indomie: 1}, ledger)
    with pytest.raises(InvalidQuantity, match="Only 0"):  # in the cart already
        second.refund_of(order, {indomie: 1}, ledger)
    with pytest.raises(InvalidQuantity, match="itself a refund"):
        Cart(shop).refund_of(refund, {refund["lines"][0]["uuid"]: 1}, ledger)


def test_refund_line_quantity_can_change_within_the_limit(shop, catalog):
    order = sale(shop, catalog)
    cart = Cart(shop)
    (line,) = cart.refund_of(order, {order["lines"][0]["uuid"]: 1})
    cart.set_qty(line.uuid, 3)
    assert line.qty == D(-3)
    with pytest.raises(InvalidQuantity):
        cart.set_qty(line.uuid, 4)


def test_refund_pays_back_exactly(shop, catalog):
    order = sale(shop, catalog)
    cart = Cart(shop)
    cart.refund_of(order, {order["lines"][1]["uuid"]: 1})
    cart.add_payment(CARD, "80000")
    with pytest.raises(NotPaid, match="more than the refund"):
        finish(cart, seq=2)


def test_refund_takes_the_order_customer_and_pricelist(shop, catalog):
    order = sale(shop, catalog)
    order["partner"] = {"id": 7}
    cart = Cart(shop)
    cart.refund_of(order, {order["lines"][1]["uuid"]: 1})
    cart.add_payment(CASH, "74900")
    record = finish(cart, seq=2)
    assert record["partner"] == {"id": 7} and record["pricelist_id"] == 1


lines_strategy = st.lists(
    st.tuples(
        st.decimals(min_value=1, max_value=500_000, places=0),
        st.integers(min_value=1, max_value=20),
        st.sampled_from([(), (1,)]),
        st.sampled_from([D(0), D(5), D("12.5")]),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines_strategy, st.sampled_from(["round_per_line", "round_globally"]))
def test_property_refund_of_everything_nets_to_zero(bootstrap, lines, method):
    shop = make_shop(bootstrap, tax_calculation_rounding_method=method)
    cart = Cart(shop)
    for i, (price, qty, taxes, discount) in enumerate(lines):
        line = cart.add(Product(id=i + 1, name=f"P{i}", list_price=price, tax_ids=taxes), qty)
        if discount:
            cart.set_discount(line.uuid, discount)
    cart.add_payment(CASH, cart.amount_due)
    order = finish(cart)
    refund = Cart(shop)
    refund.refund_of(order, {x["uuid"]: x["qty"] for x in order["lines"]}, RefundLedger([order]))
    refund.add_payment(CASH, refund.amount_remaining)
    back = finish(refund, seq=2)
    for key in ("amount_total", "amount_tax", "amount_paid"):
        assert D(order[key]) + D(back[key]) == 0
    # Line by line only per line: round_globally puts the document's rounding difference on
    # the line with the biggest total, which for a refund (negative totals) may be another line.
    for sold, returned in zip(order["lines"], back["lines"], strict=True):
        if method == "round_per_line":
            assert D(sold["price_subtotal_incl"]) + D(returned["price_subtotal_incl"]) == 0
    assert RefundLedger([order, back]).refundable(order["uuid"]) == {}
