"""The order record a paid cart becomes: exactly the shared contract's shape and arithmetic."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from register.cart import Cart
from register.catalog import Product
from register.errors import EmptyCart, NotPaid

D = Decimal
CASH, CARD = 1, 2
CREATED = datetime(2026, 11, 23, 20, 41, 5, 123456, tzinfo=UTC)

ORDER_KEYS = {
    "uuid", "kind", "terminal", "session", "seq", "name", "created_at", "currency",
    "pricelist_id", "fiscal_position_id", "partner", "lines", "payments", "amount_total",
    "amount_tax", "amount_paid", "amount_return", "rounding_applied", "catalog_version",
}  # fmt: skip
LINE_KEYS = {
    "uuid", "product_id", "full_product_name", "qty", "price_unit", "discount", "tax_ids",
    "price_subtotal", "price_subtotal_incl",
}  # fmt: skip


def record(cart: Cart, **overrides) -> dict:
    kwargs = {
        "terminal": "kasir-1",
        "session": 1,
        "seq": 1,
        "created_at": CREATED,
        "catalog_version": "57",
    }
    kwargs.update(overrides)
    return cart.order_record(**kwargs)


def test_contract_example(shop, catalog):
    # 2 x Indomie 3500 incl. PPN 11 %, paid with 10000 cash: total 7000, change 3000
    cart = Cart(shop)
    line = cart.add(catalog.get(101), 2)
    payment = cart.add_payment(CASH, "10000")
    order = record(cart)
    assert set(order) == ORDER_KEYS
    assert order == {
        "uuid": cart.uuid,
        "kind": "order",
        "terminal": "kasir-1",
        "session": 1,
        "seq": 1,
        "name": "kasir-1-000001",
        "created_at": "2026-11-23T20:41:05.123456+00:00",
        "currency": "IDR",
        "pricelist_id": 1,
        "fiscal_position_id": None,
        "partner": None,
        "lines": [
            {
                "uuid": line.uuid,
                "product_id": 101,
                "full_product_name": "Indomie Goreng 85 g",
                "qty": "2",
                "price_unit": "3500",
                "discount": "0",
                "tax_ids": [1],
                "price_subtotal": "6306",
                "price_subtotal_incl": "7000",
            }
        ],
        "payments": [{"uuid": payment.uuid, "method_id": 1, "amount": "10000"}],
        "amount_total": "7000",
        "amount_tax": "694",
        "amount_paid": "7000",
        "amount_return": "3000",
        "rounding_applied": "0",
        "catalog_version": "57",
    }
    # JSON-safe as is, and every uuid is a uuid4
    assert json.loads(json.dumps(order)) == order
    for value in (order["uuid"], line.uuid, payment.uuid):
        assert uuid.UUID(value).version == 4


def test_name_and_created_at_in_utc(shop, catalog):
    cart = Cart(shop)
    cart.add(catalog.get(101))
    cart.add_payment(CARD, "3500")
    jakarta = timezone(timedelta(hours=7))
    order = record(
        cart,
        terminal="kasir-2",
        seq=1234,
        created_at=datetime(2026, 11, 24, 3, 41, 5, tzinfo=jakarta),
    )
    assert order["name"] == "kasir-2-001234"
    assert order["created_at"] == "2026-11-23T20:41:05+00:00"
    assert order["amount_return"] == "0"
    with pytest.raises(ValueError):
        record(cart, created_at=datetime(2026, 11, 23, 20, 41, 5))  # naive: refused


def test_mixed_payment_types_and_consistency(shop, catalog):
    # 2 x 3500 + 3 x 5000 + 74900 = 96900 ; card 50000 + cash 50000 -> change 3100
    cart = Cart(shop)
    cart.add(catalog.get(101), 2)
    line = cart.add(catalog.get(102), 3)
    line.discount = D("0")
    cart.add(catalog.get(103))
    cart.add_payment(CARD, "50000")
    cart.add_payment(CASH, "50000")
    order = record(cart)
    assert all(set(x) == LINE_KEYS for x in order["lines"])
    assert order["amount_total"] == "96900"
    assert order["amount_tax"] == "2180"
    assert order["amount_return"] == "3100"
    assert order["amount_paid"] == "96900"
    assert [p["amount"] for p in order["payments"]] == ["50000", "50000"]
    assert order["lines"][2]["tax_ids"] == []


def test_decimal_quantities_and_discounts_as_strings(shop, catalog):
    # 1.5 x 74900 = 112350 ; 10 % off -> 101115 (no tax)
    cart = Cart(shop)
    line = cart.add(replace(catalog.get(103), uom="kg", uom_decimals=3), "1.5")
    line.discount = D("10")
    cart.add_payment(CASH, "101115")
    order = record(cart)
    assert order["lines"][0]["qty"] == "1.5"
    assert order["lines"][0]["discount"] == "10"
    assert order["lines"][0]["price_subtotal"] == "101115"
    assert order["amount_total"] == "101115"


def test_empty_cart_is_refused(shop):
    with pytest.raises(EmptyCart):
        record(Cart(shop))


def test_unpaid_cart_is_refused_with_the_amount_due(shop, catalog):
    cart = Cart(shop)
    cart.add(catalog.get(101), 2)
    cart.add_payment(CASH, "5000")
    with pytest.raises(NotPaid) as caught:
        record(cart)
    assert "Rp 2.000" in caught.value.message


def test_card_overpayment_is_refused_with_an_explanation(shop, catalog):
    cart = Cart(shop)
    cart.add(catalog.get(101), 2)
    cart.add_payment(CARD, "10000")
    with pytest.raises(NotPaid) as caught:
        record(cart)
    message = caught.value.message
    assert "Rp 3.000" in message and "cash" in message


def test_a_draft_gives_the_same_record(shop, catalog):
    cart = Cart(shop)
    cart.add(catalog.get(101), 2)
    cart.add_payment(CASH, "10000")
    restored = Cart.from_dict(shop, json.loads(json.dumps(cart.to_dict())))
    assert record(restored) == record(cart)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=1, max_value=500_000, places=0),
            st.integers(min_value=1, max_value=20),
            st.booleans(),
        ),
        min_size=1,
        max_size=6,
    ),
    st.decimals(min_value=0, max_value=100_000, places=0),
    st.booleans(),
)
def test_property_record_arithmetic(shop, items, extra_cash, split):
    cart = Cart(shop)
    for i, (price, qty, taxed) in enumerate(items):
        cart.add(
            Product(id=i + 1, name=f"P{i}", list_price=price, tax_ids=(1,) if taxed else ()), qty
        )
    total = cart.totals().amount_total
    if split and total > 1:
        cart.add_payment(CARD, total // 2)
        cart.add_payment(CASH, total - total // 2 + extra_cash)
    elif total > 0:
        cart.add_payment(CASH, total + extra_cash)
    order = record(cart)
    lines = order["lines"]
    assert D(order["amount_total"]) == sum(D(x["price_subtotal_incl"]) for x in lines)
    untaxed = sum(D(x["price_subtotal"]) for x in lines)
    assert D(order["amount_tax"]) == D(order["amount_total"]) - untaxed
    tendered = sum(D(p["amount"]) for p in order["payments"])
    assert tendered - D(order["amount_return"]) == D(order["amount_paid"])
    assert D(order["amount_paid"]) == D(order["amount_total"])
    for key in ("amount_total", "amount_tax", "amount_paid", "amount_return"):
        assert isinstance(order[key], str) and "E" not in order[key]


def test_a_sale_made_while_odoo_has_no_open_session_is_a_record_the_relay_accepts(shop, catalog):
    from kasir import records

    cart = Cart(shop)
    cart.add(catalog.get(101), 2)
    cart.add_payment(CASH, "7000")
    order = record(cart, session=None)
    assert order["session"] is None
    assert records.validate_item(order, "kasir-1", shop)[0] == cart.uuid
