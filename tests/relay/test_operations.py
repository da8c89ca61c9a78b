"""Operations as a manager runs them against real relay and sandbox processes: revoke a terminal,
see the queue, retry and discard failed items; and the JSON log lines."""

from __future__ import annotations

import io
import json
import logging
import time

import httpx
from kasir import logs
from processes import booked_once, kasir, make_order


def _wait(check, timeout: float = 15.0, what: str = ""):
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, what
        time.sleep(0.05)
    return found


def _delete_product(sandbox, product_id: int) -> dict[str, dict]:
    """Delete a product in the sandbox (as a manager might in Odoo); returns its stored rows."""
    from kasir.sandbox import SandboxStore

    store = SandboxStore(sandbox.db_path_sandbox)
    with store.transaction() as tx:
        rows = {m: tx.get(m, product_id) for m in ("product.product", "product.template")}
    store._db.close()
    answer = httpx.post(
        f"{sandbox.url}/sandbox/control", json={"action": "delete_product", "id": product_id}
    )
    assert answer.status_code == 200, answer.text
    return rows


def _restore_product(sandbox, product_id: int, rows: dict[str, dict]) -> None:
    """Put the deleted product back under its id (the cause of the failure is fixed)."""
    from kasir.sandbox import SandboxStore

    store = SandboxStore(sandbox.db_path_sandbox)
    with store.transaction() as tx:
        for model, row in rows.items():
            if row is not None:
                tx.insert(model, product_id, {k: v for k, v in row.items() if k != "id"})
    store._db.close()


def test_revoke_refuses_the_token_at_once_and_forwards_what_was_accepted(
    sandbox, relay, terminal
) -> None:
    sandbox.faults(down=True)
    order = make_order("kasir-1", 1, [(1, "3500", 2)])
    assert terminal.sync([order])["results"][0]["status"] == "accepted"
    done = kasir("terminal", "revoke", "kasir-1", "--db", str(relay.db_path))
    assert done.returncode == 0, done.stderr
    assert terminal.get("/api/v1/sync/state").status_code == 401
    again = terminal.http.post("/api/v1/sync", json={"items": []}, headers=terminal.headers)
    assert again.status_code == 401
    listed = kasir("terminal", "list", "--db", str(relay.db_path))
    assert "kasir-1\trevoked\tqueued=1\theld=0\tfailed=0\trejected=0" in listed.stdout
    sandbox.faults(reset=True)
    _wait(lambda: sandbox.orders([order["uuid"]]), what="the revoked terminal's order")
    booked_once(sandbox, [order["uuid"]])
    missing = kasir("terminal", "revoke", "kasir-9", "--db", str(relay.db_path))
    assert missing.returncode == 1 and "no terminal" in missing.stderr


def test_queue_retry_and_discard(sandbox, relay, terminal) -> None:
    absent = 2
    sandbox.db_path_sandbox = sandbox.args[sandbox.args.index("--db") + 1]
    rows = _delete_product(sandbox, absent)  # deleted in Odoo: both orders fail
    fixable = make_order("kasir-1", 1, [(absent, "5000", 1)])
    hopeless = make_order("kasir-1", 2, [(absent, "5000", 2)])
    good = make_order("kasir-1", 3, [(1, "3500", 1)])
    uuids = [fixable["uuid"], hopeless["uuid"], good["uuid"]]
    results = terminal.sync([fixable, hopeless, good])["results"]
    assert [r["status"] for r in results] == ["accepted"] * 3, results
    states = terminal.wait_settled(uuids)
    assert [states[u]["status"] for u in uuids] == ["failed", "failed", "posted"]

    queue = kasir("queue", "--db", str(relay.db_path))
    assert queue.returncode == 0, queue.stderr
    assert "failed     2" in queue.stdout and "posted     1" in queue.stdout
    assert fixable["uuid"] in queue.stdout and "kasir-1-000001" in queue.stdout

    discarded = kasir(
        "discard", hopeless["uuid"], "--reason", "rung up twice", "--db", str(relay.db_path)
    )
    assert discarded.returncode == 0, discarded.stderr
    state = {s["uuid"]: s for s in terminal.states("0")["states"]}[hopeless["uuid"]]
    assert state == {
        "uuid": hopeless["uuid"],
        "status": "failed",
        "error": "discarded by the manager: rung up twice",
        "retryable": False,
    }
    posted_again = kasir("discard", good["uuid"], "--reason", "x", "--db", str(relay.db_path))
    assert posted_again.returncode == 1 and "posted" in posted_again.stderr

    # The cause is fixed in Odoo (the product is back), then every failed item is retried.
    _restore_product(sandbox, absent, rows)
    retried = kasir("retry", "--failed", "--db", str(relay.db_path))
    assert retried.returncode == 0 and f"requeued {fixable['uuid']}" in retried.stdout
    assert hopeless["uuid"] not in retried.stdout  # discarded stays discarded
    # The running relay picks the requeued item up at its next pass (the next sale wakes it).
    later = make_order("kasir-1", 4, [(1, "3500", 1)])
    terminal.sync([later])
    settled = terminal.wait_settled([fixable["uuid"], later["uuid"]])
    assert {s["status"] for s in settled.values()} == {"posted"}
    booked_once(sandbox, [fixable["uuid"], good["uuid"], later["uuid"]])
    assert sandbox.orders([hopeless["uuid"]]) == []
    queue = kasir("queue", "--db", str(relay.db_path)).stdout
    assert "discarded  1" in queue and "failed     0" in queue
    again = kasir("retry", fixable["uuid"], "--db", str(relay.db_path))
    assert again.returncode == 1 and "not failed" in again.stderr
    assert kasir("retry", "--db", str(relay.db_path)).returncode == 2


