"""Shared fixtures for the register tests: the contract's demo shop (IDR, PPN 11 % included)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from register.catalog import Catalog
from register.shop import Shop

BOOTSTRAP = {
    "company": {"id": 1, "name": "Toko Sumber Rejeki", "country_code": "ID", "vat": "01.234"},
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
        "receipt_header": "Selamat datang",
        "receipt_footer": "Terima kasih",
    },
    "taxes": [
        {
            "id": 1,
            "name": "PPN 11%",
            "amount_type": "percent",
            "amount": "11",
            "price_include": True,
            "include_base_amount": False,
            "is_base_affected": True,
            "sequence": 1,
            "children_tax_ids": [],
        }
    ],
    "fiscal_positions": [],
    "pricelists": [{"id": 1, "name": "Umum", "items": []}],
    "payment_methods": [
        {"id": 1, "name": "Tunai", "is_cash_count": True, "type": "cash"},
        {"id": 2, "name": "Kartu", "is_cash_count": False, "type": "bank"},
    ],
    "cash_roundings": [],
    "categories": [{"id": 1, "name": "Makanan", "parent_id": None}],
    "product_categories": [{"id": 1, "name": "All", "parent_id": None}],
    "catalog_version": "57",
}

RECORDS = [
    {
        "id": 101,
        "template_id": 101,
        "name": "Indomie Goreng 85 g",
        "barcode": "8998866200011",
        "default_code": "MKN-0001",
        "list_price": "3500",
        "standard_price": "2900",
        "tax_ids": [1],
        "categ_id": 5,
        "category_ids": [5, 1],
        "pos_categ_id": 1,
        "uom": "Units",
        "active": True,
    },
    {
        "id": 102,
        "template_id": 102,
        "name": "Teh Botol Sosro 450 ml",
        "barcode": "8886008101053",
        "default_code": "MNM-0001",
        "list_price": "5000",
        "standard_price": "4100",
        "tax_ids": [1],
        "categ_id": 6,
        "category_ids": [6, 1],
        "pos_categ_id": 2,
        "uom": "Units",
        "active": True,
    },
    {
        "id": 103,
        "template_id": 103,
        "name": "Beras Pandan Wangi 5 kg",
        "barcode": None,
        "default_code": "BRS-0005",
        "list_price": "74900",
        "standard_price": "68000",
        "tax_ids": [],
        "categ_id": 5,
        "category_ids": [5, 1],
        "pos_categ_id": 1,
        "uom": "Units",
        "active": True,
    },
]


@pytest.fixture
def bootstrap() -> dict:
    return copy.deepcopy(BOOTSTRAP)


@pytest.fixture
def shop(bootstrap: dict) -> Shop:
    return Shop.from_bootstrap(bootstrap)


@pytest.fixture
def catalog() -> Catalog:
    catalog = Catalog()
    catalog.apply(copy.deepcopy(RECORDS))
    return catalog


@pytest.fixture
def records() -> list[dict]:
    """The catalog records of the contract (a fresh copy per test)."""
    return copy.deepcopy(RECORDS)


CREATED = datetime(2026, 11, 23, 20, 41, 5, tzinfo=UTC)


def make_shop(bootstrap: dict, **config) -> Shop:
    """A shop from the contract's bootstrap with some config keys changed."""
    data = copy.deepcopy(bootstrap)
    data["config"].update(config)
    return Shop.from_bootstrap(data)


def finish(cart, seq: int = 1, **overrides) -> dict:
    """The order record of a paid cart, with the fixed test clock."""
    kwargs = {
        "terminal": "kasir-1",
        "session": 1,
        "seq": seq,
        "created_at": CREATED,
        "catalog_version": "57",
    }
    kwargs.update(overrides)
    return cart.order_record(**kwargs)
