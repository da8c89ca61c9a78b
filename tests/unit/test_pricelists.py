"""Pricelists: Odoo 18's rule selection and formula, with hand-checked figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from register.catalog import Product
from register.pricelists import Pricelist, PricelistItem, load_pricelists

D = Decimal
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

# Categories: All (1) > Saleable (2) > Office Furniture (5); Makanan (6) under All.
INDOMIE = Product(
    id=101, template_id=101, name="Indomie Goreng 85 g", category_ids=(6, 1),
    list_price="3500", standard_price="2900",
)  # fmt: skip


def desk(product_id: int, list_price: str, standard_price: str = "0") -> Product:
    return Product(
        id=product_id, template_id=product_id + 1000, name=f"Desk {product_id}",
        category_ids=(5, 2, 1), list_price=list_price, standard_price=standard_price,
    )  # fmt: skip


# -- Odoo's own scenario (addons/product/tests/test_product_pricelist.py, test_10) ------------


@pytest.fixture
def customer_pricelist() -> Pricelist:
    """Odoo's "Customer Pricelist"; the items in creation order get ids 1..6."""
    by_id: dict[int, Pricelist] = {}
    Pricelist(10, "Public Pricelist", [], by_id=by_id)  # product.list0: no rules
    items = [
        PricelistItem(1, compute_price="formula", base="pricelist", base_pricelist=10),
        PricelistItem(2, compute_price="formula", product_tmpl_id=1201, price_discount=10),
        PricelistItem(3, compute_price="formula", product_tmpl_id=1202, price_surcharge=1),
        PricelistItem(4, compute_price="formula", categ_id=5, min_quantity=2, price_discount=5),
        PricelistItem(
            5, compute_price="formula", price_discount=30,
            date_start="2011-12-27", date_end="2011-12-31",
        ),
        PricelistItem(
            6, compute_price="formula", product_tmpl_id=1206, price_discount=50,
            date_start="2020-04-06 09:00:00", date_end="2020-04-09 12:00:00",
        ),
    ]  # fmt: skip
    return Pricelist(20, "Customer Pricelist", items, by_id=by_id)


def test_odoo_scenario_template_rules(customer_pricelist):
    # Customizable Desk, 10 % off its 750 -> 675 ; Office Chair, 100 + 1 surcharge -> 101
    assert customer_pricelist.price_for(desk(201, "750"), 1, NOW) == D("675")
    assert customer_pricelist.price_for(desk(202, "100"), 1, NOW) == D("101")


def test_odoo_scenario_min_quantity_on_category(customer_pricelist):
    storage_box = desk(203, "50")
    # 1 unit: the category rule wants 2; the dated 30 % is over; the default rule is based on
    # the public pricelist, which has no rules -> the list price
    assert customer_pricelist.price_for(storage_box, 1, NOW) == D("50")
    assert customer_pricelist.rule_for(storage_box, 1, NOW).id == 1
    # 5 units: 5 % off 100 -> 95
    assert customer_pricelist.price_for(desk(204, "100"), 5, NOW) == D("95.00")


def test_odoo_scenario_global_rule_in_its_dates(customer_pricelist):
    cabinet = desk(205, "320", standard_price="800")
    assert customer_pricelist.price_for(cabinet, 1, NOW) == D("320")
    # On 2011-12-31 (a date is its midnight, the end bound is inclusive): 30 % off -> 224
    assert customer_pricelist.price_for(cabinet, 1, date(2011, 12, 31)) == D("224.00")
    assert customer_pricelist.price_for(cabinet, 1, "2011-12-27 00:00:00") == D("224.00")
    # one second after the end bound the rule no longer applies
    late = datetime(2011, 12, 31, 0, 0, 1, tzinfo=UTC)
    assert customer_pricelist.price_for(cabinet, 1, late) == D("320")


def test_odoo_scenario_rule_applied_at_a_precise_datetime(customer_pricelist):
    monitor = desk(206, "1000")
    before = datetime(2020, 4, 5, 8, 0, tzinfo=UTC)
    inside = datetime(2020, 4, 6, 10, 0, tzinfo=UTC)
    assert customer_pricelist.price_for(monitor, 1, before) == D("1000")
    assert customer_pricelist.price_for(monitor, 1, inside) == D("500")


# -- rule selection ---------------------------------------------------------------------------


def fixed(item_id: int, price: str, **scope) -> PricelistItem:
    return PricelistItem(item_id, compute_price="fixed", fixed_price=price, **scope)


