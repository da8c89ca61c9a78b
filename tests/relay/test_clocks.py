"""Clocks and sequence numbers between a terminal and the relay, over real HTTP: the relay's answers
carry its own time and the terminal's last seq; a terminal's wrong clock is shown to the manager on
/admin; an item shows when the till made it and when the relay received it (/admin and `kasir
queue`); and Odoo books a sale at the till's time, not at the time it was forwarded."""

from __future__ import annotations

import time
import uuid as uuidlib
from datetime import UTC, datetime, timedelta

import httpx
from kasir.journal import Incoming, Journal
from processes import (
    ADMIN_TOKEN,
    TerminalClient,
    add_terminal,
    kasir,
    make_order,
    pair,
    wait_for,
)

TOKEN = ADMIN_TOKEN  # the admin_relay fixture's (tests/conftest.py)
GOOD = [(1, "3500", 2)]


def _admin_json(relay) -> dict:
    answer = httpx.get(
        f"{relay.url}/admin",
        headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_answers_carry_the_relays_clock_and_the_terminals_last_seq(relay, terminal):
    before = datetime.now(UTC)
    answer = terminal.sync([make_order("kasir-1", seq, GOOD) for seq in (1, 2)])
    after = datetime.now(UTC)
    assert before - timedelta(seconds=1) <= _moment(answer["now"]) <= after + timedelta(seconds=1)
    states = terminal.states()
    assert states["last_seq"] == 2
    assert _moment(states["now"]) >= before - timedelta(seconds=1)
    # Paired again (its storage was cleared, its token with it): the pairing says where the
    # relay's numbering of this terminal stands, so the tablet goes on after it.
    code = add_terminal(relay, "kasir-1")
    again = httpx.post(f"{relay.url}/api/v1/pair", json={"code": code}, timeout=5).json()
    assert again["terminal"] == "kasir-1" and again["last_seq"] == 2
    assert TerminalClient(relay, "kasir-1", again["token"]).states()["last_seq"] == 2
    fresh = httpx.post(
        f"{relay.url}/api/v1/pair", json={"code": add_terminal(relay, "kasir-2")}, timeout=5
    ).json()
    assert fresh["last_seq"] == 0


def test_a_terminal_whose_clock_is_wrong_is_shown_on_admin(admin_relay):
    ahead = TerminalClient(admin_relay, *pair(admin_relay, "kasir-ahead"))
    right = TerminalClient(admin_relay, *pair(admin_relay, "kasir-right"))
    unknown = TerminalClient(admin_relay, *pair(admin_relay, "kasir-quiet"))
    ten_minutes = 10 * 60 * 1000
    ahead.get(
        "/api/v1/sync/state", headers={"X-Kasir-Clock": str(int(time.time() * 1000) + ten_minutes)}
    )
    right.get("/api/v1/sync/state", headers={"X-Kasir-Clock": str(int(time.time() * 1000))})
    unknown.get("/api/v1/sync/state")  # an older till: no clock told

    terminals = {t["name"]: t for t in _admin_json(admin_relay)["terminals"]}
    assert 595 <= terminals["kasir-ahead"]["clock_skew"] <= 601
    assert terminals["kasir-ahead"]["clock_wrong"] is True
    assert abs(terminals["kasir-right"]["clock_skew"]) < 5
    assert terminals["kasir-right"]["clock_wrong"] is False
    assert terminals["kasir-quiet"]["clock_skew"] is None

    page = httpx.get(f"{admin_relay.url}/admin", headers={"Authorization": f"Bearer {TOKEN}"})
    row = page.text.split("<td>kasir-ahead</td>", 1)[1].split("</tr>", 1)[0]
    assert 'class="clock bad"' in row and "10 min ahead: set the tablet&#39;s clock" in row
    row = page.text.split("<td>kasir-right</td>", 1)[1].split("</tr>", 1)[0]
    assert 'class="clock "' in row and ">right<" in row


def test_admin_and_queue_show_when_the_till_made_it_and_the_relay_received_it(admin_relay):
    made = "2026-11-23T20:41:05.123456+00:00"
    received = datetime(2026, 11, 24, 1, 2, 3, tzinfo=UTC).timestamp()
    uuid = str(uuidlib.uuid4())
    journal = Journal(admin_relay.db_path)
    try:
        journal.add_terminal("kasir-1")
        body = '{"name": "kasir-1-000007", "created_at": "' + made + '"}'
        journal.accept([Incoming(uuid, "kasir-1", 7, "order", body, "sha")], now=received)
        journal.mark_failed(uuid, "Odoo said no")
    finally:
        journal.close()

    # Times are shown in the shop's zone, which the relay learns from Odoo (the sandbox's shop is
    # in Asia/Jakarta, UTC+7) a moment after it starts: wait for it, so the page cannot change
    # zones between this test's two reads.
    wait_for(lambda: _admin_json(admin_relay)["timezone"] == "Asia/Jakarta", "the shop's zone")
    (item,) = _admin_json(admin_relay)["items"]
    assert item["created_at"] == made
    assert _moment(item["received_at"]) == datetime.fromtimestamp(received, UTC)
    page = httpx.get(f"{admin_relay.url}/admin", headers={"Authorization": f"Bearer {TOKEN}"})
    assert "made 2026-11-24 03:41:05 (the till&#39;s clock)" in page.text
    assert "received 2026-11-24 08:02:03 (the relay&#39;s clock)" in page.text

    listed = kasir("queue", "--db", str(admin_relay.db_path))
    assert listed.returncode == 0, listed.stderr
    line = next(line for line in listed.stdout.splitlines() if line.startswith(uuid))
    assert f"made={made}" in line and "received=2026-11-24 01:02:03 UTC" in line


def test_odoo_books_the_sale_at_the_tills_time_not_when_it_was_forwarded(sandbox, terminal):
    sold = (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=250000)
    order = {**make_order("kasir-1", 1, GOOD), "created_at": sold.isoformat()}
    terminal.sync([order])
    assert terminal.wait_settled([order["uuid"]])[order["uuid"]]["status"] == "posted"
    (row,) = sandbox.rpc(
        "pos.order",
        "search_read",
        [[["uuid", "=", order["uuid"]]]],
        {"fields": ["date_order", "payment_ids"]},
    )
    assert row["date_order"] == sold.strftime("%Y-%m-%d %H:%M:%S")
    payments = sandbox.rpc(
        "pos.payment", "read", [row["payment_ids"]], {"fields": ["payment_date"]}
    )
    assert payments and {p["payment_date"] for p in payments} == {row["date_order"]}
