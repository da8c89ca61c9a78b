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
    """sync_from_ui answers from a script keyed by the order's sequence number; a call books
    all its orders or, when one raises, none (Odoo runs a call in one transaction)."""

    def __init__(self, script: dict[int, list[Any]] | None = None) -> None:
        self.script = script or {}
        self.calls: list[tuple[int, int | None]] = []
        self.batches: list[list[int]] = []
        self.booked: dict[str, dict[str, Any]] = {}
        self.lookups: list[str] = []
        self.payloads: list[dict[str, Any]] = []
        self.lines: dict[str, int] = {}  # line uuid -> Odoo line id
        self.session: int | None = 7  # the register's open session

    async def sync_orders(self, orders: list[dict[str, Any]], config_id: int | None) -> dict:
        self.batches.append([order["sequence_number"] for order in orders])
        rows, silent = [], set()
        for order in orders:
            seq = order["sequence_number"]
            self.calls.append((seq, config_id))
            steps = self.script.get(seq, [])
            step = steps.pop(0) if steps else "paid"
            if isinstance(step, Exception):
                raise step
            if step == "silent":
                silent.add(order["uuid"])
                step = "paid"
            rows.append({"id": 100 + seq, "uuid": order["uuid"], "state": step})
        self.payloads.extend(orders)
        lines = []
        for order, row in zip(orders, rows, strict=True):
            self.booked.setdefault(row["uuid"], row)
            for n, (_, _, line) in enumerate(order["lines"], 1):
                self.lines.setdefault(line["uuid"], 1000 * (row["id"]) + n)
                lines.append(
                    {"id": self.lines[line["uuid"]], "uuid": line["uuid"], "order_id": row["id"]}
                )
        return {
            "pos.order": [self.booked[r["uuid"]] for r in rows if r["uuid"] not in silent],
            "pos.order.line": lines,
        }

    async def search_read(self, model, domain, fields, **kwargs) -> list[dict[str, Any]]:
        if model == "pos.session":
            return [{"id": self.session}] if self.session else []
        uuids = domain[0][2] if isinstance(domain[0][2], list) else [domain[0][2]]
        self.lookups.extend(uuids)
        if model == "pos.order.line":
            return [{"id": self.lines[u], "uuid": u} for u in uuids if u in self.lines]
        return [self.booked[uuid] for uuid in uuids if uuid in self.booked]


def _store(journal: Journal, order_factory, terminal: str, seqs: list[int]) -> list[str]:
    return [_keep(journal, order_factory(terminal, seq, [(1, "3500", 1)])) for seq in seqs]


def _keep(journal: Journal, order: dict[str, Any]) -> str:
    body = canonical(order)
    item = Incoming(
        order["uuid"], order["terminal"], order["seq"], "order", body, body_sha256(body)
    )
    assert journal.accept([item]) == ["accepted"]
    return order["uuid"]


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
    poison = OdooBusinessError("Record does not exist or has been deleted.")
    fake = FakeOdoo({2: [poison] * 5})  # refused every time it is sent
    _drain(Forwarder(journal, fake))
    states = {s["uuid"]: s for s in journal.states("kasir-1", uuids)}
    assert [states[u]["status"] for u in uuids] == ["posted", "failed", "posted"]
    # One call for all three; Odoo booked none of it, so the batch is halved until the poison
    # order is alone.
    assert fake.batches == [[1, 2, 3], [1], [2, 3], [2], [3]]
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
    other = _store(journal, order_factory, "kasir-2", [5])  # not scripted
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


def test_orders_go_several_per_call_in_order_into_the_open_session(journal, order_factory):
    uuids = _store(journal, order_factory, "kasir-1", list(range(1, 8)))
    fake = FakeOdoo()
    _drain(Forwarder(journal, fake, orders_per_call=3, config_id=lambda: 1))
    assert fake.batches == [[1, 2, 3], [4, 5, 6], [7]]
    assert {journal.get(u).state for u in uuids} == {"posted"}
    # The till's session (1) is what it knew; the relay books into the register's open one.
    assert {p["session_id"] for p in fake.payloads} == {7}


