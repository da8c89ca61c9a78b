"""The journal's contract, run against SQLite and PostgreSQL (the latter when
KASIR_TEST_DATABASE_URL is set; each test gets a schema of its own, dropped afterwards)."""

from __future__ import annotations

import json
import os
import threading
import uuid as uuidlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from kasir import sales
from kasir.journal import STATES, Incoming, Journal, open_journal
from kasir.records import body_sha256, canonical
from processes import drop_postgres_schema, make_order, postgres_schema

EMPTY_COUNTS = dict.fromkeys(STATES, 0)

POSTGRES_URL = os.environ.get("KASIR_TEST_DATABASE_URL", "").strip()
needs_postgres = pytest.mark.skipif(
    not POSTGRES_URL, reason="set KASIR_TEST_DATABASE_URL=postgresql://... to run"
)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=needs_postgres)]

Opener = Callable[[], Journal]


@pytest.fixture(params=BACKENDS)
def open_one(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens journals on one fresh database (call it twice: two relays on the same journal)."""
    opened: list[Journal] = []
    if request.param == "sqlite":
        where = str(tmp_path / "kasir.db")
    else:
        schema = f"kasir_test_{uuidlib.uuid4().hex[:12]}"
        where = postgres_schema(POSTGRES_URL, schema)

    def opener() -> Journal:
        journal = open_journal(where)
        opened.append(journal)
        return journal

    try:
        yield opener
    finally:
        for journal in opened:
            journal.close()
        if request.param == "postgresql":
            drop_postgres_schema(POSTGRES_URL, schema)


@pytest.fixture
def journal(open_one: Opener) -> Journal:
    return open_one()


def incoming(terminal: str, seq: int, **changes: object) -> Incoming:
    record = {**make_order(terminal, seq, [(1, "3500", 2)]), **changes}
    body = canonical(record)
    return Incoming(record["uuid"], terminal, seq, "order", body, body_sha256(body))


def queue(journal: Journal, terminal: str, seqs: list[int], now: float = 1000.0) -> list[str]:
    records = [incoming(terminal, seq) for seq in seqs]
    assert journal.accept(records, now=now) == ["accepted"] * len(records)
    return [r.uuid for r in records]


def test_accept_is_idempotent_and_refuses_a_changed_body(open_one: Opener) -> None:
    journal = open_one()
    first, second = incoming("kasir-1", 1), incoming("kasir-1", 2)
    changed = Incoming(first.uuid, "kasir-1", 1, "order", "{}", body_sha256("{}"))
    assert journal.accept([first, first, changed, second]) == [
        "accepted",
        "duplicate",
        "conflict",
        "accepted",
    ]
    assert journal.accept([second, changed]) == ["duplicate", "conflict"]
    assert journal.item_count() == 2
    assert journal.get(first.uuid).record()["seq"] == 1
    journal.close()
    again = open_one()  # durable: what was accepted is there after a restart
    assert again.get(second.uuid).state == "queued"
    assert again.counts() == {**EMPTY_COUNTS, "queued": 2}


def test_changes_follow_transitions_and_hide_other_terminals(journal: Journal) -> None:
    one, two = queue(journal, "kasir-1", [1, 2])
    (other,) = queue(journal, "kasir-2", [1])
    states, cursor = journal.changes("kasir-1", 0)
    assert [s["uuid"] for s in states] == [one, two]
    journal.mark_retry(one, "Odoo answered HTTP 500", 0.0)
    journal.mark_posted(one, 42)
    journal.mark_failed(two, "Order is not fully paid.")
    states, later = journal.changes("kasir-1", cursor)
    assert later > cursor
    assert {s["uuid"]: s["status"] for s in states} == {one: "posted", two: "failed"}
    assert journal.get(one).attempts == 2 and journal.get(one).odoo_id == 42
    assert journal.states("kasir-1", [other, one]) == [
        {"uuid": one, "status": "posted", "odoo_id": 42}
    ]
    assert journal.changes("kasir-1", later) == ([], later)
    assert journal.changes("kasir-1", later + 10_000)[0]  # a foreign cursor starts over
    assert journal.requeue(two) and not journal.requeue(two) and not journal.requeue(one)
    assert journal.get(two).state == "queued"


def test_claims_keep_each_terminals_order(journal: Journal) -> None:
    a = queue(journal, "kasir-1", [1, 2, 3])
    b = queue(journal, "kasir-2", [1, 2])
    now = 2000.0
    taken = journal.claim("relay-a", lease=30, per_terminal=2, now=now)
    assert [i.uuid for i in taken] == [a[0], a[1], b[0], b[1]]
    # Everything due is held: another forwarder gets nothing, not even kasir-1's third order.
    assert journal.claim("relay-b", now=now) == []
    journal.mark_posted(a[0], 1)
    assert journal.claim("relay-b", now=now) == []  # a[1] is still in relay-a's hands
    # relay-a hits a retry on a[1] and gives back nothing else: kasir-1 waits for it.
    journal.mark_retry(a[1], "timeout", now + 5)
    assert journal.claim("relay-b", now=now + 1) == []
    assert journal.next_due(now=now + 1) == now + 5  # a[1]'s retry; kasir-2 is held to now+30
    assert [i.uuid for i in journal.claim("relay-b", now=now + 5)] == [a[1], a[2]]


def test_a_claim_runs_out_and_can_be_released(journal: Journal) -> None:
    one, two = queue(journal, "kasir-1", [1, 2])
    assert [i.uuid for i in journal.claim("crashed", lease=10, now=2000.0)] == [one, two]
    assert journal.claim("other", now=2005.0) == []
    assert journal.next_due(now=2005.0) == 2010.0  # when the crashed relay's lease ends
    assert [i.uuid for i in journal.claim("other", now=2011.0)] == [one, two]
    journal.release("other", [two])
    journal.release("nobody", [one])  # not its claim: nothing happens
    assert journal.claim("third", now=2012.0) == []  # `one` still held, `two` behind it
    journal.release("other", [one])
    assert [i.uuid for i in journal.claim("third", now=2012.0)] == [one, two]


def test_a_failed_item_does_not_hold_back_the_rest(journal: Journal) -> None:
    one, two = queue(journal, "kasir-1", [1, 2])
    (taken, _) = journal.claim("relay", now=2000.0)
    assert taken.uuid == one
    journal.mark_failed(taken.uuid, "Record does not exist or has been deleted.")
    journal.release("relay", [two])
    assert [i.uuid for i in journal.claim("relay", now=2000.0)] == [two]
    assert journal.next_due(now=2000.0) > 2000.0  # only claimed work left: its lease end


def test_pairing_codes_work_once(journal: Journal) -> None:
    assert journal.add_terminal("kasir-1") and not journal.add_terminal("kasir-1")
    journal.add_pairing_code("kasir-1", "code-hash", expires_at=3000.0)
    journal.add_pairing_code("kasir-1", "old-hash", expires_at=10.0)
    assert journal.pair("old-hash", "token-0", now=2000.0) is None  # expired
    assert journal.pair("code-hash", "token-1", now=2000.0) == "kasir-1"
    assert journal.pair("code-hash", "token-2", now=2000.0) is None
    assert journal.terminal_by_token("token-1") == "kasir-1"
    assert journal.terminal_overview()[0]["name"] == "kasir-1"


def test_catalog_bootstrap_and_meta(journal: Journal) -> None:
    a = {"id": 1, "name": "Indomie", "list_price": "3500", "active": True}
    assert journal.put_catalog([a, {"id": 2, "name": "Teh", "active": True}]) == 2
    assert journal.put_catalog([a]) == 0
    items, cursor, more = journal.catalog_page(0, 1)
    assert items == [a] and more
    journal.put_catalog([{"id": 2, "active": False}])
    assert journal.catalog_ids() == {1} and journal.catalog_size() == 1
    items, _, more = journal.catalog_page(cursor, 10)
    assert items == [{"id": 2, "active": False}] and not more
    etag = journal.put_bootstrap({"catalog_version": "3"})
    assert journal.bootstrap() == ('{"catalog_version":"3"}', etag)
    journal.set_meta("product_write_date", "2026-11-23 20:00:00")
    assert journal.get_meta("product_write_date") == "2026-11-23 20:00:00"
    assert journal.ping()


def test_the_shops_day_is_read_alike_from_both_journals(journal: Journal) -> None:
    """Orders whose row changed since a moment, rejected records and customers left out; the shop's day summed from them is the same on SQLite and PostgreSQL."""
    jakarta = ZoneInfo("Asia/Jakarta")
    start = datetime(2026, 11, 30, tzinfo=jakarta)  # 2026-11-29 17:00 UTC
    at = start.timestamp()

    def order(terminal: str, seq: int, made: datetime) -> Incoming:
        return incoming(terminal, seq, created_at=made.astimezone(UTC).isoformat())

    early = order("kasir-1", 1, start - timedelta(seconds=1))  # 23:59:59 the day before
    first = order("kasir-1", 2, start + timedelta(seconds=1))
    late = order("kasir-2", 1, start + timedelta(hours=23, minutes=59))
    inside = order("kasir-1", 3, start + timedelta(hours=1))
    refused = Incoming(
        inside.uuid, "kasir-1", 3, "order", inside.body, inside.body_sha256, "rejected", "bad"
    )
    body = json.dumps({"uuid": str(uuidlib.uuid4()), "kind": "partner", "values": {}})
    customer = Incoming(str(uuidlib.uuid4()), "kasir-1", 4, "partner", body, body_sha256(body))
    journal.accept([early], now=at - 2 * 86400)  # sent long before: not read
    journal.accept([first, refused, customer], now=at)
    journal.accept([late], now=at + 3600)

    def read(since: float) -> set[tuple[str, str]]:
        rows = journal.orders_changed_since(since)
        return {(terminal, json.loads(body)["uuid"]) for terminal, body in rows}

    assert read(at) == {("kasir-1", first.uuid), ("kasir-2", late.uuid)}
    assert read(at + 1) == {("kasir-2", late.uuid)}
    journal.mark_failed(early.uuid, "Order is not fully paid.")  # changed now: read again
    assert ("kasir-1", early.uuid) in read(at)
    day = sales.today(journal, jakarta, at + 7200)
    assert [(t.terminal, t.sales, t.refunds, t.total) for t in day.terminals] == [
        ("kasir-1", 1, 0, Decimal("7000")),
        ("kasir-2", 1, 0, Decimal("7000")),
    ]
    assert (day.total.sales, day.total.total) == (2, Decimal("14000"))
    assert day.total.first == start + timedelta(seconds=1)


def day_record(terminal: str, seq: int, made: datetime, **fields: object) -> Incoming:
    """A register's day record (session open or close, cash move) a till made at `made`."""
    record = {
        "uuid": str(uuidlib.uuid4()),
        "kind": "cash_move" if "type" in fields else "session",
        "terminal": terminal,
        "seq": seq,
        "created_at": made.astimezone(UTC).isoformat(),
        "cashier": "Ani",
        **fields,
    }
    body = canonical(record)
    return Incoming(record["uuid"], terminal, seq, record["kind"], body, body_sha256(body))


def test_the_registers_days_are_read_alike_from_both_journals(journal: Journal) -> None:
    """Each terminal's day records after its last close accepted before the moment asked: a day
    closed long ago is not read, one still open is however old; sales and rejected records
    are never among them. The days made of them: cash moves summed, the difference counted
    less expected, and the state of the record least far along on its way to Odoo."""
    jakarta = ZoneInfo("Asia/Jakarta")
    start = datetime(2026, 11, 30, tzinfo=jakarta)
    at = start.timestamp()
    journal.add_terminal("kasir-1")
    journal.add_terminal("kasir-2")
    old_open = day_record("kasir-1", 1, start - timedelta(days=3), op="open", cash="100000")
    old_close = day_record(
        "kasir-1", 2, start - timedelta(days=3, hours=-8), op="close", session_uuid=old_open.uuid,
        cash="100000", expected="100000",
    )  # fmt: skip
    journal.accept([old_open, old_close], now=at - 3 * 86400)
    late_open = day_record("kasir-1", 3, start - timedelta(hours=2), op="open", cash="150000")
    sale = incoming("kasir-1", 4)

    def move(seq: int, kind: str, amount: str) -> Incoming:
        made = start + timedelta(minutes=seq)
        return day_record("kasir-1", seq, made, session_uuid=late_open.uuid, type=kind,
                          amount=amount, reason="Beli es batu")  # fmt: skip

    out, out_again, cash_in = (
        move(5, "out", "20000"),
        move(6, "out", "2500.50"),
        move(7, "in", "5000"),
    )
    late_close = day_record(
        "kasir-1", 8, start + timedelta(hours=9), op="close", session_uuid=late_open.uuid,
        cash="139999.50", expected="139999.50", cashier="Budi",
    )  # fmt: skip
    new_open = day_record("kasir-1", 9, start + timedelta(hours=10), op="open", cash="80000")
    refused = day_record("kasir-1", 10, start + timedelta(hours=11), op="close", cash="1")
    refused = Incoming(
        refused.uuid, "kasir-1", 10, "session", refused.body, refused.body_sha256, "rejected", "bad"
    )
    journal.accept(
        [late_open, sale, out, out_again, cash_in, late_close, new_open, refused], now=at - 3600
    )
    week_open = day_record("kasir-2", 1, start - timedelta(days=6), op="open", cash="50000")
    week_move = day_record(
        "kasir-2", 2, start - timedelta(days=6), session_uuid=week_open.uuid, type="in", amount="1"
    )
    journal.accept([week_open, week_move], now=at - 6 * 86400)
    journal.mark_posted(late_open.uuid, 7)
    journal.mark_posted(out.uuid, 70)
    journal.mark_failed(out_again.uuid, "Odoo said no")
    journal.mark_retry(late_close.uuid, "waiting for kasir-1-000004 to reach Odoo", at)

    rows = journal.day_records(at - 86400)
    read = [(terminal, json.loads(body)["uuid"]) for terminal, body, *_ in rows]
    assert read == [
        ("kasir-1", uuid)
        for uuid in (
            late_open.uuid,
            out.uuid,
            out_again.uuid,
            cash_in.uuid,
            late_close.uuid,
            new_open.uuid,
        )
    ] + [("kasir-2", week_open.uuid), ("kasir-2", week_move.uuid)]
    # The last close accepted before the moment asked bounds the read, whatever was made when.
    after = [json.loads(body)["uuid"] for _terminal, body, *_ in journal.day_records(at)]
    assert after == [new_open.uuid, week_open.uuid, week_move.uuid]
    assert len(journal.day_records(at - 3 * 86400)) == len(rows) + 2  # not before it: read too

    late, new, week = sales.day_sessions(rows, start)
    assert (late.terminal, late.uuid, late.opened_by, late.closed_by) == (
        "kasir-1", late_open.uuid, "Ani", "Budi"
    )  # fmt: skip
    assert (late.opened_at, late.closed_at) == (
        start - timedelta(hours=2),
        start + timedelta(hours=9),
    )
    assert (late.opening, late.counted, late.expected) == (
        Decimal("150000"), Decimal("139999.50"), Decimal("139999.50")
    )  # fmt: skip
    assert late.difference == 0 and late.odoo_id == 7
    assert (late.cash_out.count, late.cash_out.total) == (2, Decimal("22500.50"))
    assert (late.cash_in.count, late.cash_in.total) == (1, Decimal("5000"))
    assert (late.state, late.reason) == ("failed", "Odoo said no")
    assert (new.uuid, new.closed_at, new.difference, new.state) == (
        new_open.uuid,
        None,
        None,
        "queued",
    )
    assert (week.terminal, week.opening, week.cash_in.total) == ("kasir-2", Decimal("50000"), 1)
    # The next day, the day that closed the day before is not shown; those still open are.
    later = sales.day_sessions(rows, start + timedelta(days=1))
    assert [one.uuid for one in later] == [new_open.uuid, week_open.uuid]


def test_orders_are_found_alike_in_both_journals(journal: Journal) -> None:
    """A receipt number's start or a part of Odoo's name, any case, with LIKE's own characters
    taken literally; rejected records sold nothing and are not found."""
    sale = incoming("kasir-1", 1, name="Kasir-1-0001")
    other = incoming("kasir-2", 1, name="kasir-2-0001")
    odd = incoming("kasir-2", 2, name="kasir_2%0002")
    bad = incoming("kasir-3", 1, name="kasir-3-0001")
    refused = Incoming(
        bad.uuid, "kasir-3", 1, "order", bad.body, bad.body_sha256, "rejected", "bad"
    )
    journal.accept([sale, other, odd, refused])
    assert journal.get(bad.uuid).state == "rejected"
    journal.mark_posted_many([(sale.uuid, 41, {})], names={sale.uuid: "Shop/0041"})

    def found(text: str) -> list[str]:
        return [json.loads(body)["uuid"] for _terminal, body, _state in journal.find_orders(text)]

    assert found("kasir-1-") == [sale.uuid]
    assert found("SHOP/004") == [sale.uuid]
    assert sorted(found("kasir")) == sorted([sale.uuid, other.uuid, odd.uuid])
    assert found("kasir_2%") == [odd.uuid]  # not "kasir-2-0001": _ and % are plain here
    assert found("kasir-3") == found("nothing") == []


@needs_postgres
def test_two_relays_claiming_at_once_never_share_an_item(open_one: Opener) -> None:
    """Several forwarders (threads, each with its own connections) drain one queue: every item
    is claimed by exactly one of them, and a terminal's items never by two at a time."""
    journals = [open_one() for _ in range(3)]
    uuids = [u for t in range(8) for u in queue(journals[0], f"kasir-{t}", list(range(1, 16)))]
    claimed: dict[str, list[str]] = {}
    lock = threading.Lock()
    errors: list[BaseException] = []

    def forward(journal: Journal, owner: str) -> None:
        try:
            for _ in range(200):
                items = journal.claim(owner, limit=10, per_terminal=3, now=5000.0)
                if not items and journal.counts()["queued"] == 0:
                    return
                for item in items:
                    with lock:
                        claimed.setdefault(item.uuid, []).append(owner)
                    journal.mark_posted(item.uuid, 1)
        except BaseException as error:
            errors.append(error)

    threads = [
        threading.Thread(target=forward, args=(journals[n % 3], f"relay-{n}")) for n in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sorted(claimed) == sorted(uuids)
    assert all(len(owners) == 1 for owners in claimed.values())


@needs_postgres
def test_the_same_record_sent_to_two_relays_at_once_is_stored_once(open_one: Opener) -> None:
    first, second = open_one(), open_one()
    records = [incoming("kasir-1", seq) for seq in range(1, 51)]
    answers: list[list[str]] = []
    barrier = threading.Barrier(2)

    def send(journal: Journal) -> None:
        barrier.wait()
        answers.append(journal.accept(records))

    threads = [threading.Thread(target=send, args=(j,)) for j in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(answers) == 2
    for position in range(len(records)):
        assert sorted(a[position] for a in answers) == ["accepted", "duplicate"]
    assert first.item_count() == 50


def test_release_all_frees_the_claims_of_a_crashed_relay(journal: Journal) -> None:
    """What a single relay does at start on its own journal (SQLite): nothing waits for a lease
    taken by the process that was killed."""
    one, two = queue(journal, "kasir-1", [1, 2])
    assert len(journal.claim("killed", now=2000.0)) == 2
    assert journal.release_all() == 2
    assert [i.uuid for i in journal.claim("restarted", now=2000.0)] == [one, two]


def test_a_journal_from_before_held_and_rejected_is_upgraded_keeping_its_items(open_one):
    from kasir.journal import SCHEMA

    journal = open_one()
    (kept,) = queue(journal, "kasir-1", [1])
    create = next(s for s in SCHEMA.split(";") if "TABLE IF NOT EXISTS items " in s)
    old = create.replace("IF NOT EXISTS items ", "items_old ", 1).replace(
        "'queued', 'held', 'posted', 'failed', 'rejected', 'discarded'",
        "'queued', 'posted', 'failed'",
    )
    assert old != create.replace("IF NOT EXISTS items ", "items_old ", 1)
    with journal._tx() as db:  # the items table as the first journals made it
        db.execute(old)
        columns = ", ".join(d[0] for d in db.execute("SELECT * FROM items_old LIMIT 0").description)
        db.execute(f"INSERT INTO items_old SELECT {columns} FROM items")
        db.execute("DROP TABLE items")
        db.execute("ALTER TABLE items_old RENAME TO items")
    journal.close()
    again = open_one()
    held = incoming("kasir-1", 2)
    held = Incoming(*list(held.__dict__.values())[:6], "held", "no shop yet", "shop")
    assert again.accept([held]) == ["accepted"]
    assert again.get(held.uuid).state == "held" and again.get(kept).state == "queued"
