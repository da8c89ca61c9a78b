"""Many terminals and several relays at once, over real processes: every order booked once."""

from __future__ import annotations

import asyncio
import os
import uuid as uuidlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from kasir.forwarder import Forwarder
from kasir.journal import STATES, Incoming, Journal
from kasir.records import body_sha256, canonical
from processes import (
    KasirProcess,
    TerminalClient,
    booked_once,
    drop_postgres_schema,
    make_order,
    pair,
    postgres_schema,
    start_relay,
)

EMPTY_COUNTS = dict.fromkeys(STATES, 0)

POSTGRES_URL = os.environ.get("KASIR_TEST_DATABASE_URL", "").strip()
GOOD = [(1, "3500", 2)]


def send_in_batches(client: TerminalClient, orders: list[dict], size: int) -> list[str]:
    statuses = []
    for start in range(0, len(orders), size):
        answer = client.sync(orders[start : start + size])
        statuses += [r["status"] for r in answer["results"]]
    return statuses


def test_twenty_terminals_send_a_thousand_orders_at_once(sandbox, relay) -> None:
    terminals = [TerminalClient(relay, *pair(relay, f"kasir-{n}")) for n in range(1, 21)]
    orders = {t.name: [make_order(t.name, seq, GOOD) for seq in range(1, 51)] for t in terminals}
    try:
        with ThreadPoolExecutor(len(terminals)) as pool:
            results = list(pool.map(lambda t: send_in_batches(t, orders[t.name], 10), terminals))
        assert all(statuses == ["accepted"] * 50 for statuses in results)
        for client in terminals:
            uuids = [o["uuid"] for o in orders[client.name]]
            states = client.wait_settled(uuids, timeout=60)
            assert {s["status"] for s in states.values()} == {"posted"}
    finally:
        for client in terminals:
            client.http.close()
    booked_once(sandbox, [o["uuid"] for batch in orders.values() for o in batch])
    # Each terminal's orders reached Odoo in the order they were rung up.
    for name, batch in orders.items():
        rows = sandbox.rpc(
            "pos.order",
            "search_read",
            [[["uuid", "in", [o["uuid"] for o in batch]]]],
            {"fields": ["pos_reference"], "order": "id"},
        )
        assert [r["pos_reference"] for r in rows] == [o["name"] for o in batch], name


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("set KASIR_TEST_DATABASE_URL=postgresql://... to run")
    schema = f"kasir_test_{uuidlib.uuid4().hex[:12]}"
    try:
        yield postgres_schema(POSTGRES_URL, schema)
    finally:
        drop_postgres_schema(POSTGRES_URL, schema)


def test_two_relays_on_one_postgres_journal_book_each_order_once(
    tmp_path: Path, sandbox: KasirProcess, postgres_url: str
) -> None:
    relays = [
        start_relay(tmp_path, sandbox.url, database_url=postgres_url, log_name=f"relay-{n}.log")
        for n in (1, 2)
    ]
    clients: list[TerminalClient] = []
    try:
        # Terminals talk to either relay; both forward the one shared queue.
        for n in range(1, 7):
            relay = relays[n % 2]
            clients.append(TerminalClient(relay, *pair(relay, f"kasir-{n}")))
        orders = {c.name: [make_order(c.name, seq, GOOD) for seq in range(1, 31)] for c in clients}
        with ThreadPoolExecutor(len(clients)) as pool:
            results = list(pool.map(lambda c: send_in_batches(c, orders[c.name], 5), clients))
        assert all(statuses == ["accepted"] * 30 for statuses in results)
        # A terminal re-sending its last batch to the other relay gets duplicates.
        other = TerminalClient(relays[1], clients[0].name, clients[0].token)
        again = other.sync(orders[clients[0].name][-5:])
        assert [r["status"] for r in again["results"]] == ["duplicate"] * 5
        other.http.close()
        for client in clients:
            states = client.wait_settled([o["uuid"] for o in orders[client.name]], timeout=60)
            assert {s["status"] for s in states.values()} == {"posted"}
        booked_once(sandbox, [o["uuid"] for batch in orders.values() for o in batch])
        # Both relays did part of the forwarding, neither hit an error doing so.
        logs = [r.log_path.read_text(errors="replace") for r in relays]
        assert all("state=posted" in log for log in logs)
        assert all("forwarder pass failed" not in log for log in logs)
    finally:
        for client in clients:
            client.http.close()
        for relay in relays:
            relay.stop(timeout=5)


class SlowOdoo:
    """Books every order after a short await, recording the order of calls per terminal."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []
        self.booked: dict[str, int] = {}

    async def sync_orders(self, orders: list[dict], config_id: int | None) -> dict:
        await asyncio.sleep(0.001)
        rows = []
        for order in orders:
            terminal = order["pos_reference"].rsplit("-", 1)[0]
            self.calls.append((terminal, order["sequence_number"]))
            odoo_id = self.booked.setdefault(order["uuid"], len(self.booked) + 1)
            rows.append({"id": odoo_id, "uuid": order["uuid"], "state": "paid"})
        return {"pos.order": rows}

    async def search_read(self, model, *args, **kwargs) -> list:
        return [{"id": 1}] if model == "pos.session" else []


def test_the_forwarder_runs_terminals_side_by_side_each_in_order(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "kasir.db")
    for seq in range(1, 8):
        for n in range(1, 11):
            order = make_order(f"kasir-{n}", seq, GOOD)
            body = canonical(order)
            journal.accept(
                [Incoming(order["uuid"], f"kasir-{n}", seq, "order", body, body_sha256(body))]
            )
    odoo = SlowOdoo()
    forwarder = Forwarder(journal, odoo, batch=25, per_terminal=3, parallel=3)

    async def drain() -> None:
        for _ in range(50):
            if await forwarder.pass_once() is None:
                return

    asyncio.run(drain())
    assert journal.counts() == {**EMPTY_COUNTS, "posted": 70}
    assert len(odoo.calls) == 70 and len(odoo.booked) == 70
    for n in range(1, 11):
        assert [seq for t, seq in odoo.calls if t == f"kasir-{n}"] == list(range(1, 8))
    # Terminals were interleaved, not one after the other.
    assert odoo.calls[:10] != [(odoo.calls[0][0], seq) for seq in range(1, 11)]
    journal.close()


def _claims(url: str) -> list[tuple[str, str, float | None]]:
    """(claimed_by, uuid, sent_at) of every queued item a forwarder claims."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        return db.execute(
            "SELECT claimed_by, uuid, sent_at FROM items "
            "WHERE state = 'queued' AND claimed_by IS NOT NULL"
        ).fetchall()