def test_a_sale_made_while_no_session_was_open_waits_for_one(journal, order_factory):
    order = {**order_factory("kasir-1", 1, [(1, "3500", 1)]), "session": None}
    uuid = _keep(journal, order)
    fake = FakeOdoo()
    fake.session = None
    forwarder = Forwarder(journal, fake, backoff_base=10, config_id=lambda: 1)
    asyncio.run(forwarder.pass_once())
    item = journal.get(uuid)
    assert item.state == "queued" and "no open session" in item.error and not fake.batches
    fake.session = 9  # a manager opens a session
    _drain(forwarder)
    assert journal.get(uuid).state == "posted" and fake.payloads[0]["session_id"] == 9


def test_a_transient_failure_of_a_batch_books_each_order_once(journal, order_factory):
    uuids = _store(journal, order_factory, "kasir-1", [1, 2, 3, 4])
    conflict = OdooTransient("could not serialize access due to concurrent update")
    fake = FakeOdoo({3: [conflict]})
    _drain(Forwarder(journal, fake, orders_per_call=10))
    assert fake.batches == [[1, 2, 3, 4], [1, 2, 3, 4]]
    assert {journal.get(u).state for u in uuids} == {"posted"}
    assert len(fake.booked) == 4


def test_a_refund_names_odoos_line_and_waits_behind_its_sale(journal, order_factory):
    sale = order_factory("kasir-1", 1, [(1, "3500", 2)])
    line = sale["lines"][0]
    refund = order_factory("kasir-1", 2, [(1, "3500", 1)])
    refund["lines"][0] = {
        **refund["lines"][0],
        "qty": "-1",
        "price_subtotal": "-" + refund["lines"][0]["price_subtotal"],
        "price_subtotal_incl": "-3500",
        "refunded_line_uuid": line["uuid"],
    }
    _keep(journal, sale)
    refund_uuid = _keep(journal, refund)
    fake = FakeOdoo()
    _drain(Forwarder(journal, fake, orders_per_call=10))
    # Cut before the refund: Odoo must have booked the sale (and its line id) first.
    assert fake.batches == [[1], [2]]
    sent = fake.payloads[1]["lines"][0][2]
    assert sent["refunded_orderline_id"] == fake.lines[line["uuid"]]
    assert journal.get(refund_uuid).state == "posted"
    assert journal.odoo_line_ids([line["uuid"]]) == {line["uuid"]: fake.lines[line["uuid"]]}


def test_a_refund_of_a_sale_held_back_waits_with_the_reason(journal, order_factory):
    sale = order_factory("kasir-1", 1, [(1, "3500", 2)])
    refund = order_factory("kasir-1", 2, [(1, "3500", 1)])
    refund["lines"][0] = {**refund["lines"][0], "refunded_line_uuid": sale["lines"][0]["uuid"]}
    body = canonical(sale)
    held = Incoming(sale["uuid"], "kasir-1", 1, "order", body, body_sha256(body), "held", "x")
    journal.accept([held])
    refund_uuid = _keep(journal, refund)
    fake = FakeOdoo()
    asyncio.run(Forwarder(journal, fake, backoff_base=10).pass_once())
    item = journal.get(refund_uuid)
    assert item.state == "queued" and "this refund returns" in item.error and "held" in item.error
    assert not fake.batches


class LostAnswer(OdooTransient):
    """Odoo committed the call, then the connection dropped before its answer came back."""

    def __init__(self) -> None:
        super().__init__("the connection to Odoo failed: RemoteProtocolError", in_doubt=True)


class CommitThenDrop(FakeOdoo):
    """The first call books its orders and loses the answer; counts every sync call."""

    dropped = False

    async def sync_orders(self, orders, config_id):
        answer = await super().sync_orders(orders, config_id)
        if not self.dropped:
            self.dropped = True
            raise LostAnswer()
        return answer


def test_orders_whose_answer_was_lost_are_looked_up_not_sent_again(journal, order_factory):
    uuids = _store(journal, order_factory, "kasir-1", [1, 2, 3])
    fake = CommitThenDrop()
    forwarder = Forwarder(journal, fake, backoff_base=0.001, config_id=lambda: 1)
    asyncio.run(forwarder.pass_once())
    assert all(journal.get(u).in_doubt and journal.get(u).state == "queued" for u in uuids)
    _drain(forwarder)
    assert fake.batches == [[1, 2, 3]]  # found in Odoo by uuid: no second call
    assert [journal.get(u).odoo_id for u in uuids] == [101, 102, 103]
    assert not any(journal.get(u).in_doubt for u in uuids)


