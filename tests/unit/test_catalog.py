"""Catalog: applying relay pages, removals, lookups and search."""

from __future__ import annotations

from decimal import Decimal

from register.catalog import Catalog, Product


def test_product_from_record_parses_the_contract_record(records):
    product = Product.from_record(records[0])
    assert product == Product(
        id=101,
        template_id=101,
        name="Indomie Goreng 85 g",
        category_ids=(5, 1),
        list_price=Decimal("3500"),
        standard_price=Decimal("2900"),
        barcode="8998866200011",
        default_code="MKN-0001",
        tax_ids=(1,),
        pos_categ_id=1,
        uom="Units",
    )
    assert isinstance(product.list_price, Decimal)


def test_product_from_record_defaults_and_categ_fallback():
    product = Product.from_record({"id": 7, "name": "Es Batu", "list_price": "2000", "categ_id": 3})
    assert product.category_ids == (3,)
    assert product.barcode is None and product.default_code is None
    assert product.tax_ids == () and product.pos_categ_id is None
    assert product.uom == "Units"


def test_product_keyword_construction_converts_money():
    product = Product(id=1, name="Kopi", list_price="12500.50", tax_ids=[1])
    assert product.list_price == Decimal("12500.50")
    assert product.tax_ids == (1,)


def test_apply_counts_changes(catalog, records):
    assert len(catalog) == 3
    # the same page again changes nothing
    assert catalog.apply(records) == 0
    changed = dict(records[0], list_price="3700")
    assert catalog.apply([changed]) == 1
    assert catalog.get(101).list_price == Decimal("3700")
    assert len(catalog) == 3


def test_apply_inactive_removes_and_unindexes(catalog):
    assert catalog.apply([{"id": 101, "active": False}]) == 1
    assert catalog.get(101) is None
    assert catalog.by_barcode("8998866200011") is None
    assert catalog.by_code("MKN-0001") is None
    assert [p.id for p in catalog.in_category(1)] == [103]
    assert catalog.search("indomie") == []
    assert 101 not in catalog
    # removing what is not there is not a change
    assert catalog.apply([{"id": 101, "active": False}, {"id": 999, "active": False}]) == 0


def test_upsert_moves_indexes(catalog, records):
    moved = dict(records[0], barcode="1111111111111", default_code="MKN-9999", pos_categ_id=2)
    assert catalog.apply([moved]) == 1
    assert catalog.by_barcode("8998866200011") is None
    assert catalog.by_barcode("1111111111111").id == 101
    assert catalog.by_code("MKN-0001") is None
    assert catalog.by_code("MKN-9999").id == 101
    assert [p.id for p in catalog.in_category(2)] == [102, 101]


def test_barcode_taken_over_by_another_product_survives_removal_of_the_first(catalog, records):
    clone = dict(records[1], id=201, barcode=records[0]["barcode"], default_code=None)
    catalog.apply([clone])
    assert catalog.by_barcode("8998866200011").id == 201
    catalog.apply([{"id": 101, "active": False}])
    assert catalog.by_barcode("8998866200011").id == 201


def test_lookups(catalog):
    assert catalog.get(102).name == "Teh Botol Sosro 450 ml"
    assert catalog.get(4242) is None
    assert catalog.by_barcode("8886008101053").id == 102
    assert catalog.by_barcode("0000") is None
    assert catalog.by_code("BRS-0005").id == 103
    assert [p.id for p in catalog.in_category(1)] == [101, 103]
    assert catalog.in_category(77) == []
    assert [p.id for p in catalog] == [101, 102, 103]


def test_search_every_word_must_match(catalog):
    assert [p.id for p in catalog.search("indomie")] == [101]
    assert [p.id for p in catalog.search("GORENG indo")] == [101]
    assert catalog.search("indomie teh") == []
    assert [p.id for p in catalog.search("mkn-0001")] == [101]  # by reference
    assert [p.id for p in catalog.search("brs")] == [103]
    assert [p.id for p in catalog.search("8886")] == [102]  # barcode prefix
    assert catalog.search("6008") == []  # not a barcode prefix
    assert [p.id for p in catalog.search("e")] == [101, 102, 103]
    assert catalog.search("   ") == []


def test_search_limit_and_exact_hit_first(catalog):
    assert len(catalog.search("e", limit=2)) == 2
    assert catalog.search("e", limit=0) == []
    # an exact barcode comes first even when it is later in the catalog
    assert catalog.search("8886008101053")[0].id == 102


def test_constructor_takes_products():
    catalog = Catalog([Product(id=1, name="Kopi"), Product(id=2, name="Gula")])
    assert len(catalog) == 2
    assert catalog.search("gula")[0].id == 2


def test_a_hundred_thousand_products(monkeypatch):
    records = [
        {
            "id": i,
            "name": f"Produk {i:06d}",
            "barcode": f"899{i:010d}",
            "default_code": f"P-{i:06d}",
            "list_price": "1000",
            "tax_ids": [1],
            "pos_categ_id": i % 20,
        }
        for i in range(1, 100_001)
    ]
    catalog = Catalog()
    assert catalog.apply(records) == 100_000
    assert len(catalog) == 100_000
    assert catalog.by_barcode("8990000054321").id == 54321
    assert catalog.by_code("P-099999").id == 99999
    assert len(catalog.in_category(3)) == 5000
    # The grid's first tiles make only those products (a scan repaints it: 60, never 100,000).
    made, asked = Catalog.get, []
    with monkeypatch.context() as patch:
        patch.setattr(Catalog, "get", lambda self, i: asked.append(i) or made(self, i))
        assert [p.id for p in catalog.first(60)] == list(range(1, 61))
        assert [p.id for p in catalog.in_category(3, 60)][:2] == [3, 23]
    assert len(asked) == 120
    assert [p.id for p in catalog.search("produk 099999")] == [99999]
    assert len(catalog.search("produk")) == 50
    assert catalog.apply([{"id": i, "active": False} for i in range(1, 50_001)]) == 50_000
    assert len(catalog) == 50_000
