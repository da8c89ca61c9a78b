"""Cashiers (pos_hr) from Odoo to the tills and back: the mirror reads the config's employees and
their PINs hashed by Odoo (as recorded from a real Odoo 18, tests/fixtures/odoo18/pos_hr_*), the
sandbox answers those calls as Odoo did, the bootstrap carries them (never a plain PIN), and an
order's cashier reaches Odoo's employee_id (or user_id)."""

from __future__ import annotations

import asyncio
import copy
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from kasir import odoo_mapping as mapping
from kasir.journal import Journal
from kasir.mirror import Mirror
from kasir.sandbox.demo import CASHIER_ANI, CASHIER_BUDI
from processes import (
    KasirProcess,
    TerminalClient,
    make_order,
    odoo_answer,
    odoo_call,
    pair,
    start_relay,
    wait_for,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "odoo18"
ODOO_ANI, ODOO_BUDI, ODOO_ADMIN = 2, 3, 1  # the recorded employees (see the fixtures' README)


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"pos_hr_{name}.json").read_text(), parse_float=Decimal)


class RecordedOdoo:
    """Answers the mirror's pos_hr calls with Odoo 18's recorded answers, and keeps the calls."""

    def __init__(self) -> None:
        self.recorded = {
            (f["call"]["model"], f["call"]["method"]): f
            for f in map(load, ("fields_get_hr_employee", "search_read_hr_employee",
                                "get_barcodes_and_pin_hashed", "search_res_users_pos_manager"))
        }  # fmt: skip
        self.calls: list[tuple[str, str, list[Any], dict[str, Any]]] = []

    async def execute_kw(self, model: str, method: str, args: list, kwargs: dict) -> Any:
        self.calls.append((model, method, args, kwargs))
        return self.recorded[(model, method)]["answer"]

    async def search_read(self, model: str, domain: list, fields: list, **kwargs: Any) -> Any:
        return await self.execute_kw(model, "search_read", [domain], {"fields": fields, **kwargs})

    async def search(self, model: str, domain: list, **kwargs: Any) -> Any:
        return await self.execute_kw(model, "search", [domain], kwargs)


def test_the_mirror_reads_the_configs_cashiers_as_odoo_gives_them(tmp_path: Path) -> None:
    [config] = load("search_read_pos_config")["answer"]
    odoo = RecordedOdoo()
    journal = Journal(tmp_path / "kasir.db")
    try:
        mirror = Mirror(journal, odoo)  # type: ignore[arg-type]
        cashiers = asyncio.run(mirror._cashiers(config, 1))
    finally:
        journal.close()
    calls = {(model, method): (args, kwargs) for model, method, args, kwargs in odoo.calls}
    for (model, method), recorded in odoo.recorded.items():
        args, kwargs = calls[(model, method)]
        if method == "search_read":  # the same employees asked for, in whatever order
            [[company, (_, _, ids)]] = args
            [[odoo_company, (_, _, odoo_ids)]] = recorded["call"]["args"]
            assert company == odoo_company and sorted(ids) == sorted(odoo_ids)
            assert kwargs == recorded["call"]["kwargs"]
        elif method == "get_barcodes_and_pin_hashed":  # the employees read, in any order
            assert sorted(args[0]) == sorted(recorded["call"]["args"][0])
        elif method != "fields_get":
            assert (args, kwargs) == (recorded["call"]["args"], recorded["call"]["kwargs"])
    pins = {row["id"]: row["pin"] for row in load("get_barcodes_and_pin_hashed")["answer"]}
    assert cashiers == [
        # the session's user is in the POS manager group: a manager without a PIN
        {"employee_id": ODOO_ADMIN, "name": "Administrator", "user_id": 2, "pin": None,
         "manager": True},
        {"employee_id": ODOO_ANI, "name": "Ani", "user_id": None, "pin": pins[ODOO_ANI],
         "manager": False},
        {"employee_id": ODOO_BUDI, "name": "Budi", "user_id": None, "pin": pins[ODOO_BUDI],
         "manager": True},  # an advanced employee
    ]  # fmt: skip


def test_without_pos_hr_or_with_it_off_there_are_no_cashiers(tmp_path: Path) -> None:
    [config] = load("search_read_pos_config")["answer"]
    odoo = RecordedOdoo()
    odoo.recorded[("hr.employee", "fields_get")] = {"answer": {}}  # hr is not installed
    journal = Journal(tmp_path / "kasir.db")
    try:
        mirror = Mirror(journal, odoo)  # type: ignore[arg-type]
        assert asyncio.run(mirror._cashiers(config, 1)) == []
        assert asyncio.run(mirror._cashiers({**config, "module_pos_hr": False}, 1)) == []
    finally:
        journal.close()
    assert [call[1] for call in odoo.calls] == ["fields_get"]


