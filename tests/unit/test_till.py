"""The till under CPython: screens, actions and the device contract, with an in-memory device.

The register core is the real one; only the device (IndexedDB, relay, printer, clock) is faked. The
rendered HTML is parsed with a strict little tree builder, so unbalanced markup fails the tests too.
"""

from __future__ import annotations

import asyncio
import copy
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from demo_shop import BOOTSTRAP as DEMO_BOOTSTRAP
from register.money import Currency
from till import texts
from till.app import Till
from till.pay import quick_cash
from till.sell import GRID_LIMIT

NOW = datetime(2026, 11, 23, 20, 41, 5, 123456, tzinfo=UTC)

# The register tests' demo shop, with a longer receipt header and a second category for the grid.
BOOTSTRAP: dict[str, Any] = copy.deepcopy(DEMO_BOOTSTRAP)
BOOTSTRAP["config"]["receipt_header"] = "Selamat datang\nJl. Merdeka 1"
BOOTSTRAP["categories"].append({"id": 2, "name": "Minuman"})


# The demo shop above, as the contract sends it: one pricelist, no fiscal position, no rounding.
PLAIN_BOOTSTRAP: dict[str, Any] = copy.deepcopy(BOOTSTRAP)

# The till's shop has more to choose from: a wholesale pricelist with a rule, a fiscal position
# mapping PPN 11 % included to a 0 % tax, cash rounded to Rp 100 (HALF-UP, cash only) and a
# discount product for order-wide discounts.
BOOTSTRAP["taxes"].append(
    {"id": 3, "name": "PPN 0%", "amount_type": "percent", "amount": "0", "price_include": False,
     "include_base_amount": False, "is_base_affected": True, "sequence": 2, "children_tax_ids": []}
)  # fmt: skip
BOOTSTRAP["pricelists"].append(
    {"id": 2, "name": "Grosir", "items": [
        {"id": 21, "applied_on": "0_product_variant", "product_id": 101,
         "compute_price": "fixed", "fixed_price": "3000"}]}
)  # fmt: skip
BOOTSTRAP["fiscal_positions"] = [{"id": 7, "name": "Bebas PPN", "tax_map": {"1": [3]}}]
BOOTSTRAP["cash_roundings"] = [
    {"id": 4, "name": "Rp 100", "rounding": "100", "rounding_method": "HALF-UP"}
]
BOOTSTRAP["config"].update(
    cash_rounding=True, rounding_method_id=4, only_round_cash_method=True, discount_product_id=900
)


def product(pid: int, name: str, price: str, barcode: str | None, code: str | None, categ: int):
    return {
        "id": pid,
        "template_id": pid,
        "name": name,
        "barcode": barcode,
        "default_code": code,
        "list_price": price,
        "standard_price": "0",
        "tax_ids": [1],
        "categ_id": 1,
        "category_ids": [1],
        "pos_categ_id": categ,
        "uom": "Units",
        "active": True,
    }


INDOMIE = product(101, "Indomie Goreng 85 g", "3500", "8998866200011", "MKN-0001", 1)
TEH = product(102, "Teh Botol Sosro 450 ml", "5000", "8886008101053", "MNM-0001", 2)
PROMO = product(103, '<b>Promo</b> & "Hemat"', "1000", "2000000000019", "PRM-<1>", 1)
CATALOG = [INDOMIE, TEH, PROMO]


# -- the fake device ---------------------------------------------------------------------------


