"""A register's day through the relay: the session opened with a count, cash moved in and out,
closed with a count, each reaching Odoo once and in the terminal's order. Real sandbox and relay
processes (an in-process forwarder where an answer must be lost on purpose)."""

from __future__ import annotations

import asyncio
import time
import uuid as uuidlib
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from kasir import records
from kasir.config import OdooSettings
from kasir.forwarder import Forwarder
from kasir.journal import Incoming, Journal
from kasir.odoo import OdooClient, OdooTransient, transport_for
from kasir.odoo_mapping import partner_ref
from processes import (
    SANDBOX_DB,
    SANDBOX_KEY,
    SANDBOX_LOGIN,
    KasirProcess,
    TerminalClient,
    kasir,
    make_order,
    pair,
    wait_for,
)

GOOD = [(1, "3500", 2)]
SESSION_FIELDS = [
    "id",
    "state",
    "cash_register_balance_start",
    "cash_register_balance_end_real",
    "opening_notes",
    "closing_notes",
]


def now() -> str:
    return datetime.now(UTC).isoformat()


def opening(terminal: str, seq: int, cash: str = "150000", **more: Any) -> dict[str, Any]:
    return {
        "uuid": str(uuidlib.uuid4()),
        "kind": "session",
        "op": "open",
        "terminal": terminal,
        "seq": seq,
        "created_at": now(),
        "cashier": "Sari",
        "cash": cash,
        "counts": {"100000": 1, "50000": 1},
        "note": "Pagi",
        **more,
    }


def cash_move(terminal: str, seq: int, session: dict[str, Any], kind: str, amount: str,
              reason: str = "Beli es batu") -> dict[str, Any]:  # fmt: skip
    return {
        "uuid": str(uuidlib.uuid4()),
        "kind": "cash_move",
        "terminal": terminal,
        "seq": seq,
        "created_at": now(),
        "session_uuid": session["uuid"],
        "type": kind,
        "amount": amount,
        "reason": reason,
        "cashier": "Sari",
    }


def closing(terminal: str, seq: int, session: dict[str, Any], cash: str, expected: str,
            note: str = "") -> dict[str, Any]:  # fmt: skip
    return {
        "uuid": str(uuidlib.uuid4()),
        "kind": "session",
        "op": "close",
        "terminal": terminal,
        "seq": seq,
        "created_at": now(),
        "session_uuid": session["uuid"],
        "cashier": "Sari",
        "cash": cash,
        "expected": expected,
        "note": note,
    }


def sessions(sandbox: KasirProcess) -> list[dict[str, Any]]:
    return sandbox.rpc(
        "pos.session", "search_read", [[["config_id", "=", 1]]], {"fields": SESSION_FIELDS,
                                                                    "order": "id"}
    )  # fmt: skip


def cash_lines(sandbox: KasirProcess, key: str) -> list[dict[str, Any]]:
    return sandbox.rpc(
        "account.bank.statement.line",
        "search_read",
        [[["payment_ref", "ilike", key]]],
        {"fields": ["id", "amount", "payment_ref", "pos_session_id"]},
    )


def close_demo_session(sandbox: KasirProcess) -> None:
    """The demo opens its register; a day that starts with none open opens its own."""
    import httpx

    answer = httpx.post(f"{sandbox.url}/sandbox/control", json={"action": "close_session"})
    assert answer.status_code == 200, answer.text


# -- what the relay accepts ---------------------------------------------------------------------


def _open() -> dict[str, Any]:
    return opening("kasir-1", 1)


BAD = [
    ({**_open(), "cash": "-1"}, "cash must be 0 or more"),
    ({**_open(), "cash": "100.505"}, "cash may have at most 2 decimals"),
    ({**_open(), "cash": 100}, 'cash must be a decimal string such as "12500"'),
    ({**_open(), "op": "reopen"}, "op must be one of open, close"),
    ({**_open(), "cashier": " "}, "cashier must not be empty"),
    ({**_open(), "counts": {"100000": -1}}, "counts['100000'] must be >= 0"),
    ({**_open(), "counts": {"abc": 1}}, "counts key 'abc' must be a decimal string"),
    ({**_open(), "counts": {"0": 1}}, "counts key '0' must be more than 0"),
    ({**_open(), "session_uuid": str(uuidlib.uuid4())}, "session_uuid is for a close"),
    ({**cash_move("kasir-1", 2, _open(), "out", "5000"), "reason": ""}, "reason must not be empty"),
    (cash_move("kasir-1", 2, _open(), "sideways", "5000"), "type must be in or out"),
    (cash_move("kasir-1", 2, _open(), "out", "0"), "amount must be more than 0"),
    ({**cash_move("kasir-1", 2, _open(), "in", "5"), "session_uuid": "x"}, "session_uuid must be"),
    ({**closing("kasir-1", 3, _open(), "1", "1"), "session_uuid": None}, "session_uuid must be"),
    ({**closing("kasir-1", 3, _open(), "1", "1"), "expected": "-5"}, "expected must be 0 or more"),
]


