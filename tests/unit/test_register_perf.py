"""The performance work of issue 3 keeps behaviour: lazy products, the search text, the per-line
tax cache and the fast path of float_round give exactly what the plain algorithms give."""

from __future__ import annotations

import copy
import json
import random
from decimal import Decimal

import pytest
from conftest import BOOTSTRAP
from hypothesis import given
from hypothesis import strategies as st
from register.cart import Cart, compute_lines
from register.catalog import Catalog, Product
from register.money import CONTEXT, float_round
from register.shop import Shop

WORDS = ["indomie", "goreng", "teh", "botol", "kopi", "susu", "gula", "Ägypten", "MIE", "85 g"]


def naive_search(catalog: Catalog, text: str, limit: int = 50) -> list[int]:
    """The search as specified, by a linear scan over the products in catalog order."""
    words = text.lower().split()
    if not words or limit <= 0:
        return []
    found = []
    exact = catalog.by_barcode(text.strip()) or catalog.by_code(text.strip())
    if exact is not None:
        found.append(exact.id)
    for product in catalog:
        key = f"{product.name.lower()}\n{(product.default_code or '').lower()}"
        barcode = product.barcode or ""
        if all(w in key or barcode.startswith(w) for w in words) and product.id not in found:
            found.append(product.id)
    return found[:limit]


def random_records(rng: random.Random, count: int, start: int = 1) -> list[dict]:
    records = []
    for i in range(start, start + count):
        name = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 4)))
        records.append(
            {
                "id": i,
                "name": name,
                "barcode": rng.choice([None, f"899{rng.randrange(10**9):09d}", f"AB{i}"]),
                "default_code": rng.choice([None, f"SKU-{i:04d}", f"mkn-{i % 7}"]),
                "list_price": str(rng.randrange(1, 9000)),
                "tax_ids": [1],
                "pos_categ_id": rng.choice([None, 1, 2]),
            }
        )
    return records


def test_search_matches_the_linear_scan_after_updates_and_removals():
    rng = random.Random(7)
    catalog = Catalog([Product(id=9000, name="Kopi Kapal Api", barcode="8991002101010")])
    catalog.apply(random_records(rng, 400))
    queries = ["", "   ", "e", "go", "goreng teh", "899", "ab1", "sku-00", "mkn-3", "85 g", "äg"]
    queries += [catalog.get(5).barcode or "x", "SKU-0010", "kopi kapal", "zzz"]
    for round_ in range(4):
        for query in queries:
            for limit in (0, 1, 3, 50, 1000):
                got = [p.id for p in catalog.search(query, limit)]
                assert got == naive_search(catalog, query, limit), (round_, query, limit)
        # updates move products to the end, removals drop them, new ones come last
        changed = random_records(rng, 30, start=rng.randrange(1, 380))
        catalog.apply([*changed, {"id": rng.randrange(1, 400), "active": False}])
        catalog.apply(random_records(rng, 5, start=1000 + round_ * 10))


def test_lazy_products_and_apply_json_behave_like_apply(records):
    text = json.dumps(records)
    lazy, eager = Catalog(), Catalog([Product.from_record(r) for r in records])
    assert lazy.apply_json(text) == 3
    assert list(lazy) == list(eager)
    assert lazy.get(101) is lazy.get(101)  # built once, then kept
    assert [p.id for p in lazy.in_category(1)] == [p.id for p in eager.in_category(1)]
    # the same product spelled differently is no change; a real change is
    assert lazy.apply([dict(records[0], list_price="3500.00")]) == 0
    assert lazy.apply([dict(records[0], list_price="3600")]) == 1
    assert lazy.get(101).list_price == Decimal("3600")


ROUND_GLOBALLY = copy.deepcopy(BOOTSTRAP)
ROUND_GLOBALLY["config"]["tax_calculation_rounding_method"] = "round_globally"
ROUND_GLOBALLY["currency"].update(rounding="0.01", decimal_places=2)
ROUND_GLOBALLY["taxes"] += [
    {"id": 2, "name": "Cukai", "amount_type": "fixed", "amount": "250", "sequence": 2},
    {"id": 3, "name": "PB1", "amount_type": "percent", "amount": "10", "sequence": 3},
]


@pytest.mark.parametrize("rounding", ["round_per_line", "round_globally"])
def test_cached_totals_equal_a_fresh_computation(rounding):
    data = copy.deepcopy(ROUND_GLOBALLY)
    data["config"]["tax_calculation_rounding_method"] = rounding
    shop = Shop.from_bootstrap(data)
    rng = random.Random(rounding)
    products = [
        Product(id=i, name=f"P{i}", list_price=Decimal(rng.randrange(100, 99999)) / 100,
                tax_ids=rng.choice([(1,), (1, 2), (1, 3), (1, 2, 3), ()]), uom_decimals=3)
        for i in range(1, 30)
    ]  # fmt: skip
    cart = Cart(shop)
    for step in range(300):
        action = rng.random()
        if action < 0.5 or not cart.lines:
            cart.add(rng.choice(products), rng.choice(["1", "2", "0.5"]))
        elif action < 0.65:
            cart.set_qty(rng.choice(cart.lines).uuid, rng.choice(["1", "3", "1.25"]))
        elif action < 0.75:
            cart.set_discount(rng.choice(cart.lines).uuid, rng.choice(["0", "10", "33.3"]))
        elif action < 0.85:
            cart.set_price(rng.choice(cart.lines).uuid, str(rng.randrange(1, 50000)))
        else:
            cart.remove(rng.choice(cart.lines).uuid)
        totals = cart.totals()
        fresh = Cart(shop)
        fresh.lines = cart.lines
        expected = fresh.totals()  # a new cart: empty caches
        assert totals == expected, step
        uncached = compute_lines(shop, cart.lines)
        assert [r.total_included for r in compute_lines(shop, cart.lines)] == [
            r.total_included for r in uncached
        ]
        # the caches hold the current lines only: they do not grow sale after sale
        assert len(cart._line_cache) <= len(cart.lines)
        assert len(cart._rounded) <= len(cart.lines)


def test_a_new_shop_empties_the_line_cache(shop):
    cart = Cart(shop)
    cart.add(Product(id=1, name="Kopi", list_price="10000", tax_ids=(1,)))
    assert cart.totals().amount_tax == Decimal("991")
    richer = copy.deepcopy(BOOTSTRAP)
    richer["taxes"][0]["amount"] = "12"
    cart.shop = Shop.from_bootstrap(richer)
    assert cart.totals().amount_tax == Decimal("1071")


def _general_float_round(value: Decimal, precision: Decimal, mode: str) -> Decimal:
    """float_round without its power-of-ten fast path (the general way, as before)."""
    from register.money import _METHODS

    steps = CONTEXT.divide(value, precision).to_integral_value(rounding=_METHODS[mode])
    result = CONTEXT.multiply(steps, precision)
    exponent = min(precision.as_tuple().exponent, 0)
    result = result.quantize(Decimal(1).scaleb(exponent), context=CONTEXT)
    return abs(result) if result.is_zero() else result


@given(
    st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=6),
    st.sampled_from(["1", "0.01", "0.001", "1.0", "10", "0.05"]),
    st.sampled_from(["HALF-UP", "UP", "DOWN", "HALF-EVEN"]),
)
def test_float_round_fast_path_is_the_general_result_digit_for_digit(value, precision, mode):
    precision = Decimal(precision)
    assert str(float_round(value, precision, mode)) == str(
        _general_float_round(value, precision, mode)
    )