class FakeDevice:
    """IndexedDB, relay, printer and clock in memory. `relay_up` decides if the relay answers."""

    def __init__(
        self,
        *,
        bootstrap: dict | None = BOOTSTRAP,
        catalog: list[dict] | None = None,
        terminal: str | None = "kasir-1",
        relay_up: bool = True,
    ) -> None:
        self.bootstrap = copy.deepcopy(bootstrap)
        self.catalog = copy.deepcopy(CATALOG if catalog is None else catalog)
        self._terminal = terminal
        self.relay_up = relay_up
        self.relay_bootstrap = copy.deepcopy(BOOTSTRAP)
        self.relay_catalog = copy.deepcopy(CATALOG)
        self.pairing_codes = {"ABC-123": "kasir-1"}
        self.draft: str | None = None  # kept as JSON text, as storage would
        self.draft_saves = 0
        self.parked: dict[str, str] = {}  # key -> a parked sale as JSON text, beside the draft
        self.seq = 0
        self.orders: list[dict] = []
        self.outbox: list[dict] = []
        self.finish_calls: list[tuple[dict, int]] = []
        self.finish_error: Exception | None = None
        self.save_error: Exception | None = None
        self.sync_calls = 0
        self.printed = 0
        # The relay's verdicts: uuid -> reason it rejects the record with; uuid -> the state its
        # feed reports next ({"status": "held"|"failed"|"posted"|"queued", "error"?, "retryable"?}).
        self.relay_rejects: dict[str, str] = {}
        self.relay_states: dict[str, dict] = {}
        self.sent_records: list[dict] = []  # every record the relay received, resends included
        self.exports: list[dict] = []
        # Every till's sales the relay holds: {"terminal", "record", "status", "odoo_name"?}.
        self.shop_sales: list[dict] = []
        self.export_error: Exception | None = None
        self.imports: list[str] = []  # recovery files brought to the relay, as text
        self.import_answer: dict | Exception = {}  # what the relay answers an import
        self.settings: dict = {}  # meta "settings"
        self.cashiers: dict = {}  # meta "cashiers": who is logged in, wrong PINs and locks
        self.clock = NOW  # what now() says (a test moves it on)
        self.catalogs: dict[str, dict[str, str]] = {}  # language -> messages the relay serves
        # meta "session": the day open on this tablet. Open by default, so a test starts selling;
        # None starts the till on the open-day screen (tests/unit/test_till_session.py).
        self.session: dict | None = {
            "uuid": "00000000-0000-4000-8000-00000000da11",
            "opened_at": NOW.isoformat(),
            "cashier": "kasir-1",
            "cash": "0",
        }
        self.partners: dict[Any, dict] = {}  # Odoo id, or a pending customer's uuid -> customer
        self.partner_error: Exception | None = None

    async def load_bootstrap(self) -> dict | None:
        return copy.deepcopy(self.bootstrap)

    async def load_catalog(self) -> str:
        return json.dumps(self.catalog)

    async def refresh(self) -> bool:
        if not self.relay_up:
            return False
        self.bootstrap = copy.deepcopy(self.relay_bootstrap)
        self.catalog = copy.deepcopy(self.relay_catalog)
        return True

    async def load_draft(self) -> dict | None:
        return None if self.draft is None else json.loads(self.draft)

    async def save_draft(self, draft: dict) -> None:
        if self.save_error is not None:
            raise self.save_error
        self.draft = json.dumps(draft)  # fails on Decimal or other non-JSON values
        self.draft_saves += 1

    async def parked_sales(self) -> list[dict]:
        return [json.loads(text) for text in self.parked.values()]

    async def park_sale(self, parked: dict, current: dict) -> None:
        if self.save_error is not None:
            raise self.save_error
        assert parked["key"].startswith("parked:")
        self.parked[parked["key"]] = json.dumps(parked)
        self.draft = json.dumps(current)

    async def resume_parked(self, key: str, current: dict, park: dict | None) -> bool:
        if self.parked.pop(key, None) is None:
            return False
        self.draft = json.dumps(current)
        if park is not None:
            self.parked[park["key"]] = json.dumps(park)
        return True

    async def discard_parked(self, key: str) -> None:
        self.parked.pop(key, None)

    async def next_seq(self) -> int:
        return self.seq + 1

    async def finish_sale(self, order: dict, seq: int) -> None:
        self.finish_calls.append((copy.deepcopy(order), seq))
        if self.finish_error is not None:
            raise self.finish_error
        if seq != self.seq + 1:
            raise RuntimeError(f"sequence {seq} is taken")
        stored = json.loads(json.dumps(order))  # the record must be plain JSON
        self.orders.append(stored)
        self.outbox.append(
            {"uuid": order["uuid"], "name": order["name"], "state": "pending", "error": None,
             "retryable": None, "record": stored}
        )  # fmt: skip
        self.seq = seq
        self.draft = None

    async def load_session(self) -> dict | None:
        return copy.deepcopy(self.session)

    async def record_day(self, record: dict, seq: int, session: dict | None) -> None:
        """storage.js's recordDay: outbox, sequence and the open day in one step."""
        if seq != self.seq + 1:
            raise RuntimeError(f"sequence {seq} is taken")
        stored = json.loads(json.dumps(record))
        self.outbox.append(
            {"uuid": record["uuid"], "name": record["uuid"], "state": "pending", "error": None,
             "retryable": None, "record": stored}
        )  # fmt: skip
        self.seq = seq
        self.session = copy.deepcopy(session)

    async def session_records(self, session_uuid: str) -> list[dict]:
        return [
            copy.deepcopy(item["record"])
            for item in self.outbox
            if item["record"].get("session_uuid") == session_uuid
        ]

    async def recent_orders(self, limit: int = 20) -> list[dict]:
        return copy.deepcopy(list(reversed(self.orders))[:limit])

    async def find_orders(self, query: dict, limit: int = 50, before: int | None = None) -> dict:
        """outbox.js's findOrders: the outbox's orders newest first, matching any of the query."""
        text = str(query.get("text") or "").lower()

        def plain(amount: Any) -> str:
            return format(Decimal(str(amount)).copy_abs().normalize(), "f")

        def matches(item: dict) -> bool:
            order = item["record"]
            if order.get("kind", "order") != "order":
                return False
            if not query:
                return True
            names = (order["name"], item.get("odoo_name"), (order.get("partner") or {}).get("name"))
            if text and any(text in str(name).lower() for name in names if name):
                return True
            if query.get("amount") and plain(order["amount_total"]) == plain(query["amount"]):
                return True
            return bool(query.get("from")) and query["from"] <= order["created_at"] < query["to"]

        found = [
            item
            for item in reversed(self.outbox)
            if (before is None or item["record"]["seq"] < before) and matches(item)
        ]
        page = found[:limit]
        hop = ("state", "error", "retryable", "odoo_name")
        return {
            "orders": [
                {**copy.deepcopy(item["record"]), "hop": {k: item.get(k) for k in hop}}
                for item in page
            ],
            "next": page[-1]["record"]["seq"] if len(found) > limit else None,
        }

    async def find_partners(self, query: str, limit: int = 30) -> list[dict]:
        """storage.js's findPartners: every word in the name, phone, e-mail or card barcode; a
        word of digits also in the phone's digits."""

        def has(partner: dict, word: str) -> bool:
            fields = ("name", "phone", "email", "barcode")
            seen = " ".join(str(partner.get(k) or "") for k in fields)
            digits = "".join(c for c in word if c.isdigit())
            phone = "".join(c for c in str(partner.get("phone") or "") if c.isdigit())
            numeric = all(c.isdigit() or c in "+()./-" for c in word)
            return word in seen.lower() or (numeric and bool(digits) and digits in phone)

        words = query.lower().split()
        found = [p for p in self.partners.values() if all(has(p, w) for w in words)]
        return copy.deepcopy(found[:limit])

    async def get_partner(self, key: int | str) -> dict | None:
        return copy.deepcopy(self.partners.get(key))

    async def partner_with_barcode(self, code: str) -> dict | None:
        found = [p for p in self.partners.values() if code and p.get("barcode") == code]
        return copy.deepcopy(found[0]) if found else None

    async def save_partner(self, partner: dict, record: dict, seq: int) -> None:
        if self.partner_error is not None:
            raise self.partner_error
        if seq != self.seq + 1:
            raise RuntimeError(f"sequence {seq} is taken")
        stored = json.loads(json.dumps(record))  # the record must be plain JSON
        self.partners[partner["id"]] = json.loads(json.dumps(partner))
        self.outbox.append(
            {"uuid": record["uuid"], "name": partner["name"], "state": "pending", "error": None,
             "retryable": None, "record": stored}
        )  # fmt: skip
        self.seq = seq

    async def shop_orders(self, text: str) -> dict:
        """The relay's GET /api/v1/orders over `shop_sales`, the sales of every till it holds."""
        if not self.relay_up:
            raise ConnectionError("relay unreachable")
        needle = text.lower()
        found = [
            sale
            for sale in self.shop_sales
            if sale["record"]["name"].lower().startswith(needle)
            or needle in str(sale.get("odoo_name") or "").lower()
        ]
        lines = {line["uuid"] for sale in found for line in sale["record"]["lines"]}
        refunds = [
            sale["record"]
            for sale in self.shop_sales
            if any(line.get("refunded_line_uuid") in lines for line in sale["record"]["lines"])
        ]
        return {"orders": copy.deepcopy(found), "refunds": copy.deepcopy(refunds)}

    async def outbox_counts(self) -> dict:
        states = ("pending", "sent", "posted", "failed", "held", "rejected")
        counts: dict[str, Any] = dict.fromkeys(states, 0)
        counts["attention"] = []
        counts["waiting"] = []
        for item in self.outbox:
            counts[item["state"]] += 1
            if item["state"] in ("failed", "held", "rejected"):
                counts["attention"].append(
                    {key: item[key] for key in ("uuid", "name", "state", "error", "retryable")}
                )
            elif item["state"] == "sent" and item["error"]:
                counts["waiting"].append(
                    {key: item[key] for key in ("uuid", "name", "state", "error")}
                )
        counts["online"] = self.relay_up
        return counts

    async def sync_now(self) -> dict:
        """outbox.js's flush: send what is pending, apply the answers, then the state feed."""
        self.sync_calls += 1
        if not self.relay_up:
            raise ConnectionError("relay unreachable")
        for item in self.outbox:
            if item["state"] == "pending":
                self.sent_records.append(copy.deepcopy(item["record"]))
                reason = self.relay_rejects.get(item["uuid"])
                if reason is None:
                    item.update(state="sent", error=None, retryable=None)
                else:
                    item.update(state="rejected", error=reason, retryable=True)
        for item in self.outbox:
            news = self.relay_states.get(item["uuid"])
            if news and item["state"] not in ("posted", "pending", "rejected"):
                status = news["status"]
                item.update(
                    state="sent" if status == "queued" else status,
                    error=news.get("error"),
                    retryable=news.get("retryable", True) if status == "failed" else None,
                    odoo_name=news.get("odoo_name"),
                )
        return await self.outbox_counts()

    async def retry_sale(self, uuid: str) -> dict:
        for item in self.outbox:
            if item["uuid"] == uuid and (
                item["state"] == "rejected" or (item["state"] == "failed" and item["retryable"])
            ):
                item["state"] = "pending"
        return await self.sync_now()

    async def export_outbox(self) -> dict:
        if self.export_error is not None:
            raise self.export_error
        items = [item for item in self.outbox if item["state"] != "posted"]
        dump = {
            "terminal": self._terminal,
            "records": [copy.deepcopy(item["record"]) for item in items],
            "states": [{k: item[k] for k in ("uuid", "state", "error")} for item in items],
        }
        self.exports.append(dump)
        return {"file": f"kasir-{self._terminal}-{NOW.date()}.json", "records": len(items)}

    async def import_records(self, text: str) -> dict:
        self.imports.append(text)
        if isinstance(self.import_answer, Exception):
            raise self.import_answer
        return self.import_answer

    async def pair(self, code: str) -> dict:
        if not self.relay_up:
            raise ConnectionError("relay unreachable")
        if code not in self.pairing_codes:
            raise ValueError("unknown or used pairing code")
        self._terminal = self.pairing_codes.pop(code)
        await self.refresh()
        return {"terminal": self._terminal}

    def terminal(self) -> str | None:
        return self._terminal

    async def load_settings(self) -> dict:
        return copy.deepcopy(self.settings)

    async def save_settings(self, settings: dict) -> None:
        self.settings = copy.deepcopy(settings)

    async def load_cashiers(self) -> dict:
        return copy.deepcopy(self.cashiers)

    async def save_cashiers(self, state: dict) -> None:
        self.cashiers = json.loads(json.dumps(state))  # as storage keeps it: JSON

    async def load_language(self, language: str) -> dict:
        messages = self.catalogs.get(language)
        return {"language": language, "messages": messages} if messages else {"language": "en"}

    def print_receipt(self) -> None:
        self.printed += 1

    def zone_offset(self, zone: str, moment: datetime) -> timedelta | None:
        try:  # the browser's Intl, as CPython's time zone database
            return moment.astimezone(ZoneInfo(zone)).utcoffset()
        except (ZoneInfoNotFoundError, ValueError):
            return None

    def now(self) -> datetime:
        return self.clock


