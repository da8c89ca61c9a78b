"""The register bench body: one module, run as is by CPython and by Pyodide in Chromium.

It imports only `register` and the stdlib, builds its data deterministically (a seeded
random.Random) and measures with time.perf_counter what a cashier waits for:

- catalog ready: the catalog as the till gets it from IndexedDB (one JSON string of contract
  records) through Catalog.apply_json (json.loads + Catalog.apply with the cyclic GC paused),
  then the first search (which builds the search text); for comparison also plain
  json.loads + Catalog.apply, which is what pwa/py/till does today;
- barcode lookup: Catalog.by_barcode, 1,000 lookups;
- name search: Catalog.search, 200 queries of 1-3 words typed by a cashier, prefixes included;
- scan to totals: cart.scan + cart.totals on a 50-line cart (three taxes, a 1,000-rule pricelist),
  500 scans of products already in the cart, so it stays at 50 lines.

`run(products=100_000)` returns a dict of figures (seconds); `format_figures` prints them.
Timers in a browser are coarse (Chromium: 5 us cross-origin isolated, 100 us otherwise), so the
per-call figures carry `timer_resolution` and the fast ones also a mean over a whole batch.
"""

from __future__ import annotations

import gc
import json
import random
import time
from datetime import UTC, datetime
from typing import Any

from register.cart import Cart
from register.catalog import Catalog
from register.shop import Shop

SEED = 20261123
CART_LINES = 50
SCANS = 500
LOOKUPS = 1_000
QUERIES = 200
PRICELIST_RULES = 1_000
WHEN = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

BRANDS = (
    "Indomie", "Sedaap", "Sarimi", "Supermi", "Pop Mie", "Aqua", "Le Minerale", "Ades",
    "Teh Botol", "Teh Pucuk", "Frestea", "Kapal Api", "ABC", "Good Day", "Torabika", "Nescafe",
    "Indomilk", "Ultra", "Frisian Flag", "Dancow", "Bear Brand", "Chitato", "Qtela", "Taro",
    "Lays", "Oreo", "Roma", "Khong Guan", "Biskuat", "Tango", "Beng Beng", "SilverQueen",
    "Cadbury", "Kopiko", "Relaxa", "Mentos", "Sunlight", "Mama Lemon", "Rinso", "Daia",
    "Attack", "So Klin", "Lifebuoy", "Lux", "Nuvo", "Pepsodent", "Ciptadent", "Close Up",
    "Sunsilk", "Pantene", "Clear", "Dove", "Bimoli", "Filma", "Sania", "Tropical", "Gulaku",
    "Rose Brand", "Sasa", "Masako", "Royco", "Bango", "Sambal ABC", "Del Monte", "Kecap Sedap",
    "Sosro", "Fanta", "Sprite", "Coca Cola", "Pocari Sweat", "Mizone", "Yakult", "Cimory",
)  # fmt: skip
KINDS = (
    "Goreng", "Kuah Soto", "Ayam Bawang", "Rendang", "Kari Ayam", "Air Mineral", "Teh Manis",
    "Jasmine", "Kopi Susu", "Kopi Hitam", "Mocca", "Cappuccino", "Susu Coklat", "Susu Full Cream",
    "Stroberi", "Vanila", "Keripik Kentang", "Rumput Laut", "Keju", "Balado", "Biskuit Kelapa",
    "Wafer Coklat", "Kelapa", "Sabun Cuci Piring", "Jeruk Nipis", "Deterjen Bubuk", "Pewangi",
    "Sabun Mandi", "Pasta Gigi", "Sampo", "Minyak Goreng", "Gula Pasir", "Tepung Terigu",
    "Penyedap Rasa", "Kecap Manis", "Saus Tomat", "Saus Sambal", "Permen Mint", "Coklat Batang",
    "Jeruk", "Lemon", "Apel", "Mangga", "Original", "Pedas", "Extra Pedas", "Ekstra Joss",
)  # fmt: skip
SIZES = (
    "85 g", "75 g", "120 g", "200 g", "250 g", "500 g", "1 kg", "2 kg", "330 ml", "350 ml",
    "600 ml", "1 L", "1,5 L", "2 L", "5 L", "Sachet", "Renceng 10", "Pak 5", "Dus 24", "Pouch",
)  # fmt: skip


# -- data ------------------------------------------------------------------------------------