def test_a_claim_that_ran_out_leaves_its_items_in_doubt(journal, order_factory):
    (uuid,) = _store(journal, order_factory, "kasir-1", [1])
    now = time.time()
    assert [i.uuid for i in journal.claim("dead-relay", lease=5, now=now)] == [uuid]
    assert journal.claim("other-relay", lease=5, now=now + 1) == []  # still its claim
    [taken] = journal.claim("other-relay", lease=5, now=now + 6)  # the lease ran out
    assert taken.uuid == uuid and taken.in_doubt and journal.get(uuid).in_doubt


def test_discarding_an_item_in_doubt_asks_odoo_first(journal, order_factory):
    from kasir import decisions

    booked, absent, unasked = _store(journal, order_factory, "kasir-1", [1, 2, 3])
    journal.mark_in_doubt([booked, absent, unasked])
    fake = FakeOdoo()
    fake.booked[booked] = {"id": 555, "uuid": booked, "state": "paid"}

    async def discard(uuid, client):
        return await decisions.discard(journal, client, uuid, "rung up twice", "test")

    outcome = asyncio.run(discard(booked, fake))
    assert not outcome.done and "in Odoo already (id 555)" in outcome.message
    assert journal.get(booked).state == "posted" and journal.get(booked).odoo_id == 555
    outcome = asyncio.run(discard(absent, fake))
    assert outcome.done and journal.get(absent).state == "discarded"
    outcome = asyncio.run(discard(unasked, None))
    assert not outcome.done and "Odoo cannot be asked" in outcome.message
    assert journal.get(unasked).state == "queued"
    assert "may have reached Odoo" in journal.discard(unasked, "x", "test")


def test_every_waiting_item_says_what_it_waits_for(journal, order_factory):
    first, second, third = _store(journal, order_factory, "kasir-1", [1, 2, 3])
    _store(journal, order_factory, "kasir-2", [1])
    journal.mark_retry(first, "no open session for this register", time.time() + 60)
    waiting = {i["uuid"]: i for i in journal.attention_items(terminal="kasir-1")}
    assert waiting[first]["reason"] == "no open session for this register"
    for uuid in (second, third):
        assert waiting[uuid]["reason"] == (
            "behind kasir-1-000001, which is no open session for this register"
        )
    assert journal.attention_items(terminal="kasir-2") == []


def test_an_order_waits_for_a_rejected_customer_with_the_reason_until_discarded(
    journal, order_factory
):
    customer = {"uuid": "0b6f1c2e-1111-4111-8111-111111111111", "kind": "partner"}
    body = canonical({**customer, "terminal": "kasir-1", "seq": 1, "values": {"name": "Ani"}})
    refused = Incoming(customer["uuid"], "kasir-1", 1, "partner", body, body_sha256(body))
    refused = Incoming(*list(refused.__dict__.values())[:6], "rejected", "values.phone ...")
    journal.accept([refused])
    order = {**order_factory("kasir-1", 2, [(1, "3500", 1)]), "partner": {"uuid": customer["uuid"]}}
    uuid = _keep(journal, order)
    fake = FakeOdoo()
    forwarder = Forwarder(journal, fake, backoff_base=0.001, config_id=lambda: 1)
    asyncio.run(forwarder.pass_once())
    item = journal.get(uuid)
    assert item.state == "queued" and "the relay rejected it (values.phone ...)" in item.error
    assert "discard it to book the sale without a customer" in item.error
    assert journal.discard(customer["uuid"], "phone unreadable", "test") is None
    _drain(forwarder)
    assert journal.get(uuid).state == "posted" and fake.payloads[0]["partner_id"] is False