# -- a strict HTML tree, to query what the cashier sees ------------------------------------------

VOID = {"input", "br", "img", "hr", "meta", "link"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        found = []
        for node in self.iter():
            if tag and node.tag != tag:
                continue
            if cls and cls not in (node.attrs.get("class") or "").split():
                continue
            if any(
                node.attrs.get(k.replace("_", "-")) != v if v is not True else k not in node.attrs
                for k, v in attrs.items()
            ):
                continue
            found.append(node)
        return found

    def by_id(self, element_id: str) -> Node | None:
        found = self.find_all(id=element_id)
        assert len(found) <= 1, f"duplicate id {element_id}"
        return found[0] if found else None

    def one(self, element_id: str) -> Node:
        node = self.by_id(element_id)
        assert node is not None, f"no #{element_id}"
        return node


class Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        assert tag not in VOID, f"</{tag}> closes a void element"
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        self.current = self.current.parent

    def handle_data(self, data):
        self.current.children.append(data)


def dom(till: Till) -> Node:
    parser = Tree()
    parser.feed(till.render())
    parser.close()
    assert parser.current is parser.root, f"<{parser.current.tag}> is never closed"
    return parser.root


# -- helpers ---------------------------------------------------------------------------------


def run(coro):
    return asyncio.run(coro)


def started(device: FakeDevice | None = None) -> Till:
    till = Till(device or FakeDevice())
    run(till.start())
    return till


def act(till: Till, action: str, **data: Any) -> Node:
    run(till.handle(action, data))
    return dom(till)


def flash_text(page: Node) -> str:
    return page.one("flash").text.strip()


def said(page: Node) -> str:
    """What the till tells the cashier: the message at the top and those beside fields."""
    notes = (n.text.strip() for n in page.find_all(cls="field-error"))
    return " ".join(x for x in (flash_text(page), *notes) if x)


def line_uuids(page: Node) -> list[str]:
    return [n.attrs["data-line-uuid"] for n in page.one("cart-lines").find_all(cls="line")]


def pending(page: Node) -> int:
    node = page.one("pending-count")
    assert node.text == node.attrs["data-count"]
    return int(node.text)


# -- starting and pairing ----------------------------------------------------------------------


def test_unpaired_till_asks_for_a_code_and_pairs():
    device = FakeDevice(bootstrap=None, catalog=[], terminal=None)
    till = started(device)
    page = dom(till)
    assert till.screen == "pair" and not till.ready
    assert page.one("pair-code").attrs.get("name") == "code"
    assert page.one("pair-code").parent.attrs["data-action"] == "pair"

    page = act(till, "pair", code="WRONG")
    assert "Pairing failed" in said(page) and "unknown or used" in said(page)
    assert till.screen == "pair"

    page = act(till, "pair", code="ABC-123")
    assert till.ready
    assert "kasir-1" in page.find_all(cls="terminal")[0].text
    assert page.by_id("scan") is not None
    assert len(page.find_all(cls="tile")) == len(CATALOG)


def test_start_with_stored_data_is_ready_to_scan():
    till = started()
    page = dom(till)
    assert till.ready and till.idle
    scan = page.one("scan")
    assert "autofocus" in scan.attrs and scan.attrs["name"] == "code"
    assert scan.parent.tag == "form" and scan.parent.attrs["data-action"] == "scan"
    tiles = page.find_all("button", cls="tile")
    assert [t.attrs["data-product-id"] for t in tiles] == ["101", "102", "103"]
    assert all(t.attrs["data-action"] == "add" for t in tiles)
    assert page.one("total").text == "Rp 0"
    assert "disabled" in page.one("pay").attrs
    assert "Toko Sumber Rejeki" in page.find_all(cls="shop-name")[0].text
    assert pending(page) == 0
    assert page.one("sync-now").attrs["data-action"] == "sync"


def test_first_start_without_data_and_without_relay_explains_and_retries():
    device = FakeDevice(bootstrap=None, catalog=[], relay_up=False)
    till = started(device)
    page = dom(till)
    assert till.screen == "loading" and not till.ready
    assert "cannot reach the relay" in page.find_all(cls="loading")[0].text
    assert page.one("retry").attrs["data-action"] == "retry"

    device.relay_up = True
    act(till, "retry")
    assert till.ready and len(till.catalog) == len(CATALOG)


# -- ringing up ------------------------------------------------------------------------------


def test_scan_known_codes_adds_and_unknown_code_is_a_message():
    device = FakeDevice()
    till = started(device)
    act(till, "scan", code="8998866200011")
    page = act(till, "scan", code=" 8998866200011 ")  # a wedge scanner may add spaces
    assert len(line_uuids(page)) == 1
    assert till.cart.lines[0].qty == 2
    page = act(till, "scan", code="MNM-0001")  # internal reference
    assert [line.product_id for line in till.cart.lines] == [101, 102]
    assert page.one("total").text == "Rp 12.000"
    assert flash_text(page) == ""

    saves = device.draft_saves
    page = act(till, "scan", code="4242")
    assert flash_text(page) == "Unknown code: 4242"
    assert page.one("flash").attrs["role"] == "alert"
    assert len(till.cart.lines) == 2 and device.draft_saves == saves
    # The next good scan clears the message.
    page = act(till, "scan", code="3*8886008101053")
    assert flash_text(page) == "" and till.cart.lines[1].qty == 4


def test_tap_inc_dec_qty_and_remove():
    till = started()
    page = act(till, "add", arg="101")
    (uuid,) = line_uuids(page)
    page = act(till, "inc", arg=uuid)
    assert page.one(f"qty-{uuid}").attrs["value"] == "2"
    assert page.one("total").text == "Rp 7.000"
    act(till, "dec", arg=uuid)
    assert till.cart.lines[0].qty == 1
    page = act(till, "qty", arg=uuid, qty="3")
    assert page.one(f"qty-{uuid}").attrs["value"] == "3"
    page = act(till, "qty", arg=uuid, qty="abc")
    assert "abc" in said(page) and till.cart.lines[0].qty == 3
    act(till, "qty", arg=uuid, qty="1")
    page = act(till, "dec", arg=uuid)  # below one: asked first (test_till_forms.py)
    page = act(till, "remove", arg=page.one("confirm-remove").find_all("input")[0].attrs["value"])
    assert line_uuids(page) == [] and till.cart.is_empty()

    uuid = line_uuids(act(till, "add", arg="102"))[0]
    page = act(till, "remove", arg=uuid)
    assert line_uuids(page) == [] and page.one("total").text == "Rp 0"
    page = act(till, "add", arg="999")
    assert "no longer in the catalog" in said(page)


def test_every_change_saves_the_draft_and_a_new_till_restores_it():
    device = FakeDevice()
    till = started(device)
    act(till, "scan", code="8998866200011")
    assert device.draft_saves == 1
    uuid = till.cart.lines[0].uuid
    act(till, "inc", arg=uuid)
    act(till, "add", arg="102")
    act(till, "pay")
    act(till, "tender", method_id="1", amount="5000")
    assert device.draft_saves == 4
    assert json.loads(device.draft)["uuid"] == till.cart.uuid

    reloaded = started(device)  # same device: a page reload
    page = dom(reloaded)
    assert reloaded.cart.uuid == till.cart.uuid
    assert [(line.product_id, line.qty) for line in reloaded.cart.lines] == [(101, 2), (102, 1)]
    assert [p.amount for p in reloaded.cart.payments] == [Decimal(5000)]
    assert page.one("total").text == "Rp 12.000"
    assert len(line_uuids(page)) == 2
    assert not reloaded.idle


def test_a_draft_that_cannot_be_saved_is_a_message_and_the_cart_stays():
    device = FakeDevice()
    till = started(device)
    device.save_error = OSError("quota exceeded")
    page = act(till, "scan", code="8998866200011")
    assert "could not be saved" in flash_text(page) and "quota exceeded" in flash_text(page)
    assert len(till.cart.lines) == 1


def test_search_and_categories_filter_the_grid():
    catalog = [
        product(1000 + i, f"Produk {i:03d}", "1000", None, f"P-{i:03d}", 1 + i % 2)
        for i in range(200)
    ]
    till = started(FakeDevice(catalog=catalog))
    page = dom(till)
    assert len(page.find_all(cls="tile")) == GRID_LIMIT
    assert page.find_all(cls="grid-more")

    page = act(till, "search", q="p-01")
    ids = [t.attrs["data-product-id"] for t in page.find_all(cls="tile")]
    assert ids == [str(1000 + i) for i in range(10, 20)]
    assert page.one("search").attrs["value"] == "p-01"

    page = act(till, "category", arg="2")
    ids = [int(t.attrs["data-product-id"]) for t in page.find_all(cls="tile")]
    assert ids == [1011, 1013, 1015, 1017, 1019]
    categories = page.find_all("nav", cls="categories")[0]  # the pickers are chips too
    active = categories.find_all(cls="chip", aria_pressed="true")
    assert [n.attrs["data-arg"] for n in active] == ["2"]

    page = act(till, "search", arg="")  # the Clear button
    assert len(page.find_all(cls="tile")) == GRID_LIMIT
    assert all(int(t.attrs["data-product-id"]) % 2 == 1 for t in page.find_all(cls="tile"))
    page = act(till, "category", arg="all")
    page = act(till, "search", q="nothing like this")
    assert page.find_all(cls="tile") == [] and "Nothing matches" in page.text


# -- paying ------------------------------------------------------------------------------------


def ring_up_two_indomie(device: FakeDevice | None = None) -> Till:
    till = started(device)
    act(till, "scan", code="8998866200011")
    act(till, "scan", code="8998866200011")
    return till


def test_pay_exact_enables_validate():
    till = ring_up_two_indomie()
    page = act(till, "pay")
    assert till.screen == "pay" and not till.ready and not till.idle
    assert "disabled" in page.one("validate").attrs
    assert page.one("due").text == "Rp 7.000"
    exact = page.find_all(data_action="pay-exact")
    assert [b.attrs["data-arg"] for b in exact] == ["1", "2"]  # cash first
    page = act(till, "pay-exact", arg="2")
    assert "disabled" not in page.one("validate").attrs
    assert page.one("due").text == "Rp 0" and page.one("change").text == "Rp 0"
    assert till.cart.is_paid()


def test_cash_tender_shows_change_and_quick_cash():
    till = ring_up_two_indomie()
    page = act(till, "pay")
    tendered = page.one("tendered")
    form = tendered.parent
    assert form.attrs["data-action"] == "tender" and tendered.attrs["name"] == "amount"
    method = form.find_all(name="method_id")[0]
    assert [o.attrs["value"] for o in method.find_all("option", selected=True)] == ["1"]
    quick = [b.text for b in page.find_all(cls="cash")]
    assert quick == ["Rp 10.000", "Rp 20.000", "Rp 50.000", "Rp 100.000"]

    page = act(till, "tender", method_id="1", amount="Rp 10.000")
    assert page.one("change").text == "Rp 3.000"
    assert "disabled" not in page.one("validate").attrs

    act(till, "remove-payment", arg=till.cart.payments[0].uuid)
    assert till.cart.payments == []
    page = act(till, "tender", arg="20000")  # a quick-cash button: cash
    assert page.one("change").text == "Rp 13.000"
    page = act(till, "tender", method_id="1", amount="lots")
    assert "not an amount" in said(page) and len(till.cart.payments) == 1


def test_card_cannot_pay_more_than_is_due():
    till = ring_up_two_indomie()
    act(till, "pay")
    page = act(till, "tender", method_id="2", amount="10000")
    assert "Kartu cannot pay more than is due (Rp 7.000)" in said(page)
    assert till.cart.payments == []
    page = act(till, "tender", method_id="2", amount="5000")
    assert page.one("due").text == "Rp 2.000" and said(page) == ""
    page = act(till, "tender", method_id="1", amount="")  # Enter on an empty amount: the rest
    assert page.one("due").text == "Rp 0" and till.cart.is_paid()


def test_back_keeps_the_payments_and_pay_needs_products():
    till = started()
    page = act(till, "pay")
    assert "Add a product" in flash_text(page) and till.screen == "sell"
    act(till, "add", arg="101")
    act(till, "pay")
    act(till, "pay-exact", arg="1")
    page = act(till, "back")
    assert till.ready and len(till.cart.payments) == 1 and page.by_id("scan")


# -- finishing the sale ------------------------------------------------------------------------


def test_validate_books_the_sale_once_and_shows_the_receipt():
    device = FakeDevice(relay_up=False)
    till = ring_up_two_indomie(device)
    cart_uuid = till.cart.uuid
    act(till, "pay")
    page = act(till, "validate")
    assert "Rp 7.000 is still due" in flash_text(page) and device.finish_calls == []

    act(till, "tender", method_id="1", amount="10000")
    page = act(till, "validate")
    assert len(device.finish_calls) == 1
    order, seq = device.finish_calls[0]
    assert seq == 1
    line = order["lines"][0]
    assert {k: order[k] for k in ("uuid", "kind", "terminal", "session", "seq", "name")} == {
        "uuid": cart_uuid,
        "kind": "order",
        "terminal": "kasir-1",
        "session": 1,
        "seq": 1,
        "name": "kasir-1-000001",
    }
    assert order["created_at"] == "2026-11-23T20:41:05.123456+00:00"
    assert (order["currency"], order["pricelist_id"], order["catalog_version"]) == ("IDR", 1, "57")
    assert (line["product_id"], line["qty"], line["price_unit"]) == (101, "2", "3500")
    assert (line["price_subtotal"], line["price_subtotal_incl"]) == ("6306", "7000")
    assert [(p["method_id"], p["amount"]) for p in order["payments"]] == [(1, "10000")]
    assert (order["amount_total"], order["amount_tax"]) == ("7000", "694")
    assert (order["amount_paid"], order["amount_return"]) == ("7000", "3000")

    assert device.draft is None and till.cart.is_empty() and till.cart.uuid != cart_uuid
    # The receipt may still be printed: a new app version must not take over yet.
    assert till.screen == "receipt" and not till.idle
    receipt = page.one("receipt")
    assert receipt.attrs["data-order-name"] == "kasir-1-000001"
    text = " ".join(receipt.text.split())
    for expected in ("Toko Sumber Rejeki", "Selamat datang", "Indomie Goreng 85 g", "Terima kasih"):
        assert expected in text
    assert page.one("receipt-total").text == "Rp 7.000"
    assert page.one("receipt-change").text == "Rp 3.000"
    assert "PPN 11%, included" in text and "Rp 694" in text and "Tunai" in text
    assert page.one("new-sale").attrs["data-action"] == "new-sale"
    # Offline: the sync attempt failed quietly, the top bar counts the unsent sale.
    assert device.sync_calls == 1 and flash_text(page) == "" and pending(page) == 1

    act(till, "print")
    assert device.printed == 1
    act(till, "validate")  # a late second tap books nothing
    assert len(device.finish_calls) == 1
    page = act(till, "new-sale")
    assert till.ready and line_uuids(page) == []

    act(till, "add", arg="102")
    act(till, "pay")
    act(till, "pay-exact", arg="2")
    device.relay_up = True
    page = act(till, "validate")
    assert device.finish_calls[-1][1] == 2
    assert page.one("receipt").attrs["data-order-name"] == "kasir-1-000002"
    assert pending(page) == 0  # both were sent by the sync after the sale


def test_a_failed_finish_keeps_the_sale_on_the_pay_screen():
    device = FakeDevice()
    till = ring_up_two_indomie(device)
    act(till, "pay")
    act(till, "pay-exact", arg="1")
    draft = device.draft
    device.finish_error = RuntimeError("disk full")
    page = act(till, "validate")
    assert till.screen == "pay" and "NOT saved" in flash_text(page)
    assert "disk full" in flash_text(page)
    assert till.cart.is_paid() and device.draft == draft and device.orders == []
    assert page.by_id("validate") is not None

    device.finish_error = None
    page = act(till, "validate")
    assert till.screen == "receipt" and len(device.orders) == 1
    assert device.orders[0]["uuid"] == json.loads(draft)["uuid"]


def test_recent_sales_can_be_shown_again():
    device = FakeDevice()
    till = ring_up_two_indomie(device)
    act(till, "pay")
    act(till, "pay-exact", arg="1")
    act(till, "validate")
    act(till, "new-sale")
    act(till, "add", arg="102")  # an open sale stays while looking back
    page = act(till, "orders")
    rows = page.find_all(cls="order-row")
    assert [r.attrs["data-order-uuid"] for r in rows] == [device.orders[0]["uuid"]]
    page = act(till, "show-order", arg=device.orders[0]["uuid"])
    assert page.one("receipt").attrs["data-order-name"] == "kasir-1-000001"
    assert page.one("new-sale").text == "Back to sale"
    page = act(till, "new-sale")
    assert till.ready and len(line_uuids(page)) == 1


# -- the sync indicator ----------------------------------------------------------------------


def test_sync_indicator_follows_the_outbox():
    device = FakeDevice(relay_up=False)
    till = started(device)
    page = act(till, "sync")
    assert "Sync failed" in flash_text(page) and "relay unreachable" in flash_text(page)
    assert page.find_all(cls="offline")

    counts = {
        "pending": 3,
        "sent": 1,
        "posted": 7,
        "failed": 1,
        "held": 1,
        "rejected": 1,
        "attention": [
            {"uuid": "u1", "name": "kasir-1-000004", "state": "failed",
             "error": "Product <archived>", "retryable": True},
            {"uuid": "u2", "name": "kasir-1-000005", "state": "rejected",
             "error": "lines[0].qty must be a decimal string", "retryable": True},
            {"uuid": "u3", "name": "kasir-1-000006", "state": "held",
             "error": "no shop configuration yet", "retryable": False},
        ],
        "online": True,
    }  # fmt: skip
    page = act(till, "outbox-changed", counts=counts)
    assert pending(page) == 3
    assert page.one("failed-count").text == "2"  # failed in Odoo and rejected by the relay
    assert page.one("held-count").text == "1"
    reasons = page.find_all(cls="failed-reasons")[0].text
    assert "kasir-1-000004" in reasons and "Product <archived>" in reasons
    assert "kasir-1-000005" in reasons and "lines[0].qty must be a decimal string" in reasons
    held = page.find_all(cls="held-reasons")[0].text
    assert "kasir-1-000006" in held and "no shop configuration yet" in held
    assert "Held for the manager" in held
    assert page.find_all(cls="online")
    # A background update leaves the cashier's message alone.
    assert "Sync failed" in flash_text(page)

    device.relay_up = True
    page = act(till, "sync")
    assert pending(page) == 0 and flash_text(page) == "All sales are in Odoo."
    assert page.by_id("failed-count") is None and page.by_id("held-count") is None


def sell_one(till: Till, product_id: str = "101") -> dict:
    act(till, "add", arg=product_id)
    act(till, "pay")
    act(till, "pay-exact", arg="1")
    act(till, "validate")
    order = till.order
    act(till, "new-sale")
    return order


def panel_items(page: Node) -> dict[str, Node]:
    """The sync panel's rows by sale name."""
    return {
        n.find_all(cls="oi-name")[0].text: n
        for n in page.one("sync-panel").find_all(cls="outbox-item")
    }


def test_a_rejected_sale_stays_with_its_reason_and_retry_sends_it_again():
    device = FakeDevice(relay_up=False)
    till = started(device)
    order = sell_one(till)
    device.relay_up = True
    device.relay_rejects[order["uuid"]] = "lines[0].price_unit must be a decimal string"

    page = act(till, "sync")
    assert flash_text(page) == "1 sale needs attention: 1 rejected by the relay."
    assert page.one("flash").attrs["class"] == "flash flash-error"
    assert pending(page) == 0 and page.one("failed-count").text == "1"
    assert "open" not in page.one("sync-panel").attrs
    page = act(till, "sync-panel")
    assert "open" in page.one("sync-panel").attrs
    row = panel_items(page)["kasir-1-000001"]
    assert row.attrs["data-state"] == "rejected" and "Rejected by the relay" in row.text
    assert "lines[0].price_unit must be a decimal string" in row.text
    (retry,) = row.find_all("button")
    assert (retry.text, retry.attrs["data-action"]) == ("Retry", "retry-sale")
    assert retry.attrs["data-arg"] == order["uuid"]

    # Rejected again, for another reason: the new reason is shown, the panel stays open.
    device.relay_rejects[order["uuid"]] = "payments[0].amount must be a decimal string"
    page = act(till, "retry-sale", arg=order["uuid"])
    assert flash_text(page) == (
        "kasir-1-000001 was rejected again: payments[0].amount must be a decimal string"
    )
    assert "open" in page.one("sync-panel").attrs
    row = panel_items(page)["kasir-1-000001"]
    assert "payments[0].amount" in row.text and "price_unit" not in row.text
    assert page.one("failed-count").text == "1"

    # The cause is gone: the same record (same uuid) goes again and is accepted.
    del device.relay_rejects[order["uuid"]]
    page = act(till, "retry-sale", arg=order["uuid"])
    assert flash_text(page) == "kasir-1-000001 was sent again and the relay accepted it."
    assert device.sent_records == [device.orders[0]] * 3
    assert page.by_id("failed-count") is None and panel_items(page) == {}
    page = act(till, "sync")
    # Accepted is not booked: the till says where the sale is, and "in Odoo" once it is.
    assert flash_text(page) == "All sales reached the relay; 1 waits there for Odoo."
    assert page.one("relay-count").text == "1" and page.by_id("all-in-odoo") is None
    device.relay_states[order["uuid"]] = {"status": "posted", "odoo_id": 7, "odoo_name": "S/01"}
    page = act(till, "sync")
    assert flash_text(page) == "All sales are in Odoo."
    assert page.by_id("relay-count") is None and page.one("all-in-odoo").text == "All in Odoo"

    # Selling closes the panel.
    act(till, "sync-panel")
    page = act(till, "scan", code="8998866200011")
    assert "open" not in page.one("sync-panel").attrs


def test_held_and_failed_sales_say_who_acts_and_block_all_sent():
    device = FakeDevice()
    till = started(device)
    held, failed, discarded, final = (sell_one(till) for _ in range(4))
    device.relay_states[held["uuid"]] = {
        "status": "held",
        "error": "totals differ from the shop's configuration: amount_total 3500 != 3600",
    }
    device.relay_states[failed["uuid"]] = {
        "status": "failed", "error": "Product 101 is archived", "retryable": True
    }  # fmt: skip
    device.relay_states[discarded["uuid"]] = {
        "status": "failed", "error": "discarded by the manager: a test sale", "retryable": False
    }  # fmt: skip
    device.relay_states[final["uuid"]] = {
        "status": "failed", "error": "Record does not exist or has been deleted.", "retryable": False
    }  # fmt: skip
    page = act(till, "sync")
    assert flash_text(page) == "4 sales need attention: 3 failed in Odoo, 1 held for the manager."
    assert page.one("failed-count").text == "3" and page.one("held-count").text == "1"
    rows = panel_items(act(till, "sync-panel"))
    assert "totals differ from the shop's configuration" in rows["kasir-1-000001"].text
    assert "approves or discards" in rows["kasir-1-000001"].text
    assert rows["kasir-1-000001"].find_all("button") == []  # the manager's decision
    (ask,) = rows["kasir-1-000002"].find_all("button")
    assert ask.text == "Ask again" and "manager retries it there" in rows["kasir-1-000002"].text
    assert rows["kasir-1-000003"].attrs["data-state"] == "discarded"
    assert "Discarded by the manager" in rows["kasir-1-000003"].text
    assert rows["kasir-1-000003"].find_all("button") == []
    # Failed for good (the relay says not retryable): the manager retries it on the relay.
    assert rows["kasir-1-000004"].attrs["data-state"] == "failed"
    assert "Failed in Odoo" in rows["kasir-1-000004"].text
    assert "once the cause is fixed" in rows["kasir-1-000004"].text
    assert rows["kasir-1-000004"].find_all("button") == []

    # Ask again re-asks the relay: still failed ...
    page = act(till, "retry-sale", arg=failed["uuid"])
    assert flash_text(page) == (
        "kasir-1-000002 still failed in Odoo (Product 101 is archived); "
        "the manager retries it on the relay."
    )
    # ... until the manager retried it on the relay.
    device.relay_states[failed["uuid"]] = {"status": "queued"}
    page = act(till, "retry-sale", arg=failed["uuid"])
    assert flash_text(page) == "kasir-1-000002 is back in the relay's queue for Odoo."
    # A held or discarded sale is not the till's to retry.
    for uuid in (held["uuid"], discarded["uuid"], final["uuid"]):
        page = act(till, "retry-sale", arg=uuid)
        assert "cannot be retried from the till" in flash_text(page)
    page = act(till, "retry-sale", arg="no-such-uuid")
    assert flash_text(page) == "That sale does not wait for a retry any more."

    device.relay_states[held["uuid"]] = {"status": "posted"}
    device.relay_states[final["uuid"]] = {"status": "posted"}
    page = act(till, "sync")
    assert flash_text(page) == "1 sale needs attention: 1 failed in Odoo."
    del device.relay_states[discarded["uuid"]]
    device.outbox[2].update(state="posted", error=None)
    page = act(till, "sync")
    # The one the manager put back in the relay's queue is not in Odoo yet: said so.
    assert flash_text(page) == "All sales reached the relay; 1 waits there for Odoo."


def test_retry_without_the_relay_keeps_the_sale_pending():
    device = FakeDevice(relay_up=False)
    till = started(device)
    order = sell_one(till)
    device.relay_rejects[order["uuid"]] = "bad record"
    device.relay_up = True
    act(till, "sync")
    device.relay_up = False
    page = act(till, "retry-sale", arg=order["uuid"])
    assert flash_text(page) == (
        "The relay cannot be reached; kasir-1-000001 is kept on this till "
        "and sent with the next sync."
    )
    assert pending(page) == 1 and page.by_id("failed-count") is None
    page = act(till, "sync")
    assert "Sync failed" in flash_text(page)


def test_export_saves_every_sale_not_in_odoo_yet():
    device = FakeDevice(relay_up=False)
    till = started(device)
    rejected, sent, posted = (sell_one(till) for _ in range(3))
    device.relay_rejects[rejected["uuid"]] = "bad record"
    device.relay_states[posted["uuid"]] = {"status": "posted"}
    device.relay_up = True
    act(till, "sync")
    page = act(till, "sync-panel")
    export = page.one("export-outbox")
    assert export.attrs["data-action"] == "export-outbox" and export.text == "Export unsent records"
    page = act(till, "export-outbox")
    assert (
        flash_text(page) == "Exported 2 records not in Odoo yet to kasir-kasir-1-2026-11-23.json."
    )
    (dump,) = device.exports
    assert [r["uuid"] for r in dump["records"]] == [rejected["uuid"], sent["uuid"]]
    assert dump["states"][0] == {
        "uuid": rejected["uuid"],
        "state": "rejected",
        "error": "bad record",
    }
    assert "open" in page.one("sync-panel").attrs

    device.export_error = RuntimeError("no space left")
    page = act(till, "export-outbox")
    assert flash_text(page) == "Export failed: no space left"


def test_import_brings_another_tills_file_to_the_relay_and_says_what_it_did():
    device = FakeDevice()
    till = started(device)
    sell_one(till)
    outbox = copy.deepcopy(device.outbox)
    page = act(till, "sync-panel")
    field = page.one("import-records")
    assert field.attrs["type"] == "file" and field.attrs["data-import"] == "import-records"
    device.import_answer = {"terminal": "kasir-2", "records": 8, "new": 3, "duplicate": 5}
    page = act(till, "import-records", file='{"format": "kasir-unsent-records"}')
    assert device.imports == ['{"format": "kasir-unsent-records"}']
    assert flash_text(page) == "Imported kasir-2's unsent records: 3 new, 5 already here."
    assert "open" in page.one("sync-panel").attrs
    # The records stay kasir-2's: this till's outbox is as it was.
    assert device.outbox == outbox

    device.import_answer = {"terminal": "kasir-2", "new": 0, "duplicate": 6, "rejected": 2}
    page = act(till, "import-records", file="{}")
    assert flash_text(page) == (
        "Imported kasir-2's unsent records: 0 new, 6 already here."
        " 2 records were refused: the manager sees why on /admin."
    )
    device.import_answer = RuntimeError("the file's checksum does not match its content")
    page = act(till, "import-records", file="{}")
    assert flash_text(page) == "Import refused: the file's checksum does not match its content"


@pytest.mark.parametrize(
    ("counts", "text", "kind"),
    [
        ({}, "All sales are in Odoo.", "info"),
        ({"posted": 9}, "All sales are in Odoo.", "info"),
        ({"sent": 4, "posted": 9}, "All sales reached the relay; 4 wait there for Odoo.", "info"),
        ({"pending": 1}, "1 sale not sent yet; it will be retried.", "info"),
        ({"pending": 2, "online": False},
         "The relay cannot be reached. 2 sales not sent yet; they will be retried.", "info"),
        ({"rejected": 1, "held": 1},
         "2 sales need attention: 1 rejected by the relay, 1 held for the manager.", "error"),
        ({"failed": 1}, "1 sale needs attention: 1 failed in Odoo.", "error"),
        ({"held": 3}, "3 sales need attention: 3 held for the manager.", "error"),
        ({"pending": 1, "rejected": 2, "failed": 1, "held": 1},
         "1 sale not sent yet; it will be retried. 4 sales need attention: "
         "2 rejected by the relay, 1 failed in Odoo, 1 held for the manager.", "error"),
    ],
)  # fmt: skip
def test_the_sync_message_says_all_sent_only_when_nothing_remains(counts, text, kind):
    assert texts.sync_result(counts) == (text, kind)
    device = FakeDevice()
    till = started(device)

    async def answer():
        return {"online": True, **counts}

    device.sync_now = answer
    page = act(till, "sync")
    assert flash_text(page) == text
    assert page.one("flash").attrs["class"] == f"flash flash-{kind}"


# -- robustness ------------------------------------------------------------------------------


def test_product_names_and_codes_are_escaped_everywhere():
    device = FakeDevice()
    till = started(device)
    page = act(till, "scan", code="2000000000019")
    html = till.render()
    assert "<b>Promo</b>" not in html and "&lt;b&gt;Promo&lt;/b&gt;" in html
    tile = page.find_all(cls="tile", data_product_id="103")[0]
    assert '<b>Promo</b> & "Hemat"' in tile.text and "PRM-<1>" in tile.text
    assert '<b>Promo</b> & "Hemat"' in page.find_all(cls="line-name")[0].text

    page = act(till, "scan", code='<img src=x onerror="alert(1)">')
    assert page.find_all("img") == []
    assert flash_text(page) == 'Unknown code: <img src=x onerror="alert(1)">'
    page = act(till, "search", q='"><script>x</script>')
    assert page.find_all("script") == []
    assert page.one("search").attrs["value"] == '"><script>x</script>'

    act(till, "pay")
    act(till, "pay-exact", arg="1")
    page = act(till, "validate")
    assert page.find_all("b") == []
    assert '<b>Promo</b> & "Hemat"' in page.one("receipt").text


def test_handle_never_raises():
    device = FakeDevice()
    till = started(device)
    for action, data in [
        ("nonsense", {}),
        ("inc", {"arg": "no-such-line"}),
        ("remove-payment", {"arg": "nope"}),
        ("category", {"arg": "x"}),
        ("pay-exact", {"arg": "99"}),
        ("tender", {"method_id": "abc", "amount": "1"}),
        ("print", {}),
        ("show-order", {"arg": "nope"}),
        ("pair", {"code": ""}),
    ]:
        page = act(till, action, **data)
        assert said(page), action
    assert till.ready

    def broken(*args, **kwargs):
        raise RuntimeError("bridge gone")

    device.find_orders = broken
    page = act(till, "orders")
    assert "bridge gone" in said(page) and till.ready


def test_refresh_updates_the_catalog_and_keeps_the_open_sale():
    device = FakeDevice()
    till = started(device)
    act(till, "add", arg="101")
    device.relay_catalog = [*CATALOG, product(104, "Kopi Kapal Api", "1500", "77", None, 2)]
    page = act(till, "refresh")
    assert "4 products" in flash_text(page)
    assert len(page.find_all(cls="tile")) == 4 and len(till.cart.lines) == 1
    device.relay_up = False
    page = act(till, "refresh")
    assert "cannot be reached" in flash_text(page) and len(till.catalog) == 4


# -- amounts ---------------------------------------------------------------------------------

IDR = Currency.from_bootstrap(BOOTSTRAP["currency"])
USD = Currency(name="USD", rounding=Decimal("0.01"), decimal_places=2, symbol="$")


def test_tendered_amounts_are_read_the_indonesian_way():
    till = ring_up_two_indomie()  # Rp 7.000 due
    act(till, "pay")
    page = act(till, "tender", method_id="1", amount="28.000,00")
    assert [p.amount for p in till.cart.payments] == [Decimal(28000)]
    assert page.one("change").text == "Rp 21.000"
    act(till, "remove-payment", arg=till.cart.payments[0].uuid)
    page = act(till, "tender", method_id="1", amount="50rb")
    assert [p.amount for p in till.cart.payments] == [Decimal(50000)]
    assert page.one("change").text == "Rp 43.000"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5000", "An amount cannot be negative."),
        ("Rp -5.000", "An amount cannot be negative."),
        ("5000-", "is not an amount"),
        ("28,000", "type 28.000 for thousands"),
        ("2,5", "Rp has no decimals."),
        ("28 000", "is not an amount"),
    ],
)
def test_a_refused_tendered_amount_shows_why_and_changes_nothing(typed, message):
    till = ring_up_two_indomie()
    act(till, "pay")
    act(till, "tender", method_id="2", amount="2000")
    before = [(p.method_id, p.amount) for p in till.cart.payments]
    page = act(till, "tender", method_id="1", amount=typed)
    assert message in said(page)
    assert [(p.method_id, p.amount) for p in till.cart.payments] == before
    assert till.screen == "pay" and page.one("due").text == "Rp 5.000"