def _states(url: str, uuids: list[str]) -> dict[str, str]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        rows = db.execute("SELECT uuid, state FROM items WHERE uuid = ANY(%s)", (uuids,))
        return dict(rows.fetchall())


def test_a_killed_relays_items_are_forwarded_by_the_other_within_seconds(
    tmp_path: Path, sandbox: KasirProcess, postgres_url: str
) -> None:
    import math
    import re
    import time

    call_time = 25 * 0.05  # a full call (KASIR_FORWARD_BATCH 25) in the slowed sandbox
    sandbox.faults(order_cost=0.05, workers=4)  # an Odoo with workers, each call 1.25 s
    env = {"KASIR_ODOO_TIME_LIMIT": "20"}  # bounds the test if the sandbox drops a call
    relays = [
        start_relay(
            tmp_path, sandbox.url, database_url=postgres_url, env=env, log_name=f"relay-{n}.log"
        )
        for n in (1, 2)
    ]
    clients: list[TerminalClient] = []
    try:
        for n in range(1, 7):
            relay = relays[n % 2]
            clients.append(TerminalClient(relay, *pair(relay, f"kasir-{n}")))
        orders = {c.name: [make_order(c.name, seq, GOOD) for seq in range(1, 51)] for c in clients}
        with ThreadPoolExecutor(len(clients)) as pool:
            results = list(pool.map(lambda c: send_in_batches(c, orders[c.name], 25), clients))
        assert all(statuses == ["accepted"] * 50 for statuses in results)
        uuids = [o["uuid"] for batch in orders.values() for o in batch]
        # Kill a relay while it has a call in flight and more items claimed behind it.
        owners = {r: re.compile(rf"^forwarder-.*-{r.process.pid}-[0-9a-f]{{8}}$") for r in relays}
        deadline = time.monotonic() + 30
        while True:
            claims = _claims(postgres_url)
            held = {
                r: [(u, sent) for owner, u, sent in claims if mine.match(owner)]
                for r, mine in owners.items()
            }
            chosen = [
                r
                for r in relays
                if any(sent for _, sent in held[r])
                and (any(not sent for _, sent in held[r]) or time.monotonic() > deadline - 20)
            ]
            if chosen:
                break
            assert time.monotonic() < deadline, "no relay ever held claims to kill it with"
            time.sleep(0.02)
        victim = chosen[0]
        survivor = relays[1 - relays.index(victim)]
        mine = owners[victim]
        victim.kill()
        killed_at = time.monotonic()
        held = [(u, sent) for owner, u, sent in _claims(postgres_url) if mine.match(owner)]
        in_flight = [u for u, sent in held if sent]
        waiting = [u for u, sent in held if not sent]
        claimed = None  # when the other relay held (or had posted) all of them
        while any(s != "posted" for s in _states(postgres_url, waiting).values()):
            assert time.monotonic() - killed_at < 30, "the victim's items were never taken over"
            if claimed is None and not {u for o, u, _ in _claims(postgres_url) if mine.match(o)}:
                claimed = time.monotonic() - killed_at
            time.sleep(0.05)
        taken_over = time.monotonic() - killed_at
        claimed = taken_over if claimed is None else claimed
        while any(s != "posted" for s in _states(postgres_url, uuids).values()):
            assert time.monotonic() - killed_at < 40, _states(postgres_url, uuids)
            time.sleep(0.05)
        all_posted = time.monotonic() - killed_at
        print(
            f"\nSIGKILL with {len(in_flight)} orders in flight and {len(waiting)} claimed behind"
            f" them: those claimed by the other relay {claimed:.1f} s and posted"
            f" {taken_over:.1f} s after the kill, the"
            f" whole queue {all_posted:.1f} s after it"
        )
        # The lease (4 s, renewed every 1.3 s) runs out and the other relay claims them once
        # its current pass ends: within 10 s. It then posts them in the sandbox's slowed calls
        # (a CI machine 2.4 times slower took 10.03 s in all). The calls that were in flight do
        # not hold them up: an order the sandbox did not finish stands aside and is sent again
        # only after KASIR_ODOO_TIME_LIMIT (20 s) from its start.
        assert claimed <= 10
        assert taken_over <= claimed + math.ceil(len(waiting) / 25) * call_time + 2
        assert all_posted <= 20 + 2 * call_time + 2
        booked_once(sandbox, uuids)
        log = survivor.log_path.read_text(errors="replace")
        assert "forwarder pass failed" not in log
    finally:
        for client in clients:
            client.http.close()
        for relay in relays:
            relay.stop(timeout=5)