def _ean13(body: str) -> str:
    """An EAN-13 from 12 digits (the check digit the scanner verifies)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def category_tree() -> dict[int, list[int]]:
    """product.category ids -> the category and its ancestors (1 All > 8 groups > 64 leaves)."""
    chains = {1: [1]}
    for group in range(2, 10):
        chains[group] = [group, 1]
    for leaf in range(10, 74):
        group = 2 + (leaf - 10) % 8
        chains[leaf] = [leaf, group, 1]
    return chains


TAX_SETS = ((1,), (1, 2), (1, 3), (1, 2, 3))


def catalog_records(count: int, seed: int = SEED) -> list[dict[str, Any]]:
    """`count` catalog records in the contract's form (money as decimal strings)."""
    rng = random.Random(seed)
    chains = category_tree()
    leaves = list(range(10, 74))
    records = []
    for i in range(count):
        product_id = 1000 + i
        template_id = 1000 + i - (i % 3 == 2)  # every third product is a variant of the previous
        leaf = leaves[rng.randrange(len(leaves))]
        name = f"{rng.choice(BRANDS)} {rng.choice(KINDS)} {rng.choice(SIZES)}"
        price = rng.randrange(10, 2_000) * 100 + rng.choice((0, 0, 0, 500, 900))
        records.append(
            {
                "id": product_id,
                "template_id": template_id,
                "name": name,
                "barcode": _ean13(f"899{i:09d}") if i % 20 else None,
                "default_code": f"SKU-{i:06d}" if i % 7 else None,
                "list_price": str(price),
                "standard_price": str(price * 8 // 10),
                "tax_ids": list(TAX_SETS[i % 4]),
                "categ_id": leaf,
                "category_ids": chains[leaf],
                "pos_categ_id": 1 + i % 12,
                "uom": "Units",
                "active": True,
            }
        )
    return records


def pricelist_items(count: int, products: int, seed: int = SEED) -> list[dict[str, Any]]:
    """A pricelist of `count` rules (Odoo 18 item fields): product, template, category, global."""
    rng = random.Random(seed + 1)
    items = []
    for n in range(count):
        item: dict[str, Any] = {"id": n + 1, "min_quantity": rng.choice((0, 0, 0, 2, 5, 12))}
        share = n % 20
        if share < 8:  # 40 % on variants
            item["applied_on"] = "0_product_variant"
            item["product_id"] = 1000 + rng.randrange(products)
        elif share < 14:  # 30 % on templates
            item["applied_on"] = "1_product"
            item["product_tmpl_id"] = 1000 + rng.randrange(products)
        elif share < 19:  # 25 % on categories
            item["applied_on"] = "2_product_category"
            item["categ_id"] = rng.randrange(2, 74)
        else:  # 5 % global, most of them with a quantity or a date window
            item["applied_on"] = "3_global"
            item["min_quantity"] = rng.choice((0, 3, 6, 10, 24))
            if n % 40 == 19:
                item["date_start"] = "2026-11-01 00:00:00"
                item["date_end"] = "2026-12-31 23:59:59"
        kind = rng.choice(("fixed", "percentage", "formula"))
        item["compute_price"] = kind
        if kind == "fixed":
            item["fixed_price"] = str(rng.randrange(10, 2_000) * 100)
        elif kind == "percentage":
            item["percent_price"] = str(rng.choice((5, 10, 12.5, 15, 20)))
        else:
            item["base"] = rng.choice(("list_price", "list_price", "standard_price"))
            item["price_discount"] = str(rng.choice((-10, 0, 5, 7.5, 10)))
            item["price_round"] = rng.choice(("0", "100", "500"))
            item["price_surcharge"] = rng.choice(("0", "0", "-1", "200"))
            if rng.random() < 0.3:
                item["price_min_margin"] = "100"
        items.append(item)
    return items


def bootstrap(products: int) -> dict[str, Any]:
    """The contract's bootstrap: IDR, PPN 11 % included, a fixed and a percent tax excluded."""
    return {
        "company": {"id": 1, "name": "Toko Sumber Rejeki", "country_code": "ID", "vat": "0"},
        "currency": {
            "id": 12,
            "name": "IDR",
            "symbol": "Rp",
            "rounding": "1",
            "decimal_places": 0,
            "position": "before",
        },
        "config": {
            "id": 1,
            "name": "Kasir 1",
            "session_id": 1,
            "pricelist_id": 1,
            "payment_method_ids": [1, 2],
            "tax_calculation_rounding_method": "round_per_line",
            "cash_rounding": False,
            "rounding_method_id": None,
            "only_round_cash_method": False,
            "receipt_header": "",
            "receipt_footer": "",
        },
        "taxes": [
            {
                "id": 1,
                "name": "PPN 11%",
                "amount_type": "percent",
                "amount": "11",
                "price_include": True,
                "sequence": 1,
                "children_tax_ids": [],
            },
            {
                "id": 2,
                "name": "Cukai",
                "amount_type": "fixed",
                "amount": "250",
                "price_include": False,
                "sequence": 2,
                "children_tax_ids": [],
            },
            {
                "id": 3,
                "name": "PB1 10%",
                "amount_type": "percent",
                "amount": "10",
                "price_include": False,
                "sequence": 3,
                "children_tax_ids": [],
            },
        ],
        "fiscal_positions": [],
        "pricelists": [
            {"id": 1, "name": "Umum", "items": pricelist_items(PRICELIST_RULES, products)}
        ],
        "payment_methods": [
            {"id": 1, "name": "Tunai", "is_cash_count": True, "type": "cash"},
            {"id": 2, "name": "Kartu", "is_cash_count": False, "type": "bank"},
        ],
        "cash_roundings": [],
        "categories": [{"id": 1, "name": "Makanan", "parent_id": None}],
        "product_categories": [{"id": 1, "name": "All", "parent_id": None}],
        "catalog_version": "57",
    }


def queries(records: list[dict[str, Any]], count: int, seed: int = SEED) -> list[str]:
    """What cashiers type: 1-3 words of a product name, the last one often cut short; a few
    internal references, barcode starts and misses."""
    rng = random.Random(seed + 2)
    typed = []
    for n in range(count):
        record = records[rng.randrange(len(records))]
        if n % 20 == 0:
            typed.append("xyzzy")  # a typo: no product, the whole catalog is searched
            continue
        if n % 20 == 1 and record.get("default_code"):
            typed.append(record["default_code"].lower()[: rng.randrange(5, 11)])
            continue
        if n % 20 == 2 and record.get("barcode"):
            typed.append(record["barcode"][: rng.randrange(6, 13)])
            continue
        words = record["name"].lower().split()
        start = rng.randrange(len(words))
        picked = words[start : start + rng.randrange(1, 4)]
        last = picked[-1]
        if len(last) > 3 and rng.random() < 0.6:
            picked[-1] = last[: rng.randrange(2, len(last))]  # still typing
        typed.append(" ".join(picked))
    return typed


# -- measuring -------------------------------------------------------------------------------


def _percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile (share 0.5, 0.95)."""
    ordered = sorted(samples)
    rank = max(1, round(share * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def _stats(samples: list[float]) -> dict[str, float]:
    return {
        "p50": _percentile(samples, 0.5),
        "p95": _percentile(samples, 0.95),
        "max": max(samples),
        "mean": sum(samples) / len(samples),
        "n": len(samples),
    }


def timer_resolution() -> float:
    """The smallest step time.perf_counter shows here (browsers coarsen their clocks)."""
    smallest = 1.0
    for _ in range(50):
        start = time.perf_counter()
        now = start
        while now == start:
            now = time.perf_counter()
        smallest = min(smallest, now - start)
    return smallest


def run(products: int = 100_000, *, scans: int = SCANS, seed: int = SEED) -> dict[str, Any]:
    """Build the data, measure, and return the figures (all times in seconds)."""
    clock = time.perf_counter
    records = catalog_records(products, seed)
    text = json.dumps(records, separators=(",", ":"))
    shop = Shop.from_bootstrap(bootstrap(products))
    figures: dict[str, Any] = {
        "products": products,
        "catalog_json_bytes": len(text.encode()),
        "timer_resolution": timer_resolution(),
    }

    # The till today: json.loads, then Catalog.apply (the collector runs during the parse).
    start = clock()
    parsed = json.loads(text)
    parsed_at = clock()
    Catalog().apply(parsed)
    figures["till_json_loads"] = parsed_at - start
    figures["till_apply"] = clock() - parsed_at
    figures["till_load"] = clock() - start
    del parsed
    gc.collect()

    # Catalog ready: the JSON string from IndexedDB through Catalog.apply_json (json.loads and
    # apply with the collector paused), then the first search, which builds the search text.
    start = clock()
    catalog = Catalog()
    catalog.apply_json(text)
    applied_at = clock()
    catalog.search("indomie")
    ready_at = clock()
    figures["catalog_apply_json"] = applied_at - start
    figures["catalog_first_search"] = ready_at - applied_at
    figures["catalog_ready"] = ready_at - start
    assert len(catalog) == products

    # Barcode lookups: hits, spread over the catalog.
    rng = random.Random(seed + 3)
    with_barcode = [r["barcode"] for r in records if r["barcode"]]
    codes = [with_barcode[rng.randrange(len(with_barcode))] for _ in range(LOOKUPS)]
    samples = []
    batch_start = clock()
    for code in codes:
        t0 = clock()
        product = catalog.by_barcode(code)
        samples.append(clock() - t0)
        assert product is not None
    batch = clock() - batch_start
    figures["barcode"] = {**_stats(samples), "batch_mean": batch / LOOKUPS}

    # Name search: what the search box sends, at the till's default limit.
    samples, hits = [], 0
    for query in queries(records, QUERIES, seed):
        t0 = clock()
        found = catalog.search(query)
        samples.append(clock() - t0)
        hits += bool(found)
    figures["search"] = {**_stats(samples), "queries_with_hits": hits}

    # Scan to totals: a 50-line cart, then scans of its products (qty up, price re-read).
    cart = Cart(shop, catalog=catalog)
    cart.pricing_time = WHEN
    picked = rng.sample(with_barcode, CART_LINES)
    for code in picked:
        cart.scan(catalog, code)
    cart.totals()
    assert len(cart.lines) == CART_LINES
    samples = []
    total = None
    pauses: list[float] = []
    began: list[float] = []

    def watch(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            began.append(clock())
        elif began:
            pauses.append(clock() - began.pop())

    gc.callbacks.append(watch)
    for n in range(scans):
        code = picked[(n * 7) % CART_LINES]
        t0 = clock()
        cart.scan(catalog, code)
        total = cart.totals()
        samples.append(clock() - t0)
    gc.callbacks.remove(watch)
    assert len(cart.lines) == CART_LINES and total is not None
    figures["gc_during_scans"] = {"collections": len(pauses), "seconds": sum(pauses)}
    figures["gc_frozen"] = gc.get_freeze_count()
    figures["scan_to_totals"] = _stats(samples)
    figures["cart_total"] = str(total.amount_total)
    figures["cart_tax"] = str(total.amount_tax)
    figures["cart_lines"] = len(cart.lines)
    figures["scans"] = scans
    return figures


# -- printing --------------------------------------------------------------------------------

BUDGETS = {"catalog_ready": 1.0, "search_p95": 0.020, "scan_to_totals_p95": 0.002}


def rows(figures: dict[str, Any]) -> list[tuple[str, float, float | None]]:
    """(label, seconds, budget) in print order."""
    f = figures
    return [
        ("catalog ready (load+index)", f["catalog_ready"], BUDGETS["catalog_ready"]),
        ("  Catalog.apply_json", f["catalog_apply_json"], None),
        ("  first search (text index)", f["catalog_first_search"], None),
        ("till today: loads+apply", f["till_load"], None),
        ("  json.loads (GC on)", f["till_json_loads"], None),
        ("  Catalog.apply", f["till_apply"], None),
        ("barcode lookup p50", f["barcode"]["p50"], None),
        ("barcode lookup p95", f["barcode"]["p95"], None),
        ("barcode lookup mean (batch)", f["barcode"]["batch_mean"], None),
        ("name search p50", f["search"]["p50"], None),
        ("name search p95", f["search"]["p95"], BUDGETS["search_p95"]),
        ("name search max", f["search"]["max"], None),
        ("scan to totals p50", f["scan_to_totals"]["p50"], None),
        ("scan to totals p95", f["scan_to_totals"]["p95"], BUDGETS["scan_to_totals_p95"]),
        ("scan to totals max", f["scan_to_totals"]["max"], None),
    ]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:10.3f} ms"


def format_figures(figures: dict[str, Any]) -> str:
    """The figures of one run as text."""
    lines = [
        f"register bench: {figures['products']:,} products "
        f"({figures['catalog_json_bytes'] / 1e6:.1f} MB JSON), timer step "
        f"{figures['timer_resolution'] * 1e6:.1f} us"
    ]
    for label, value, budget in rows(figures):
        extra = f"   budget {_ms(budget).strip()}" if budget else ""
        lines.append(f"{label:<30}{_ms(value)}{extra}")
    lines.append(f"cart: {figures['cart_lines']} lines, total Rp {figures['cart_total']}")
    pause = figures["gc_during_scans"]
    lines.append(
        f"GC during the scans: {pause['collections']} collections, "
        f"{pause['seconds'] * 1000:.1f} ms; {figures['gc_frozen']:,} objects frozen"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    print(format_figures(run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)))