def test_a_refund_is_paid_back_with_a_positive_typed_amount():
    device, till = sell_three_indomie_offline()
    sale = device.orders[0]
    act(till, "refund", arg=sale["uuid"])
    page = act(till, "refund-lines", arg=sale["uuid"], **{f"qty-{sale['lines'][0]['uuid']}": "2"})
    assert page.one("due").text == "Rp 7.000"
    page = act(till, "tender", method_id="1", amount="-7.000")
    assert said(page) == "An amount cannot be negative." and till.cart.payments == []
    page = act(till, "tender", method_id="1", amount="7rb")
    assert page.one("due").text == "Rp 0" and till.cart.is_paid()
    act(till, "validate")
    assert [p["amount"] for p in device.orders[-1]["payments"]] == ["-7000"]


def test_quick_cash_offers_the_next_notes_above_the_due():
    assert quick_cash(Decimal(7000), IDR) == [Decimal(x) for x in (10000, 20000, 50000, 100000)]
    assert quick_cash(Decimal(73000), IDR) == [Decimal(x) for x in (75000, 80000, 100000)]
    assert quick_cash(Decimal(100000), IDR) == [
        Decimal(x) for x in (105000, 110000, 120000, 150000)
    ]
    assert quick_cash(Decimal(0), IDR) == []
    assert quick_cash(Decimal("7.25"), USD) == [Decimal(x) for x in ("10", "20", "50", "100")]