# -- the sandbox answers as Odoo did -------------------------------------------------------------


def test_the_sandbox_hashes_pins_and_describes_employees_as_odoo(hr_sandbox) -> None:
    fields = odoo_call(hr_sandbox.url, "hr.employee", "fields_get", [], {"attributes": ["type"]})
    recorded = load("fields_get_hr_employee")["answer"]
    for name in [*mapping.EMPLOYEE_FIELDS[1:], "company_id"]:
        assert fields[name]["type"] == recorded[name]["type"], name
    rows = odoo_call(hr_sandbox.url, "hr.employee", "search_read", [[["company_id", "in", [1, False]]]],
                     {"fields": mapping.EMPLOYEE_FIELDS, "order": "name, id"})  # fmt: skip
    assert [row["name"] for row in rows] == ["Ani", "Budi"]
    assert all(set(row) == set(load("search_read_hr_employee")["answer"][0]) for row in rows)
    ids = [row["id"] for row in rows]
    ours = odoo_call(hr_sandbox.url, "hr.employee", "get_barcodes_and_pin_hashed", [ids])
    odoo = load("get_barcodes_and_pin_hashed")["answer"]
    # Ani's PIN is 1234 in both: the same digest (unsalted SHA-1, as Odoo's POS compares it).
    assert ours[0] == {"id": CASHIER_ANI[0], "barcode": False,
                       "pin": next(r["pin"] for r in odoo if r["id"] == ODOO_ANI)}  # fmt: skip
    assert [set(row) for row in ours] == [set(odoo[0])] * 2
    config_fields = load("search_read_pos_config")["call"]["kwargs"]["fields"]
    present = set(odoo_call(hr_sandbox.url, "pos.config", "fields_get", [], {}))
    assert set(config_fields) - {"id", "current_user_id"} <= present


@pytest.mark.parametrize("case", ["employee", "user", "no_cashier", "unknown_employee"])
def test_the_sandbox_books_the_cashier_as_odoo(hr_sandbox, case: str) -> None:
    recorded = load(f"sync_order_{case}")
    [order] = copy.deepcopy(recorded["call"]["args"][0])
    products = odoo_call(
        hr_sandbox.url, "product.product", "search", [[["available_in_pos", "=", True]]]
    )
    order["lines"][0][2]["product_id"] = products[0]
    order["lines"][0][2]["tax_ids"] = [[6, 0, []]]
    order["session_id"] = 1
    if order.get("employee_id") == ODOO_ANI:
        order["employee_id"] = CASHIER_ANI[0]
    answer = odoo_answer(hr_sandbox.url, "pos.order", "sync_from_ui", [[order]])
    if "error" in recorded:
        error = answer["error"]["data"]
        assert error["name"] == recorded["error"]["data"]["name"]
        assert error["message"] == recorded["error"]["data"]["message"]
        return
    [odoo_after] = recorded["after"]["pos.order"]
    [ours] = odoo_call(hr_sandbox.url, "pos.order", "search_read", [[["uuid", "=", order["uuid"]]]],
                       {"fields": ["employee_id", "user_id", "cashier"]})  # fmt: skip
    assert bool(ours["employee_id"]) == bool(odoo_after["employee_id"])
    assert mapping.m2o_name(ours["employee_id"]) == mapping.m2o_name(odoo_after["employee_id"])
    assert ours["user_id"][0] == odoo_after["user_id"][0] == 2
    assert ours["cashier"] == odoo_after["cashier"]
    assert (
        answer["result"]["pos.order"][0]["cashier"] == recorded["answer"]["pos.order"][0]["cashier"]
    )


# -- through the relay ----------------------------------------------------------------------------


def bootstrap_of(relay: KasirProcess) -> tuple[TerminalClient, dict[str, Any]]:
    client = TerminalClient(relay, *pair(relay, "kasir-1"))
    answer = wait_for(
        lambda: (r := client.get("/api/v1/bootstrap")).status_code == 200 and r,
        "the first mirror",
    )
    return client, answer.json()


