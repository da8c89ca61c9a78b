"""Crashes and outages over real processes: each test ends with every order in the sandbox
exactly once and nothing the relay accepted lost."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator

import httpx
import pytest
from processes import KasirProcess, TerminalClient, booked_once, make_order

GOOD = [(1, "3500", 2), (2, "12500", 1)]


def journal_count(relay: KasirProcess) -> int:
    with sqlite3.connect(relay.db_path) as db:
        return db.execute("SELECT COUNT(*) FROM items").fetchone()[0]


def post_and_kill(relay: KasirProcess, token: str, body: bytes, *, after_half: bool) -> None:
    """Send a sync request and SIGKILL the relay while it is in flight: with half the body
    still to come, or just after the whole body went out (the relay busy checking it)."""

    def chunks() -> Iterator[bytes]:
        if after_half:
            yield body[: len(body) // 2]
            relay.kill()
            yield body[len(body) // 2 :]
        else:
            yield body
            relay.kill()

    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with pytest.raises(httpx.TransportError):
        answer = httpx.post(f"{relay.url}/api/v1/sync", content=chunks(), headers=headers)
        pytest.fail(f"the relay answered although it was killed: {answer.status_code}")
    assert not relay.running


def test_relay_killed_in_a_big_sync_batch_and_restarted(sandbox, relay, terminal) -> None:
    early = [make_order("kasir-1", seq, GOOD) for seq in range(1, 41)]
    assert {r["status"] for r in terminal.sync(early)["results"]} == {"accepted"}
    first = [make_order("kasir-1", seq, GOOD) for seq in range(41, 341)]
    second = [make_order("kasir-1", seq, GOOD) for seq in range(341, 641)]
    # Killed with half a 300-order batch uploaded (forwarding of `early` under way) ...
    post_and_kill(relay, terminal.token, json.dumps({"items": first}).encode(), after_half=True)
    relay.start()
    assert journal_count(relay) == len(early)  # the half-sent batch left no trace
    # ... and again with a whole batch uploaded, while the relay is checking and storing it.
    post_and_kill(relay, terminal.token, json.dumps({"items": second}).encode(), after_half=False)
    relay.start()
    stored = journal_count(relay)
    assert stored in (len(early), len(early) + len(second))  # all of the batch or none of it
    # The terminal never got an answer, so it sends everything unconfirmed again.
    client = TerminalClient(relay, terminal.name, terminal.token)
    try:
        statuses = []
        for batch in (early, first, second):
            statuses += [r["status"] for r in client.sync(batch)["results"]]
        assert set(statuses) <= {"accepted", "duplicate"}
        assert statuses.count("accepted") == len(early) + len(first) + len(second) - stored
        everything = [o["uuid"] for o in early + first + second]
        states = client.wait_settled(everything, timeout=60)
        assert {s["status"] for s in states.values()} == {"posted"}
    finally:
        client.http.close()
    assert journal_count(relay) == len(everything)
    booked_once(sandbox, everything)


def test_odoo_down_for_a_while_then_back(sandbox, relay, terminal) -> None:
    sandbox.faults(down=True)
    orders = [make_order("kasir-1", seq, GOOD) for seq in range(1, 21)]
    assert {r["status"] for r in terminal.sync(orders[:10])["results"]} == {"accepted"}
    # The forwarder keeps trying, and says why, while sales go on being accepted.
    deadline = time.monotonic() + 15
    while True:
        states = terminal.states("0")["states"]
        if any(s["status"] == "queued" and s.get("error") for s in states):
            break
        assert time.monotonic() < deadline, states
        time.sleep(0.05)
    assert {s["status"] for s in states} == {"queued"}
    assert {r["status"] for r in terminal.sync(orders[10:])["results"]} == {"accepted"}
    sandbox.faults(reset=True)
    uuids = [o["uuid"] for o in orders]
    settled = terminal.wait_settled(uuids, timeout=30)
    assert {s["status"] for s in settled.values()} == {"posted"}
    booked_once(sandbox, uuids)
