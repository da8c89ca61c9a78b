"""Fiscal positions: Odoo's map_tax and the price adaptation of _adapt_price_unit_to_another_taxes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from register.fiscal_positions import FiscalPosition, adapt_price
from register.money import float_round
from register.taxes import Tax, compute_taxes

D = Decimal
PPN = Tax(1, "percent", "11", price_include=True, name="PPN 11%")
PPN_EXCL = Tax(2, "percent", "11", name="PPN 11% excl")
PB1 = Tax(3, "percent", "10", name="PB1 10%")  # regional restaurant tax, excluded
ZERO_RATED = Tax(4, "percent", "0", name="PPN 0%")
SHOP_TAXES = {t.id: t for t in (PPN, PPN_EXCL, PB1, ZERO_RATED)}

# PPN exempt customer: PPN goes away; export: PPN becomes 0 % ; hotel: PPN -> excl + PB1
EXEMPT = FiscalPosition(1, "Bebas PPN", {1: ()})
EXPORT = FiscalPosition(2, "Ekspor", {1: (4,)})
HOTEL = FiscalPosition(3, "Hotel", {1: (2, 3)})


# -- mapping ----------------------------------------------------------------------------------


def test_map_tax_ids_replaces_removes_and_keeps():
    assert EXEMPT.map_tax_ids([1]) == ()
    assert EXPORT.map_tax_ids([1]) == (4,)
    assert HOTEL.map_tax_ids([1]) == (2, 3)
    assert EXEMPT.map_tax_ids([3]) == (3,)  # no line for PB1: kept
    assert EXEMPT.map_tax_ids([1, 3]) == (3,)
    # a union: the destination that is already there is not doubled
    assert HOTEL.map_tax_ids([2, 1]) == (2, 3)
    assert FiscalPosition(9, "none").map_tax_ids([1, 3]) == (1, 3)


def test_map_taxes_looks_destinations_up():
    assert EXPORT.map_taxes([PPN, PB1], SHOP_TAXES) == [ZERO_RATED, PB1]
    assert EXEMPT.map_taxes([PPN], SHOP_TAXES) == []
    unknown = FiscalPosition(5, "Luar negeri", {1: (99,)})
    with pytest.raises(ValueError, match="99"):
        unknown.map_taxes([PPN], SHOP_TAXES)


def test_a_group_is_mapped_as_a_whole():
    group = Tax(10, "group", children=(PPN_EXCL, PB1), name="PPN+PB1")
    position = FiscalPosition(6, "Tanpa PB1", {10: (2,)})
    assert position.map_taxes([group], {**SHOP_TAXES, 10: group}) == [PPN_EXCL]


def test_from_bootstrap_with_odoo_lines():
    position = FiscalPosition.from_bootstrap(
        {
            "id": 3,
            "name": "Hotel",
            "tax_ids": [
                {"tax_src_id": [1, "PPN 11%"], "tax_dest_id": [2, "PPN 11% excl"]},
                {"tax_src_id": 1, "tax_dest_id": 3},
                {"tax_src_id": 3, "tax_dest_id": False},  # PB1 mapped to nothing
                {"tax_src_id": 1, "tax_dest_id": 2},  # a repeated line adds nothing
            ],
        }
    )
    assert position.tax_map == {1: (2, 3), 3: ()}
    assert position.map_tax_ids([1, 3]) == (2, 3)


def test_from_bootstrap_with_a_map():
    position = FiscalPosition.from_bootstrap(
        {"id": 1, "name": "Bebas PPN", "tax_mapping_by_ids": {"1": [], "3": [4]}}
    )
    assert position.tax_map == {1: (), 3: (4,)}
    assert FiscalPosition.from_bootstrap({"id": 2, "tax_map": {1: [4]}}).tax_map == {1: (4,)}
    assert FiscalPosition.from_bootstrap({"id": 3, "name": "empty"}).tax_map == {}


# -- special modes used by the adaptation ------------------------------------------------------


def test_special_mode_total_excluded_treats_included_as_excluded():
    # 10000 "as excluded" with PPN 11 % included -> tax 1100 on top, total 11100
    result = compute_taxes([PPN], "10000", 1, precision_rounding=1, special_mode="total_excluded")
    assert (result.total_excluded, result.total_included) == (D("10000"), D("11100"))
    assert result.taxes[0].amount == D("1100")


def test_special_mode_total_included_treats_excluded_as_included():
    # 11100 "as included" with PPN 11 % excluded -> 11100 * 11 / 111 = 1100 inside
    result = compute_taxes(
        [PPN_EXCL], "11100", 1, precision_rounding=1, special_mode="total_included"
    )
    assert (result.total_excluded, result.total_included) == (D("10000"), D("11100"))
    with pytest.raises(ValueError):
        compute_taxes([PPN], "1", special_mode="total_everything")


# -- price adaptation -------------------------------------------------------------------------


def test_odoo_docstring_example():
    # 109 with 21 % + 6 % included, mapped to 15 % included: 109 / 1.27 * 1.15 = 98.7007874...
    t21 = Tax(21, "percent", 21, price_include=True)
    t6 = Tax(6, "percent", 6, price_include=True)
    t15 = Tax(15, "percent", 15, price_include=True)
    price = adapt_price("109", [t21, t6], [t15])
    assert float_round(price, D("0.000001")) == D("98.700787")
    assert abs(price - D(109) / D("1.27") * D("1.15")) < D("1e-24")


def test_included_21_mapped_to_included_6():
    # 121 incl. 21 % -> 100 net -> 106 incl. 6 %
    t21 = Tax(21, "percent", 21, price_include=True)
    t6 = Tax(6, "percent", 6, price_include=True)
    assert adapt_price("121", [t21], [t6]) == D("106")


def test_exempt_customer_pays_the_net_price():
    # shelf 11100 incl. PPN ; exempt: 11100 / 1.11 = 10000, no tax
    price, taxes = EXEMPT.apply("11100", [PPN], SHOP_TAXES)
    assert (price, taxes) == (D("10000"), [])
    result = compute_taxes(taxes, price, 2, precision_rounding=1)
    assert result.total_included == D("20000")


def test_included_mapped_to_excluded_keeps_the_net_and_adds_tax_on_top():
    # hotel: 11100 incl. PPN -> net 10000, then PPN 11 % excl 1100 + PB1 10 % 1000 = 12100
    price, taxes = HOTEL.apply("11100", [PPN], SHOP_TAXES)
    assert price == D("10000") and taxes == [PPN_EXCL, PB1]
    result = compute_taxes(taxes, price, 1, precision_rounding=1)
    assert [(t.tax_id, t.amount) for t in result.taxes] == [(2, D("1100")), (3, D("1000"))]
    assert result.total_included == D("12100")


def test_zero_rated_export_price():
    # 3500 incl. PPN -> 3500 / 1.11 = 3153.153153... with PPN 0 % included (adds nothing)
    price, taxes = EXPORT.apply("3500", [PPN], SHOP_TAXES)
    assert taxes == [ZERO_RATED]
    assert float_round(price, D("0.0001")) == D("3153.1532")
    assert compute_taxes(taxes, price, 2, precision_rounding=1).total_included == D("6306")


def test_no_adaptation_from_an_excluded_tax_or_to_the_same_taxes():
    # a price set without tax is already net: Odoo leaves it alone
    assert adapt_price("10000", [PPN_EXCL], []) == D("10000")
    assert adapt_price("10000", [PPN, PB1], [PB1]) == D("10000")  # PB1 is not included
    assert adapt_price("11100", [PPN], [PPN]) == D("11100")


def test_from_no_tax_to_an_included_tax_adds_it():
    # Odoo's rule read literally: no original tax is excluded, so the new included tax goes in
    ppn = Tax(1, "percent", 11, price_include=True)
    assert adapt_price("10000", [], [ppn]) == D("11100")


def test_negative_price_refund_is_adapted_too():
    assert adapt_price("-11100", [PPN], []) == D("-10000")


@given(
    st.decimals(min_value=1, max_value=10**7, places=2),
    st.decimals(min_value=0, max_value=30, places=2),
    st.decimals(min_value=0, max_value=30, places=2),
)
def test_property_adapted_price_carries_the_same_net(price, rate_a, rate_b):
    before = Tax(1, "percent", rate_a, price_include=True)
    after = Tax(2, "percent", rate_b, price_include=True)
    adapted = adapt_price(price, [before], [after])
    net_before = compute_taxes([before], price, rounding_method="round_globally").total_excluded
    net_after = compute_taxes([after], adapted, rounding_method="round_globally").total_excluded
    assert abs(net_before - net_after) < D("1e-25")


def test_a_tax_map_sent_as_odoos_lines_is_applied_never_dropped():
    # What the relay's mirror sent before: account.fiscal.position.tax rows under tax_map.
    rows = [{"tax_src_id": 1, "tax_dest_id": 2}, {"tax_src_id": 3, "tax_dest_id": None}]
    position = FiscalPosition.from_bootstrap({"id": 1, "name": "Bebas PPN", "tax_map": rows})
    assert position.map_tax_ids([1, 3, 4]) == (2, 4)
    with pytest.raises(ValueError, match="tax_map must be an object"):
        FiscalPosition.from_bootstrap({"id": 1, "tax_map": "1:2"})
