"""Cart: lines, merging, quantities, payments, change and drafts (IDR, PPN 11 % included)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from register.cart import Cart, Line, LineTotals, Payment, Totals
from register.catalog import Product
from register.errors import (
    InvalidAmount,
    InvalidQuantity,
    RegisterError,
    UnknownLine,
    UnknownProduct,
)
from register.shop import PaymentMethod, Shop

D = Decimal
CASH, CARD = 1, 2
BERAS_CURAH = Product(id=201, name="Beras curah", list_price="14000", uom="kg", uom_decimals=3)


def test_shop_from_bootstrap(shop):
    assert shop.company_name == "Toko Sumber Rejeki"
    assert shop.currency.name == "IDR" and shop.currency.rounding == D("1")
    assert (shop.config_id, shop.session_id, shop.pricelist_id) == (1, 1, 1)
    assert shop.rounding_method == "round_per_line"
    assert shop.taxes[1].amount == D("11") and shop.taxes[1].price_include
    assert shop.payment_methods == [
        PaymentMethod(1, "Tunai", True),
        PaymentMethod(2, "Kartu", False),
    ]
    assert shop.categories == [(1, "Makanan")]
    assert (shop.receipt_header, shop.receipt_footer) == ("Selamat datang", "Terima kasih")
    assert shop.catalog_version == "57"
    assert shop.payment_method(2).name == "Kartu"
    assert shop.payment_method(9) is None
    assert shop.cash_method() == PaymentMethod(1, "Tunai", True)


def test_shop_taxes_for_product_skips_unknown_taxes(shop):
    product = Product(id=1, tax_ids=(1, 99))
    assert [t.id for t in shop.taxes_for(product)] == [1]


def test_shop_payment_methods_follow_the_config(bootstrap):
    bootstrap["config"]["payment_method_ids"] = [2]
    shop = Shop.from_bootstrap(bootstrap)
    assert [m.id for m in shop.payment_methods] == [2]
    assert shop.cash_method() is None


def test_add_creates_then_merges_lines(shop, catalog):
    cart = Cart(shop)
    indomie = catalog.get(101)
    first = cart.add(indomie)
    assert isinstance(first, Line)
    assert (first.product_id, first.name, first.qty, first.price_unit) == (
        101,
        "Indomie Goreng 85 g",
        D(1),
        D("3500"),
    )
    assert first.tax_ids == (1,) and first.discount == 0
    again = cart.add(indomie, 2)
    assert again is first and first.qty == D(3)
    cart.add(catalog.get(102))
    assert [line.product_id for line in cart.lines] == [101, 102]


def test_add_does_not_merge_into_a_discounted_or_repriced_line(shop, catalog):
    cart = Cart(shop)
    indomie = catalog.get(101)
    line = cart.add(indomie)
    line.discount = D(10)
    second = cart.add(indomie)
    assert second is not line
    third = cart.add(Product(id=101, name="Indomie Goreng 85 g", list_price="3700"))
    assert third is not second
    assert len(cart.lines) == 3


def test_scan_barcode_then_reference(shop, catalog):
    cart = Cart(shop)
    assert cart.scan(catalog, "8998866200011").product_id == 101
    assert cart.scan(catalog, " BRS-0005 ").product_id == 103
    assert cart.scan(catalog, "8998866200011").qty == D(2)


def test_scan_unknown_code_names_it(shop, catalog):
    with pytest.raises(UnknownProduct) as caught:
        Cart(shop).scan(catalog, "123456")
    assert "123456" in caught.value.message
    assert isinstance(caught.value, RegisterError)
    with pytest.raises(UnknownProduct):
        Cart(shop).scan(catalog, "")


def test_set_qty_and_remove(shop, catalog):
    cart = Cart(shop)
    line = cart.add(BERAS_CURAH)
    cart.set_qty(line.uuid, "2.500")
    assert line.qty == D("2.5") and str(line.qty) == "2.5"
    cart.set_qty(line.uuid, 10)
    assert str(line.qty) == "10"
    cart.set_qty(line.uuid, D("0.125"))
    assert line.qty == D("0.125")
    cart.remove(line.uuid)
    assert cart.is_empty()
    with pytest.raises(UnknownLine):
        cart.remove(line.uuid)
    with pytest.raises(UnknownLine):
        cart.set_qty("nope", 1)


@pytest.mark.parametrize("qty", [0, "0", -1, "-0.5", "0.0001", "1.2345", "abc", ""])
def test_invalid_quantities(shop, catalog, qty):
    cart = Cart(shop)
    line = cart.add(catalog.get(101))
    with pytest.raises(InvalidQuantity):
        cart.set_qty(line.uuid, qty)
    with pytest.raises(InvalidQuantity):
        cart.add(catalog.get(102), qty)
    assert line.qty == D(1)


def test_float_quantity_is_a_programming_error(shop, catalog):
    with pytest.raises(TypeError):
        Cart(shop).add(catalog.get(101), 1.5)


def test_totals_contract_example(shop, catalog):
    # 2 x Indomie 3500 incl. PPN 11 %: subtotal 6306, tax 694, total 7000
    cart = Cart(shop)
    line = cart.add(catalog.get(101), 2)
    totals = cart.totals()
    assert totals == Totals(
        [LineTotals(line.uuid, D("6306"), D("7000"))], D("6306"), D("694"), D("7000")
    )


def test_totals_several_lines(shop, catalog):
    # Indomie 2 x 3500 = 7000 -> 6306 + 694
    # Teh Botol 3 x 5000 = 15000 -> tax 15000*11/111 = 1486.49 -> 1486, base 13514
    # Beras 74900, no tax
    # untaxed 6306 + 13514 + 74900 = 94720 ; total 7000 + 15000 + 74900 = 96900 ; tax 2180
    cart = Cart(shop)
    cart.add(catalog.get(101), 2)
    cart.add(catalog.get(102), 3)
    cart.add(catalog.get(103))
    totals = cart.totals()
    assert [(t.price_subtotal, t.price_subtotal_incl) for t in totals.lines] == [
        (D("6306"), D("7000")),
        (D("13514"), D("15000")),
        (D("74900"), D("74900")),
    ]
    assert (totals.amount_untaxed, totals.amount_tax, totals.amount_total) == (
        D("94720"),
        D("2180"),
        D("96900"),
    )


def test_discount_applies_before_taxes(shop, catalog):
    # 2 x 3500 at 10 % off = 6300 incl.; tax 6300*11/111 = 624.32 -> 624 ; base 5676
    cart = Cart(shop)
    line = cart.add(catalog.get(101), 2)
    line.discount = D(10)
    totals = cart.totals()
    assert (totals.amount_untaxed, totals.amount_tax, totals.amount_total) == (
        D("5676"),
        D("624"),
        D("6300"),
    )


def test_round_globally_line_totals_are_currency_rounded(bootstrap, catalog):
    bootstrap["config"]["tax_calculation_rounding_method"] = "round_globally"
    shop = Shop.from_bootstrap(bootstrap)
    cart = Cart(shop)
    cart.add(catalog.get(101), 2)
    totals = cart.totals()
    # 7000 / 1.11 = 6306.306.. -> 6306 ; total stays 7000
    assert (totals.amount_untaxed, totals.amount_tax, totals.amount_total) == (
        D("6306"),
        D("694"),
        D("7000"),
    )


def test_payments_due_and_change(shop, catalog):
    cart = Cart(shop)
    cart.add(catalog.get(101), 2)  # 7000
    assert cart.amount_due == D("7000") and cart.change == 0 and not cart.is_paid()
    card = cart.add_payment(CARD, "5000")
    assert isinstance(card, Payment) and card.amount == D("5000")
    assert cart.amount_due == D("2000") and not cart.is_paid()
    cash = cart.add_payment(CASH, 10000)
    assert cart.amount_tendered == D("15000")
    assert cart.amount_due == 0
    assert cart.change == D("8000")  # covered by the 10000 cash
    assert cart.is_paid()
    cart.remove_payment(cash.uuid)
    assert cart.amount_due == D("2000")
    with pytest.raises(UnknownLine):
        cart.remove_payment(cash.uuid)


def test_card_overpayment_is_not_paid(shop, catalog):
    cart = Cart(shop)
    cart.add(catalog.get(101), 2)  # 7000
    cart.add_payment(CARD, "10000")
    assert cart.amount_due == 0
    assert cart.change == D("3000")
    assert not cart.is_paid()  # a card cannot give 3000 back
    cart.add_payment(CASH, "1000")  # cash 1000 still cannot cover 4000 change
    assert not cart.is_paid()


def test_exact_payment_is_paid(shop, catalog):
    cart = Cart(shop)
    cart.add(catalog.get(101), 2)
    cart.add_payment(CARD, "7000")
    assert cart.is_paid() and cart.change == 0


def test_payment_amounts_are_rounded_and_positive(shop, catalog):
    cart = Cart(shop)
    assert cart.add_payment(CASH, "7000.4").amount == D("7000")
    assert str(cart.add_payment(CASH, "0.5").amount) == "1"
    for bad in (0, "-5000", "0.4", "abc"):
        with pytest.raises(InvalidAmount):
            cart.add_payment(CASH, bad)
    with pytest.raises(RegisterError):
        cart.add_payment(42, "1000")


def test_empty_cart(shop):
    cart = Cart(shop)
    assert cart.is_empty() and not cart.is_paid()
    assert cart.totals() == Totals([], D(0), D(0), D(0))


def test_draft_round_trip_is_exact_and_json_safe(shop, catalog):
    cart = Cart(shop)
    cart.add(catalog.get(101), 2)
    line = cart.add(BERAS_CURAH, "1.250")
    line.discount = D("12.5")
    cart.add_payment(CARD, "5000")
    cart.add_payment(CASH, "20000")
    text = json.dumps(cart.to_dict())
    restored = Cart.from_dict(shop, json.loads(text))
    assert restored.uuid == cart.uuid
    assert restored.lines == cart.lines
    assert restored.payments == cart.payments
    assert [str(x.qty) for x in restored.lines] == ["2", "1.25"]
    assert restored.to_dict() == cart.to_dict()
    assert restored.totals() == cart.totals()


def test_cart_uuid(shop):
    assert Cart(shop, uuid="abc").uuid == "abc"
    assert Cart(shop).uuid != Cart(shop).uuid


lines_strategy = st.lists(
    st.tuples(
        st.decimals(min_value=0, max_value=2_000_000, places=0),  # IDR shelf price
        st.decimals(min_value=D("0.001"), max_value=100, places=3),
        st.booleans(),  # taxed with PPN or not
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # shop is read-only
@given(lines_strategy)
def test_property_totals_equal_the_sum_of_lines(shop, lines):
    cart = Cart(shop)
    for i, (price, qty, taxed) in enumerate(lines):
        product = Product(
            id=i + 1, name=f"P{i}", list_price=price, tax_ids=(1,) if taxed else (), uom_decimals=3
        )
        cart.add(product, qty)
    totals = cart.totals()
    assert totals.amount_total == sum(t.price_subtotal_incl for t in totals.lines)
    assert totals.amount_untaxed == sum(t.price_subtotal for t in totals.lines)
    assert totals.amount_tax == totals.amount_total - totals.amount_untaxed
    # PPN is included: every line costs exactly its rounded shelf price
    for (price, qty, _), line_totals in zip(lines, totals.lines, strict=True):
        assert line_totals.price_subtotal_incl == shop.currency.round(price * qty)
