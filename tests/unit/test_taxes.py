"""Taxes against hand-checked figures that follow Odoo's account.tax algorithm."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from register.money import float_round
from register.taxes import Tax, TaxLine, TaxResult, compute_taxes

D = Decimal
PPN = Tax(1, "percent", "11", price_include=True, name="PPN 11%")
PPN_EXCL = Tax(2, "percent", "11", name="PPN 11% excl")


def amounts(result: TaxResult) -> list[tuple[int, str, str]]:
    return [(t.tax_id, str(t.base), str(t.amount)) for t in result.taxes]


def test_ppn_included_idr_contract_example():
    # 3500 x 2 = 7000 shelf price, PPN 11 % inside it:
    # tax = 7000 * 11 / 111 = 693.69.. -> 694 ; base = 7000 - 694 = 6306
    result = compute_taxes([PPN], D("3500"), D("2"), precision_rounding=D("1"))
    assert result == TaxResult(D("6306"), D("7000"), [TaxLine(1, D("6306"), D("694"))])
    assert str(result.total_excluded) == "6306"


def test_ppn_excluded_idr():
    # 7000 + 11 % = 7000 + 770 = 7770
    result = compute_taxes([PPN_EXCL], "3500", 2, precision_rounding=1)
    assert (result.total_excluded, result.total_included) == (D("7000"), D("7770"))
    assert amounts(result) == [(2, "7000", "770")]


def test_excluded_at_cents_rounds_half_up():
    # 3 x 0.35 = 1.05 ; 15 % of 1.05 = 0.1575 -> 0.16 ; total 1.21
    tax = Tax(3, "percent", "15")
    result = compute_taxes([tax], "0.35", 3)
    assert amounts(result) == [(3, "1.05", "0.16")]
    assert result.total_included == D("1.21")


def test_included_21_percent_at_cents():
    # 121 incl. 21 % -> tax 121 * 21 / 121 = 21.00 exactly, base 100.00
    result = compute_taxes([Tax(4, "percent", 21, price_include=True)], "121.00", 1)
    assert amounts(result) == [(4, "100.00", "21.00")]


def test_no_taxes_gives_the_rounded_base():
    result = compute_taxes([], "3500", "1.5", precision_rounding=1)
    assert result == TaxResult(D("5250"), D("5250"), [])


def test_two_included_percent_taxes_are_removed_together():
    # One batch: 115 / 1.15 = 100 ; 10 % -> 10, 5 % -> 5 (not 115/1.10 then /1.05)
    t10 = Tax(10, "percent", 10, price_include=True, sequence=1)
    t5 = Tax(11, "percent", 5, price_include=True, sequence=2)
    result = compute_taxes([t10, t5], "115", 1)
    assert amounts(result) == [(10, "100.00", "10.00"), (11, "100.00", "5.00")]
    assert (result.total_excluded, result.total_included) == (D("100.00"), D("115.00"))


def test_taxes_are_sorted_by_sequence_then_id():
    a = Tax(7, "percent", 10, sequence=5)
    b = Tax(3, "percent", 5, sequence=5)
    c = Tax(1, "fixed", 1, sequence=9)
    result = compute_taxes([c, a, b], "100", 1)
    assert [t.tax_id for t in result.taxes] == [3, 7, 1]


def test_fixed_excluded_counts_per_unit():
    # 3 x 10 = 30 ; fixed 1 per unit -> 3 ; total 33
    eco = Tax(5, "fixed", "1")
    result = compute_taxes([eco], "10", 3)
    assert amounts(result) == [(5, "30.00", "3.00")]
    assert result.total_included == D("33.00")


def test_fixed_included_is_taken_out_of_the_price():
    # price 10 includes a fixed 1 -> base 9, tax 1
    eco = Tax(5, "fixed", "1", price_include=True)
    result = compute_taxes([eco], "10", 1)
    assert amounts(result) == [(5, "9.00", "1.00")]
    assert (result.total_excluded, result.total_included) == (D("9.00"), D("10.00"))


def test_fixed_follows_the_sign_of_the_price():
    result = compute_taxes([Tax(5, "fixed", "1")], "-10", 2)
    assert amounts(result) == [(5, "-20.00", "-2.00")]


def test_fixed_included_before_included_percent():
    # Odoo's case: fixed 1 (incl.) then 10 % (incl.) on 122:
    # 10 % is computed on 122 - 1 = 121 -> 11 ; base 121 - 11 = 110 ; fixed base 110
    eco = Tax(1, "fixed", 1, price_include=True, sequence=1)
    vat = Tax(2, "percent", 10, price_include=True, sequence=2)
    result = compute_taxes([eco, vat], "122", 1)
    assert amounts(result) == [(1, "110.00", "1.00"), (2, "110.00", "11.00")]
    assert (result.total_excluded, result.total_included) == (D("110.00"), D("122.00"))


def test_fixed_excluded_affecting_base_of_included_percent():
    # Odoo's case: t1 fixed 1, excluded, include_base_amount ; t2 10 % included ; price 120.
    # t1 = 1 first, so t2 sees 120 + 1 = 121 -> 121 * 10 / 110 = 11 ; t2 base 121 - 11 = 110 ;
    # t1 base = 120 - 11 = 109 ; total 109 + 1 + 11 = 121
    t1 = Tax(1, "fixed", 1, include_base_amount=True, sequence=1)
    t2 = Tax(2, "percent", 10, price_include=True, sequence=2)
    result = compute_taxes([t1, t2], "120", 1)
    assert amounts(result) == [(1, "109.00", "1.00"), (2, "110.00", "11.00")]
    assert (result.total_excluded, result.total_included) == (D("109.00"), D("121.00"))


def test_division_excluded():
    # 180 excluded with a 10 % "division" tax: 180 / (1 - 0.10) = 200 -> tax 20
    tax = Tax(6, "division", 10)
    result = compute_taxes([tax], "180", 1)
    assert amounts(result) == [(6, "180.00", "20.00")]
    assert result.total_included == D("200.00")


def test_division_included():
    # 200 includes a 10 % "division" tax: tax = 200 * 10 % = 20, base 180
    tax = Tax(6, "division", 10, price_include=True)
    result = compute_taxes([tax], "200", 1)
    assert amounts(result) == [(6, "180.00", "20.00")]
    assert result.total_included == D("200.00")


def test_group_is_flattened_into_its_children():
    # group(10 %, 5 %) excluded on 100 -> 10 + 5, both on base 100, total 115
    child_a = Tax(21, "percent", 10, sequence=1)
    child_b = Tax(22, "percent", 5, sequence=2)
    group = Tax(20, "group", children=(child_b, child_a), name="GST+PST")
    result = compute_taxes([group], "100", 1)
    assert amounts(result) == [(21, "100.00", "10.00"), (22, "100.00", "5.00")]
    assert result.total_included == D("115.00")


def test_group_takes_the_place_of_its_own_sequence():
    # group(seq 1) with children seq 10/11 comes before a standalone tax of seq 5
    group = Tax(20, "group", sequence=1, children=(Tax(21, "percent", 10, sequence=10),))
    alone = Tax(30, "percent", 1, sequence=5)
    result = compute_taxes([alone, group], "100", 1)
    assert [t.tax_id for t in result.taxes] == [21, 30]


def test_include_base_amount_feeds_later_taxes():
    # t1 10 % affects the base: t1 = 10 ; t2 on 110 = 11 ; total 121
    t1 = Tax(1, "percent", 10, include_base_amount=True, sequence=1)
    t2 = Tax(2, "percent", 10, sequence=2)
    result = compute_taxes([t1, t2], "100", 1)
    assert amounts(result) == [(1, "100.00", "10.00"), (2, "110.00", "11.00")]
    assert (result.total_excluded, result.total_included) == (D("100.00"), D("121.00"))


def test_is_base_affected_false_ignores_earlier_taxes():
    # same, but t2 refuses to be affected: t2 = 10 on 100 ; total 120
    t1 = Tax(1, "percent", 10, include_base_amount=True, sequence=1)
    t2 = Tax(2, "percent", 10, is_base_affected=False, sequence=2)
    result = compute_taxes([t1, t2], "100", 1)
    assert amounts(result) == [(1, "100.00", "10.00"), (2, "100.00", "10.00")]
    assert result.total_included == D("120.00")


def test_included_with_include_base_amount_then_excluded():
    # t1 10 % included, affects base ; t2 10 % excluded. Price 110:
    # t1 = 110 * 10 / 110 = 10, base 100 ; t2 on 110 (t1 included in its base) = 11 ; total 121
    t1 = Tax(1, "percent", 10, price_include=True, include_base_amount=True, sequence=1)
    t2 = Tax(2, "percent", 10, sequence=2)
    result = compute_taxes([t1, t2], "110", 1)
    assert amounts(result) == [(1, "100.00", "10.00"), (2, "110.00", "11.00")]
    assert (result.total_excluded, result.total_included) == (D("100.00"), D("121.00"))


def test_included_without_include_base_amount_then_excluded():
    # t1 10 % included, not affecting ; t2 10 % excluded. Price 110:
    # t1 = 10, base 100 ; t2 on 100 = 10 ; total 120
    t1 = Tax(1, "percent", 10, price_include=True, sequence=1)
    t2 = Tax(2, "percent", 10, sequence=2)
    result = compute_taxes([t1, t2], "110", 1)
    assert amounts(result) == [(1, "100.00", "10.00"), (2, "100.00", "10.00")]
    assert result.total_included == D("120.00")


def test_round_globally_leaves_amounts_unrounded():
    # 7000 * 11 / 111 = 693.693693... kept exact to many digits
    result = compute_taxes([PPN], "3500", 2, precision_rounding=1, rounding_method="round_globally")
    tax = result.taxes[0].amount
    assert float_round(tax, D("0.000001")) == D("693.693694")
    assert result.total_excluded + tax == D("7000")
    assert float_round(result.total_included, 1) == D("7000")


def test_round_per_line_rounds_the_base_first():
    # 3 x 0.333 = 0.999 -> base 1.00 ; 10 % -> 0.10
    result = compute_taxes([Tax(1, "percent", 10)], "0.333", 3)
    assert amounts(result) == [(1, "1.00", "0.10")]


def test_bad_arguments():
    with pytest.raises(ValueError):
        Tax(1, "magic", 1)
    with pytest.raises(ValueError):
        compute_taxes([PPN], "1", 1, rounding_method="round_sometimes")
    with pytest.raises(TypeError):
        compute_taxes([PPN], 1.5, 1)


def test_from_bootstrap_resolves_group_children():
    raw = {
        1: {"id": 1, "name": "PPN 11%", "amount_type": "percent", "amount": "11",
            "price_include": True, "include_base_amount": False, "is_base_affected": True,
            "sequence": 1, "children_tax_ids": []},
        2: {"id": 2, "name": "Pajak Daerah", "amount_type": "percent", "amount": "10",
            "sequence": 2, "children_tax_ids": []},
        3: {"id": 3, "name": "Grup", "amount_type": "group", "amount": "0", "sequence": 3,
            "children_tax_ids": [2, 1]},
    }  # fmt: skip
    group = Tax.from_bootstrap(raw[3], raw)
    assert group.amount_type == "group"
    assert [c.id for c in group.children] == [2, 1]
    assert group.children[1] == Tax(1, "percent", D("11"), price_include=True, name="PPN 11%")
    assert group.children[1].amount == D("11")
    # Tax objects are accepted in by_id as well
    assert Tax.from_bootstrap(raw[3], {1: PPN, 2: raw[2]}).children[1] is PPN
    with pytest.raises(ValueError):
        Tax.from_bootstrap(raw[3], {})


prices = st.decimals(min_value=0, max_value=10**7, places=2)
quantities = st.decimals(min_value=D("0.001"), max_value=1000, places=3)
rates = st.decimals(min_value=0, max_value=50, places=2)


@given(prices, quantities, st.lists(rates, min_size=1, max_size=3))
def test_property_included_taxes_give_back_the_shelf_price(price, qty, rates_):
    taxes = [Tax(i + 1, "percent", r, price_include=True) for i, r in enumerate(rates_)]
    for rounding in (D("1"), D("0.01")):
        result = compute_taxes(taxes, price, qty, precision_rounding=rounding)
        assert result.total_included == float_round(price * qty, rounding)
        assert result.total_excluded + sum(t.amount for t in result.taxes) == result.total_included


@given(prices, quantities, st.lists(rates, min_size=1, max_size=3))
def test_property_excluded_taxes_keep_the_price_as_base(price, qty, rates_):
    taxes = [Tax(i + 1, "percent", r) for i, r in enumerate(rates_)]
    result = compute_taxes(taxes, price, qty)
    assert result.total_excluded == float_round(price * qty, D("0.01"))
    for line, rate in zip(result.taxes, rates_, strict=True):
        assert line.amount == float_round(result.total_excluded * rate / 100, D("0.01"))
