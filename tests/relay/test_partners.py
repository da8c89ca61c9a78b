"""Customers made on terminals reach Odoo once, before the orders that name them; the relay
mirrors Odoo's customers back to terminals by cursor. Real sandbox and relay processes."""

from __future__ import annotations

import asyncio
import json
import os
import uuid as uuidlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from kasir import sandbox as sandbox_module
from kasir.config import OdooSettings
from kasir.forwarder import Forwarder
from kasir.journal import Incoming, Journal, open_journal
from kasir.odoo import OdooClient, OdooTransient, transport_for
from kasir.odoo_mapping import partner_ref
from kasir.records import body_sha256, canonical
from kasir.sandbox import seed
from processes import (
    SANDBOX_DB,
    SANDBOX_KEY,
    SANDBOX_LOGIN,
    drop_postgres_schema,
    make_order,
    odoo_call,
    postgres_reachable,
    postgres_schema,
    serve_in_thread,
    wait_for,
)

GOOD = [(1, "3500", 2)]


def customer(terminal: str, seq: int, **values: Any) -> dict[str, Any]:
    """A customer record as a terminal makes it (op create unless an id is given)."""
    record: dict[str, Any] = {
        "uuid": str(uuidlib.uuid4()),
        "kind": "partner",
        "terminal": terminal,
        "seq": seq,
        "op": "create",
        "values": values or {"name": "Budi Santoso", "phone": "+62 812 555 0101"},
    }
    if "id" in values:
        record["id"] = values.pop("id")
        record["op"] = "update"
    return record


def naming(order: dict[str, Any], partner: dict[str, Any]) -> dict[str, Any]:
    return {**order, "partner": {"uuid": partner["uuid"]}}


def odoo_partners(sandbox, domain: list[Any]) -> list[dict[str, Any]]:
    fields = ["id", "name", "email", "phone", "city", "country_id", "active"]
    return sandbox.rpc(
        "res.partner",
        "search_read",
        [domain],
        {"fields": fields, "context": {"active_test": False}},
    )


def order_partner(sandbox, uuid: str) -> Any:
    rows = sandbox.rpc(
        "pos.order", "search_read", [[["uuid", "=", uuid]]], {"fields": ["partner_id"]}
    )
    assert len(rows) == 1
    return rows[0]["partner_id"]


def test_customer_and_its_order_in_one_batch(sandbox, relay, terminal):
    partner = customer(
        "kasir-1", 1, name="Budi Santoso", email="budi@example.id", country_code="ID"
    )
    order = naming(make_order("kasir-1", 2, GOOD), partner)
    answer = terminal.sync([partner, order])
    assert [r["status"] for r in answer["results"]] == ["accepted", "accepted"]
    states = terminal.wait_settled([partner["uuid"], order["uuid"]])
    assert states[partner["uuid"]]["status"] == "posted"
    assert states[order["uuid"]]["status"] == "posted", states
    created = odoo_partners(sandbox, [["name", "=", "Budi Santoso"]])
    assert len(created) == 1
    assert created[0]["id"] == states[partner["uuid"]]["odoo_id"]
    assert created[0]["country_id"][0] == 100  # res.country "ID" in the sandbox
    partner_id = order_partner(sandbox, order["uuid"])
    assert partner_id and partner_id[0] == created[0]["id"]
    # The mirror brings it back to the terminals, country as its ISO code.

    def mirrored() -> dict[str, Any] | None:
        items = terminal.get("/api/v1/partners").json()["items"]
        return next((p for p in items if p["id"] == created[0]["id"]), None)

    record = wait_for(mirrored, timeout=15, what="the new customer in /api/v1/partners")
    assert (record["name"], record["email"], record["country_code"]) == (
        "Budi Santoso",
        "budi@example.id",
        "ID",
    )
    # The stored order is unchanged: it still names the customer by its local uuid.
    again = terminal.sync([partner, order])
    assert [r["status"] for r in again["results"]] == ["duplicate", "duplicate"]