def test_the_bootstrap_carries_the_cashiers_with_hashed_pins_and_the_rules(hr_relay) -> None:
    client, bootstrap = bootstrap_of(hr_relay)
    client.http.close()
    assert [(c["name"], c["manager"]) for c in bootstrap["cashiers"]] == [
        ("Ani", False),
        ("Budi", True),
    ]
    assert all(re.fullmatch(r"[0-9a-f]{40}", cashier["pin"]) for cashier in bootstrap["cashiers"])
    assert not re.search(r'"(1234|5678)"', json.dumps(bootstrap))  # never a plain PIN
    assert bootstrap["config"]["manager_pin_for"] == ["price", "discount", "refund", "cash_out"]
    assert Decimal(bootstrap["config"]["discount_limit"]) == 10


def test_the_relays_rules_for_a_manager_pin_reach_the_tills(tmp_path, hr_sandbox) -> None:
    (tmp_path / "relay").mkdir()
    env = {"KASIR_MANAGER_PIN_FOR": "refund, cash_out", "KASIR_DISCOUNT_LIMIT": "25"}
    relay = start_relay(tmp_path / "relay", hr_sandbox.url, env=env)
    try:
        client, bootstrap = bootstrap_of(relay)
        client.http.close()
    finally:
        relay.stop(timeout=5)
    assert bootstrap["config"]["manager_pin_for"] == ["refund", "cash_out"]
    assert Decimal(bootstrap["config"]["discount_limit"]) == 25


def test_a_shop_without_cashiers_sends_none(relay) -> None:
    client, bootstrap = bootstrap_of(relay)
    client.http.close()
    assert bootstrap["cashiers"] == []


def test_each_orders_cashier_reaches_odoo(hr_relay, hr_sandbox) -> None:
    client, _ = bootstrap_of(hr_relay)
    try:
        by_ani = make_order("kasir-1", 1, [(1, "3500", 1)])
        by_ani["cashier"] = {"employee_id": CASHIER_ANI[0], "name": "Ani"}
        by_user = make_order("kasir-1", 2, [(1, "3500", 1)])
        by_user["cashier"] = {"user_id": 2, "name": "Administrator"}
        older = make_order("kasir-1", 3, [(1, "3500", 1)])  # a till from before cashiers
        refund_approved = make_order("kasir-1", 4, [(1, "3500", 1)])
        refund_approved["cashier"] = {"employee_id": CASHIER_ANI[0], "name": "Ani"}
        refund_approved["approved_by"] = {"employee_id": CASHIER_BUDI[0], "name": "Budi"}
        refund_approved["lines"][0]["approved_by"] = {
            "employee_id": CASHIER_BUDI[0],
            "name": "Budi",
        }
        orders = [by_ani, by_user, older, refund_approved]
        answer = client.sync(orders)
        assert [r["status"] for r in answer["results"]] == ["accepted"] * 4
        states = client.wait_settled([o["uuid"] for o in orders])
        assert {s["status"] for s in states.values()} == {"posted"}, states
    finally:
        client.http.close()
    booked = odoo_call(hr_sandbox.url, "pos.order", "search_read",
                       [[["uuid", "in", [o["uuid"] for o in orders]]]],
                       {"fields": ["uuid", "employee_id", "user_id", "cashier"]})  # fmt: skip
    by_uuid = {row["uuid"]: row for row in booked}
    assert len(by_uuid) == len(orders)
    assert by_uuid[by_ani["uuid"]]["employee_id"] == [CASHIER_ANI[0], "Ani"]
    assert by_uuid[by_ani["uuid"]]["cashier"] == "Ani"
    assert by_uuid[by_user["uuid"]]["employee_id"] is False
    assert by_uuid[by_user["uuid"]]["user_id"][0] == 2
    assert by_uuid[older["uuid"]]["cashier"] == "Administrator"  # the relay's own user
    assert by_uuid[refund_approved["uuid"]]["cashier"] == "Ani"


@pytest.mark.parametrize(
    ("cashier", "message"),
    [
        ({"name": "Ani"}, 'cashier must be {"employee_id": N, "name": ...}'),
        ({"employee_id": 1, "user_id": 2, "name": "Ani"}, "cashier must be"),
        ({"employee_id": "one", "name": "Ani"}, "cashier.employee_id"),
        ({"employee_id": 1}, "cashier.name"),
        ("Ani", "cashier must be"),
    ],
)
def test_a_malformed_cashier_is_rejected_with_its_reason(terminal, cashier, message) -> None:
    order = make_order("kasir-1", 1, [(1, "3500", 1)])
    order["cashier"] = cashier
    [result] = terminal.sync([order])["results"]
    assert result["status"] == "rejected" and message in result["error"], result
