"""The till in Bahasa Indonesia: every screen rendered with the Indonesian catalog shows none of
the English texts that catalog translates, and the English till still reads as before.

The screens are the real ones (`Till.render`) on the fake device of test_till; the catalog is the
shipped pwa/static/i18n/id.json, so a text wrapped in `_()` without an Indonesian entry, or a text
not wrapped at all but equal to a translated msgid, fails here.
"""

from __future__ import annotations

import importlib.util
import json
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from register.errors import InvalidQuantity
from test_till import FakeDevice, Node, act, dom, flash_text, line_uuids, run, started
from till import i18n
from till.app import Till

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "pwa" / "static" / "i18n" / "id.json"
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
DATA_CLASSES = {"oi-reason"}  # Odoo's or the relay's own reason for a sale, not the till's words


def code_messages() -> set[str]:
    """Every msgid of the code, as `build.py messages` extracts it."""
    spec = importlib.util.spec_from_file_location("kasir_build_language", ROOT / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    return build.extract_messages(ROOT)


@pytest.fixture
def indonesian() -> Iterator[dict[str, str]]:
    """The Indonesian catalog in use; what it returns also lists the code's messages it lacks
    (with an empty translation), so that an English text without an entry is caught too."""
    messages = json.loads(CATALOG.read_text(encoding="utf-8"))
    i18n.use("id", messages)
    yield {msgid: "" for msgid in code_messages()} | messages
    i18n.use("en", None)


@pytest.fixture
def english() -> Iterator[None]:
    i18n.use("en", None)
    yield
    i18n.use("en", None)


def shown(page: Node) -> list[str]:
    """What a person reads or hears: each text between tags and the labelling attributes."""
    texts = [child for child in page.children if isinstance(child, str)]
    for node in page.iter():
        data = DATA_CLASSES & set((node.attrs.get("class") or "").split())
        texts += [child for child in node.children if isinstance(child, str) and not data]
        texts += [node.attrs[name] or "" for name in SHOWN_ATTRIBUTES if name in node.attrs]
    return texts


def _pieces(msgid: str) -> list[str]:
    """The words of a message around its {placeholders} ("Pay {amount}" -> ["Pay"])."""
    parts = [literal.strip() for literal, *_ in string.Formatter().parse(msgid)]
    return [part for part in parts if re.search(r"[A-Za-z]{2,}", part)]


def english_left(page: Node, messages: dict[str, str]) -> list[str]:
    """The msgids not translated to themselves in `messages` whose English words are on the
    page (compared a whole word at a time)."""
    texts = shown(page)
    left = []
    for msgid, msgstr in messages.items():
        if msgstr == msgid:
            continue
        for piece in _pieces(msgid):
            pattern = re.compile(rf"(?<!\w){re.escape(piece)}(?!\w)")
            if any(pattern.search(text) for text in texts):
                left.append(msgid)
                break
    return left


def sell_two_products(device: FakeDevice | None = None) -> tuple[Till, list[str]]:
    till = started(device)
    act(till, "add", arg="101")
    page = act(till, "add", arg="102")
    return till, line_uuids(page)


ATTENTION_COUNTS = {
    "pending": 2,
    "sent": 1,
    "posted": 4,
    "failed": 3,
    "held": 1,
    "rejected": 1,
    "attention": [
        {"uuid": "u1", "name": "kasir-1-000004", "state": "rejected",
         "error": "lines[0].qty must be a decimal string", "retryable": True},
        {"uuid": "u2", "name": "kasir-1-000005", "state": "failed",
         "error": "Product 101 is archived", "retryable": True},
        {"uuid": "u3", "name": "kasir-1-000006", "state": "failed",
         "error": "Record does not exist or has been deleted.", "retryable": False},
        {"uuid": "u4", "name": "kasir-1-000007", "state": "failed",
         "error": "discarded by the manager: a test sale", "retryable": False},
        {"uuid": "u5", "name": "kasir-1-000008", "state": "held", "error": None,
         "retryable": False},
    ],
    "online": True,
}  # fmt: skip


def test_the_catalog_keeps_every_placeholder(indonesian):
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}

    broken = [m for m, t in indonesian.items() if t and fields(t) != fields(m)]
    assert broken == []
    assert indonesian["Pay {amount}"] == "Bayar {amount}"


def test_sell_screen_with_lines_and_the_line_editor_is_indonesian(indonesian):
    till, (first, _second) = sell_two_products()
    page = act(till, "edit-line", arg=first)
    assert page.by_id("line-editor") is not None
    assert english_left(page, indonesian) == []
    assert page.one("pay").text == "Bayar Rp 8.500"
    assert "Harga satuan" in page.one("line-editor").text
    page = act(till, "order-discount-open")
    assert page.by_id("order-discount-form") is not None
    assert english_left(page, indonesian) == []
    page = act(till, "search", q="tidak ada")
    assert english_left(page, indonesian) == []
    assert "Tidak ada yang cocok dengan “tidak ada”." in page.text


