"""The register bench body (bench/register_work.py) runs, small, and gives sane figures.

No time is asserted: the bench prints figures, it never fails on a time.
"""

from __future__ import annotations

import importlib.util
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

WORK = Path(__file__).resolve().parents[2] / "bench" / "register_work.py"


@pytest.fixture(scope="module")
def work() -> ModuleType:
    # Loaded by file: bench/ holds register.py, which must not shadow the register package.
    spec = importlib.util.spec_from_file_location("register_work", WORK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["register_work"] = module
    spec.loader.exec_module(module)
    return module


def test_data_is_deterministic_and_in_the_contract_form(work):
    first = work.catalog_records(300)
    assert first == work.catalog_records(300)
    record = first[1]
    assert set(record) >= {"id", "template_id", "name", "barcode", "list_price", "tax_ids"}
    assert isinstance(record["list_price"], str) and Decimal(record["list_price"]) > 0
    assert len(record["barcode"]) == 13 and record["barcode"].isdigit()
    items = work.bootstrap(300)["pricelists"][0]["items"]
    assert len(items) == work.PRICELIST_RULES
    assert {i["applied_on"] for i in items} == {
        "0_product_variant",
        "1_product",
        "2_product_category",
        "3_global",
    }
    typed = work.queries(first, 50)
    assert len(typed) == 50 and all(q.strip() for q in typed)


def test_bench_runs_small_and_returns_sane_figures(work):
    figures = work.run(2_000, scans=60)
    assert figures["products"] == 2_000
    for name in ("catalog_ready", "catalog_apply_json", "till_load", "timer_resolution"):
        assert figures[name] > 0
    assert figures["catalog_ready"] >= figures["catalog_apply_json"]
    for name in ("barcode", "search", "scan_to_totals"):
        stats = figures[name]
        assert 0 <= stats["p50"] <= stats["p95"] <= stats["max"]
    assert figures["barcode"]["n"] == work.LOOKUPS
    assert figures["search"]["n"] == work.QUERIES
    assert 0 < figures["search"]["queries_with_hits"] < work.QUERIES  # the typos find nothing
    assert figures["scan_to_totals"]["n"] == 60
    assert figures["cart_lines"] == work.CART_LINES
    assert Decimal(figures["cart_total"]) > Decimal(figures["cart_tax"]) > 0
    text = work.format_figures(figures)
    assert "catalog ready" in text and "scan to totals p95" in text
