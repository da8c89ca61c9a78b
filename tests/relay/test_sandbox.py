"""The Odoo sandbox answers like Odoo 18 for the calls kasir makes, and misbehaves on request.

In-process tests use Starlette's TestClient; the faults that only make sense on a real socket
(a dropped connection, a server that is down, a slow answer) run against uvicorn on 127.0.0.1.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from kasir.decimal_json import dumps
from kasir.sandbox import SandboxStore, create_app
from kasir.sandbox.demo import (
    CASH_METHOD_ID,
    DISCOUNT_PRODUCT_ID,
    FISCAL_POSITION_BEBAS_PPN_ID,
    LOYALTY_PRODUCT_ID,
    LOYALTY_PROGRAM_ID,
    TAX_PPN_ID,
    TAX_PURCHASE_ID,
    TAX_ZERO_ID,
    ean13_check_digit,
    generate_products,
    is_valid_ean13,
    seed,
)
from processes import serve_in_thread
from starlette.testclient import TestClient

DB, KEY, UID = "kasir", "sandbox-key", 2


# -- helpers ------------------------------------------------------------------------------------


class Rpc:
    """A tiny Odoo JSON-RPC client over any httpx-like client, parsing numbers as Decimal."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls = 0

    def raw(self, service: str, method: str, *args: Any, **kw: Any) -> httpx.Response:
        self.calls += 1
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": list(args)},
            "id": self.calls,
        }
        return self.client.post("/jsonrpc", content=dumps(body), **kw)

    def call(self, service: str, method: str, *args: Any) -> dict[str, Any]:
        response = self.raw(service, method, *args)
        assert response.status_code == 200, response.text
        return json.loads(response.text, parse_float=Decimal)

    def execute(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        answer = self.call("object", "execute_kw", DB, UID, KEY, model, method, list(args), kwargs)
        assert "error" not in answer, answer["error"]["data"]["message"]
        return answer["result"]

    def error(self, model: str, method: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        answer = self.call("object", "execute_kw", DB, UID, KEY, model, method, list(args), kwargs)
        assert "error" in answer, answer
        return answer["error"]["data"]

    def sync(self, *orders: dict[str, Any]) -> Any:
        return self.execute("pos.order", "sync_from_ui", list(orders), context={"config_id": 1})

    def sync_error(self, *orders: dict[str, Any]) -> dict[str, Any]:
        return self.error("pos.order", "sync_from_ui", list(orders), context={"config_id": 1})

    def count(self, model: str, domain: list[Any]) -> int:
        return self.execute(model, "search_count", domain)


def order(
    *,
    session: int = 1,
    lines: list[tuple[int, str, str]] | None = None,
    payments: list[tuple[int, str]] | None = None,
    total: str = "7000",
    tax: str = "694",
    change: str = "0",
    state: str = "paid",
    ref: str = "kasir-1-000001",
) -> dict[str, Any]:
    """An Odoo 18 sync_from_ui order as the relay builds it (contract), amounts as Decimal."""
    lines = lines if lines is not None else [(1, "2", "3500")]
    payments = payments if payments is not None else [(CASH_METHOD_ID, total)]
    date = "2026-11-23 20:41:05"
    return {
        "uuid": str(uuid.uuid4()),
        "name": ref,
        "pos_reference": ref,
        "session_id": session,
        "partner_id": False,
        "pricelist_id": 1,
        "fiscal_position_id": False,
        "sequence_number": 1,
        "date_order": date,
        "state": state,
        "amount_total": Decimal(total),
        "amount_tax": Decimal(tax),
        "amount_paid": Decimal(total),
        "amount_return": Decimal(change),
        "to_invoice": False,
        "lines": [
            [
                0,
                0,
                {
                    "uuid": str(uuid.uuid4()),
                    "product_id": product_id,
                    "qty": Decimal(qty),
                    "price_unit": Decimal(price),
                    "discount": Decimal(0),
                    "tax_ids": [[6, 0, [1]]],
                    "price_subtotal": Decimal("6306.31"),
                    "price_subtotal_incl": Decimal(qty) * Decimal(price),
                    "full_product_name": f"product {product_id}",
                },
            ]
            for product_id, qty, price in lines
        ],
        "payment_ids": [
            [
                0,
                0,
                {
                    "uuid": str(uuid.uuid4()),
                    "payment_method_id": method,
                    "amount": Decimal(amount),
                    "payment_date": date,
                },
            ]
            for method, amount in payments
        ],
    }


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SandboxStore]:
    sandbox_store = SandboxStore(tmp_path / "odoo.db")
    seed(sandbox_store, products=200)
    yield sandbox_store
    sandbox_store.close()


@pytest.fixture
def app(store: SandboxStore) -> Any:
    return create_app(store)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def rpc(client: TestClient) -> Rpc:
    return Rpc(client)


@pytest.fixture
def live(app: Any) -> Iterator[str]:
    """The sandbox served by uvicorn on a free 127.0.0.1 port; yields its base URL."""
    with serve_in_thread(app) as url:
        yield url


@pytest.fixture
def http(live: str) -> Iterator[Rpc]:
    with httpx.Client(base_url=live, timeout=5) as client:
        yield Rpc(client)


# -- common service -----------------------------------------------------------------------------


def test_version_and_authenticate(rpc: Rpc) -> None:
    version = rpc.call("common", "version")["result"]
    assert version["server_version_info"][:2] == [18, 0]
    assert version["protocol_version"] == 1
    assert rpc.call("common", "authenticate", DB, "admin", KEY, {})["result"] == UID
    assert rpc.call("common", "authenticate", DB, "admin", "wrong", {})["result"] is False
    assert rpc.call("common", "authenticate", "other", "admin", KEY, {})["result"] is False


def test_wrong_credentials_in_execute_kw_are_access_denied(rpc: Rpc) -> None:
    answer = rpc.call("object", "execute_kw", DB, UID, "nope", "pos.order", "search", [[]], {})
    error = answer["error"]
    assert error["code"] == 200 and error["message"] == "Odoo Server Error"
    assert error["data"]["name"] == "odoo.exceptions.AccessDenied"
    assert error["data"]["message"] == "Access Denied"


def test_unknown_model_method_and_private_method(rpc: Rpc) -> None:
    unknown_model = rpc.error("x.nothing", "search", [])
    assert unknown_model["name"] == "odoo.exceptions.UserError"
    assert unknown_model["message"] == "Object x.nothing doesn't exist"
    unknown_method = rpc.error("pos.order", "explode", [])
    assert unknown_method["name"] == "builtins.AttributeError"
    assert "'explode' does not exist" in unknown_method["message"]
    private = rpc.error("pos.order", "_process_order", [])
    assert private["name"] == "odoo.exceptions.AccessError"
    bad_field = rpc.error("product.product", "search_read", [], fields=["no_such_field"])
    assert bad_field["name"] == "builtins.ValueError"


# -- reading ------------------------------------------------------------------------------------


def test_search_read_products_with_fields_and_limit(rpc: Rpc) -> None:
    fields = ["name", "lst_price", "standard_price", "taxes_id", "categ_id", "barcode", "uom_id"]
    products = rpc.execute(
        "product.product", "search_read", [], fields=fields, limit=5, order="id asc"
    )
    assert [p["id"] for p in products] == [1, 2, 3, 4, 5]
    first = products[0]
    assert set(first) == {"id", *fields}
    assert first["name"] == "Indomie Goreng 85 g"
    assert first["lst_price"] == Decimal("3500") and isinstance(first["lst_price"], Decimal)
    assert first["standard_price"] < first["lst_price"]
    assert first["taxes_id"] == [1]
    assert first["categ_id"][1] == "All / Saleable / Makanan"  # many2one = [id, display name]
    assert first["uom_id"] == [1, "Units"]
    page2 = rpc.execute(
        "product.product", "search_read", [], fields=["id"], limit=5, offset=5, order="id"
    )
    assert [p["id"] for p in page2] == [6, 7, 8, 9, 10]
    # 200 shelf products, the loose rice sold by kg and the fruit priced by its label
    assert rpc.count("product.product", [("available_in_pos", "=", True)]) == 202
    # ...and the two products Odoo features make, never on a shelf (pos_discount, loyalty)
    assert rpc.count("product.product", []) == 204


def test_read_and_search_and_empty_char_is_false(rpc: Rpc) -> None:
    [config] = rpc.execute(
        "pos.config", "read", [1], ["name", "payment_method_ids", "rounding_method"]
    )
    assert config == {
        "id": 1,
        "name": "Kasir 1",
        "payment_method_ids": [1, 2],
        "rounding_method": False,
    }
    [company] = rpc.execute(
        "res.company", "search_read", [], fields=["currency_id", "country_code"]
    )
    assert company["currency_id"] == [12, "IDR"] and company["country_code"] == "ID"
    [currency] = rpc.execute("res.currency", "read", [12], ["rounding", "decimal_places", "symbol"])
    assert currency["rounding"] == Decimal(1) and currency["decimal_places"] == 0
    assert rpc.execute("pos.session", "search", [("state", "=", "opened")]) == [1]
    missing = rpc.error("product.product", "read", [99999], ["name"])
    assert missing["name"] == "odoo.exceptions.MissingError"


def test_domain_operators(rpc: Rpc) -> None:
    def ids(domain: list[Any]) -> list[int]:
        return rpc.execute("product.product", "search", domain, order="id")

    assert ids([("id", "=", 3)]) == [3]
    assert ids([("id", "in", [2, 4, 999])]) == [2, 4]
    assert len(ids([("id", "not in", [1, 2]), ("id", "<=", 200)])) == 198
    assert len(ids([("id", "!=", 1), ("available_in_pos", "=", True)])) == 201
    assert ids([("id", ">", 197), ("id", "<", 100_000)]) == [198, 199, 200]
    assert ids([("id", ">=", 198), ("id", "<", 200)]) == [198, 199]
    assert ids([("id", "<=", 2)]) == [1, 2]
    assert ids(["|", ("id", "=", 1), ("id", "=", 5)]) == [1, 5]
    assert ids(["&", ("id", "<", 4), "!", ("id", "=", 2)]) == [1, 3]
    assert ids(["!", ("id", ">", 2)]) == [1, 2]
    indomie = ids([("name", "ilike", "indomie goreng")])
    assert indomie and all(
        "Indomie Goreng" in p["name"]
        for p in rpc.execute("product.product", "read", indomie, ["name"])
    )
    assert ids([("name", "like", "indomie")]) == []  # like is case-sensitive
    assert ids([("name", "=like", "Indomie Goreng 85 g")]) == [1]
    cheap = rpc.execute(
        "product.product",
        "search_read",
        [("lst_price", "<=", Decimal("3000"))],
        fields=["lst_price"],
    )
    assert cheap and all(p["lst_price"] <= 3000 for p in cheap)
    drinks = ids([("pos_categ_ids", "in", [2])])
    assert drinks and set(drinks).isdisjoint(ids([("pos_categ_ids", "=", 1)]))
    assert ids([("categ_id.name", "=", "Minuman")]) == drinks  # path through a many2one
    assert ids([("categ_id", "ilike", "minuman")]) == drinks  # many2one matched by its name
    assert ids([("barcode", "=", False)]) == [DISCOUNT_PRODUCT_ID, LOYALTY_PRODUCT_ID]
    assert ids([("default_code", "=", "MKN-0001")]) == [1]
    assert rpc.count("pos.category", [("parent_id", "=", False)]) == 7


def test_active_test(rpc: Rpc, client: TestClient) -> None:
    assert (
        client.post("/sandbox/control", json={"action": "archive_product", "id": 7}).status_code
        == 200
    )
    assert 7 not in rpc.execute("product.product", "search", [])
    assert rpc.count("product.product", []) == 203
    everything = rpc.execute("product.product", "search", [], context={"active_test": False})
    assert 7 in everything and len(everything) == 204
    assert rpc.execute("product.product", "search", [("active", "=", False)]) == [7]
    assert 7 in rpc.execute("product.product", "search", [("active", "in", [True, False])])
    [archived] = rpc.execute("product.product", "read", [7], ["active"])  # read ignores it
    assert archived["active"] is False


def test_set_price_bumps_write_date(rpc: Rpc, client: TestClient) -> None:
    [before] = rpc.execute("product.product", "read", [10], ["lst_price", "write_date"])
    newest = rpc.execute(
        "product.product",
        "search_read",
        [],
        fields=["write_date"],
        order="write_date desc",
        limit=1,
    )[0]["write_date"]
    answer = client.post(
        "/sandbox/control", json={"action": "set_price", "id": 10, "lst_price": "4000"}
    )
    assert answer.status_code == 200
    [after] = rpc.execute("product.product", "read", [10], ["lst_price", "write_date"])
    assert after["lst_price"] == Decimal(4000)
    assert after["write_date"] >= before["write_date"]
    # Like PostgreSQL, the stored write_date is finer than the second Odoo shows: "> the
    # newest second I saw" still finds a change made within that second (and what was
    # written earlier in it), so a catalog reader never misses an update.
    changed = rpc.execute("product.product", "search", [("write_date", ">", newest)])
    assert 10 in changed
    latest = rpc.execute("product.product", "search", [], order="write_date desc, id", limit=1)
    assert latest == [10]


# -- sync_from_ui -------------------------------------------------------------------------------


def test_sync_creates_once_and_a_repeat_does_not_double(rpc: Rpc) -> None:
    sale = order(payments=[(1, "10000")], change="3000")
    first = rpc.sync(sale)
    [booked] = first["pos.order"]
    assert booked["uuid"] == sale["uuid"]
    assert booked["state"] == "paid"
    assert booked["name"] == "Kasir 1/0001"
    assert booked["pos_reference"] == "kasir-1-000001"
    assert booked["session_id"] == 1  # load=False: a bare id
    assert booked["amount_total"] == Decimal(7000)
    again = rpc.sync(sale)
    assert again["pos.order"][0]["id"] == booked["id"]
    assert again["pos.order"][0]["name"] == "Kasir 1/0001"
    assert rpc.count("pos.order", [("uuid", "=", sale["uuid"])]) == 1
    assert rpc.count("pos.order.line", [("order_id", "=", booked["id"])]) == 1
    assert rpc.count("pos.payment", [("pos_order_id", "=", booked["id"])]) == 2
    second = rpc.sync(order(ref="kasir-1-000002"))["pos.order"][0]
    assert second["name"] == "Kasir 1/0002"


def test_amounts_travel_exactly(rpc: Rpc) -> None:
    sale = order()
    rpc.sync(sale)
    answer = rpc.raw(
        "object",
        "execute_kw",
        DB,
        UID,
        KEY,
        "pos.order.line",
        "search_read",
        [[("order_id.uuid", "=", sale["uuid"])]],
        {"fields": ["price_subtotal", "price_subtotal_incl", "qty"]},
    )
    assert '"price_subtotal":6306.31' in answer.text
    assert '"price_subtotal_incl":7000.0' in answer.text
    assert '"qty":2.0' in answer.text


def test_change_line(rpc: Rpc) -> None:
    answer = rpc.sync(order(payments=[(1, "10000")], change="3000"))
    [booked] = answer["pos.order"]
    assert booked["amount_paid"] == Decimal(7000)  # tendered - change, recomputed
    assert booked["amount_return"] == Decimal(3000)
    payments = sorted(answer["pos.payment"], key=lambda p: p["id"])
    assert [(p["amount"], p["is_change"]) for p in payments] == [
        (Decimal(10000), False),
        (Decimal(-3000), True),
    ]
    assert payments[1]["payment_method_id"] == CASH_METHOD_ID
    assert payments[1]["uuid"] is False


def test_change_without_a_cash_method(rpc: Rpc, store: SandboxStore) -> None:
    with store.transaction() as tx:
        tx.update("pos.config", 1, {"payment_method_ids": [2]})
    error = rpc.sync_error(order(payments=[(2, "10000")], change="3000"))
    assert error["name"] == "odoo.exceptions.UserError"
    assert error["message"] == (
        "No cash statement found for this session. Unable to record returned cash."
    )


def test_card_and_cash_split(rpc: Rpc) -> None:
    [booked] = rpc.sync(order(payments=[(2, "5000"), (1, "2000")]))["pos.order"]
    assert booked["state"] == "paid" and booked["amount_paid"] == Decimal(7000)


def test_closed_session_error_text_and_rehoming(rpc: Rpc, client: TestClient) -> None:
    assert client.post("/sandbox/control", json={"action": "close_session"}).json()["closed"] == [1]
    sale = order(session=1)
    error = rpc.sync_error(sale)
    assert error["name"] == "odoo.exceptions.UserError"
    assert error["message"] == (
        "No open session available. Please open a new session to capture the order."
    )
    assert rpc.count("pos.order", []) == 0
    opened = client.post("/sandbox/control", json={"action": "open_session"}).json()["session"]
    assert opened["state"] == "opened" and opened["id"] != 1
    answer = rpc.sync(sale)
    assert answer["pos.order"][0]["session_id"] == opened["id"]
    # Odoo 18's read_pos_data compares each order's session with its own: never "moved".
    assert answer["pos.session"] == []
    [config] = rpc.execute("pos.config", "read", [1], ["current_session_id"])
    assert config["current_session_id"][0] == opened["id"]


def test_missing_session_is_missing_error(rpc: Rpc) -> None:
    error = rpc.sync_error(order(session=404))
    assert error["name"] == "odoo.exceptions.MissingError"
    assert error["message"].endswith("(Record: pos.session(404,), User: 2)")


def test_no_session_at_all(rpc: Rpc) -> None:
    """session_id false: a paid order's name comes from its config's sequence, and with no
    session ir.sequence runs `WHERE id=false`; a draft one hits the NOT NULL column."""
    paid = rpc.sync_error({**order(), "session_id": False})
    assert paid["name"] == "psycopg2.errors.UndefinedFunction"
    assert paid["message"].startswith("operator does not exist: integer = boolean\n")
    draft = rpc.sync_error({**order(state="draft"), "session_id": None})
    assert draft["name"] == "odoo.exceptions.ValidationError"
    assert "Field: Session (session_id)" in draft["message"]
    missing_key = {k: v for k, v in order().items() if k != "session_id"}
    assert rpc.sync_error(missing_key)["name"] == "builtins.KeyError"
    assert rpc.count("pos.order", []) == 0


FK_MESSAGE = (
    "The operation cannot be completed: another model requires the record being deleted. "
    "If possible, archive it instead.\n\n"
    "Model: Point of Sale Order Lines (pos.order.line)\n"
    "Constraint: pos_order_line_product_id_fkey\n"
)


def test_deleted_product_fails_and_rolls_back_the_whole_call(rpc: Rpc, client: TestClient) -> None:
    """The line's INSERT violates pos_order_line_product_id_fkey; Odoo's RPC layer answers
    every IntegrityError as a ValidationError naming the model and the constraint."""
    assert (
        client.post("/sandbox/control", json={"action": "delete_product", "id": 5}).status_code
        == 200
    )
    good, bad = order(), order(lines=[(5, "1", "7000")], ref="kasir-1-000002")
    error = rpc.sync_error(good, bad)
    assert error["name"] == "odoo.exceptions.ValidationError"
    assert error["message"] == FK_MESSAGE
    assert rpc.count("pos.order", []) == 0  # the good one was rolled back too
    assert rpc.count("pos.payment", []) == 0
    unknown = rpc.sync_error(order(lines=[(999999, "1", "7000")]))
    assert unknown["message"] == FK_MESSAGE


def test_archived_product_is_accepted(rpc: Rpc, client: TestClient) -> None:
    client.post("/sandbox/control", json={"action": "archive_product", "id": 1})
    [booked] = rpc.sync(order())["pos.order"]
    assert booked["state"] == "paid"


def test_payment_method_not_in_config(rpc: Rpc, store: SandboxStore) -> None:
    with store.transaction() as tx:
        tx.update("pos.config", 1, {"payment_method_ids": [CASH_METHOD_ID]})
    error = rpc.sync_error(order(payments=[(2, "7000")]))
    assert error["name"] == "odoo.exceptions.ValidationError"
    assert error["message"] == (
        "The payment method selected is not allowed in the config of the POS session."
    )
    unknown = rpc.sync_error(order(payments=[(99, "7000")]))  # no such method: its foreign key
    assert "Constraint: pos_payment_payment_method_id_fkey" in unknown["message"]
    assert rpc.count("pos.order", []) == 0


def test_not_fully_paid_is_kept_paid(rpc: Rpc) -> None:
    """Odoo 18 logs "Order ... is not fully paid" and keeps the order as it came: paid."""
    [short] = rpc.sync(order(payments=[(1, "6000")]))["pos.order"]
    assert short["state"] == "paid" and short["name"] == "Kasir 1/0001"
    assert short["amount_paid"] == Decimal(6000) and short["amount_total"] == Decimal(7000)
    [nearly] = rpc.sync(order(payments=[(1, "6999.6")], ref="kasir-1-000002"))["pos.order"]
    assert nearly["state"] == "paid"


def test_a_draft_is_updated_in_place_then_paid(rpc: Rpc) -> None:
    draft = order(state="draft", payments=[])
    [first] = rpc.sync(draft)["pos.order"]
    assert first["state"] == "draft" and first["name"] == "/"
    paid = {**draft, "state": "paid", "lines": [], "payment_ids": order()["payment_ids"]}
    [again] = rpc.sync(paid)["pos.order"]
    assert again["id"] == first["id"] and again["state"] == "paid"
    assert again["name"] == "Kasir 1/0001" and again["amount_paid"] == Decimal(7000)
    assert rpc.count("pos.order.line", [("order_id", "=", first["id"])]) == 1


# -- sync_from_ui: several orders per call, the answer's shape ---------------------------------

ANSWER_KEYS = {
    "pos.order",
    "pos.session",
    "pos.payment",
    "pos.order.line",
    "pos.pack.operation.lot",
    "product.attribute.custom.value",
}
LINE_KEYS = {
    "id",
    "uuid",
    "order_id",
    "qty",
    "refunded_qty",
    "refunded_orderline_id",
    "refund_orderline_ids",
    "product_id",
    "price_subtotal",
    "price_subtotal_incl",
}


def test_several_orders_in_one_call(rpc: Rpc) -> None:
    old = order(ref="kasir-1-000001")
    [booked] = rpc.sync(old)["pos.order"]
    new = [order(ref=f"kasir-1-00000{n}", lines=[(n, "1", "3500")]) for n in (2, 3)]
    answer = rpc.sync(new[0], old, new[1])
    assert set(answer) == ANSWER_KEYS
    orders = answer["pos.order"]
    assert [o["uuid"] for o in orders] == [new[0]["uuid"], old["uuid"], new[1]["uuid"]]
    assert orders[1]["id"] == booked["id"]  # known uuid: not processed again, still answered
    assert [o["name"] for o in orders] == ["Kasir 1/0002", "Kasir 1/0001", "Kasir 1/0003"]
    assert rpc.count("pos.order", []) == 3
    lines = answer["pos.order.line"]
    assert len(lines) == 3 and all(set(line) >= LINE_KEYS for line in lines)
    assert {line["order_id"] for line in lines} == {o["id"] for o in orders}
    assert {p["pos_order_id"] for p in answer["pos.payment"]} == {o["id"] for o in orders}
    assert lines[0]["refunded_qty"] == 0 and lines[0]["refunded_orderline_id"] is False


def test_one_bad_order_rolls_back_the_whole_call(rpc: Rpc) -> None:
    good = [order(ref="kasir-1-000001"), order(ref="kasir-1-000003")]
    bad = order(ref="kasir-1-000002", payments=[(99, "7000")])
    error = rpc.sync_error(good[0], bad, good[1])
    assert error["name"] == "odoo.exceptions.ValidationError"
    assert rpc.count("pos.order", []) == 0 and rpc.count("pos.order.line", []) == 0
    answer = rpc.sync(*good)  # the same orders without the bad one
    assert [o["name"] for o in answer["pos.order"]] == ["Kasir 1/0001", "Kasir 1/0002"]


def test_search_orders_and_lines_by_uuid(rpc: Rpc) -> None:
    sales = [order(ref=f"kasir-1-00000{n}") for n in (1, 2)]
    rpc.sync(*sales)
    uuids = [s["uuid"] for s in sales]
    found = rpc.execute(
        "pos.order", "search_read", [["uuid", "in", uuids]], fields=["uuid", "state", "lines"]
    )
    assert {o["uuid"] for o in found} == set(uuids) and {o["state"] for o in found} == {"paid"}
    line_uuid = sales[1]["lines"][0][2]["uuid"]
    [line] = rpc.execute(
        "pos.order.line",
        "search_read",
        [["uuid", "in", [line_uuid]]],
        fields=["uuid", "order_id", "qty", "refunded_qty", "refund_orderline_ids"],
    )
    assert line["uuid"] == line_uuid and line["order_id"][0] in {o["id"] for o in found}
    assert line["refunded_qty"] == 0 and line["refund_orderline_ids"] == []


# -- refunds ------------------------------------------------------------------------------------


def refund_of(lines: list[tuple[int, int, str]], ref: str) -> dict[str, Any]:
    """A refund order: (Odoo line id, product, qty) lines, paid back in cash."""
    refund = order(lines=[(p, f"-{q}", "3500") for _, p, q in lines], ref=ref, total="0")
    for command, (line_id, _, _) in zip(refund["lines"], lines, strict=True):
        command[2]["refunded_orderline_id"] = line_id
    total = sum(command[2]["price_subtotal_incl"] for command in refund["lines"])
    refund.update(amount_total=total, amount_paid=total)
    refund["payment_ids"][0][2]["amount"] = total
    return refund


def test_refund_lines_point_at_what_they_refund(rpc: Rpc) -> None:
    sale = order(lines=[(1, "3", "3500"), (2, "1", "3500")], total="14000", payments=[(1, "14000")])
    [original_1, original_2] = rpc.sync(sale)["pos.order.line"]
    first = rpc.sync(refund_of([(original_1["id"], 1, "1")], "kasir-1-000002"))
    [refund_line] = first["pos.order.line"]
    assert refund_line["refunded_orderline_id"] == original_1["id"]
    assert refund_line["qty"] == Decimal(-1)
    rpc.sync(refund_of([(original_1["id"], 1, "1"), (original_2["id"], 2, "1")], "kasir-1-3"))
    lines = rpc.execute(
        "pos.order.line",
        "read",
        [original_1["id"], original_2["id"]],
        ["refunded_qty", "refund_orderline_ids"],
    )
    assert [line["refunded_qty"] for line in lines] == [Decimal(2), Decimal(1)]
    assert (
        len(lines[0]["refund_orderline_ids"]) == 2
        and refund_line["id"] in lines[0]["refund_orderline_ids"]
    )
    refunded = rpc.execute(
        "pos.order.line", "search", [["refunded_orderline_id", "=", original_1["id"]]]
    )
    assert sorted(refunded) == sorted(lines[0]["refund_orderline_ids"])


def test_refund_from_two_orders_or_an_unknown_line(rpc: Rpc) -> None:
    [a] = rpc.sync(order(ref="kasir-1-000001"))["pos.order.line"]
    [b] = rpc.sync(order(ref="kasir-1-000002"))["pos.order.line"]
    mixed = refund_of([(a["id"], 1, "1"), (b["id"], 1, "1")], "kasir-1-000003")
    error = rpc.sync_error(mixed)
    assert error["name"] == "odoo.exceptions.ValidationError"
    assert error["message"] == "You can only refund products from the same order."
    unknown = rpc.sync_error(refund_of([(999999, 1, "1")], "kasir-1-000004"))
    assert unknown["name"] == "odoo.exceptions.MissingError"
    assert unknown["message"] == (
        "Record does not exist or has been deleted.\n(Record: pos.order.line(999999,), User: 2)"
    )
    assert rpc.count("pos.order", []) == 2


# -- the configuration a relay mirrors -----------------------------------------------------------


def test_discount_fiscal_positions_and_tax_use(rpc: Rpc) -> None:
    [config] = rpc.execute(
        "pos.config",
        "read",
        [1],
        [
            "module_pos_discount",
            "discount_product_id",
            "discount_pc",
            "fiscal_position_ids",
            "default_fiscal_position_id",
        ],
    )
    assert config["module_pos_discount"] is True and config["discount_pc"] == Decimal(10)
    assert config["discount_product_id"] == [DISCOUNT_PRODUCT_ID, "[DISC] Diskon"]
    assert config["fiscal_position_ids"] == [FISCAL_POSITION_BEBAS_PPN_ID]
    assert config["default_fiscal_position_id"] is False
    [discount] = rpc.execute(
        "product.product", "read", [DISCOUNT_PRODUCT_ID], ["available_in_pos", "sale_ok"]
    )
    assert discount["available_in_pos"] is False and discount["sale_ok"] is True
    mapping = rpc.execute(
        "account.fiscal.position.tax",
        "search_read",
        [["position_id", "in", config["fiscal_position_ids"]]],
        fields=["position_id", "tax_src_id", "tax_dest_id"],
    )
    assert [(m["tax_src_id"][0], m["tax_dest_id"][0]) for m in mapping] == [
        (TAX_PPN_ID, TAX_ZERO_ID)
    ]
    sale_taxes = rpc.execute("account.tax", "search", [["type_tax_use", "=", "sale"]])
    assert TAX_PURCHASE_ID not in sale_taxes and {TAX_PPN_ID, TAX_ZERO_ID} <= set(sale_taxes)


LOYALTY_LOADED = {  # pos_loyalty's _load_pos_data_fields in Odoo 18
    "loyalty.program": [
        "name", "trigger", "applies_on", "program_type", "pricelist_ids", "date_from",
        "date_to", "limit_usage", "max_usage", "is_nominative", "portal_visible",
        "portal_point_name", "trigger_product_ids", "rule_ids", "reward_ids",
    ],
    "loyalty.rule": [
        "program_id", "valid_product_ids", "any_product", "currency_id",
        "reward_point_amount", "reward_point_split", "reward_point_mode",
        "minimum_qty", "minimum_amount", "minimum_amount_tax_mode", "mode", "code",
    ],
    "loyalty.reward": [
        "description", "program_id", "reward_type", "required_points", "clear_wallet",
        "currency_id", "discount", "discount_mode", "discount_applicability",
        "all_discount_product_ids", "is_global_discount", "discount_max_amount",
        "discount_line_product_id", "reward_product_id", "multi_product",
        "reward_product_ids", "reward_product_qty", "reward_product_uom_id",
        "reward_product_domain",
    ],
    "loyalty.card": ["partner_id", "code", "points", "program_id", "expiration_date"],
}  # fmt: skip


def test_loyalty_program_with_every_field_pos_loyalty_loads(rpc: Rpc) -> None:
    for model, fields in LOYALTY_LOADED.items():
        rpc.execute(model, "search_read", [], fields=fields, load=False)  # all readable
    [program] = rpc.execute(
        "loyalty.program",
        "search_read",
        [["pos_ok", "=", True], ["pos_config_ids", "in", [1]]],
        fields=[*LOYALTY_LOADED["loyalty.program"], "pos_config_ids"],
        load=False,
    )
    assert program["id"] == LOYALTY_PROGRAM_ID and program["program_type"] == "loyalty"
    [rule] = rpc.execute(
        "loyalty.rule", "read", program["rule_ids"], LOYALTY_LOADED["loyalty.rule"]
    )
    assert rule["reward_point_mode"] == "money" and rule["reward_point_amount"] == Decimal("0.001")
    [reward] = rpc.execute(
        "loyalty.reward", "read", program["reward_ids"], LOYALTY_LOADED["loyalty.reward"]
    )
    assert reward["reward_type"] == "discount" and reward["discount"] == Decimal(5000)
    assert reward["discount_line_product_id"][0] == LOYALTY_PRODUCT_ID
    fields = rpc.execute("loyalty.card", "fields_get", attributes=["type"])
    assert {"points", "code", "partner_id", "program_id"} <= set(fields)


# -- faults -------------------------------------------------------------------------------------


def test_faults_state_over_http(client: TestClient) -> None:
    assert client.get("/sandbox/faults").json()["down"] is False
    state = client.post("/sandbox/faults", json={"error_500": 2, "slow": 0.5}).json()
    assert state["error_500"] == 2 and state["slow"] == 0.5
    assert client.post("/sandbox/faults", json={"reset": True}).json()["error_500"] == 0
    assert client.post("/sandbox/faults", json={"nonsense": 1}).status_code == 400
    assert client.post("/sandbox/faults", json={"error_500": -1}).status_code == 400


def test_speed_and_worker_settings_are_faults(client: TestClient) -> None:
    state = client.post(
        "/sandbox/faults", json={"call_cost": 0.022, "order_cost": 0.021, "workers": 2}
    ).json()
    assert (state["call_cost"], state["order_cost"], state["workers"]) == (0.022, 0.021, 2)
    assert client.post("/sandbox/faults", json={"workers": 0}).status_code == 400
    assert client.post("/sandbox/faults", json={"order_cost": -1}).status_code == 400
    assert client.get("/sandbox/faults").json()["workers"] == 2  # a refused change changes nothing
    assert client.post("/sandbox/faults", json={"reset": True}).json()["workers"] == 1


def test_faults_set_at_start(store: SandboxStore) -> None:
    app = create_app(store, faults={"serialization_failures": 1, "call_cost": 0.01})
    assert app.state.faults.serialization_failures == 1 and app.state.faults.call_cost == 0.01


def test_serialization_failures_then_success(rpc: Rpc, client: TestClient) -> None:
    client.post("/sandbox/faults", json={"serialization_failures": 2})
    sale = order()
    for _ in range(2):
        error = rpc.sync_error(sale)
        assert error["name"] == "psycopg2.errors.SerializationFailure"
        assert error["message"].strip() == "could not serialize access due to concurrent update"
    assert rpc.count("pos.order", []) == 0
    assert rpc.count("product.product", [("id", "=", 1)]) == 1  # reads are not hit
    [booked] = rpc.sync(sale)["pos.order"]
    assert booked["state"] == "paid"


def test_call_and_order_cost_with_one_worker(http: Rpc, live: str) -> None:
    """Each call costs call_cost + order_cost x orders it processes, one call at a time; other
    requests are served meanwhile (the event loop is not blocked)."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    httpx.post(f"{live}/sandbox/faults", json={"call_cost": 0.2, "order_cost": 0.1})
    batch = [order(ref=f"kasir-1-00000{n}") for n in range(1, 4)]
    started = time.monotonic()
    http.sync(*batch)
    assert 0.5 <= time.monotonic() - started < 1.5  # 0.2 + 3 x 0.1
    started = time.monotonic()
    http.sync(*batch)  # nothing to process again: the call cost only
    assert 0.2 <= time.monotonic() - started < 0.45

    def timed_sync(sale: dict[str, Any]) -> float:
        with httpx.Client(base_url=live, timeout=10) as client:
            Rpc(client).sync(sale)
        return time.monotonic() - started

    started = time.monotonic()
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(timed_sync, [order(ref="kasir-1-5"), order(ref="kasir-1-6")]))
        assert httpx.get(f"{live}/sandbox/stats", timeout=5).status_code == 200
    assert max(done) >= 0.55  # one worker: the second call waited for the first (2 x 0.3)


def test_two_workers_can_book_one_uuid_twice(live: str) -> None:
    """Odoo 18 finds a uuid with a plain search inside its transaction: two calls running at once
    on two workers both miss it and both create it (there is no unique index)."""
    from concurrent.futures import ThreadPoolExecutor

    httpx.post(f"{live}/sandbox/faults", json={"call_cost": 0.3, "workers": 2})
    sale = order()

    def send(_: int) -> int:
        with httpx.Client(base_url=live, timeout=10) as client:
            return Rpc(client).sync(sale)["pos.order"][0]["id"]

    with ThreadPoolExecutor(2) as pool:
        ids = set(pool.map(send, [1, 2]))
    assert len(ids) == 2
    with httpx.Client(base_url=live, timeout=10) as client:
        assert Rpc(client).count("pos.order", [("uuid", "=", sale["uuid"])]) == 2


def test_error_500_then_success(rpc: Rpc, client: TestClient) -> None:
    client.post("/sandbox/faults", json={"error_500": 2})
    sale = order()
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": [DB, UID, KEY, "pos.order", "sync_from_ui", [[sale]], {}],
        },
        "id": 1,
    }
    for _ in range(2):
        failed = client.post("/jsonrpc", content=dumps(body))
        assert failed.status_code == 500
        assert failed.headers["content-type"].startswith("text/html")
        assert "500 Internal Server Error" in failed.text
    assert client.get("/sandbox/stats").json() == {"sync_calls": 0, "orders": 0}  # no work done
    # common calls are not execute_kw: they are never hit by error_500
    [booked] = rpc.sync(sale)["pos.order"]
    assert booked["state"] == "paid"
    assert client.get("/sandbox/stats").json() == {"sync_calls": 1, "orders": 1}


def test_drop_after_commit_over_real_http(http: Rpc, live: str) -> None:
    httpx.post(f"{live}/sandbox/faults", json={"drop_after_commit": 1})
    sale = order()
    with pytest.raises(httpx.TransportError):
        http.sync(sale)
    # Odoo committed before the connection died: the order is there, exactly once, and a retry
    # with the same uuid gets it back instead of booking it again.
    assert http.count("pos.order", [("uuid", "=", sale["uuid"])]) == 1
    [again] = http.sync(sale)["pos.order"]
    assert again["uuid"] == sale["uuid"] and again["state"] == "paid"
    stats = httpx.get(f"{live}/sandbox/stats").json()
    assert stats == {"sync_calls": 2, "orders": 1}
    assert httpx.get(f"{live}/sandbox/faults").json()["drop_after_commit"] == 0


def test_drop_after_commit_in_process(client: TestClient, app: Any, rpc: Rpc) -> None:
    app.state.faults.drop_after_commit = 1
    sale = order()
    with pytest.raises(Exception, match="dropped the connection"):
        rpc.sync(sale)
    assert rpc.count("pos.order", [("uuid", "=", sale["uuid"])]) == 1


def test_down_over_real_http(http: Rpc, live: str) -> None:
    httpx.post(f"{live}/sandbox/faults", json={"down": True})
    with pytest.raises(httpx.TransportError):
        http.call("common", "version")
    assert httpx.get(f"{live}/sandbox/faults").json()["down"] is True
    httpx.post(f"{live}/sandbox/faults", json={"reset": True})
    assert http.call("common", "version")["result"]["server_version"] == "18.0"


def test_down_in_process_is_503(client: TestClient, app: Any) -> None:
    app.state.faults.down = True
    answer = client.post("/jsonrpc", json={"jsonrpc": "2.0", "method": "call", "params": {}})
    assert answer.status_code == 503


def test_slow_over_real_http(live: str) -> None:
    httpx.post(f"{live}/sandbox/faults", json={"slow": 0.5})
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {"service": "common", "method": "version", "args": []},
        "id": 1,
    }
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{live}/jsonrpc", json=body, timeout=0.05)
    httpx.post(f"{live}/sandbox/faults", json={"slow": 0})
    assert (
        httpx.post(f"{live}/jsonrpc", json=body, timeout=5).json()["result"]["protocol_version"]
        == 1
    )


def test_real_http_search_read(http: Rpc) -> None:
    assert http.call("common", "authenticate", DB, "admin", KEY, {})["result"] == UID
    products = http.execute(
        "product.product", "search_read", [("id", "<=", 3)], fields=["lst_price"], order="id"
    )
    assert [p["lst_price"] for p in products] == [Decimal(3500), Decimal(16500), Decimal(3500)]


# -- demo data ----------------------------------------------------------------------------------


def test_ean13_check_digit() -> None:
    assert ean13_check_digit("400638133393") == "1"  # a real EAN-13: 4006381333931
    assert ean13_check_digit("899886620001") == str(
        (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate("899886620001")) % 10) % 10
    )
    with pytest.raises(ValueError):
        ean13_check_digit("123")


def test_barcodes_valid_and_unique_for_5000_products() -> None:
    products = list(generate_products(5000))
    barcodes = [p["barcode"] for p in products]
    assert len(set(barcodes)) == 5000
    assert all(code.startswith("899") and is_valid_ean13(code) for code in barcodes)
    assert len({p["default_code"] for p in products}) == 5000
    prices = [Decimal(p["lst_price"]) for p in products]
    assert all(500 <= price <= 150_000 and price == price.to_integral() for price in prices)
    assert sum(price % 100 == 0 for price in prices) > 4000
    assert all(Decimal(p["standard_price"]) < Decimal(p["lst_price"]) for p in products)


def test_demo_data_is_deterministic_and_seeding_idempotent(tmp_path: Path) -> None:
    assert list(generate_products(300)) == list(generate_products(300))
    sandbox_store = SandboxStore(tmp_path / "again.db")
    try:
        assert sandbox_store.is_empty()
        assert seed(sandbox_store, products=20) is True
        assert not sandbox_store.is_empty()
        assert seed(sandbox_store, products=20) is False
        with sandbox_store.transaction() as tx:
            # + the discount products, the loose rice and the price-labelled fruit
            assert tx.count("product.product") == 20 + 4
            assert tx.count("pos.category") == 7
            session = tx.get("pos.session", 1)
            assert session is not None and session["state"] == "opened"
            assert session["name"] == "POS/00001"
    finally:
        sandbox_store.close()