# -- pricelists and fiscal positions ---------------------------------------------------------


def chips(page: Node, picker: str) -> dict[str, bool]:
    return {
        b.attrs["data-arg"]: b.attrs["aria-pressed"] == "true"
        for b in page.one(picker).find_all("button")
    }


def test_pickers_only_when_the_shop_has_a_choice():
    page = dom(started(FakeDevice(bootstrap=PLAIN_BOOTSTRAP)))
    assert page.by_id("pricelists") is None and page.by_id("fiscal-positions") is None
    page = dom(started())
    assert chips(page, "pricelists") == {"1": True, "2": False}
    assert chips(page, "fiscal-positions") == {"none": True, "7": False}


def test_pricelist_and_fiscal_position_reprice_the_cart_and_survive_a_reload():
    device = FakeDevice()
    till = ring_up_two_indomie(device)
    act(till, "add", arg="102")
    page = act(till, "pricelist", arg="2")  # Grosir: Indomie 3000
    assert page.one("total").text == "Rp 11.000"
    assert chips(page, "pricelists") == {"1": False, "2": True}
    page = act(till, "fiscal-position", arg="7")  # PPN 11 % included mapped to 0 %
    # 3000 / 1.11 = 2702.70 x 2 = 5405; 5000 / 1.11 = 4504.50 -> 4505 (HALF-UP); no tax
    assert page.one("total").text == "Rp 9.910" and page.one("tax").text == "Rp 0"
    assert [line.tax_ids for line in till.cart.lines] == [(3,), (3,)]

    reloaded = started(device)  # the draft keeps both choices
    page = dom(reloaded)
    assert chips(page, "pricelists")["2"] and chips(page, "fiscal-positions")["7"]
    assert page.one("total").text == "Rp 9.910"
    act(reloaded, "add", arg="101")  # a restored cart still prices from the catalog
    assert reloaded.cart.lines[0].qty == 3 and reloaded.cart.lines[0].price_unit == Decimal(
        "2702.7"
    )

    page = act(reloaded, "fiscal-position", arg="none")
    assert page.one("tax").text != "Rp 0" and chips(page, "fiscal-positions")["none"]
    page = act(reloaded, "pricelist", arg="1")
    assert page.one("total").text == "Rp 15.500"
    act(reloaded, "pricelist", arg="2")
    act(reloaded, "pay")
    act(reloaded, "pay-exact", arg="2")
    act(reloaded, "validate")
    order = device.orders[-1]
    assert (order["pricelist_id"], order["fiscal_position_id"]) == (2, None)
    page = act(reloaded, "pricelist", arg="99")
    assert "not available" in flash_text(page)