def test_scope_order_variant_template_category_global():
    # Ids run the other way round on purpose: scope comes before id.
    items = [
        fixed(4, "3000", product_id=101),
        fixed(3, "3100", product_tmpl_id=101),
        fixed(2, "3200", categ_id=6),
        fixed(1, "3300"),
    ]
    assert Pricelist(1, "P", items).price_for(INDOMIE, 1, NOW) == D("3000")
    assert Pricelist(1, "P", items[1:]).price_for(INDOMIE, 1, NOW) == D("3100")
    assert Pricelist(1, "P", items[2:]).price_for(INDOMIE, 1, NOW) == D("3200")
    assert Pricelist(1, "P", items[3:]).price_for(INDOMIE, 1, NOW) == D("3300")


def test_rules_of_other_products_and_categories_are_ignored():
    items = [
        fixed(1, "1", product_id=999),
        fixed(2, "2", product_tmpl_id=999),
        fixed(3, "3", categ_id=5),
    ]
    assert Pricelist(1, "P", items).price_for(INDOMIE, 1, NOW) == D("3500")
    assert Pricelist(1, "P", items).rule_for(INDOMIE, 1, NOW) is None


def test_variant_rule_with_another_template_does_not_apply():
    # Odoo's domain wants product_tmpl_id to match too when it is set
    item = fixed(1, "1000", product_id=101, product_tmpl_id=555)
    assert Pricelist(1, "P", [item]).price_for(INDOMIE, 1, NOW) == D("3500")


def test_min_quantity_biggest_first_then_falls_through_to_the_next_scope():
    items = [
        fixed(1, "3400", product_id=101, min_quantity=10),
        fixed(2, "3300", product_id=101, min_quantity=40),
        fixed(3, "3450"),  # global, no minimum
    ]
    pricelist = Pricelist(1, "P", items)
    assert pricelist.price_for(INDOMIE, 1, NOW) == D("3450")  # no product rule reached
    assert pricelist.price_for(INDOMIE, 10, NOW) == D("3400")  # exactly the minimum applies
    assert pricelist.price_for(INDOMIE, "39.999", NOW) == D("3400")
    assert pricelist.price_for(INDOMIE, 40, NOW) == D("3300")  # carton price
    # a refund quantity is below every minimum (Odoo compares the signed quantity)
    assert pricelist.price_for(INDOMIE, -40, NOW) == D("3450")


def test_same_scope_and_minimum_the_highest_id_wins():
    items = [fixed(7, "3000", product_id=101), fixed(9, "2900", product_id=101)]
    assert Pricelist(1, "P", items).price_for(INDOMIE, 1, NOW) == D("2900")


def test_category_rules_nearest_category_first_at_equal_minimum():
    # categ_id desc sorts by complete name: "All / Makanan" before "All"
    items = [fixed(5, "3300", categ_id=1), fixed(2, "3200", categ_id=6)]
    assert Pricelist(1, "P", items).price_for(INDOMIE, 1, NOW) == D("3200")


def test_category_rules_min_quantity_comes_before_the_category():
    # _order is "applied_on, min_quantity desc, categ_id desc": a 10-unit rule on the parent
    # category is tried before a no-minimum rule on the product's own category.
    items = [fixed(1, "3000", categ_id=1, min_quantity=10), fixed(2, "3200", categ_id=6)]
    pricelist = Pricelist(1, "P", items)
    assert pricelist.price_for(INDOMIE, 12, NOW) == D("3000")
    assert pricelist.price_for(INDOMIE, 2, NOW) == D("3200")


def test_dates_in_another_timezone_and_naive_as_utc():
    # Promo on Jakarta's 12.12 sale: 2026-12-12 00:00 WIB = 2026-12-11 17:00 UTC
    wib = timezone(timedelta(hours=7))
    item = PricelistItem(
        1, compute_price="fixed", fixed_price="2500",
        date_start=datetime(2026, 12, 12, 0, 0, tzinfo=wib),
        date_end=datetime(2026, 12, 12, 23, 59, 59, tzinfo=wib),
    )  # fmt: skip
    pricelist = Pricelist(1, "P", [item])
    assert pricelist.price_for(INDOMIE, 1, datetime(2026, 12, 11, 16, 59, tzinfo=UTC)) == D("3500")
    assert pricelist.price_for(INDOMIE, 1, datetime(2026, 12, 11, 17, 0, tzinfo=UTC)) == D("2500")
    assert pricelist.price_for(INDOMIE, 1, datetime(2026, 12, 12, 7, 0, tzinfo=wib)) == D("2500")
    assert pricelist.price_for(INDOMIE, 1, datetime(2026, 12, 11, 17, 0)) == D("2500")  # naive


