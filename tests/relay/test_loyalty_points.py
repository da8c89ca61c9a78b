"""A sale's loyalty points reach the customer's card in Odoo exactly once: earned, spent on a
reward, on a card made for a customer who had none, and once only when the answer of the call
that booked them was lost. Sales made by the register core from the relay's own bootstrap,
forwarded by a real relay to a real sandbox; the sandbox books a card as Odoo 18 did
(tests/fixtures/odoo18/loyalty_points_book.json)."""

from __future__ import annotations

import copy
import json
import sqlite3
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from kasir.journal import Incoming
from kasir.records import body_sha256, canonical
from kasir.sandbox.demo import LOYALTY_PROGRAM_ID, LOYALTY_REWARD_ID
from processes import KasirProcess, TerminalClient, make_order, wait_for
from register.cart import Cart
from register.catalog import Product
from register.shop import Shop
from test_partners import GOOD, any_journal  # noqa: F401 (the journal on both databases)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "odoo18"
SARI, BUDI, RINA = 11, 12, 13  # the demo's customers: Sari and Budi hold a card, Rina none


class Till:
    """The register core with the relay's shop, products and customers, as a till has them."""

    def __init__(self, terminal: TerminalClient) -> None:
        self.terminal = terminal
        bootstrap = terminal.get("/api/v1/bootstrap").json()
        self.shop = Shop.from_bootstrap(bootstrap)
        self.version = bootstrap["catalog_version"]
        page = terminal.get("/api/v1/catalog", params={"since": "0", "limit": 20}).json()
        self.products = [Product.from_record(r) for r in page["items"] if r.get("active")]
        self.seq = 0

    def customer(self, partner_id: int) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            page = self.terminal.get("/api/v1/partners", params={"since": "0", "limit": 50})
            return next((r for r in page.json()["items"] if r["id"] == partner_id), None)

        return wait_for(found, f"customer {partner_id} in the relay's feed")

    def sale(self, partner_id: int, count: int = 3, *, reward: bool = False) -> dict[str, Any]:
        """A paid sale of `count` products to the customer (a reward bought with points)."""
        cart = Cart(self.shop)
        cart.partner = self.customer(partner_id)
        for product in self.products[:count]:
            cart.add(product, 2)
        if reward:
            cart.apply_reward(LOYALTY_PROGRAM_ID, LOYALTY_REWARD_ID, 1000)
        cart.add_payment(1, str(cart.totals().amount_total))
        self.seq += 1
        record = cart.order_record(
            terminal=self.terminal.name,
            session=None,
            seq=self.seq,
            created_at=datetime.now(UTC),
            catalog_version=self.version,
        )
        [result] = self.terminal.sync([record])["results"]
        assert result["status"] == "accepted", result
        return record


def net_points(record: dict[str, Any]) -> Decimal:
    [entry] = record["loyalty"]
    return Decimal(entry["points_earned"]) - Decimal(entry["points_spent"])


def card(sandbox: KasirProcess, partner_id: int) -> dict[str, Any] | None:
    rows = sandbox.rpc(
        "loyalty.card",
        "search_read",
        [[["partner_id", "=", partner_id], ["program_id", "=", LOYALTY_PROGRAM_ID]]],
        {"fields": ["id", "points", "source_pos_order_id"]},
    )
    assert len(rows) <= 1, rows
    return rows[0] if rows else None


def history(sandbox: KasirProcess, order_id: int) -> list[dict[str, Any]]:
    return sandbox.rpc(
        "loyalty.history",
        "search_read",
        [[["order_model", "=", "pos.order"], ["order_id", "=", order_id]]],
        {"fields": ["card_id", "description", "issued", "used"]},
    )


def points_booked(relay: KasirProcess, uuid: str) -> bool:
    with sqlite3.connect(relay.db_path) as db:
        row = db.execute("SELECT state, points FROM items WHERE uuid = ?", (uuid,)).fetchone()
    return row == ("posted", "booked")