# -- discounts and manual prices -------------------------------------------------------------


def test_line_editor_gives_a_discount_and_a_manual_price_with_a_reason():
    device = FakeDevice()
    till = ring_up_two_indomie(device)
    uuid = till.cart.lines[0].uuid
    page = act(till, "edit-line", arg=uuid)
    editor = page.one("line-editor")
    assert editor.attrs["data-action"] == "line-edit"
    assert page.one("line-price").attrs["value"] == "3.500"
    assert "autofocus" in page.one("line-price").attrs and "autofocus" not in page.one("scan").attrs

    page = act(till, "line-edit", arg=uuid, price="3500", discount="10", reason="")
    assert "reason" in said(page) and till.cart.lines[0].discount == 0
    page = act(till, "line-edit", arg=uuid, price="3500", discount="10", reason="dented")
    assert page.by_id("line-editor") is None
    assert page.one("total").text == "Rp 6.300"
    assert page.find_all(cls="discount")[0].text == "-10%"
    line = till.cart.lines[0]
    assert (line.discount_reason, line.discount_by) == ("dented", "kasir-1")

    act(till, "edit-line", arg=uuid)
    page = act(till, "line-edit", arg=uuid, price="3.000", discount="0", reason="price tag")
    assert page.one("total").text == "Rp 6.000"
    assert "was Rp 3.500" in page.find_all(cls="manual-price")[0].text
    act(till, "edit-line", arg=uuid)
    page = act(till, "reset-price", arg=uuid)  # reversible before Pay
    assert page.one("total").text == "Rp 7.000" and not page.find_all(cls="manual-price")
    act(till, "edit-line", arg=uuid)
    act(till, "line-edit", arg=uuid, price="3000", discount="0", reason="price tag")
    page = act(till, "line-edit", arg=uuid, price="x", discount="0", reason="r")
    assert "not an amount" in said(page)
    page = act(till, "line-edit", arg=uuid, price="3000", discount="120", reason="r")
    assert "between 0 and 100" in said(page)

    act(till, "pay")
    act(till, "pay-exact", arg="1")
    page = act(till, "validate")
    record = device.orders[-1]["lines"][0]
    assert (record["price_unit"], record["price_manually_set"]) == ("3000", True)
    assert (record["price_reason"], record["price_by"]) == ("price tag", "kasir-1")
    line_row = page.one("receipt").find_all(cls="r-line")[0]
    assert "was Rp 3.500" in line_row.text and "price tag" in line_row.text


