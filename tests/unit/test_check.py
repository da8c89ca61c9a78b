"""check_order: the relay recomputes an incoming order and names every total that differs."""

from __future__ import annotations

import copy
from decimal import Decimal

from conftest import finish, make_shop
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from register.cart import Cart
from register.catalog import Product
from register.check import check_order
from register.refunds import RefundLedger

D = Decimal
CASH, CARD = 1, 2


def paid_order(shop, catalog):
    cart = Cart(shop, catalog=catalog)
    cart.add(catalog.get(101), 2)  # 7000
    cart.add(catalog.get(103))  # 74900
    cart.add_payment(CASH, "100000")
    return finish(cart)


def test_a_register_order_is_fine(shop, catalog):
    assert check_order(paid_order(shop, catalog), shop, catalog) == []


def test_a_changed_line_total_is_named(shop, catalog):
    order = paid_order(shop, catalog)
    order["lines"][0]["price_subtotal_incl"] = "6000"
    assert check_order(order, shop, catalog) == [
        "Line 1 (Indomie Goreng 85 g): the amount with tax is Rp 6.000, "
        "but its price, quantity and taxes give Rp 7.000."
    ]


def test_changed_totals_and_payments(shop, catalog):
    order = paid_order(shop, catalog)
    order["amount_total"] = "80000"
    order["amount_tax"] = "700"
    order["amount_return"] = "20000"  # 100000 tendered - 81900 = 18100 is right
    problems = check_order(order, shop, catalog)
    assert "The total is Rp 80.000, but the lines give Rp 81.900." in problems
    assert "The tax is Rp 700, but the lines give Rp 694." in problems
    assert (
        "The payments come to Rp 100.000 with Rp 20.000 change, so Rp 80.000 was paid, "
        "not Rp 81.900." in problems
    )


def test_change_from_a_card_and_unknown_tax(shop, catalog):
    order = paid_order(shop, catalog)
    order["payments"][0]["method_id"] = CARD
    assert any("only cash gives change" in p for p in check_order(order, shop))
    order = paid_order(shop, catalog)
    order["lines"][1]["tax_ids"] = [42]
    assert check_order(order, shop) == [
        "Line 2 (Beras Pandan Wangi 5 kg): tax 42 is not known to this shop."
    ]


def test_cash_rounding_is_checked(bootstrap, catalog):
    bootstrap["cash_roundings"] = [{"id": 4, "name": "Rp 100", "rounding": "100"}]
    shop = make_shop(bootstrap, cash_rounding=True, rounding_method_id=4)
    cart = Cart(shop, catalog=catalog)
    cart.add(catalog.get(101))
    cart.set_price(cart.lines[0].uuid, "3450")  # rounds to 3500 in cash: +50
    cart.add_payment(CASH, "5000")
    order = finish(cart)
    assert check_order(order, shop) == []
    wrong = copy.deepcopy(order)
    wrong["rounding_applied"] = "0"
    wrong["amount_paid"] = "3450"
    wrong["amount_return"] = "1550"
    problems = check_order(wrong, shop)
    assert "The cash rounding is Rp 0, but the lines give Rp 50." in problems
    assert "The order costs Rp 3.500 but Rp 3.450 was paid." in problems


def test_refunds_and_discounts_check_clean(bootstrap, catalog):
    shop = make_shop(bootstrap, discount_product_id=900,
                     tax_calculation_rounding_method="round_globally")  # fmt: skip
    cart = Cart(shop, catalog=catalog)
    line = cart.add(catalog.get(101), 3)
    cart.set_discount(line.uuid, "7.5", reason="r", by="b")
    cart.add(catalog.get(102))
    cart.set_order_discount(10)
    cart.add_payment(CASH, "20000")
    order = finish(cart)
    assert check_order(order, shop) == []
    refund = Cart(shop)
    refund.refund_of(order, {x["uuid"]: x["qty"] for x in order["lines"]}, RefundLedger([order]))
    refund.add_payment(CARD, refund.amount_remaining)
    assert check_order(finish(refund, seq=2), shop) == []


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.decimals(min_value=1, max_value=900_000, places=0),
                  st.integers(min_value=1, max_value=12), st.booleans()),
        min_size=1, max_size=6,
    ),
    st.sampled_from(["round_per_line", "round_globally"]),
)  # fmt: skip
def test_property_register_orders_always_check_clean(bootstrap, lines, method):
    shop = make_shop(bootstrap, tax_calculation_rounding_method=method)
    cart = Cart(shop)
    for i, (price, qty, taxed) in enumerate(lines):
        cart.add(
            Product(id=i + 1, name=f"P{i}", list_price=price, tax_ids=(1,) if taxed else ()), qty
        )
    cart.add_payment(CARD, cart.amount_due)
    order = finish(cart)
    assert check_order(order, shop) == []
    totals = cart.totals()
    # totals are the sum of the lines; price-included lines give back the shelf price
    assert totals.amount_total == sum(t.price_subtotal_incl for t in totals.lines)
    assert totals.amount_total == sum(shop.currency.round(price * qty) for price, qty, _ in lines)