def test_default_moment_is_now():
    always = PricelistItem(1, compute_price="fixed", fixed_price="1", date_start="2000-01-01")
    never = PricelistItem(2, compute_price="fixed", fixed_price="2", date_end="2000-01-01")
    assert Pricelist(1, "P", [always]).price_for(INDOMIE) == D("1")
    assert Pricelist(1, "P", [never]).price_for(INDOMIE) == D("3500")


# -- formula ----------------------------------------------------------------------------------


def test_percentage_is_not_rounded_unless_asked():
    # 12.5 % off 3500 = 3500 - 437.5 = 3062.5 ; rounded to 1 (IDR) HALF-UP -> 3063
    item = PricelistItem(1, compute_price="percentage", percent_price="12.5")
    pricelist = Pricelist(1, "P", [item])
    assert pricelist.price_for(INDOMIE, 1, NOW) == D("3062.5")
    assert pricelist.price_for(INDOMIE, 1, NOW, precision=1) == D("3063")


def test_negative_percentage_is_a_markup():
    # -10 % "discount" on 3500 -> 3850
    item = PricelistItem(1, compute_price="percentage", percent_price=-10)
    assert Pricelist(1, "P", [item]).price_for(INDOMIE, 1, NOW) == D("3850")


def test_formula_prices_ending_in_99():
    # Odoo's help: round to 10.00 and add -0.01. 1234 -> 1230 -> 1229.99 ; 1235 -> 1240 -> 1239.99
    item = PricelistItem(1, compute_price="formula", price_round=10, price_surcharge="-0.01")
    pricelist = Pricelist(1, "P", [item])
    assert pricelist.price_for(desk(1, "1234"), 1, NOW) == D("1229.99")
    assert pricelist.price_for(desk(2, "1235"), 1, NOW) == D("1239.99")  # half goes up


def test_formula_discount_then_rounding_then_surcharge_in_rupiah():
    # 3500 - 7.5 % = 3237.5 ; to a multiple of 100 -> 3200 ; + 50 -> 3250
    item = PricelistItem(
        1, compute_price="formula", price_discount="7.5", price_round=100, price_surcharge=50
    )
    assert Pricelist(1, "P", [item]).price_for(INDOMIE, 1, NOW) == D("3250")


def test_formula_on_cost_with_margins():
    # Cost 800, markup 25 % (discount -25) -> 1000.
    cabinet = desk(205, "1500", standard_price="800")

    def price(**margins) -> Decimal:
        item = PricelistItem(
            1, compute_price="formula", base="standard_price", price_discount=-25, **margins
        )
        return Pricelist(1, "P", [item]).price_for(cabinet, 1, NOW)

    assert price() == D("1000")
    assert price(price_min_margin=250) == D("1050")  # at least cost + 250
    assert price(price_max_margin=150) == D("950")  # at most cost + 150
    assert price(price_min_margin=100, price_max_margin=300) == D("1000")  # inside: unchanged


def test_fixed_price_ignores_the_base():
    item = PricelistItem(1, compute_price="fixed", base="standard_price", fixed_price="3000")
    assert Pricelist(1, "P", [item]).price_for(INDOMIE, 1, NOW) == D("3000")


def test_no_rule_gives_the_list_price():
    assert Pricelist(1, "Umum", []).price_for(INDOMIE, 3, NOW) == D("3500")


# -- based on another pricelist ---------------------------------------------------------------