@pytest.mark.parametrize(("record", "message"), BAD, ids=[m for _, m in BAD])
def test_malformed_day_records_are_refused_with_the_reason(record, message):
    with pytest.raises(records.RecordError) as refused:
        records.read_item(record, "kasir-1")
    assert message in str(refused.value)


def test_well_formed_day_records_pass():
    session = opening("kasir-1", 1, cash="150000.50")
    for record in (
        session,
        cash_move("kasir-1", 2, session, "in", "12500.5"),
        closing("kasir-1", 3, session, "130000", "162500.00", note="Kurang"),
    ):
        assert records.read_item(record, "kasir-1")[:3] == (
            record["uuid"],
            record["kind"],
            record["seq"],
        )


# -- a day, end to end --------------------------------------------------------------------------


def test_a_day_reaches_odoo_once_in_order(sandbox, relay, terminal):
    close_demo_session(sandbox)
    before = {row["id"] for row in sessions(sandbox)}
    session = opening("kasir-1", 1)
    order = {**make_order("kasir-1", 2, GOOD), "session_uuid": session["uuid"]}
    out = cash_move("kasir-1", 3, session, "out", "20000")
    cash_in = cash_move("kasir-1", 4, session, "in", "5000", reason="Modal tambahan")
    # 150000 + 7000 sold in cash - 20000 + 5000 = 142000 expected; 141000 counted
    close = closing("kasir-1", 5, session, "141000", "142000", note="Kurang 1.000")
    day = [session, order, out, cash_in, close]
    answer = terminal.sync(day)
    assert [r["status"] for r in answer["results"]] == ["accepted"] * 5
    states = terminal.wait_settled([r["uuid"] for r in day])
    assert {s["status"] for s in states.values()} == {"posted"}, states
    [made] = [row for row in sessions(sandbox) if row["id"] not in before]
    assert made["id"] == states[session["uuid"]]["odoo_id"] == states[close["uuid"]]["odoo_id"]
    assert made["state"] == "closed"
    assert Decimal(str(made["cash_register_balance_start"])) == 150000
    assert Decimal(str(made["cash_register_balance_end_real"])) == 141000
    assert made["opening_notes"] == f"Pagi\n{partner_ref(session['uuid'])}"
    assert made["closing_notes"] == "Kurang 1.000"
    [booked] = sandbox.rpc(
        "pos.order", "search_read", [[["uuid", "=", order["uuid"]]]], {"fields": ["session_id"]}
    )
    assert booked["session_id"][0] == made["id"]
    [line] = cash_lines(sandbox, partner_ref(out["uuid"]))
    assert (Decimal(str(line["amount"])), line["pos_session_id"][0]) == (-20000, made["id"])
    assert line["id"] == states[out["uuid"]]["odoo_id"]
    assert len(cash_lines(sandbox, partner_ref(cash_in["uuid"]))) == 1
    # The terminal sends its day again (it never heard back): nothing is booked twice.
    again = terminal.sync(day)
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 5
    time.sleep(1)
    assert [row["id"] for row in sessions(sandbox) if row["id"] not in before] == [made["id"]]
    assert len(cash_lines(sandbox, partner_ref(out["uuid"]))) == 1


def test_an_open_joins_the_session_odoo_has_open(sandbox, relay, terminal):
    [demo] = [row for row in sessions(sandbox) if row["state"] == "opened"]
    session = opening("kasir-1", 1)
    terminal.sync([session])
    state = terminal.wait_settled([session["uuid"]])[session["uuid"]]
    assert (state["status"], state["odoo_id"]) == ("posted", demo["id"])
    assert [row["id"] for row in sessions(sandbox)] == [demo["id"]]


def test_a_close_waits_for_the_terminals_unsent_sale(sandbox, relay, terminal):
    close_demo_session(sandbox)
    session = opening("kasir-1", 1)
    held = {**make_order("kasir-1", 2, GOOD), "amount_total": "1"}  # differs: held for a manager
    close = closing("kasir-1", 3, session, "150000", "150000")
    terminal.sync([session, held, close])

    def waiting() -> str | None:
        states = {s["uuid"]: s for s in terminal.states("0")["states"]}
        return states.get(close["uuid"], {}).get("error")

    reason = wait_for(waiting, timeout=15, what="the close waiting")
    assert f"waiting for {held['name']} (held" in reason, reason
    assert [row["state"] for row in sessions(sandbox)][-1] == "opened"
    flag = relay.args.index("--db")
    done = kasir("discard", held["uuid"], "--reason", "wrong total", "--db", relay.args[flag + 1])
    assert done.returncode == 0, done.stderr
    assert terminal.wait_settled([close["uuid"]])[close["uuid"]]["status"] == "posted"
    assert [row["state"] for row in sessions(sandbox)][-1] == "closed"


