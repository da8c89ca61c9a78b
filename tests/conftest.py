"""Fixtures over real processes: a fresh Odoo sandbox and relay per test (see processes.py)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from processes import (
    ADMIN_TOKEN,
    KasirProcess,
    TerminalClient,
    add_terminal,
    make_order,
    odoo_call,
    pair,
    start_relay,
    start_sandbox,
)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say where the screenshots of every screen went (tests/browser/test_screens.py)."""
    reports = [r for rs in terminalreporter.stats.values() for r in rs if hasattr(r, "nodeid")]
    if any(r.nodeid.startswith("tests/browser/test_screens.py") for r in reports):
        from browser.test_screens import SCREENS_DIR

        terminalreporter.write_line(f"screenshots of every screen: {SCREENS_DIR}")


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[KasirProcess]:
    """A fresh Odoo sandbox (its own SQLite file, the demo shop with 200 products)."""
    (tmp_path / "sandbox").mkdir(exist_ok=True)
    process = start_sandbox(tmp_path / "sandbox")
    try:
        yield process
    finally:
        process.kill()


@pytest.fixture
def relay(tmp_path: Path, sandbox: KasirProcess) -> Iterator[KasirProcess]:
    """A fresh relay (its own journal) pointed at `sandbox`, with fast retries and mirroring."""
    (tmp_path / "relay").mkdir(exist_ok=True)
    process = start_relay(tmp_path / "relay", sandbox.url)
    try:
        yield process
    finally:
        process.stop(timeout=5)


@pytest.fixture
def admin_relay(tmp_path: Path, sandbox: KasirProcess) -> Iterator[KasirProcess]:
    """A relay whose /admin opens with `ADMIN_TOKEN`."""
    process = start_relay(tmp_path, sandbox.url, env={"KASIR_ADMIN_TOKEN": ADMIN_TOKEN})
    try:
        yield process
    finally:
        process.stop(timeout=5)


@pytest.fixture
def hr_sandbox(tmp_path: Path) -> Iterator[KasirProcess]:
    """The sandbox whose register uses pos_hr's cashiers (Ani 1234; Budi 5678, a manager)."""
    (tmp_path / "sandbox").mkdir()
    process = start_sandbox(tmp_path / "sandbox", cashiers=True)
    try:
        yield process
    finally:
        process.kill()


@pytest.fixture
def hr_relay(tmp_path: Path, hr_sandbox: KasirProcess) -> Iterator[KasirProcess]:
    """A relay pointed at `hr_sandbox`."""
    (tmp_path / "relay").mkdir()
    process = start_relay(tmp_path / "relay", hr_sandbox.url)
    try:
        yield process
    finally:
        process.stop(timeout=5)


@pytest.fixture
def paired_terminal(relay: KasirProcess) -> tuple[str, str]:
    """(terminal name, bearer token) of terminal kasir-1, paired through POST /api/v1/pair."""
    return pair(relay, "kasir-1")


@pytest.fixture
def pairing_code(relay: KasirProcess) -> str:
    """A fresh one-time pairing code for terminal kasir-1 (for `/?pair=CODE`)."""
    return add_terminal(relay, "kasir-1")


@pytest.fixture
def products(sandbox: KasirProcess) -> list[dict[str, Any]]:
    """The sandbox's first products with a barcode, as catalog-like dicts (id, name, barcode, price)."""
    return demo_products(sandbox)


def demo_products(sandbox: KasirProcess) -> list[dict[str, Any]]:
    """`products` of any sandbox (a test with a sandbox of its own)."""
    rows = odoo_call(
        sandbox.url,
        "product.product",
        "search_read",
        [[["barcode", "!=", False], ["available_in_pos", "=", True]]],
        {"fields": ["id", "name", "barcode", "lst_price", "taxes_id"], "order": "id", "limit": 20},
    )
    return [
        {
            "id": row["id"],
            "name": row["name"],
            "barcode": row["barcode"],
            "list_price": format(Decimal(str(row["lst_price"])).normalize(), "f"),
            "tax_ids": row["taxes_id"],
        }
        for row in rows
    ]


@pytest.fixture
def order_factory():
    """`make_order` as a fixture, for test modules."""
    return make_order


@pytest.fixture
def terminal(relay: KasirProcess, paired_terminal: tuple[str, str]) -> Iterator[TerminalClient]:
    """kasir-1, paired, as an HTTP client of `relay`."""
    client = TerminalClient(relay, *paired_terminal)
    try:
        yield client
    finally:
        client.http.close()