def test_based_on_another_pricelist_recursively():
    # Grosir: 10 % off Indomie -> 3150 ; Member: 5 % off Grosir -> 2992.5 ; VIP: Member - 100
    by_id: dict[int, Pricelist] = {}
    vip = Pricelist(
        3, "VIP",
        [PricelistItem(1, compute_price="formula", base="pricelist", base_pricelist=2,
                       price_surcharge=-100)],
        by_id=by_id,
    )  # fmt: skip
    Pricelist(
        2, "Member",
        [PricelistItem(2, compute_price="percentage", base="pricelist", base_pricelist=1,
                       percent_price=5)],
        by_id=by_id,
    )  # fmt: skip
    grosir = Pricelist(
        1, "Grosir", [PricelistItem(3, compute_price="percentage", percent_price=10)], by_id=by_id
    )
    assert grosir.price_for(INDOMIE, 1, NOW) == D("3150")
    assert by_id[2].price_for(INDOMIE, 1, NOW) == D("2992.5")
    assert vip.price_for(INDOMIE, 1, NOW) == D("2892.5")
    # a Pricelist object works as well as an id
    direct = PricelistItem(4, compute_price="formula", base="pricelist", base_pricelist=grosir)
    assert Pricelist(9, "Direct", [direct]).price_for(INDOMIE, 1, NOW) == D("3150")


def test_base_pricelist_sees_the_same_quantity():
    by_id: dict[int, Pricelist] = {}
    Pricelist(1, "Grosir", [fixed(1, "3000", product_id=101, min_quantity=40)], by_id=by_id)
    member = Pricelist(
        2, "Member",
        [PricelistItem(2, compute_price="percentage", base="pricelist", base_pricelist=1,
                       percent_price=10)],
        by_id=by_id,
    )  # fmt: skip
    assert member.price_for(INDOMIE, 1, NOW) == D("3150")  # 3500 - 10 %
    assert member.price_for(INDOMIE, 40, NOW) == D("2700")  # 3000 - 10 %


def test_missing_or_looping_base_pricelist_is_an_error():
    lonely = Pricelist(
        1, "P", [PricelistItem(1, compute_price="formula", base="pricelist", base_pricelist=77)]
    )
    with pytest.raises(ValueError, match="77"):
        lonely.price_for(INDOMIE, 1, NOW)
    pricelists = load_pricelists(
        [
            {"id": 1, "name": "A", "items": [
                {"id": 1, "compute_price": "formula", "base": "pricelist", "base_pricelist_id": 2}]},
            {"id": 2, "name": "B", "items": [
                {"id": 2, "compute_price": "formula", "base": "pricelist", "base_pricelist_id": 1}]},
        ]
    )  # fmt: skip
    with pytest.raises(ValueError, match="loop"):
        pricelists[1].price_for(INDOMIE, 1, NOW)


def test_base_pricelist_without_id_falls_back_to_list_price():
    # Odoo: base "pricelist" with no base_pricelist_id is computed on the sales price
    item = PricelistItem(1, compute_price="percentage", base="pricelist", percent_price=10)
    assert Pricelist(1, "P", [item]).price_for(INDOMIE, 1, NOW) == D("3150")


# -- bootstrap --------------------------------------------------------------------------------


def test_from_bootstrap_reads_odoo_field_shapes():
    pricelists = load_pricelists(
        [
            {
                "id": 2,
                "name": "Grosir",
                "items": [
                    {"id": 11, "compute_price": "formula", "base": "pricelist",
                     "base_pricelist_id": [1, "Umum"], "price_discount": 10.0,
                     "price_round": 100.0, "price_surcharge": 0.0, "min_quantity": 10.0,
                     "product_id": False, "product_tmpl_id": False, "categ_id": [6, "Makanan"],
                     "date_start": False, "date_end": "2026-12-31 16:59:59",
                     "applied_on": "2_product_category"},
                    {"id": 12, "compute_price": "fixed", "fixed_price": "3300",
                     "product_id": 101, "product_tmpl_id": [101, "Indomie"], "categ_id": None,
                     "applied_on": "0_product_variant", "min_quantity": "40"},
                    # applied_on wins over stale ids, as Odoo's create() clears them
                    {"id": 13, "compute_price": "percentage", "percent_price": 0.1,
                     "categ_id": [1, "All"], "applied_on": "3_global"},
                ],
            },
            {"id": 1, "name": "Umum", "items": []},
        ]
    )  # fmt: skip
    grosir = pricelists[2]
    item11, item12, item13 = grosir.items
    assert item11.applied_on == "2_product_category" and item11.categ_id == 6
    assert item11.price_discount == D("10.0") and item11.base_pricelist == 1
    assert item11.date_end == datetime(2026, 12, 31, 16, 59, 59, tzinfo=UTC)
    assert item12.applied_on == "0_product_variant" and item12.product_tmpl_id == 101
    assert item13.applied_on == "3_global" and item13.categ_id is None
    assert item13.percent_price == D("0.1")  # the float's text, not its binary expansion
    # 10 units: category rule, 3500 - 10 % = 3150 -> 3200 at 100 ; 40 units: variant 3300
    # 1 unit: global 0.1 % -> 3500 - 3.5 = 3496.5
    assert grosir.price_for(INDOMIE, 10, NOW) == D("3200")
    assert grosir.price_for(INDOMIE, 40, NOW) == D("3300")
    assert grosir.price_for(INDOMIE, 1, NOW) == D("3496.5")