def test_terminals_share_the_session_and_the_last_close_closes_it(sandbox, relay, terminal):
    close_demo_session(sandbox)
    second = TerminalClient(relay, *pair(relay, "kasir-2"))
    first_open, second_open = opening("kasir-1", 1, "100000"), opening("kasir-2", 1, "50000")
    terminal.sync([first_open])
    opened = terminal.wait_settled([first_open["uuid"]])[first_open["uuid"]]["odoo_id"]
    second.sync([second_open])
    assert second.wait_settled([second_open["uuid"]])[second_open["uuid"]]["odoo_id"] == opened
    first_close = closing("kasir-1", 2, first_open, "99000", "100000")
    terminal.sync([first_close])
    assert terminal.wait_settled([first_close["uuid"]])[first_close["uuid"]]["status"] == "posted"
    assert sessions(sandbox)[-1]["state"] == "opened"  # kasir-2 still sells in it
    second_close = closing("kasir-2", 2, second_open, "50000", "50000")
    second.sync([second_close])
    assert second.wait_settled([second_close["uuid"]])[second_close["uuid"]]["odoo_id"] == opened
    last = sessions(sandbox)[-1]
    assert (last["id"], last["state"]) == (opened, "closed")
    assert Decimal(str(last["cash_register_balance_end_real"])) == 149000  # both drawers
    second.http.close()


# -- answers lost after Odoo committed ------------------------------------------------------------


class LosingTransport:
    """The relay's transport to the sandbox, losing the answer of the first call of each
    method in `lose` after the sandbox committed it (a dropped connection)."""

    def __init__(self, settings: OdooSettings, lose: set[str]) -> None:
        self.inner = transport_for(settings)
        self.lose = set(lose)
        self.calls: dict[str, int] = {}

    async def version(self) -> dict[str, Any]:
        return await self.inner.version()

    async def authenticate(self, settings: OdooSettings) -> int:
        return await self.inner.authenticate(settings)

    async def execute(self, settings, uid, model, method, args, kwargs):
        answer = await self.inner.execute(settings, uid, model, method, args, kwargs)
        self.calls[method] = self.calls.get(method, 0) + 1
        if method in self.lose:
            self.lose.discard(method)
            raise OdooTransient("connection dropped after Odoo committed", in_doubt=True)
        return answer

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_lost_answers_never_open_or_move_twice(sandbox, tmp_path: Path):
    close_demo_session(sandbox)
    before = {row["id"] for row in sessions(sandbox)}
    journal = Journal(tmp_path / "kasir.db")
    session = opening("kasir-1", 1)
    out = cash_move("kasir-1", 2, session, "out", "20000")
    close = closing("kasir-1", 3, session, "130000", "130000")
    for record in (session, out, close):
        body = records.canonical(record)
        journal.accept([Incoming(record["uuid"], "kasir-1", record["seq"], record["kind"], body,
                                 records.body_sha256(body))])  # fmt: skip
    settings = OdooSettings(
        url=sandbox.url, db=SANDBOX_DB, login=SANDBOX_LOGIN, api_key=SANDBOX_KEY, version=18
    )
    transport = LosingTransport(
        settings, {"set_opening_control", "try_cash_in_out", "close_session_from_ui"}
    )
    client = OdooClient(settings, transport)
    forwarder = Forwarder(journal, client, config_id=lambda: 1, backoff_base=0.0, backoff_cap=0.0,
                          odoo_time_limit=0.0)  # fmt: skip

    async def main() -> None:
        try:
            for _ in range(20):
                if await forwarder.pass_once() is None:
                    return
        finally:
            await client.aclose()

    asyncio.run(main())
    assert {journal.get(r["uuid"]).state for r in (session, out, close)} == {"posted"}
    assert transport.lose == set()  # each answer was lost once
    [made] = [row for row in sessions(sandbox) if row["id"] not in before]
    assert made["state"] == "closed"
    assert transport.calls["create"] == 1
    [line] = cash_lines(sandbox, partner_ref(out["uuid"]))
    assert journal.get(out["uuid"]).odoo_id == line["id"]
    assert transport.calls["try_cash_in_out"] == 1
