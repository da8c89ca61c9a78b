"""The relay recomputes each incoming order with the register core and refuses one that does not add up."""

from __future__ import annotations

import pytest
from kasir import records
from processes import make_order
from register.shop import Shop

# What the relay's mirror builds from the demo shop: IDR without decimals, PPN 11 % included.
BOOTSTRAP = {
    "company": {"id": 1, "name": "Toko Sumber Rejeki", "country_code": "ID"},
    "currency": {"id": 12, "name": "IDR", "symbol": "Rp", "rounding": "1", "decimal_places": 0},
    "config": {
        "id": 1,
        "name": "Kasir 1",
        "session_id": 1,
        "pricelist_id": 1,
        "payment_method_ids": [1, 2],
    },
    "taxes": [
        {
            "id": 1,
            "name": "PPN 11%",
            "amount_type": "percent",
            "amount": "11",
            "price_include": True,
        }
    ],
    "payment_methods": [
        {"id": 1, "name": "Tunai", "is_cash_count": True},
        {"id": 2, "name": "Kartu", "is_cash_count": False},
    ],
}


@pytest.fixture
def shop() -> Shop:
    return Shop.from_bootstrap(BOOTSTRAP)


def test_an_order_that_adds_up_is_accepted(shop):
    # 2 x Rp 3.500 and 1 x Rp 16.500, PPN included: subtotals 6306 + 14865, tax 2329, total 23500.
    order = make_order("kasir-1", 1, [(101, "3500", 2), (102, "16500", 1)], cash="50000")
    assert (order["amount_total"], order["amount_tax"]) == ("23500", "2329")
    assert records.validate_item(order, "kasir-1", shop) == (order["uuid"], "order", 1)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("amount_total", "23000", "total"),
        ("amount_tax", "2000", "tax"),
    ],
)
def test_tampered_totals_are_refused_with_a_readable_reason(shop, field, value, words):
    order = make_order("kasir-1", 1, [(101, "3500", 2), (102, "16500", 1)])
    order[field] = value
    with pytest.raises(records.RecordError) as refused:
        records.validate_item(order, "kasir-1", shop)
    assert words in str(refused.value).lower()


def test_a_line_whose_subtotal_does_not_match_its_price_is_refused(shop):
    order = make_order("kasir-1", 1, [(101, "3500", 2)])
    order["lines"][0]["price_unit"] = "3000"
    with pytest.raises(records.RecordError, match="Line 1"):
        records.validate_item(order, "kasir-1", shop)


def test_without_a_bootstrap_only_the_shape_is_checked():
    order = make_order("kasir-1", 1, [(101, "3500", 2)])
    order["amount_total"] = "1"
    assert records.validate_item(order, "kasir-1")[1] == "order"
