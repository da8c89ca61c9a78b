"""Odoo 19's JSON-2 transport: the mapping of calls, the sandbox's /json/2, and the relay end to
end against both transports (forwarding with faults, and a closed session that waits, retried)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from kasir.config import OdooSettings
from kasir.odoo import (
    Json2Transport,
    JsonRpcTransport,
    OdooAccessDenied,
    OdooBusinessError,
    OdooClient,
    OdooHealth,
    OdooMisconfigured,
    OdooSessionClosed,
    OdooTransient,
    classify_json2,
    named_arguments,
    transport_for,
)
from kasir.sandbox import SandboxStore, create_app, seed
from processes import ROOT, KasirProcess, TerminalClient, free_port, make_order, pair, relay_env
from starlette.testclient import TestClient

KEY = "sandbox-key"
HEADERS = {"Authorization": f"bearer {KEY}", "X-Odoo-Database": "kasir"}


# -- the mapping ---------------------------------------------------------------------------------


def test_positional_arguments_become_named_ones() -> None:
    assert named_arguments("search_read", [[["id", "=", 1]]], {"fields": ["name"]}) == {
        "domain": [["id", "=", 1]],
        "fields": ["name"],
    }
    assert named_arguments("sync_from_ui", [[{"uuid": "u"}]], {"context": {"config_id": 1}}) == {
        "orders": [{"uuid": "u"}],
        "context": {"config_id": 1},
    }
    assert named_arguments("read", [[3, 4], ["name"]], {}) == {"ids": [3, 4], "fields": ["name"]}
    assert named_arguments("write", [7, {"name": "x"}], {}) == {"ids": [7], "vals": {"name": "x"}}
    with pytest.raises(ValueError, match="name them"):
        named_arguments("frobnicate", [1], {})
    with pytest.raises(ValueError, match="twice"):
        named_arguments("search", [[]], {"domain": []})


@pytest.mark.parametrize(
    ("status", "name", "message", "kind"),
    [
        (401, "werkzeug.exceptions.Unauthorized", "Invalid apikey", OdooAccessDenied),
        (403, "odoo.exceptions.AccessDenied", "Access Denied", OdooAccessDenied),
        (422, "odoo.exceptions.UserError", "Order X is not fully paid.", OdooBusinessError),
        (422, "odoo.exceptions.ValidationError", "The payment method ...", OdooBusinessError),
        (404, "odoo.exceptions.MissingError", "Record does not exist", OdooBusinessError),
        (403, "odoo.exceptions.AccessError", "not allowed", OdooBusinessError),
        (500, "psycopg2.errors.SerializationFailure", "could not serialize", OdooTransient),
        (500, "builtins.KeyError", "'product_id'", OdooBusinessError),
        (500, "", "", OdooTransient),
        (502, "", "", OdooTransient),
        (
            404,
            "werkzeug.exceptions.NotFound",
            "the model 'pos.order' does not exist",
            OdooMisconfigured,
        ),
        (
            422,
            "odoo.exceptions.UserError",
            "No open session available. Please open a new session to capture the order.",
            OdooSessionClosed,
        ),
    ],
)
def test_json2_errors_are_sorted_by_what_to_do(status, name, message, kind) -> None:
    body = {"name": name, "message": message, "arguments": [message], "context": {}, "debug": ""}
    error = classify_json2(status, body if name else None)
    assert type(error) is kind
    if kind is OdooSessionClosed:
        assert error.message.startswith("no open session for this register")
        health = OdooHealth()
        health.failed(error, 0.0)
        assert health.reachable is True  # Odoo answered; the register is closed


def test_the_version_setting_picks_the_transport() -> None:
    settings = OdooSettings(url="http://o", db="d", login="l", api_key="k", version=19)
    assert isinstance(transport_for(settings), Json2Transport)
    assert isinstance(transport_for(OdooSettings("http://o", "d", "l", "k")), JsonRpcTransport)


# -- the sandbox's /json/2 ---------------------------------------------------------------------------


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    store = SandboxStore(tmp_path / "odoo.db")
    seed(store, products=20)
    with TestClient(create_app(store)) as test_client:
        yield test_client
    store.close()


def _post(client: TestClient, model: str, method: str, body: Any, **headers: str):
    return client.post(
        f"/json/2/{model}/{method}",
        content=json.dumps(body),
        headers={**HEADERS, "Content-Type": "application/json", **headers},
    )


def _sale(session: int = 1, method_id: int = 1, product_id: int = 1) -> dict[str, Any]:
    return {
        "uuid": "0b6f1c2e-0000-4000-8000-000000000001",
        "name": "kasir-1-000001",
        "pos_reference": "kasir-1-000001",
        "session_id": session,
        "sequence_number": 1,
        "date_order": "2026-11-23 20:41:05",
        "state": "paid",
        "amount_total": 7000,
        "amount_tax": 694,
        "amount_paid": 7000,
        "amount_return": 0,
        "lines": [
            [
                0,
                0,
                {
                    "uuid": "0b6f1c2e-0000-4000-8000-000000000002",
                    "product_id": product_id,
                    "qty": 2,
                    "price_unit": 3500,
                    "discount": 0,
                    "tax_ids": [[6, 0, [1]]],
                    "price_subtotal": 6306,
                    "price_subtotal_incl": 7000,
                },
            ]
        ],
        "payment_ids": [
            [
                0,
                0,
                {
                    "uuid": "0b6f1c2e-0000-4000-8000-000000000003",
                    "payment_method_id": method_id,
                    "amount": 7000,
                },
            ]
        ],
    }


def test_json2_search_read_and_sync_with_named_parameters(client: TestClient) -> None:
    rows = _post(
        client,
        "product.product",
        "search_read",
        {"domain": [["id", "<=", 2]], "fields": ["name", "lst_price"], "order": "id"},
    )
    assert rows.status_code == 200 and [r["id"] for r in rows.json()] == [1, 2]
    answer = _post(
        client, "pos.order", "sync_from_ui", {"orders": [_sale()], "context": {"config_id": 1}}
    )
    assert answer.status_code == 200, answer.text
    [booked] = answer.json()["pos.order"]
    assert booked["state"] == "paid"
    again = _post(client, "pos.order", "sync_from_ui", {"orders": [_sale()]}).json()
    assert again["pos.order"][0]["id"] == booked["id"]  # the uuid deduplicates
    count = _post(client, "pos.order", "search_count", {"domain": []}).json()
    assert count == 1
    read = _post(client, "pos.order", "read", {"ids": [booked["id"]], "fields": ["state"]})
    assert read.json()[0]["state"] == "paid"


@pytest.mark.parametrize(
    ("headers", "status", "name"),
    [
        ({"Authorization": "bearer wrong"}, 401, "werkzeug.exceptions.Unauthorized"),
        ({"Authorization": ""}, 401, "werkzeug.exceptions.Unauthorized"),
        ({"X-Odoo-Database": "other"}, 404, "werkzeug.exceptions.NotFound"),
    ],
)
def test_json2_refuses_bad_credentials(client, headers, status, name) -> None:
    answer = _post(client, "res.partner", "search_read", {"domain": []}, **headers)
    assert answer.status_code == status
    body = answer.json()
    assert body["name"] == name and set(body) >= {"message", "arguments", "context", "debug"}
    assert KEY not in answer.text


def test_json2_refuses_bad_routes_and_parameters(client: TestClient) -> None:
    assert _post(client, "no.model", "search", {}).status_code == 404
    assert _post(client, "pos.order", "_private", {}).status_code == 404
    assert _post(client, "pos.order", "unlink_all", {}).status_code == 404
    bad = _post(client, "pos.order", "search", {"nonsense": 1})
    assert (
        bad.status_code == 422 and bad.json()["name"] == "werkzeug.exceptions.UnprocessableEntity"
    )
    assert _post(client, "pos.order", "search", {"ids": [1], "domain": []}).status_code == 422
    assert (
        client.post("/json/2/pos.order/search", content=b"{nope", headers=HEADERS).status_code
        == 400
    )
    assert (
        client.post("/json/2/pos.order/search", content=b"[1]", headers=HEADERS).status_code == 400
    )


def test_json2_business_errors_carry_odoo_19_statuses(client: TestClient) -> None:
    wrong_method = _post(client, "pos.order", "sync_from_ui", {"orders": [_sale(method_id=99)]})
    assert wrong_method.status_code == 422
    assert wrong_method.json()["name"] == "odoo.exceptions.ValidationError"
    assert (
        client.post("/sandbox/control", json={"action": "delete_product", "id": 3}).status_code
        == 200
    )
    deleted = _post(client, "pos.order", "sync_from_ui", {"orders": [_sale(product_id=3)]})
    # Odoo turns the foreign key error into a ValidationError naming the constraint.
    assert deleted.status_code == 422
    assert deleted.json()["name"] == "odoo.exceptions.ValidationError"
    assert "pos_order_line_product_id_fkey" in deleted.json()["message"]
    client.post("/sandbox/control", json={"action": "close_session"})
    closed = _post(client, "pos.order", "sync_from_ui", {"orders": [_sale()]})
    assert closed.status_code == 422
    assert closed.json()["message"].startswith("No open session available.")
    assert _post(client, "pos.order", "search_count", {"domain": []}).json() == 0


def test_json2_partner_create_write_and_country_by_code(client: TestClient) -> None:
    [indonesia] = _post(
        client, "res.country", "search_read", {"domain": [["code", "=", "ID"]], "fields": ["name"]}
    ).json()
    created = _post(
        client,
        "res.partner",
        "create",
        {"vals_list": [{"name": "Ibu Sari", "phone": "0812", "country_id": indonesia["id"]}]},
    )
    assert created.status_code == 200, created.text
    [partner_id] = created.json()
    assert (
        _post(
            client,
            "res.partner",
            "write",
            {"ids": [partner_id], "vals": {"email": "sari@example.com"}},
        ).json()
        is True
    )
    [row] = _post(
        client,
        "res.partner",
        "read",
        {"ids": [partner_id], "fields": ["name", "email", "country_id", "vat"]},
    ).json()
    assert row["email"] == "sari@example.com" and row["country_id"] == [
        indonesia["id"],
        "Indonesia",
    ]
    assert row["vat"] is False
    nameless = _post(client, "res.partner", "create", {"vals_list": [{"email": "x@y"}]})
    assert nameless.status_code == 422 and "require a name" in nameless.json()["message"]
    gone = _post(client, "res.partner", "write", {"ids": [9999], "vals": {"name": "x"}})
    assert gone.status_code == 404
    unknown = _post(client, "res.partner", "create", {"vals_list": [{"name": "x", "foo": 1}]})
    assert unknown.status_code == 500 and unknown.json()["name"] == "builtins.ValueError"
    not_partner = _post(client, "product.product", "create", {"vals_list": [{"name": "x"}]})
    assert not_partner.status_code == 403


# -- the client against a live sandbox ------------------------------------------------------------


def test_client_over_json2_reads_syncs_and_reports_bad_keys(sandbox: KasirProcess) -> None:
    settings = OdooSettings(sandbox.url, "kasir", "admin", KEY, version=19, timeout=5)

    async def main() -> None:
        client = OdooClient(settings)
        try:
            assert (await client.version())["server_version"].startswith("18")
            assert await client.authenticate() == 2
            rows = await client.search_read("pos.config", [], ["name"], limit=1)
            assert rows[0]["name"]
            answer = await client.sync_orders([_sale()], 1)
            assert answer["pos.order"][0]["state"] == "paid"
        finally:
            await client.aclose()
        wrong = OdooClient(OdooSettings(sandbox.url, "kasir", "admin", "nope", version=19))
        try:
            with pytest.raises(OdooAccessDenied):
                await wrong.search("pos.order", [])
        finally:
            await wrong.aclose()

    asyncio.run(main())


# -- the relay end to end, on both transports ---------------------------------------------------------


def start_relay_version(tmp: Path, sandbox_url: str, version: str) -> KasirProcess:
    port = free_port()
    return KasirProcess(
        ["serve", "--port", str(port), "--db", str(tmp / "kasir.db"), "--dist", str(ROOT / "dist")],
        port=port,
        env={**relay_env(sandbox_url), "KASIR_ODOO_VERSION": version},
        log_path=tmp / "relay.log",
    ).start()


@pytest.fixture(params=["18", "19"])
def versioned(request, tmp_path: Path, sandbox: KasirProcess) -> Iterator[TerminalClient]:
    (tmp_path / "relay").mkdir()
    relay = start_relay_version(tmp_path / "relay", sandbox.url, request.param)
    terminal = TerminalClient(relay, *pair(relay, "kasir-1"))
    try:
        yield terminal
    finally:
        terminal.http.close()
        relay.stop(timeout=5)


def test_forwarding_through_faults_books_each_order_once(sandbox, versioned) -> None:
    sandbox.faults(error_500=2, drop_after_commit=1)
    orders = [make_order("kasir-1", seq, [(1, "3500", 2)]) for seq in range(1, 6)]
    answer = versioned.sync(orders)
    assert [r["status"] for r in answer["results"]] == ["accepted"] * 5
    states = versioned.wait_settled([o["uuid"] for o in orders])
    assert {s["status"] for s in states.values()} == {"posted"}, states
    booked = sandbox.orders([o["uuid"] for o in orders])
    assert sorted(b["uuid"] for b in booked) == sorted(o["uuid"] for o in orders)
    assert all(b["state"] == "paid" for b in booked)


def test_mirror_loads_the_shop_over_either_transport(versioned) -> None:
    deadline = time.monotonic() + 15
    while (answer := versioned.get("/api/v1/bootstrap")).status_code == 503:
        assert time.monotonic() < deadline, "the mirror never loaded the shop"
        time.sleep(0.05)
    assert answer.status_code == 200
    assert answer.json()["currency"]["name"] == "IDR"


def test_closed_session_waits_queued_then_goes_through(sandbox, versioned) -> None:
    httpx.post(f"{sandbox.url}/sandbox/control", json={"action": "close_session"}, timeout=5)
    order = make_order("kasir-1", 1, [(2, "7000", 1)])
    assert versioned.sync([order])["results"][0]["status"] == "accepted"
    deadline = time.monotonic() + 15
    while True:
        states = {s["uuid"]: s for s in versioned.states("0")["states"]}
        state = states.get(order["uuid"], {})
        if "no open session for this register" in state.get("error", ""):
            break
        assert time.monotonic() < deadline, state
        time.sleep(0.05)
    assert state["status"] == "queued" and state.get("retryable") is not False
    assert sandbox.orders([order["uuid"]]) == []
    health = versioned.http.get("/healthz").json()
    assert health["odoo"] == "reachable"
    opened = httpx.post(
        f"{sandbox.url}/sandbox/control", json={"action": "open_session"}, timeout=5
    )
    new_session = opened.json()["session"]["id"]
    settled = versioned.wait_settled([order["uuid"]])
    assert settled[order["uuid"]]["status"] == "posted"
    [booked] = sandbox.rpc(
        "pos.order", "search_read", [[["uuid", "=", order["uuid"]]]], {"fields": ["session_id"]}
    )
    assert booked["session_id"][0] == new_session  # Odoo's own open session, never a rescue one
    assert Decimal(str(sandbox.orders([order["uuid"]])[0]["amount_total"])) == Decimal(7000)


def test_a_refused_route_is_a_configuration_error_not_an_outage() -> None:
    """Odoo answering 404 to a method (a module missing, another version) is said on /healthz
    as a configuration problem; JSON-2's login does not stall on a missing context_get."""
    from kasir.odoo import OdooClient, OdooHealth, classify_error

    missing = classify_error(
        "builtins.AttributeError",
        "The method 'sync_from_ui' does not exist on the model 'pos.order'",
    )
    assert isinstance(missing, OdooMisconfigured) and "module installed" in missing.message
    health = OdooHealth()
    health.failed(missing, time.time())
    assert health.as_text() == "misconfigured" and health.reachable
    health.ok(time.time())
    assert health.as_text() == "reachable"

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/json/2/res.users/context_get":
            return httpx.Response(404, text="<html>Not Found</html>")
        return httpx.Response(200, json=[{"id": 1, "name": "Kasir 1"}])

    settings = OdooSettings("http://odoo.test", "kasir", "admin", KEY, version=19)
    client = OdooClient(settings)
    client.transport._client = httpx.AsyncClient(transport=httpx.MockTransport(answer))

    async def main() -> list[dict[str, Any]]:
        try:
            return await client.search_read("pos.config", [], ["name"])
        finally:
            await client.aclose()

    assert asyncio.run(main()) == [{"id": 1, "name": "Kasir 1"}]