def test_json_log_lines_parse_and_carry_the_fields() -> None:
    out = io.StringIO()
    assert logs.setup({"KASIR_LOG_FORMAT": "json"}, out) == "json"
    try:
        log = logging.getLogger("kasir.forwarder")
        extra = {"uuid": "u-1", "terminal": "kasir-1", "state": "failed", "attempts": 3}
        log.warning("transition", extra={**extra, "odoo_id": None, "error": 'bad "x"\nline'})
        log.info("plain")
        first, second = (json.loads(line) for line in out.getvalue().splitlines())
        assert first["message"] == "transition" and first["level"] == "WARNING"
        assert first["logger"] == "kasir.forwarder" and first["error"] == 'bad "x"\nline'
        assert {k: first[k] for k in extra} == extra and "odoo_id" not in first
        assert "time" in first and second["message"] == "plain"
        text = io.StringIO()
        logs.setup({}, text)
        log.info("transition", extra={"uuid": "u-2", "state": "posted", "odoo_id": 7})
        assert text.getvalue().rstrip().endswith("transition uuid=u-2 state=posted odoo_id=7")
    finally:
        logs.setup({"KASIR_LOG_LEVEL": "WARNING"})


def test_relay_writes_json_logs(sandbox, tmp_path) -> None:
    from processes import pair, start_relay

    relay = start_relay(tmp_path, sandbox.url, env={"KASIR_LOG_FORMAT": "json"})
    try:
        _, token = pair(relay, "kasir-2")
        order = make_order("kasir-2", 1, [(1, "3500", 1)])
        headers = {"Authorization": f"Bearer {token}"}
        httpx.post(f"{relay.url}/api/v1/sync", json={"items": [order]}, headers=headers)
        _wait(lambda: sandbox.orders([order["uuid"]]), what="posted")
        _wait(lambda: '"state": "posted"' in relay.log(), what=relay.log())
    finally:
        relay.stop(timeout=5)
    lines = [
        json.loads(line)
        for line in relay.log().split("--- log ---\n", 1)[1].splitlines()
        if line.startswith("{")
    ]
    posted = [x for x in lines if x.get("state") == "posted"]
    assert posted and posted[0]["uuid"] == order["uuid"] and posted[0]["terminal"] == "kasir-2"
    assert isinstance(posted[0]["odoo_id"], int)


def test_held_and_rejected_sales_are_listed_and_a_held_one_approved_reaches_odoo(
    sandbox, relay, terminal
) -> None:
    # Totals the relay's register does not agree with (a till with another tax setup): held.
    odd = {**make_order("kasir-1", 1, [(1, "3500", 2)]), "amount_total": "7001"}
    malformed = {**make_order("kasir-1", 2, [(1, "3500", 1)]), "lines": []}
    answer = terminal.sync([odd, malformed])
    assert [r["status"] for r in answer["results"]] == ["accepted", "rejected"]
    queue = kasir("queue", "--db", str(relay.db_path)).stdout
    assert "held       1" in queue and "rejected   1" in queue
    assert odd["uuid"] in queue and "The total is Rp 7.001" in queue
    assert malformed["uuid"] in queue and "lines must be a non-empty list" in queue
    time.sleep(1)
    assert not sandbox.orders([odd["uuid"]])  # held: never forwarded before a decision
    wrong = kasir("approve", malformed["uuid"], "--db", str(relay.db_path))
    assert wrong.returncode == 1 and "rejected, not held" in wrong.stderr
    done = kasir("approve", odd["uuid"], "--db", str(relay.db_path))
    assert done.returncode == 0, done.stderr
    states = terminal.wait_settled([odd["uuid"]])
    assert states[odd["uuid"]]["status"] == "posted"
    booked_once(sandbox, [odd["uuid"]])
    state = terminal.get("/api/v1/sync/state").json()["states"]
    assert {"uuid": malformed["uuid"], "status": "rejected"}.items() <= next(
        s for s in state if s["uuid"] == malformed["uuid"]
    ).items()


def test_discard_of_a_sale_odoo_booked_without_answering_is_refused(sandbox, tmp_path) -> None:
    """Odoo committed a call whose answer was lost: `kasir discard` asks Odoo before giving up."""
    import os

    from kasir.journal import Incoming, Journal
    from kasir.odoo_mapping import order_to_odoo
    from kasir.records import body_sha256, canonical
    from processes import odoo_call, relay_env

    order = make_order("kasir-1", 1, [(1, "3500", 2)])
    journal = Journal(tmp_path / "kasir.db")
    body = canonical(order)
    journal.accept([Incoming(order["uuid"], "kasir-1", 1, "order", body, body_sha256(body))])
    # The relay's call reached Odoo and was booked; its answer never came back.
    odoo_call(sandbox.url, "pos.order", "sync_from_ui", [[order_to_odoo(order)]])
    journal.mark_in_doubt([order["uuid"]])
    journal.close()
    where = ["--db", str(tmp_path / "kasir.db")]
    blind = kasir("discard", order["uuid"], "--reason", "x", *where)
    assert blind.returncode == 1 and "Odoo cannot be asked" in blind.stderr
    env = {**os.environ, **relay_env(sandbox.url)}
    asked = kasir("discard", order["uuid"], "--reason", "rung twice", *where, env=env)
    assert asked.returncode == 1 and "in Odoo already" in asked.stderr, asked.stderr
    journal = Journal(tmp_path / "kasir.db")
    try:
        assert journal.get(order["uuid"]).state == "posted"
    finally:
        journal.close()
    booked_once(sandbox, [order["uuid"]])
