"""The cart prices lines from its pricelist and fiscal position, and rounds globally like Odoo."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import make_shop
from register.cart import Cart
from register.catalog import Product
from register.errors import RegisterError

D = Decimal

PRICELISTS = [
    {"id": 1, "name": "Umum", "items": []},
    {
        "id": 2,
        "name": "Grosir",
        "items": [
            # Indomie: 3000 from 10 pieces
            {"id": 21, "applied_on": "0_product_variant", "product_id": 101,
             "compute_price": "fixed", "fixed_price": "3000", "min_quantity": "10"},
            # drinks (category 6): 10 % off
            {"id": 22, "applied_on": "2_product_category", "categ_id": 6,
             "compute_price": "percentage", "percent_price": "10"},
        ],
    },
]  # fmt: skip

EXEMPT = {"id": 7, "name": "Bebas PPN", "tax_map": {"1": []}}


@pytest.fixture
def wholesale(bootstrap):
    bootstrap["pricelists"] = PRICELISTS
    bootstrap["fiscal_positions"] = [EXEMPT]
    return make_shop(bootstrap)


def test_shop_reads_pricelists_positions_and_rounding(bootstrap):
    bootstrap["pricelists"] = PRICELISTS
    bootstrap["fiscal_positions"] = [EXEMPT]
    bootstrap["cash_roundings"] = [{"id": 3, "name": "Rp 100", "rounding": 100.0,
                                    "rounding_method": "HALF-UP"}]  # fmt: skip
    shop = make_shop(
        bootstrap,
        pricelist_id=2,
        default_fiscal_position_id=7,
        cash_rounding=True,
        rounding_method_id=3,
        only_round_cash_method=True,
        discount_product_id=[900, "Diskon"],
    )
    assert shop.pricelist.name == "Grosir" and set(shop.pricelists) == {1, 2}
    assert shop.fiscal_position.tax_map == {1: ()}
    assert shop.cash_rounding.rounding == D("100") and shop.only_round_cash_method
    assert shop.discount_product_id == 900


def test_demo_bootstrap_has_no_extras(shop):
    assert shop.pricelist.id == 1 and shop.fiscal_position is None
    assert shop.cash_rounding is None and shop.discount_product_id is None


def test_cash_rounding_off_when_config_says_so(bootstrap):
    bootstrap["cash_roundings"] = [{"id": 3, "name": "x", "rounding": "100"}]
    assert make_shop(bootstrap, rounding_method_id=3).cash_rounding is None


def test_pricelist_rule_by_quantity_and_category(wholesale, catalog):
    cart = Cart(wholesale, catalog=catalog)
    cart.pricelist = 2
    indomie = cart.add(catalog.get(101), 2)
    assert indomie.price_unit == D("3500")  # fewer than 10: no rule, the shelf price
    cart.set_qty(indomie.uuid, 10)
    assert indomie.price_unit == D("3000")  # 10 pieces: wholesale price
    teh = cart.add(catalog.get(102))
    assert teh.price_unit == D("4500")  # 5000 - 10 %
    # 10 x 3000 + 4500 = 34500, PPN included
    assert cart.totals().amount_total == D("34500")


def test_changing_the_pricelist_reprices_all_but_manual_prices(wholesale, catalog):
    cart = Cart(wholesale, catalog=catalog)
    teh = cart.add(catalog.get(102))
    indomie = cart.add(catalog.get(101), 10)
    cart.set_price(indomie.uuid, "3300", reason="promo shelf", by="ani")
    cart.set_pricelist(2)
    assert teh.price_unit == D("4500") and indomie.price_unit == D("3300")
    cart.set_pricelist(1)
    assert teh.price_unit == D("5000")
    cart.reset_price(indomie.uuid)
    assert indomie.price_unit == D("3500")
    with pytest.raises(RegisterError, match="Pricelist 9"):
        cart.set_pricelist(9)


def test_fiscal_position_maps_taxes_and_adapts_included_price(wholesale, catalog):
    cart = Cart(wholesale, catalog=catalog)
    line = cart.add(catalog.get(101), 2)
    cart.fiscal_position = 7
    # PPN mapped away: 3500 / 1.11 = 3153.153.. -> 3153.15 (product price digits), no tax
    assert line.tax_ids == () and line.price_unit == D("3153.15")
    totals = cart.totals()
    # 2 x 3153.15 = 6306.30 -> Rp 6306, all untaxed
    assert (totals.amount_untaxed, totals.amount_tax, totals.amount_total) == (
        D("6306"),
        D("0"),
        D("6306"),
    )
    cart.fiscal_position = None
    assert line.tax_ids == (1,) and line.price_unit == D("3500")


def test_fiscal_position_to_another_tax(bootstrap, catalog):
    bootstrap["taxes"].append({"id": 2, "name": "PPN 12%", "amount_type": "percent",
                               "amount": "12", "price_include": True})  # fmt: skip
    bootstrap["fiscal_positions"] = [{"id": 8, "name": "PPN 12", "tax_map": {"1": [2]}}]
    shop = make_shop(bootstrap, default_fiscal_position_id=8)
    cart = Cart(shop, catalog=catalog)
    line = cart.add(catalog.get(101))
    # 3500 / 1.11 x 1.12 = 3531.53.. -> 3531.53
    assert line.tax_ids == (2,) and line.price_unit == D("3531.53")
    assert cart.totals().amount_total == D("3532")


def test_round_globally_totals_equal_odoo(bootstrap):
    # Three lines of Rp 1005 incl. PPN 11 %. Per line: tax 1005*11/111 = 99.59 -> 100, so
    # round per line books tax 300. Round globally: 3 x 99.594.. = 298.78 -> 299, untaxed
    # 3 x 905.405.. = 2716.22 -> 2716. Odoo's POS still sends each line's own amounts
    # (905 / 1005): the document's differences only move the booked tax and untaxed sums.
    products = [Product(id=i, name=f"P{i}", list_price="1005", tax_ids=(1,)) for i in (1, 2, 3)]
    per_line = Cart(make_shop(bootstrap))
    grouped = Cart(make_shop(bootstrap, tax_calculation_rounding_method="round_globally"))
    for product in products:
        per_line.add(product)
        grouped.add(product)
    a, b = per_line.totals(), grouped.totals()
    assert (a.amount_untaxed, a.amount_tax, a.amount_total) == (D(2715), D(300), D(3015))
    assert (b.amount_untaxed, b.amount_tax, b.amount_total) == (D(2716), D(299), D(3015))
    assert [t.price_subtotal for t in b.lines] == [D(905)] * 3
    assert [t.price_subtotal_incl for t in b.lines] == [D(1005)] * 3


def test_pricing_time_decides_dated_rules(bootstrap, catalog):
    bootstrap["pricelists"] = [{"id": 1, "name": "Umum", "items": [
        {"id": 5, "compute_price": "fixed", "fixed_price": "3000", "applied_on": "3_global",
         "date_start": "2026-12-01 00:00:00", "date_end": "2026-12-31 23:59:59"}]}]  # fmt: skip
    from datetime import UTC, datetime

    cart = Cart(make_shop(bootstrap), catalog=catalog)
    cart.pricing_time = datetime(2026, 11, 23, tzinfo=UTC)
    assert cart.add(catalog.get(101)).price_unit == D("3500")
    cart.pricing_time = datetime(2026, 12, 24, tzinfo=UTC)
    cart.set_pricelist(1)
    assert cart.lines[0].price_unit == D("3000")
