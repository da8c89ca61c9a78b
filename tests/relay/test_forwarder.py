"""The forwarder's decisions, against a scripted fake Odoo client and a real journal file."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from kasir.forwarder import Forwarder, backoff
from kasir.journal import Incoming, Journal
from kasir.odoo import OdooAccessDenied, OdooBusinessError, OdooTransient
from kasir.records import body_sha256, canonical


class FakeOdoo:
    """sync_order answers from a script keyed by the order's sequence number."""

    def __init__(self, script: dict[int, list[Any]] | None = None) -> None:
        self.script = script or {}
        self.calls: list[tuple[int, int | None]] = []
        self.booked: dict[str, dict[str, Any]] = {}
        self.lookups: list[str] = []

    async def sync_order(self, order: dict[str, Any], config_id: int | None) -> dict[str, Any]:
        seq = order["sequence_number"]
        self.calls.append((seq, config_id))
        steps = self.script.get(seq, [])
        step = steps.pop(0) if steps else "paid"
        if isinstance(step, Exception):
            raise step
        row = self.booked.setdefault(
            order["uuid"], {"id": 100 + seq, "uuid": order["uuid"], "state": step}
        )
        if step == "silent":
            row["state"] = "paid"
            return {"pos.order": []}
        return {"pos.order": [row]}

    async def search_read(self, model, domain, fields, **kwargs) -> list[dict[str, Any]]:
        uuid = domain[0][2]
        self.lookups.append(uuid)
        return [self.booked[uuid]] if uuid in self.booked else []


def _store(journal: Journal, order_factory, terminal: str, seqs: list[int]) -> list[str]:
    uuids = []
    for seq in seqs:
        order = order_factory(terminal, seq, [(1, "3500", 1)])
        body = canonical(order)
        journal.accept([Incoming(order["uuid"], terminal, seq, "order", body, body_sha256(body))])
        uuids.append(order["uuid"])
    return uuids


def _drain(forwarder: Forwarder, rounds: int = 20) -> None:
    """Run passes until nothing is due (retries are made due at once between passes)."""

    async def main() -> None:
        for _ in range(rounds):
            wake_at = await forwarder.pass_once()
            if wake_at is None:
                return
            # Make every waiting retry due now instead of sleeping.
            db = forwarder.journal._db
            with forwarder.journal._lock:
                db.execute("UPDATE items SET next_attempt_at = 0 WHERE state = 'queued'")

    asyncio.run(main())


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "kasir.db")


def test_transient_failures_retry_and_keep_the_terminals_order(journal, order_factory) -> None:
    uuids = _store(journal, order_factory, "kasir-1", [1, 2, 3])
    fake = FakeOdoo({1: [OdooTransient("Odoo answered HTTP 500")] * 2})
    forwarder = Forwarder(journal, fake, config_id=lambda: 7, backoff_base=0.01)
    _drain(forwarder)
    assert [seq for seq, _ in fake.calls] == [1, 1, 1, 2, 3]  # 2 and 3 waited behind 1
    assert all(config == 7 for _, config in fake.calls)
    assert [journal.get(u).state for u in uuids] == ["posted"] * 3
    assert journal.get(uuids[0]).odoo_id == 101 and journal.get(uuids[0]).attempts == 3


def test_a_business_error_fails_one_item_and_the_rest_go_on(journal, order_factory) -> None:
    uuids = _store(journal, order_factory, "kasir-1", [1, 2, 3])
    fake = FakeOdoo({2: [OdooBusinessError("Record does not exist or has been deleted.")]})
    _drain(Forwarder(journal, fake))
    states = {s["uuid"]: s for s in journal.states("kasir-1", uuids)}
    assert [states[u]["status"] for u in uuids] == ["posted", "failed", "posted"]
    assert states[uuids[1]]["error"] == "Record does not exist or has been deleted."
    assert states[uuids[1]]["retryable"] is False


def test_access_denied_keeps_items_queued(journal, order_factory) -> None:
    (uuid,) = _store(journal, order_factory, "kasir-1", [1])
    fake = FakeOdoo({1: [OdooAccessDenied("Access Denied")] * 50})
    forwarder = Forwarder(journal, fake, backoff_base=10)
    wake_at = asyncio.run(forwarder.pass_once())
    item = journal.get(uuid)
    assert item.state == "queued" and "credentials" in item.error
    assert wake_at is not None and wake_at == item.next_attempt_at


def test_a_blocked_terminal_does_not_block_another(journal, order_factory) -> None:
    stuck = _store(journal, order_factory, "kasir-1", [1, 2])
    other = _store(journal, order_factory, "kasir-2", [1])
    fake = FakeOdoo({1: [OdooTransient("timeout"), "paid"]})
    forwarder = Forwarder(journal, fake, backoff_base=60, backoff_cap=60)
    wake_at = asyncio.run(forwarder.pass_once())
    assert journal.get(stuck[0]).state == "queued" and journal.get(stuck[1]).state == "queued"
    assert journal.get(other[0]).state == "posted"
    assert wake_at is not None and wake_at <= time.time() + 0.5  # progress made: look again
    # The next pass must not spin on kasir-1's second item while its head waits.
    assert asyncio.run(forwarder.pass_once()) == journal.get(stuck[0]).next_attempt_at


def test_draft_in_odoo_is_reported_and_missing_answer_is_looked_up(journal, order_factory) -> None:
    draft, silent = _store(journal, order_factory, "kasir-1", [1, 2])
    fake = FakeOdoo({1: ["draft"], 2: ["silent"]})
    _drain(Forwarder(journal, fake))
    item = journal.get(draft)
    assert item.state == "failed" and item.odoo_id == 101 and "draft" in item.error
    assert journal.get(silent).state == "posted" and journal.get(silent).odoo_id == 102
    assert fake.lookups == [silent]


def test_backoff_is_capped_full_jitter() -> None:
    assert backoff(0, 0.5, 60, rng=lambda: 1.0) == 0.5
    assert backoff(3, 0.5, 60, rng=lambda: 1.0) == 4.0
    assert backoff(30, 0.5, 60, rng=lambda: 1.0) == 60
    assert backoff(5, 0.5, 60, rng=lambda: 0.0) == 0.0