def booked(terminal: TerminalClient, relay: KasirProcess, record: dict[str, Any]) -> int:
    """Odoo's id of the sale, once it is posted and its points are booked."""
    [state] = terminal.wait_settled([record["uuid"]]).values()
    assert state["status"] == "posted", state
    wait_for(lambda: points_booked(relay, record["uuid"]), "the sale's points booked")
    return state["odoo_id"]


def test_points_earned_and_spent_change_the_card_by_the_sale_s_net(
    sandbox, relay, terminal
) -> None:
    till = Till(terminal)
    before = Decimal(str(card(sandbox, SARI)["points"]))
    earning = till.sale(SARI)
    assert net_points(earning) > 0
    order_id = booked(terminal, relay, earning)
    after_earning = Decimal(str(card(sandbox, SARI)["points"]))
    assert after_earning == before + net_points(earning)
    [line] = history(sandbox, order_id)
    assert line["card_id"][0] == card(sandbox, SARI)["id"]
    assert Decimal(str(line["issued"])) == net_points(earning)
    assert line["description"].endswith("kasir:" + earning["uuid"])

    spending = till.sale(SARI, 1, reward=True)
    assert Decimal(spending["loyalty"][0]["points_spent"]) == 100
    assert net_points(spending) < 0
    order_id = booked(terminal, relay, spending)
    assert Decimal(str(card(sandbox, SARI)["points"])) == after_earning + net_points(spending)
    [line] = history(sandbox, order_id)
    assert (Decimal(str(line["issued"])), Decimal(str(line["used"]))) == (0, -net_points(spending))


def test_a_customer_without_a_card_gets_one_with_the_sale_s_points(
    sandbox, relay, terminal
) -> None:
    till = Till(terminal)
    assert card(sandbox, RINA) is None
    record = till.sale(RINA)
    order_id = booked(terminal, relay, record)
    made = card(sandbox, RINA)
    assert made is not None
    assert Decimal(str(made["points"])) == net_points(record)
    assert made["source_pos_order_id"][0] == order_id  # as pos_loyalty makes it
    assert [line["card_id"][0] for line in history(sandbox, order_id)] == [made["id"]]


def test_points_whose_answer_was_lost_are_booked_once(sandbox, relay, terminal) -> None:
    """Odoo commits the card's write and the connection drops before its answer: the relay
    cannot know, finds the sale's history line in Odoo and books nothing more."""
    till = Till(terminal)
    before = Decimal(str(card(sandbox, BUDI)["points"]))
    sandbox.faults(drop_card_after_commit=1)
    record = till.sale(BUDI)
    order_id = booked(terminal, relay, record)
    assert sandbox.faults()["drop_card_after_commit"] == 0  # the write's answer was lost
    assert Decimal(str(card(sandbox, BUDI)["points"])) == before + net_points(record)
    assert len(history(sandbox, order_id)) == 1
    # a later sale of the same customer is booked as usual
    again = till.sale(BUDI, 1)
    booked(terminal, relay, again)
    expected = before + net_points(record) + net_points(again)
    assert Decimal(str(card(sandbox, BUDI)["points"])) == expected