def test_order_wide_discount_adds_a_line_and_can_be_taken_back():
    device = FakeDevice()
    till = ring_up_two_indomie(device)
    act(till, "add", arg="102")  # 12000
    page = act(till, "order-discount-open")
    assert page.one("order-discount-form").attrs["data-action"] == "order-discount"
    page = act(till, "order-discount", percent="10", reason="")
    assert "reason" in said(page)
    page = act(till, "order-discount", percent="10", reason="member day")
    assert page.one("total").text == "Rp 10.800"
    generated = page.one("cart-lines").find_all(cls="generated")
    assert len(generated) == 1 and "member day" in generated[0].text
    assert "(10%)" in page.one("order-discount").text
    # the discount line follows the products: more Indomie, more discount
    page = act(till, "inc", arg=till.cart.lines[0].uuid)
    assert page.one("total").text == "Rp 13.950"
    page = act(till, "inc", arg=generated[0].attrs["data-line-uuid"])
    assert "discount" in said(page)
    page = act(till, "remove", arg=generated[0].attrs["data-line-uuid"])
    assert page.one("total").text == "Rp 15.500" and till.cart.order_discount is None
    act(till, "order-discount", percent="10", reason="member day")
    act(till, "pay")
    act(till, "pay-exact", arg="2")
    page = act(till, "validate")
    order = device.orders[-1]
    assert order["order_discount"] == {"percent": "10", "reason": "member day", "by": "kasir-1"}
    assert [line.get("is_order_discount", False) for line in order["lines"]] == [
        False,
        False,
        True,
    ]
    assert "Order discount 10% (member day)" in page.one("receipt-order-discount").text


