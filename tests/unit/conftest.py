"""Shared fixtures for the register tests: the contract's demo shop (IDR, PPN 11 % included)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from demo_shop import BOOTSTRAP, RECORDS
from register.catalog import Catalog
from register.shop import Shop


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