def test_the_sandbox_books_a_card_as_odoo_did(sandbox) -> None:
    """The recorded steps, with the demo's ids (Sari's demo card holds 250 points, as the
    recorded one did): the same answers' shapes, the same points and history lines."""
    text = (FIXTURES / "loyalty_points_book.json").read_text()
    recorded = json.loads(text, parse_float=Decimal)["steps"]
    sari = card(sandbox, SARI)["id"]
    orders = {1: 901, 2: 902, 3: 903}  # any pos.order id: Odoo does not check it either
    ours_of = {
        "card": {1: sari},
        "partner": {10: SARI, 12: RINA},
        "program": {2: LOYALTY_PROGRAM_ID},
    }
    made: dict[int, int] = {}

    def ours(call: dict[str, Any]) -> list[Any]:
        args = copy.deepcopy(call["args"])
        if call["method"] in ("write", "read") and call["model"] == "loyalty.card":
            args[0] = [made.get(i) or ours_of["card"][i] for i in args[0]]
        domain_or_values = args[0] if call["method"] != "write" else args[1]
        _swap(domain_or_values, ours_of, orders)
        return args

    for step in recorded:
        call = step["call"]
        args = ours(call)
        answer = sandbox.rpc(call["model"], call["method"], args, call["kwargs"])
        odoo = step["answer"]
        if call["method"] == "create":
            made[odoo] = answer
        assert type(answer) is type(odoo), step["what"]
        if isinstance(odoo, list):
            assert [set(row) for row in answer] == [set(row) for row in odoo], step["what"]
            for mine, theirs in zip(answer, odoo, strict=True):
                for field in ("issued", "used", "order_model", "points"):
                    if field in theirs:
                        assert mine[field] == theirs[field], step["what"]
                if "order_id" in theirs:
                    assert mine["order_id"] == orders[theirs["order_id"]], step["what"]
                if "description" in theirs:
                    assert mine["description"] == theirs["description"], step["what"]
        else:
            assert (answer is True) is (odoo is True), step["what"]
    rina = card(sandbox, RINA)
    assert Decimal(str(rina["points"])) == 30
    assert rina["source_pos_order_id"][0] == orders[3]


def _swap(value: Any, ids: dict[str, dict[int, int]], orders: dict[int, int]) -> None:
    """The recorded Odoo's ids in a domain or values, replaced by the sandbox's, in place."""
    fields = {"partner_id": "partner", "program_id": "program", "card_id": "card"}
    if isinstance(value, dict):
        for key, item in value.items():
            if key in fields and isinstance(item, int):
                value[key] = ids[fields[key]][item]
            elif key in ("order_id", "source_pos_order_id") and isinstance(item, int):
                value[key] = orders[item]
            else:
                _swap(item, ids, orders)
    elif isinstance(value, list):
        if len(value) == 3 and isinstance(value[0], str):  # a domain leaf
            field, _, item = value
            if field in fields:
                value[2] = (
                    [ids[fields[field]][i] for i in item]
                    if isinstance(item, list)
                    else ids[fields[field]][item]
                )
            elif field == "order_id":
                value[2] = orders.get(item, item)
            return
        for item in value:
            _swap(item, ids, orders)


def test_the_journal_keeps_a_sale_s_points_apart_from_its_posting(any_journal) -> None:  # noqa: F811
    """Due with the posting (one transaction), claimed by one relay at a time, retried at the
    time given, never again once booked; a sale posted again keeps its points' state."""
    journal = any_journal
    order = make_order("kasir-1", 1, GOOD)
    body = canonical(order)
    journal.accept([Incoming(order["uuid"], "kasir-1", 1, "order", body, body_sha256(body))])
    journal.claim("relay-a", 10, lease=5)
    journal.mark_posted_many([(order["uuid"], 7, {})], points=[order["uuid"]])
    [due] = journal.claim_points("relay-a", 10, lease=5)
    assert (due.uuid, due.odoo_id, due.sent_at) == (order["uuid"], 7, None)
    assert journal.claim_points("relay-b", 10, lease=5) == []  # relay-a holds it
    assert not journal.points_sending("relay-b", order["uuid"], 5)
    assert journal.points_sending("relay-a", order["uuid"], 5)
    later = time.time() + 60
    journal.points_retry(order["uuid"], "Odoo is away", later, answered=False)
    assert journal.claim_points("relay-b", 10, lease=5) == []  # not before its time
    assert journal.points_next_due() == later
    [state] = journal.states("kasir-1", [order["uuid"]])
    assert (state["status"], state["error"]) == ("posted", "Odoo is away")
    [again] = journal.claim_points("relay-b", 10, lease=5, now=later + 1)
    assert again.sent_at is not None  # that call may have booked them: look in Odoo first
    journal.points_booked(order["uuid"])
    assert journal.claim_points("relay-b", 10, lease=5, now=later + 2) == []
    assert journal.points_next_due() is None
    journal.mark_posted_many([(order["uuid"], 7, {})], points=[order["uuid"]])
    assert journal.claim_points("relay-b", 10, lease=5, now=later + 3) == []