def test_order_sent_before_its_customer_waits_then_posts(sandbox, relay, terminal):
    # The order is first in the terminal's queue; its customer comes later, in another batch,
    # behind it: it must be sent ahead of the order (no deadlock), and only once.
    partner = customer("kasir-1", 2, name="Siti Rahayu")
    order = naming(make_order("kasir-1", 1, GOOD), partner)
    terminal.sync([order])

    def waiting() -> str | None:
        for state in terminal.states("0")["states"]:
            if state["uuid"] == order["uuid"] and "waiting for customer" in state.get("error", ""):
                return state["error"]
        return None

    message = wait_for(waiting, timeout=15, what="order waiting for its customer")
    assert partner["uuid"] in message and message.startswith("waiting for customer")
    assert sandbox.orders([order["uuid"]]) == []
    terminal.sync([partner])
    states = terminal.wait_settled([order["uuid"], partner["uuid"]])
    assert states[order["uuid"]]["status"] == "posted", states
    assert states[partner["uuid"]]["status"] == "posted"
    created = odoo_partners(sandbox, [["name", "=", "Siti Rahayu"]])
    assert len(created) == 1
    assert order_partner(sandbox, order["uuid"])[0] == created[0]["id"]


def test_order_of_a_refused_customer_waits_with_a_clear_message(sandbox, relay, terminal):
    partner = customer("kasir-1", 1, name="Rudi Hartono", country_code="ZZ")
    order = naming(make_order("kasir-1", 2, GOOD), partner)
    terminal.sync([partner, order])
    failed = terminal.wait_settled([partner["uuid"]])[partner["uuid"]]
    assert failed["status"] == "failed" and "'ZZ'" in failed["error"]

    def waiting() -> dict[str, Any] | None:
        for state in terminal.states("0")["states"]:
            if state["uuid"] == order["uuid"] and "refused" in state.get("error", ""):
                return state
        return None

    state = wait_for(waiting, timeout=15, what="the order waiting for a refused customer")
    assert state["status"] == "queued" and state["retryable"] is True
    assert state["error"].startswith("waiting for customer 'Rudi Hartono'")
    assert sandbox.orders([order["uuid"]]) == []
    assert odoo_partners(sandbox, [["name", "=", "Rudi Hartono"]]) == []
    # A manager discards the customer: the sale goes to Odoo without one.
    journal = Journal(relay.db_path)
    try:
        assert journal.discard(partner["uuid"], "unknown country", "test") is None
    finally:
        journal.close()
    assert terminal.wait_settled([order["uuid"]])[order["uuid"]]["status"] == "posted"
    assert order_partner(sandbox, order["uuid"]) is False


def test_update_of_an_existing_customer_and_the_mirror_shows_it(sandbox, relay, terminal):
    partner_id = sandbox.rpc("res.partner", "create", [{"name": "Toko Maju", "city": "Bogor"}])
    change = customer("kasir-1", 1, id=partner_id, phone="0251 777 888", city="Depok")
    assert change["op"] == "update"
    terminal.sync([change])
    state = terminal.wait_settled([change["uuid"]])[change["uuid"]]
    assert state == {"uuid": change["uuid"], "status": "posted", "odoo_id": partner_id}
    row = odoo_partners(sandbox, [["id", "=", partner_id]])[0]
    assert (row["name"], row["city"], row["phone"]) == ("Toko Maju", "Depok", "0251 777 888")

    def mirrored() -> dict[str, Any] | None:
        items = terminal.get("/api/v1/partners").json()["items"]
        return next((p for p in items if p["id"] == partner_id and p["city"] == "Depok"), None)

    record = wait_for(mirrored, timeout=15, what="the update in /api/v1/partners")
    [written] = sandbox.rpc("res.partner", "read", [[partner_id]], {"fields": ["write_date"]})
    as_of = written["write_date"].replace(" ", "T") + "Z"  # no card: 0 points since then
    assert record == {
        "id": partner_id,
        "name": "Toko Maju",
        "email": "",
        "phone": "0251 777 888",
        "street": "",
        "city": "Depok",
        "zip": "",
        "country_code": "",
        "vat": "",
        "barcode": None,
        "pricelist_id": 1,  # none of its own: Odoo's first pricelist
        "fiscal_position_id": None,
        "loyalty": [{"program_id": 1, "points": "0", "as_of": as_of}],
        "active": True,
    }


