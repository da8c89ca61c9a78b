"""Quantities follow the product's unit: whole numbers for units, up to 3 decimals by weight."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import finish
from register.cart import Cart
from register.catalog import Catalog, Product
from register.errors import InvalidQuantity

GULA = Product(id=1, name="Gula", list_price="18000", barcode="8990000000011")
BERAS = Product(
    id=2, name="Beras curah", list_price="14000", barcode="8990000000028", uom="kg", uom_decimals=3
)
LITRE = Product(id=3, name="Minyak curah", list_price="20000", uom="L", uom_decimals=1)


def test_record_carries_the_units_decimals() -> None:
    record = {"id": 2, "name": "Beras curah", "uom": "kg", "uom_decimals": 3}
    assert Product.from_record(record).uom_decimals == 3
    assert Product.from_record({"id": 1, "name": "Gula"}).uom_decimals == 0  # whole units
    assert Product.from_record({"id": 4, "uom_decimals": 6}).uom_decimals == 3  # never past 3


def test_units_take_whole_numbers_only(shop) -> None:
    cart = Cart(shop)
    with pytest.raises(InvalidQuantity) as caught:
        cart.add(GULA, "1.5")
    assert caught.value.message == "Gula is sold by the unit: type a whole number."
    line = cart.add(GULA, "2.000")  # a whole number written with decimals is still whole
    assert line.qty == 2
    with pytest.raises(InvalidQuantity, match="whole number"):
        cart.set_qty(line.uuid, "0.5")
    assert line.qty == 2


def test_weighed_products_take_their_units_decimals(shop) -> None:
    cart = Cart(shop)
    line = cart.add(BERAS, "0.5")
    assert line.qty == Decimal("0.5")
    cart.set_qty(line.uuid, "1.255")
    assert line.qty == Decimal("1.255")
    with pytest.raises(InvalidQuantity) as caught:
        cart.set_qty(line.uuid, "1.2555")
    assert caught.value.message == "Beras curah is sold by kg, in steps of 0.001."
    oil = cart.add(LITRE, "1.5")
    with pytest.raises(InvalidQuantity, match=r"Minyak curah is sold by L, in steps of 0\.1\."):
        cart.set_qty(oil.uuid, "1.25")
    assert oil.qty == Decimal("1.5")


def test_adding_onto_a_line_keeps_the_rule(shop) -> None:
    cart = Cart(shop)
    line = cart.scan(Catalog([GULA]), "8990000000011")
    cart.add(GULA, 3)
    assert line.qty == 4 and len(cart.lines) == 1
    with pytest.raises(InvalidQuantity):
        cart.add(GULA, "0.25")
    assert line.qty == 4


def test_what_comes_back_follows_the_unit_too(shop) -> None:
    catalog = Catalog([GULA, BERAS])
    cart = Cart(shop, catalog=catalog)
    cart.add(GULA, 3)
    cart.add(BERAS, "2.5")
    cart.add_payment(1, cart.totals().amount_total)  # cash
    order = finish(cart)
    gula, beras = (line["uuid"] for line in order["lines"])
    refund = Cart(shop, catalog=catalog)
    with pytest.raises(InvalidQuantity, match="Gula is sold by the unit"):
        refund.refund_of(order, {gula: "1.5"})
    (back,) = refund.refund_of(order, {beras: "0.75"})
    assert back.qty == Decimal("-0.75")
    (back,) = refund.refund_of(order, {gula: "1"})
    with pytest.raises(InvalidQuantity, match="whole number"):
        refund.set_qty(back.uuid, "0.5")
