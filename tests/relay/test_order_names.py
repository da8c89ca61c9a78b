"""The state feed names a posted sale as Odoo does ("Shop/0001"), so the till shows where it is
booked; items not posted carry no such name, and older journals gain the column in place."""

from __future__ import annotations

import sqlite3

from kasir.journal import Incoming, Journal
from kasir.records import body_sha256, canonical
from processes import make_order


def test_a_posted_sale_carries_odoo_s_name_in_the_state_feed(sandbox, relay, terminal) -> None:
    first = make_order("kasir-1", 1, [(1, "3500", 2)])
    second = make_order("kasir-1", 2, [(1, "3500", 1)])
    assert [r["status"] for r in terminal.sync([first, second])["results"]] == ["accepted"] * 2
    states = terminal.wait_settled([first["uuid"], second["uuid"]])
    booked = {row["uuid"]: row["name"] for row in sandbox.orders([first["uuid"], second["uuid"]])}
    for order in (first, second):
        state = states[order["uuid"]]
        assert state["status"] == "posted"
        assert state["odoo_name"] == booked[order["uuid"]]
        # Odoo's own sequence, not the till's receipt number.
        assert state["odoo_name"] != order["name"]
    assert states[first["uuid"]]["odoo_name"] != states[second["uuid"]]["odoo_name"]


def test_only_posted_items_carry_a_name_and_an_old_journal_upgrades(tmp_path) -> None:
    path = tmp_path / "old.db"
    # A journal made before the column existed: the items table without odoo_name.
    journal = Journal(path)
    journal.close()
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE items DROP COLUMN odoo_name")
    db.commit()
    db.close()

    journal = Journal(path)
    orders = [make_order("kasir-1", seq, [(1, "3500", 1)]) for seq in (1, 2, 3)]
    for order in orders:
        body = canonical(order)
        item = Incoming(order["uuid"], "kasir-1", order["seq"], "order", body, body_sha256(body))
        assert journal.accept([item]) == ["accepted"]
    journal.mark_posted_many(
        [(orders[0]["uuid"], 11, {}), (orders[1]["uuid"], 12, {})],
        {orders[0]["uuid"]: "Shop/0011"},
    )
    journal.mark_failed(orders[2]["uuid"], "no", odoo_id=13)
    states = {s["uuid"]: s for s in journal.changes("kasir-1", 0)[0]}
    assert states[orders[0]["uuid"]] == {
        "uuid": orders[0]["uuid"], "status": "posted", "odoo_id": 11, "odoo_name": "Shop/0011"
    }  # fmt: skip
    assert "odoo_name" not in states[orders[1]["uuid"]]  # Odoo's answer gave no name
    assert "odoo_name" not in states[orders[2]["uuid"]]
    journal.close()