def test_partners_page_by_cursor_with_archivals(sandbox, relay, terminal):
    made = [sandbox.rpc("res.partner", "create", [{"name": f"Pelanggan {n}"}]) for n in range(3)]

    def everything(since: str = "0") -> tuple[list[dict[str, Any]], str]:
        items: list[dict[str, Any]] = []
        while True:
            page = terminal.get("/api/v1/partners", params={"since": since, "limit": 2}).json()
            assert len(page["items"]) <= 2
            items += page["items"]
            since = page["cursor"]
            if not page["more"]:
                return items, since

    def all_there():
        items, cursor = everything()
        return (items, cursor) if set(made) <= {p["id"] for p in items} else None

    items, cursor = wait_for(all_there, timeout=15, what="new customers in the mirror")
    assert len({p["id"] for p in items}) == len(items)  # each once
    assert terminal.get("/api/v1/partners", params={"since": cursor}).json()["items"] == []
    sandbox.rpc("res.partner", "write", [[made[0]], {"active": False}])

    def archived():
        news, _ = everything(cursor)
        return news if news else None

    assert wait_for(archived, timeout=15, what="the archival") == [{"id": made[0], "active": False}]
    assert httpx.get(f"{relay.url}/api/v1/partners", timeout=5).status_code == 401
    bad = terminal.get("/api/v1/partners", params={"since": "x"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_cursor"


BAD_CUSTOMERS = [
    ({"op": "delete"}, "op must be one of create, update"),
    ({"values": {"email": "a@b.c"}}, "values.name is required"),
    ({"values": {"name": "  "}}, "values.name must not be empty"),
    ({"values": {"name": "x" * 129}}, "longer than 128"),
    ({"values": {"name": "Ani", "email": "not-an-email"}}, "e-mail"),
    ({"values": {"name": "Ani", "phone": "call me"}}, "values.phone"),
    ({"values": {"name": "Ani", "country_code": "IDN"}}, "2 letters"),
    ({"values": {"name": "Ani", "website": "x"}}, "unknown: website"),
    ({"values": {"name": "Ani", "city": 5}}, "values.city must be a string"),
    ({"values": "Ani"}, "values must be an object"),
    ({"id": 7}, "id is for updates only"),
    ({"op": "update"}, "id must be an integer"),
    ({"op": "update", "id": 7, "values": {}}, "at least one value"),
    ({"seq": 0}, "seq must be >= 1"),
    ({"terminal": "kasir-2"}, "belongs to terminal 'kasir-2'"),
]


def test_invalid_customer_records_are_rejected_with_messages(relay, terminal):
    bad = [{**customer("kasir-1", 1), **change} for change, _ in BAD_CUSTOMERS]
    good = customer("kasir-1", 2, name="Ani", email="ani@example.id", country_code="id")
    results = terminal.sync([*bad, good])["results"]
    for (change, words), result in zip(BAD_CUSTOMERS, results, strict=False):
        assert result["status"] == "rejected", change
        assert words in result["error"], (change, result["error"])
    assert results[-1] == {"uuid": good["uuid"], "status": "accepted"}
    assert terminal.wait_settled([good["uuid"]])[good["uuid"]]["status"] == "posted"


def test_nan_and_infinity_are_malformed_json(relay, terminal):
    for constant in (b"NaN", b"Infinity", b"-Infinity"):
        body = b'{"items": [], "x": ' + constant + b"}"
        answer = terminal.http.post("/api/v1/sync", content=body, headers=terminal.headers)
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["code"] == "malformed_json"


# -- a create whose answer is lost, against an in-process sandbox that knows res.partner.ref --


class DroppingTransport:
    """The relay's transport to the sandbox (JSON-RPC or JSON-2), losing the answer of the
    next `drops` res.partner.create calls after the sandbox committed them (what a dropped
    connection does)."""

    def __init__(self, settings: OdooSettings, drops: int) -> None:
        self.inner = transport_for(settings)
        self.drops = drops
        self.creates = 0

    async def version(self) -> dict[str, Any]:
        return await self.inner.version()

    async def authenticate(self, settings: OdooSettings) -> int:
        return await self.inner.authenticate(settings)

    async def execute(self, settings, uid, model, method, args, kwargs):
        answer = await self.inner.execute(settings, uid, model, method, args, kwargs)
        if model == "res.partner" and method == "create":
            self.creates += 1
            if self.drops > 0:
                self.drops -= 1
                raise OdooTransient("connection dropped after Odoo committed")
        return answer

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def keyed_sandbox(tmp_path: Path, monkeypatch) -> Iterator[str]:
    """The sandbox served over 127.0.0.1 from this process, with res.partner.ref writable
    (as in every real Odoo)."""
    monkeypatch.setitem(sandbox_module.MODELS["res.partner"], "ref", "char")
    monkeypatch.setattr(
        sandbox_module, "PARTNER_WRITABLE", {*sandbox_module.PARTNER_WRITABLE, "ref"}
    )
    store = sandbox_module.SandboxStore(str(tmp_path / "sandbox.db"))
    seed(store, products=5)
    with serve_in_thread(sandbox_module.create_app(store)) as url:
        yield url


@pytest.mark.parametrize("version", [18, 19])
def test_create_retried_after_a_lost_answer_makes_one_customer(keyed_sandbox, tmp_path, version):
    journal = Journal(tmp_path / "kasir.db")
    partner = customer("kasir-1", 1, name="Dewi Lestari", city="Bandung")
    order = naming(make_order("kasir-1", 2, GOOD), partner)
    for record in (partner, order):
        body = canonical(record)
        journal.accept(
            [
                Incoming(
                    record["uuid"],
                    "kasir-1",
                    record["seq"],
                    record["kind"],
                    body,
                    body_sha256(body),
                )
            ]
        )
    settings = OdooSettings(
        url=keyed_sandbox, db=SANDBOX_DB, login=SANDBOX_LOGIN, api_key=SANDBOX_KEY, version=version
    )
    transport = DroppingTransport(settings, drops=1)
    client = OdooClient(settings, transport)
    forwarder = Forwarder(journal, client, config_id=lambda: 1, backoff_base=0.0, backoff_cap=0.0)

    async def main() -> None:
        try:
            for _ in range(10):
                if await forwarder.pass_once() is None:
                    return
        finally:
            await client.aclose()

    asyncio.run(main())
    posted = journal.get(partner["uuid"])
    assert posted is not None and posted.state == "posted", posted
    assert journal.get(order["uuid"]).state == "posted", journal.get(order["uuid"])
    assert transport.creates == 1 and posted.attempts == 2  # lost once, then found by its ref
    rows = odoo_call(
        keyed_sandbox,
        "res.partner",
        "search_read",
        [[["name", "=", "Dewi Lestari"]]],
        {"fields": ["id", "ref"]},
    )
    assert rows == [{"id": posted.odoo_id, "ref": partner_ref(partner["uuid"])}]
    journal.close()


# -- the journal's customer mirror on both databases; the accept path's register check ---------


@pytest.fixture(params=["sqlite", "postgresql"])
def any_journal(request, tmp_path: Path) -> Iterator[Journal]:
    if request.param == "sqlite":
        journal = Journal(tmp_path / "kasir.db")
        yield journal
        journal.close()
        return
    url = os.environ.get("KASIR_TEST_DATABASE_URL")
    if not url or not postgres_reachable(url):
        pytest.skip("KASIR_TEST_DATABASE_URL is not set or not reachable")
    schema = f"kasir_partners_{uuidlib.uuid4().hex[:8]}"
    journal = open_journal(postgres_schema(url, schema))
    try:
        yield journal
    finally:
        journal.close()
        drop_postgres_schema(url, schema)


def test_partner_mirror_pages_and_removals(any_journal):
    journal = any_journal
    rows = [{"id": n, "name": f"P{n}", "active": True} for n in (1, 2, 3)]
    assert journal.put_partners([*rows, {"id": 9, "active": False}]) == 3  # 9: never seen
    assert journal.put_partners(rows) == 0  # unchanged: no new cursor
    assert journal.partners_page(0, 2) == (rows[:2], 2, True)
    assert journal.partners_page(2, 2) == (rows[2:], 3, False)
    assert journal.put_partners([{"id": 2, "active": False}]) == 1
    assert journal.partners_page(3, 10) == ([{"id": 2, "active": False}], 4, False)
    assert journal.partner_ids() == {1, 3}
    assert journal.partners_page(99, 10)[1] == 4  # a cursor from another journal: start over
    assert journal.catalog_page(0, 10) == ([], 0, False)  # its own cursor, its own table


def test_resend_of_a_stored_order_is_a_duplicate_whatever_the_register_says(tmp_path):
    from kasir.app import Relay
    from kasir.config import Settings
    from test_order_check import BOOTSTRAP

    journal = Journal(tmp_path / "kasir.db")
    relay = Relay(Settings(odoo=None), journal)
    # Accepted before the relay knew the shop (held until it does): amounts that are off.
    odd = {**make_order("kasir-1", 1, GOOD), "amount_total": "7001"}

    def send(*records: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps({"items": list(records)}).encode()
        return relay.accept_batch("kasir-1", body)[0]

    first = send(odd)
    assert first["results"][0]["status"] == "accepted"
    assert first["states"][0]["status"] == "held" and "no shop" in first["states"][0]["error"]
    journal.put_bootstrap(BOOTSTRAP)
    answer = send(
        odd,
        {**odd, "amount_tax": "1"},
        {**make_order("kasir-1", 2, GOOD), "amount_total": "7001", "uuid": str(uuidlib.uuid4())},
    )
    again, changed, fresh = answer["results"]
    assert again == {"uuid": odd["uuid"], "status": "duplicate"}
    assert changed["status"] == "rejected" and "different content" in changed["error"]
    # A sale whose totals differ is a fact all the same: kept, held for the manager.
    assert fresh["status"] == "accepted"
    held = next(s for s in answer["states"] if s["uuid"] == fresh["uuid"])
    assert held["status"] == "held" and "The total is Rp 7.001" in held["error"]
    assert journal.get(fresh["uuid"]).state == "held"
    # The order held for want of a shop is checked now that there is one: held for the manager.
    relay.recheck_held()
    assert journal.get(odd["uuid"]).state == "held"
    assert "The total is Rp 7.001" in journal.get(odd["uuid"]).error
    good = make_order("kasir-1", 3, GOOD)
    assert send(good)["states"][0] == {"uuid": good["uuid"], "status": "queued"}
    journal.close()


def test_partner_values_for_odoo_and_back():
    from kasir.odoo_mapping import partner_to_odoo, partner_to_record

    new = customer("kasir-1", 1, name=" Ani ", email="", country_code="id", zip=None)
    assert partner_to_odoo(new, {"ID": 100}) == {
        "name": "Ani",
        "email": False,
        "zip": False,
        "country_id": 100,
        "ref": partner_ref(new["uuid"]),
    }
    change = customer("kasir-1", 2, id=7, city="Depok", country_code="")
    assert partner_to_odoo(change, {}) == {"city": "Depok", "country_id": False}
    with pytest.raises(KeyError):
        partner_to_odoo(customer("kasir-1", 3, name="Ani", country_code="ZZ"), {"ID": 100})
    row = {"id": 7, "name": "Ani", "email": False, "country_id": [100, "Indonesia"], "active": True}
    assert partner_to_record(row, {100: "ID"})["country_code"] == "ID"
    assert partner_to_record({**row, "active": False}, {}) == {"id": 7, "active": False}