def test_pay_receipt_orders_and_refund_screens_are_indonesian(indonesian):
    till, _lines = sell_two_products()
    page = act(till, "pay")
    assert english_left(page, indonesian) == []
    page = act(till, "tender", method_id="1", amount="5.000")
    assert till.screen == "pay" and page.one("payments").text  # a payment on the list
    assert english_left(page, indonesian) == []
    page = act(till, "tender", method_id="1", amount="10.000")
    page = act(till, "validate")
    assert till.screen == "receipt"
    assert english_left(page, indonesian) == []
    assert page.one("new-sale").text == "Penjualan baru"

    page = act(till, "orders")
    assert english_left(page, indonesian) == []
    sale, name = till.orders[0]["uuid"], till.orders[0]["name"]
    page = act(till, "refund", arg=sale)
    assert till.screen == "refund"
    assert english_left(page, indonesian) == []
    page = act(till, "refund-all", arg=sale)
    assert till.screen == "pay" and page.by_id("refund-banner") is not None
    assert english_left(page, indonesian) == []
    act(till, "pay-exact", arg="1")
    page = act(till, "validate")
    assert page.one("receipt").attrs["data-refund"] == "true"
    assert english_left(page, indonesian) == []
    assert page.one("receipt-refund").text == f"RETUR dari {name}"


def test_pairing_and_loading_screens_are_indonesian(indonesian):
    till = started(FakeDevice(terminal=None))
    page = dom(till)
    assert till.screen == "pair"
    assert english_left(page, indonesian) == []
    page = act(till, "pair", code="")
    assert "Ketik kode pemasangan." in page.text  # beside the field or at the top

    waiting = Till(FakeDevice())  # before start: the first paint
    page = dom(waiting)
    assert "Memuat data toko…" in page.text
    assert english_left(page, indonesian) == []

    stuck = started(FakeDevice(bootstrap=None, relay_up=False))
    page = dom(stuck)
    assert stuck.screen == "loading" and page.by_id("retry") is not None
    assert english_left(page, indonesian) == []


def test_sync_panel_with_sales_in_every_state_is_indonesian(indonesian):
    till = started()
    act(till, "outbox-changed", counts=ATTENTION_COUNTS)
    page = act(till, "sync-panel")
    states = {n.attrs["data-state"] for n in page.find_all(cls="outbox-item")}
    assert states == {"rejected", "failed", "discarded", "held"}
    assert page.find_all(cls="retry-sale") and page.find_all(cls="ask-again")
    assert english_left(page, indonesian) == []
    assert "Tanpa alasan." in page.one("sync-panel").text  # the held sale gave no reason

    page = act(till, "outbox-changed", counts={**ATTENTION_COUNTS, "online": False})
    assert page.find_all(cls="offline")
    assert english_left(page, indonesian) == []
    page = act(started(FakeDevice(relay_up=False)), "sync")
    # The device's own reason ("relay unreachable") is not the till's to translate.
    assert flash_text(page) == (
        "Pengiriman gagal (relay unreachable). Penjualan disimpan di kasir ini dan dikirim nanti."
    )


def test_register_errors_reach_the_cashier_in_indonesian(indonesian):
    till, (first, _second) = sell_two_products()
    page = act(till, "qty", arg=first, qty="abc")
    assert "Jumlah 'abc' bukan angka." in page.text  # beside the field or at the top
    act(till, "edit-line", arg=first)
    page = act(till, "line-edit", arg=first, discount="150", reason="rusak")
    refused = page.one("line-editor").find_all(cls="field-error") or [page.one("flash")]
    assert refused[0].text.strip().startswith("Diskon ")  # whichever template the check uses
    assert english_left(page, indonesian) == []
    act(till, "pay")
    page = act(till, "tender", method_id="1", amount="-5000")
    assert "Jumlah uang tidak boleh negatif." in page.text
    page = act(till, "pay-exact", arg="99")
    assert flash_text(page) == "Metode pembayaran tidak dikenal: 99"
    assert english_left(page, indonesian) == []


def test_questions_and_panels_are_indonesian(indonesian):
    till, (first, _second) = sell_two_products()
    page = act(till, "qty", arg=first, qty="0")
    assert page.by_id("confirm-remove") is not None
    assert english_left(page, indonesian) == []
    act(till, "keep")
    act(till, "pay")
    page = act(till, "tender", method_id="1", amount="50jt")
    assert page.by_id("confirm-tender") is not None
    assert english_left(page, indonesian) == []
    page = act(till, "help")
    assert english_left(page, indonesian) == []
    page = act(till, "settings-panel")
    assert english_left(page, indonesian) == []


def test_a_register_error_keeps_its_english_template_and_values():
    error = InvalidQuantity("Quantity {value} is not a number.", value="'abc'")
    assert error.message == str(error) == "Quantity 'abc' is not a number."
    assert error.template == "Quantity {value} is not a number."
    assert error.values == {"value": "'abc'"}
    assert InvalidQuantity("Braces {stay} when nothing fills them.").message == (
        "Braces {stay} when nothing fills them."
    )


def test_the_english_till_reads_as_before(english):
    till, (first, _second) = sell_two_products()
    page = act(till, "qty", arg=first, qty="abc")
    assert "Quantity 'abc' is not a number." in page.text
    assert page.one("pay").text == "Pay Rp 8.500"
    assert page.one("sync-now").text == "Sync now"
    assert page.one("scan").attrs["placeholder"] == "Scan or type a barcode or code"
    act(till, "pay")
    page = act(till, "tender", method_id="1", amount="-5000")
    assert "An amount cannot be negative." in page.text
    page = act(till, "pay-exact", arg="99")
    assert flash_text(page) == "Unknown payment method: 99"
    act(till, "outbox-changed", counts=ATTENTION_COUNTS)
    page = act(till, "sync-panel")
    assert "2 unsent · 1 waiting for Odoo · 4 in Odoo" in page.one("sync-panel").text
    assert "Held for the manager" in page.one("sync-panel").text
    run(till.handle("back"))
    assert dom(till).one("pay").text == "Pay Rp 8.500"
