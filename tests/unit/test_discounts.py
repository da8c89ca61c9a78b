"""Line discounts, manual prices and the order-wide discount of Odoo's pos_discount, with who/why."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import finish, make_shop
from register.cart import Cart
from register.catalog import Product
from register.errors import InvalidAmount, RegisterError

D = Decimal
CASH = 1


@pytest.fixture
def dshop(bootstrap):
    bootstrap["taxes"].append({"id": 2, "name": "PPN 11% (excl.)", "amount_type": "percent",
                               "amount": "11", "price_include": False})  # fmt: skip
    return make_shop(bootstrap, discount_product_id=900)


def test_line_discount_with_reason_in_the_record(shop, catalog):
    cart = Cart(shop, catalog=catalog)
    line = cart.add(catalog.get(101), 2)
    cart.set_discount(line.uuid, "10", reason="dented can", by="ani")
    # 2 x 3500 at 10 % off = 6300 incl.; tax 6300*11/111 = 624.32 -> 624 ; base 5676
    totals = cart.totals()
    assert (totals.amount_untaxed, totals.amount_tax, totals.amount_total) == (
        D("5676"),
        D("624"),
        D("6300"),
    )
    cart.add_payment(CASH, "6300")
    record_line = finish(cart)["lines"][0]
    assert record_line["discount"] == "10"
    assert (record_line["discount_reason"], record_line["discount_by"]) == ("dented can", "ani")


def test_discount_limits(shop, catalog):
    cart = Cart(shop)
    line = cart.add(catalog.get(101))
    for bad in ("-1", "100.5", "abc"):
        with pytest.raises(InvalidAmount):
            cart.set_discount(line.uuid, bad)
    cart.set_discount(line.uuid, 100, reason="gift", by="budi")
    assert cart.totals().amount_total == 0


def test_manual_price_with_reason(shop, catalog):
    cart = Cart(shop, catalog=catalog)
    line = cart.add(catalog.get(101), 2)
    cart.set_price(line.uuid, "3000", reason="price tag says 3000", by="ani")
    assert cart.totals().amount_total == D("6000")
    # a second scan does not merge into the line with a manual price
    assert cart.add(catalog.get(101)) is not line
    cart.add_payment(CASH, "10000")
    first = finish(cart)["lines"][0]
    assert first["price_unit"] == "3000" and first["price_manually_set"] is True
    assert (first["price_reason"], first["price_by"]) == ("price tag says 3000", "ani")
    with pytest.raises(InvalidAmount):
        cart.set_price(line.uuid, "-1")


def test_order_discount_one_line_per_tax_set(dshop, catalog):
    cart = Cart(dshop, catalog=catalog)
    cart.add(catalog.get(101), 3)  # 10500 incl. PPN
    cart.add(catalog.get(103))  # 74900, no tax
    cart.set_order_discount(10, reason="member day", by="ani")
    discounts = [line for line in cart.lines if line.kind == "discount"]
    # PPN set: base = untaxed 9459 + included tax 1041 = 10500 -> -1050; no tax: -7490
    assert [(d.tax_ids, d.price_unit, d.product_id) for d in discounts] == [
        ((1,), D("-1050"), 900),
        ((), D("-7490"), 900),
    ]
    totals = cart.totals()
    # 85400 - 8540 = 76860; tax 1041 - (1050 - 946) = 937
    assert (totals.amount_total, totals.amount_tax) == (D("76860"), D("937"))
    cart.add_payment(CASH, "80000")
    record = finish(cart)
    assert record["order_discount"] == {"percent": "10", "reason": "member day", "by": "ani"}
    marked = [x for x in record["lines"] if x.get("is_order_discount")]
    assert [x["price_subtotal_incl"] for x in marked] == ["-1050", "-7490"]
    assert marked[0]["price_reason"] == "member day" and marked[0]["price_by"] == "ani"


def test_order_discount_on_an_excluded_tax_uses_the_untaxed_base(dshop):
    cart = Cart(dshop)
    cart.add(Product(id=5, name="Rokok", list_price="5000", tax_ids=(2,)))
    cart.set_order_discount(10)
    # 5000 + 550 tax = 5550; discount line -500 (10 % of the untaxed 5000) + tax -55
    assert cart.lines[-1].price_unit == D("-500")
    assert cart.totals().amount_total == D("4995")


def test_order_discount_follows_the_cart(dshop, catalog):
    cart = Cart(dshop, catalog=catalog)
    cart.add(catalog.get(101), 2)
    cart.set_order_discount(50)
    first = cart.lines[-1]
    assert first.price_unit == D("-3500")
    cart.add(catalog.get(102))  # 7000 + 5000 = 12000, same tax set: one line, same uuid
    assert cart.lines[-1].uuid == first.uuid and cart.lines[-1].price_unit == D("-6000")
    cart.remove(cart.lines[-1].uuid)  # removing the discount line removes the discount
    assert cart.order_discount is None and cart.totals().amount_total == D("12000")


def test_discount_lines_cannot_be_edited(dshop, catalog):
    cart = Cart(dshop, catalog=catalog)
    cart.add(catalog.get(101))
    cart.set_order_discount(5)
    with pytest.raises(RegisterError, match="discount"):
        cart.set_qty(cart.lines[-1].uuid, 2)


def test_order_discount_needs_a_discount_product(shop, catalog):
    cart = Cart(shop)
    cart.add(catalog.get(101))
    with pytest.raises(RegisterError, match="no discount product"):
        cart.set_order_discount(10)


def test_order_discount_survives_a_draft(dshop, catalog):
    cart = Cart(dshop, catalog=catalog)
    cart.add(catalog.get(101), 2)
    cart.set_order_discount("12.5", reason="x", by="y")
    restored = Cart.from_dict(dshop, cart.to_dict(), catalog=catalog)
    assert restored.lines == cart.lines and restored.order_discount == cart.order_discount
    assert restored.totals() == cart.totals()