def test_contract_bootstrap_pricelist(bootstrap):
    pricelists = load_pricelists(bootstrap["pricelists"])
    assert pricelists[1].name == "Umum"
    assert pricelists[1].price_for(INDOMIE, 1, NOW) == D("3500")


def test_bad_items_are_refused():
    with pytest.raises(ValueError):
        PricelistItem(1, compute_price="magic")
    with pytest.raises(ValueError):
        PricelistItem(1, base="supplier")
    with pytest.raises(ValueError):
        PricelistItem(1, price_round=-1)
    with pytest.raises(TypeError):
        PricelistItem(1, fixed_price=1.5)  # floats only through from_bootstrap
    with pytest.raises(ValueError):
        PricelistItem.from_bootstrap({"id": 1, "applied_on": "4_everything"})


# -- speed: the index, counted rather than timed ----------------------------------------------


def big_pricelist() -> Pricelist:
    """1,000 rules: 700 on products, 200 on templates, 90 on categories, 10 global (dated)."""
    items = []
    for i in range(700):
        items.append(fixed(i + 1, "1000", product_id=10_000 + i, min_quantity=i % 3))
    for i in range(200):
        items.append(fixed(701 + i, "2000", product_tmpl_id=20_000 + i))
    for i in range(90):
        items.append(fixed(901 + i, "3000", categ_id=100 + i, min_quantity=5))
    for i in range(10):
        items.append(fixed(991 + i, "1", date_end="2000-01-01"))
    return Pricelist(1, "Big", items)


def test_a_thousand_rules_are_indexed(monkeypatch):
    pricelist = big_pricelist()
    checked = []
    original = PricelistItem.applies

    def counting(self, quantity, when):
        checked.append(self.id)
        return original(self, quantity, when)

    monkeypatch.setattr(PricelistItem, "applies", counting)
    on_product = Product(id=10_005, template_id=5, category_ids=(150, 1), list_price="9")
    assert pricelist.price_for(on_product, 3, NOW) == D("1000")
    assert len(checked) == 1
    checked.clear()
    # no product/template rule, category rule wants 5, global rules are out of date
    elsewhere = Product(id=1, template_id=1, category_ids=(150, 1), list_price="9")
    assert pricelist.price_for(elsewhere, 1, NOW) == D("9")
    assert len(checked) == 1 + 10  # one category rule, then the ten global ones
    checked.clear()
    assert pricelist.price_for(elsewhere, 5, NOW) == D("3000")
    assert checked == [951]


# -- properties -------------------------------------------------------------------------------

money = st.decimals(min_value=0, max_value=10**7, places=2)
steps = st.sampled_from([D("0.01"), D("0.05"), D("1"), D("10"), D("100"), D("500")])
percents = st.decimals(min_value=-50, max_value=100, places=2)


@given(money, percents, steps)
def test_property_price_round_moves_at_most_half_a_step(list_price, discount, step):
    product = Product(id=1, template_id=1, list_price=list_price)
    exact = Pricelist(
        1, "P", [PricelistItem(1, compute_price="formula", price_discount=discount)]
    ).price_for(product, 1, NOW)
    rounded = Pricelist(
        1, "P",
        [PricelistItem(1, compute_price="formula", price_discount=discount, price_round=step)],
    ).price_for(product, 1, NOW)  # fmt: skip
    assert exact == list_price - list_price * discount / 100
    assert abs(rounded - exact) <= step / 2
    assert rounded % step == 0


@given(money, percents, st.decimals(min_value=0, max_value=1000, places=2))
def test_property_margins_bound_the_price(cost, discount, margin):
    product = Product(id=1, template_id=1, standard_price=cost)
    item = PricelistItem(
        1, compute_price="formula", base="standard_price", price_discount=discount,
        price_min_margin=margin, price_max_margin=margin * 2,
    )  # fmt: skip
    price = Pricelist(1, "P", [item]).price_for(product, 1, NOW)
    if margin:
        assert cost + margin <= price <= cost + 2 * margin