class SlowFake(FakeOdoo):
    """Every sync_from_ui call takes `delay` seconds; records when each call started."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__()
        self.delay = delay
        self.started: list[float] = []

    async def sync_orders(self, orders, config_id):
        self.started.append(time.time())
        await asyncio.sleep(self.delay)
        return await super().sync_orders(orders, config_id)


def test_renewed_claims_outlast_a_pass_slower_than_the_lease(journal, order_factory):
    uuids = _store(journal, order_factory, "kasir-1", [1, 2, 3, 4])
    fake = SlowFake(delay=0.35)  # each call outlasts the whole lease
    forwarder = Forwarder(journal, fake, lease=0.3, orders_per_call=1, config_id=lambda: 1)
    taken: list[str] = []

    async def main() -> None:
        passing = asyncio.create_task(forwarder.pass_once())
        while not passing.done():  # another relay keeps trying to claim meanwhile
            await asyncio.sleep(0.03)
            taken.extend(i.uuid for i in await asyncio.to_thread(journal.claim, "other", lease=1))
        await passing

    asyncio.run(main())
    assert taken == []  # the pass (1.4 s against a 0.3 s lease) kept every claim
    assert fake.batches == [[1], [2], [3], [4]]  # one pass, each order sent once
    assert [journal.get(u).state for u in uuids] == ["posted"] * 4


def test_renew_extends_only_the_owners_standing_claims(journal, order_factory):
    mine, theirs = _store(journal, order_factory, "kasir-1", [1]) + _store(
        journal, order_factory, "kasir-2", [1]
    )
    now = time.time()
    journal.claim("me", lease=5, now=now, per_terminal=1, limit=1)
    journal.claim("them", lease=5, now=now)
    assert journal.renew("me", [mine, theirs], now + 60) == 1
    # At +10 s mine is still held; theirs (not renewed by "me") ran out.
    assert [i.uuid for i in journal.claim("third", lease=5, now=now + 10)] == [theirs]
    again = {i.uuid: i for i in journal.claim("other", lease=5, now=now + 61)}
    assert again[mine].in_doubt  # taken over once the renewed claim ran out
    assert journal.mark_sent("me", [mine], 5) == []  # no longer mine: must not be sent


def _claimed_by_a_dead_relay(journal: Journal, uuid: str, *, in_flight: bool) -> None:
    """A relay claimed `uuid` (and, `in_flight`, started a call carrying it), then died: its
    short lease has run out by the time this returns."""
    assert [i.uuid for i in journal.claim("dead-relay", lease=0.1)] == [uuid]
    if in_flight:
        assert journal.mark_sent("dead-relay", [uuid], 0.1) == [uuid]
    time.sleep(0.15)


def _run(forwarder: Forwarder, seconds: float) -> None:
    """The forwarder's own loop (sleeping until its next retry) for at most `seconds`."""

    async def main() -> None:
        deadline = time.time() + seconds
        while time.time() < deadline:
            wake_at = await forwarder.pass_once()
            if wake_at is None:
                return
            await asyncio.sleep(max(0.0, min(wake_at, deadline) - time.time()))

    asyncio.run(main())


def test_a_dead_relays_claim_on_an_unsent_order_is_taken_over_and_sent_at_once(
    journal, order_factory
):
    (uuid,) = _store(journal, order_factory, "kasir-1", [1])
    _claimed_by_a_dead_relay(journal, uuid, in_flight=False)
    fake = FakeOdoo()
    forwarder = Forwarder(journal, fake, odoo_time_limit=60, config_id=lambda: 1)
    asyncio.run(forwarder.pass_once())
    assert fake.lookups == [uuid] and fake.batches == [[1]]  # asked Odoo, then sent at once
    assert journal.get(uuid).state == "posted"


def test_an_order_in_flight_when_its_relay_died_is_not_sent_before_odoos_time_limit(
    journal, order_factory
):
    (uuid,) = _store(journal, order_factory, "kasir-1", [1])
    _claimed_by_a_dead_relay(journal, uuid, in_flight=True)
    sent_at = journal.get(uuid).sent_at
    fake = SlowFake()
    forwarder = Forwarder(
        journal, fake, lease=1, odoo_time_limit=1.2, recheck=0.2, config_id=lambda: 1
    )
    asyncio.run(forwarder.pass_once())
    item = journal.get(uuid)
    assert item.state == "queued" and item.in_doubt and not fake.batches
    assert item.error.startswith("an earlier attempt may still be running in Odoo; asked again at")
    assert item.next_attempt_at - time.time() <= 0.25  # asked again soon, not backed off
    # Odoo never books it (the dead relay's call died with it): sent once its time is up.
    _run(forwarder, 5)
    assert journal.get(uuid).state == "posted" and fake.batches == [[1]]
    assert fake.started[0] >= sent_at + 1.2
    assert len(fake.lookups) >= 4  # looked up every `recheck` meanwhile