def test_order_discount_is_refused_without_a_discount_product():
    till = ring_up_two_indomie(FakeDevice(bootstrap=PLAIN_BOOTSTRAP))
    act(till, "order-discount-open")
    page = act(till, "order-discount", percent="10", reason="member day")
    assert "no discount product" in said(page)
    assert page.one("total").text == "Rp 7.000"


# -- cash rounding ---------------------------------------------------------------------------

GULA = product(104, "Gula Pasir 1 kg", "14950", "8991001101234", "GLA-0001", 1)


def test_cash_rounding_shows_on_the_pay_screen_and_the_receipt():
    device = FakeDevice(catalog=[*CATALOG, GULA])
    till = started(device)
    act(till, "add", arg="104")
    page = act(till, "pay")
    assert page.one("due").text == "Rp 14.950"
    assert page.one("due-cash").text == "Rp 15.000" and page.one("rounding").text == "Rp 50"
    exact = {b.attrs["data-arg"]: b.text for b in page.find_all(data_action="pay-exact")}
    assert "Rp 15.000" in exact["1"] and "Rp 14.950" in exact["2"]
    assert page.find_all(cls="cash")[0].text == "Rp 20.000"
    page = act(till, "pay-exact", arg="1")
    assert page.one("due").text == "Rp 0" and "disabled" not in page.one("validate").attrs
    page = act(till, "validate")
    order = device.orders[-1]
    assert (order["amount_total"], order["rounding_applied"], order["amount_paid"]) == (
        "14950",
        "50",
        "15000",
    )
    assert page.one("receipt-rounding").text == "Rp 50"
    assert page.one("receipt-to-pay").text == "Rp 15.000"

    act(till, "new-sale")
    act(till, "add", arg="104")
    act(till, "pay")
    act(till, "pay-exact", arg="2")  # a card pays the exact total: no rounding
    page = act(till, "validate")
    assert device.orders[-1]["rounding_applied"] == "0"
    assert page.by_id("receipt-rounding") is None


def test_cash_after_a_card_pays_the_rounded_rest():
    till = started(FakeDevice(catalog=[*CATALOG, GULA]))
    act(till, "add", arg="104")
    act(till, "pay")
    act(till, "tender", method_id="2", amount="10000")
    page = act(till, "tender", method_id="1", amount="")  # Enter: the rest in cash, rounded
    assert [p.amount for p in till.cart.payments] == [Decimal(10000), Decimal(5000)]
    assert till.cart.is_paid() and page.one("change").text == "Rp 0"


# -- refunds ---------------------------------------------------------------------------------


def sell_three_indomie_offline() -> tuple[FakeDevice, Till]:
    device = FakeDevice(relay_up=False)  # the sale is not even sent when it is refunded
    till = started(device)
    act(till, "scan", code="3*8998866200011")
    act(till, "pay")
    act(till, "pay-exact", arg="1")
    act(till, "validate")
    act(till, "new-sale")
    return device, till


def test_refund_part_of_an_offline_sale_then_the_rest():
    device, till = sell_three_indomie_offline()
    sale = device.orders[0]
    sold_uuid = sale["lines"][0]["uuid"]
    page = act(till, "orders")
    (button,) = page.find_all(data_action="refund")
    page = act(till, "refund", arg=button.attrs["data-arg"])
    assert till.screen == "refund" and not till.idle
    assert page.one("refund-form").attrs["data-action"] == "refund-lines"
    assert page.one(f"refund-left-{sold_uuid}").text == "3"
    assert page.one(f"refund-qty-{sold_uuid}").attrs["name"] == f"qty-{sold_uuid}"

    page = act(till, "refund-lines", arg=sale["uuid"], **{f"qty-{sold_uuid}": "5"})
    assert "Only 3 of Indomie Goreng 85 g can still be refunded" in said(page)
    assert till.cart.is_empty() and till.screen == "refund"
    page = act(till, "refund-lines", arg=sale["uuid"], **{f"qty-{sold_uuid}": ""})
    assert "how many" in said(page)

    page = act(till, "refund-lines", arg=sale["uuid"], **{f"qty-{sold_uuid}": "2"})
    assert till.screen == "pay" and page.by_id("refund-banner") is not None
    assert page.one("pay-total").text == "-Rp 7.000" and page.one("due").text == "Rp 7.000"
    page = act(till, "tender", method_id="2", amount="8000")
    assert "a refund gives no change" in said(page) and till.cart.payments == []
    page = act(till, "pay-exact", arg="2")
    assert "disabled" not in page.one("validate").attrs
    page = act(till, "validate")
    refund = device.orders[-1]
    assert refund["lines"][0]["qty"] == "-2"
    assert refund["lines"][0]["refunded_line_uuid"] == sold_uuid
    assert [p["amount"] for p in refund["payments"]] == ["-7000"]
    assert (refund["amount_total"], refund["amount_paid"]) == ("-7000", "-7000")
    assert page.one("receipt").attrs["data-refund"] == "true"
    assert page.one("receipt-refund").text == "REFUND of kasir-1-000001"

    act(till, "new-sale")
    page = act(till, "orders")
    rows = page.find_all(cls="order-row")
    assert "is-refund" in rows[0].attrs["class"] and not rows[0].find_all(data_action="refund")
    page = act(till, "refund", arg=refund["uuid"])
    assert "cannot be refunded" in said(page)
    page = act(till, "refund", arg=sale["uuid"])
    assert page.one(f"refund-left-{sold_uuid}").text == "1"
    page = act(till, "refund-all", arg=sale["uuid"])
    assert till.cart.lines[0].qty == -1 and page.one("due").text == "Rp 3.500"
    page = act(till, "back")  # the refund line shows in the sale, and can be taken back
    line = page.one("cart-lines").find_all(cls="refund")[0]
    assert "Refund" in line.text and line.find_all(data_action="edit-line") == []
    page = act(till, "inc", arg=till.cart.lines[0].uuid)
    assert "Only 1 of Indomie" in said(page)
    act(till, "pay")
    act(till, "pay-exact", arg="1")
    act(till, "validate")
    act(till, "new-sale")
    page = act(till, "refund", arg=sale["uuid"])
    assert "refunded already" in page.text and page.by_id("refund-selected") is None
    page = act(till, "refund-all", arg=sale["uuid"])
    assert "refunded already" in said(page)


def test_refund_needs_an_empty_sale_and_a_known_order():
    device, till = sell_three_indomie_offline()
    act(till, "add", arg="102")
    page = act(till, "refund", arg=device.orders[0]["uuid"])
    assert "Finish or clear the open sale" in flash_text(page) and till.screen == "sell"
    act(till, "remove", arg=till.cart.lines[0].uuid)
    page = act(till, "refund", arg="no-such-order")
    assert "not in this till's history" in flash_text(page)
    page = act(till, "refund-lines", arg="x")
    assert "Choose the sale to refund first" in flash_text(page)