def test_an_order_in_flight_when_its_relay_died_is_found_when_odoo_books_it(journal, order_factory):
    (uuid,) = _store(journal, order_factory, "kasir-1", [1])
    _claimed_by_a_dead_relay(journal, uuid, in_flight=True)
    fake = FakeOdoo()
    forwarder = Forwarder(
        journal, fake, lease=1, odoo_time_limit=30, recheck=0.1, config_id=lambda: 1
    )
    asyncio.run(forwarder.pass_once())
    assert journal.get(uuid).state == "queued" and not fake.batches
    # The dead relay's call finishes inside Odoo: the next lookup finds the order.
    fake.booked[uuid] = {"id": 555, "uuid": uuid, "state": "paid"}
    _run(forwarder, 3)
    item = journal.get(uuid)
    assert item.state == "posted" and item.odoo_id == 555 and not item.in_doubt
    assert fake.batches == []  # never sent a second time


def test_a_call_that_timed_out_may_still_run_in_odoo_so_it_is_not_resent_at_once(
    journal, order_factory
):
    import httpx

    (uuid,) = _store(journal, order_factory, "kasir-1", [1])

    class TimesOut(SlowFake):
        async def sync_orders(self, orders, config_id):
            if not self.started:
                self.started.append(time.time())
                try:
                    raise httpx.ReadTimeout("slow")
                except httpx.ReadTimeout as error:
                    raise OdooTransient("Odoo did not answer in time", in_doubt=True) from error
            return await super().sync_orders(orders, config_id)

    fake = TimesOut()
    forwarder = Forwarder(
        journal, fake, odoo_time_limit=0.8, recheck=0.2, backoff_base=0.001, config_id=lambda: 1
    )
    _run(forwarder, 4)
    assert journal.get(uuid).state == "posted" and fake.batches == [[1]]
    # Waited for Odoo's time limit, counted from sent_at (written just before the first call).
    assert fake.started[1] - fake.started[0] >= 0.7


def test_a_sale_reusing_another_sales_line_uuid_is_not_booked(journal, order_factory):
    first = order_factory("kasir-1", 1, [(1, "3500", 1)])
    twin = order_factory("kasir-1", 2, [(1, "3500", 1)])
    twin_copy = {**order_factory("kasir-1", 3, [(1, "3500", 1)]), "lines": twin["lines"]}
    copy = {**order_factory("kasir-1", 4, [(1, "3500", 1)]), "lines": first["lines"]}
    _keep(journal, first)
    fake = FakeOdoo()
    _drain(Forwarder(journal, fake, config_id=lambda: 1))
    for order in (twin, twin_copy, copy):
        _keep(journal, order)
    _drain(Forwarder(journal, fake, config_id=lambda: 1))
    assert journal.get(twin["uuid"]).state == "posted"
    for order, owner in ((twin_copy, twin), (copy, first)):
        item = journal.get(order["uuid"])
        assert item.state == "failed" and f"a line of another sale ({owner['uuid']})" in item.error
    assert fake.batches == [[1], [2]]  # the copies never reach Odoo


def test_retry_of_a_failed_item_in_doubt_says_what_odoo_holds(journal, order_factory):
    from kasir import decisions

    booked, absent = _store(journal, order_factory, "kasir-1", [1, 2])
    for uuid in (booked, absent):
        journal.mark_failed(uuid, "Odoo refused it")
    journal.mark_in_doubt([booked, absent])
    fake = FakeOdoo()
    fake.booked[booked] = {"id": 556, "uuid": booked, "state": "paid"}
    outcome = asyncio.run(decisions.retry(journal, fake, booked))
    assert not outcome.done and "in Odoo already (id 556)" in outcome.message
    assert journal.get(booked).state == "posted"
    outcome = asyncio.run(decisions.retry(journal, fake, absent))
    assert outcome.done and journal.get(absent).state == "queued"
    assert "nothing to retry" in asyncio.run(decisions.retry(journal, fake, absent)).message
