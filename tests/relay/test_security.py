"""The relay under hostile or careless clients: tokens, sizes, shapes, other terminals' data,
pairing codes, secrets at rest and in answers; and through it all nothing accepted is dropped."""

from __future__ import annotations

import contextlib
import json
import socket
import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from kasir import auth
from kasir.journal import Journal
from processes import SANDBOX_KEY, TerminalClient, add_terminal, pair

GOOD = [(1, "3500", 2)]
API_GETS = ["/api/v1/sync/state", "/api/v1/bootstrap", "/api/v1/catalog"]


def is_json_error(answer: httpx.Response, status: int) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    error = answer.json()["error"]
    assert error["code"] and error["message"]
    return error


def raw_post(base: str, head: str, body: bytes, read_timeout: float = 5.0) -> tuple[int, bytes]:
    """Send a hand-made request (lying headers) and read the first answer's status and body."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=read_timeout) as sock:
        # The relay may stop reading once it has refused: its answer is still there.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(head.encode("latin-1") + b"\r\n" + body)
        data = b""
        deadline = time.monotonic() + read_timeout
        while time.monotonic() < deadline:
            header, found, rest = data.partition(b"\r\n\r\n")
            if found:
                length = [
                    int(line.split(b":", 1)[1])
                    for line in header.lower().split(b"\r\n")
                    if line.startswith(b"content-length:")
                ]
                if length and len(rest) >= length[0]:
                    break
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
        header, _, rest = data.partition(b"\r\n\r\n")
        length = [
            int(line.split(b":", 1)[1])
            for line in header.lower().split(b"\r\n")
            if line.startswith(b"content-length:")
        ]
        return int(header.split(b" ", 2)[1]), rest[: length[0]] if length else rest


@pytest.mark.parametrize(
    "header", [None, "Bearer nope", "Basic a2FzaXI6eA==", "Bearer", "Bearer " + "x" * 600]
)
def test_missing_or_wrong_token_is_401_everywhere(relay, header) -> None:
    headers = {"Authorization": header} if header else {}
    for path in API_GETS:
        is_json_error(httpx.get(f"{relay.url}{path}", headers=headers, timeout=5), 401)
    answer = httpx.post(f"{relay.url}/api/v1/sync", json={"items": []}, headers=headers, timeout=5)
    assert is_json_error(answer, 401)["code"] == "unauthorized"


def test_oversized_bodies_are_413_however_they_come(relay, terminal) -> None:
    url = relay.url
    token = terminal.token
    head = (
        "POST /api/v1/sync HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\n"
    )
    # Declared too large: refused before reading the body.
    status, body = raw_post(url, head + "Content-Length: 6000000\r\n", b'{"items": []}')
    assert status == 413 and json.loads(body)["error"]["code"] == "too_large"
    # Chunked, no Content-Length: the streaming cap stops it.
    chunk = b" " * (1024 * 1024)
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(6)) + b"0\r\n\r\n"
    status, body = raw_post(url, head + "Transfer-Encoding: chunked\r\n", chunked)
    assert status == 413 and json.loads(body)["error"]["code"] == "too_large"
    # A Content-Length smaller than the body: only the declared bytes are read (not JSON).
    status, body = raw_post(url, head + "Content-Length: 12\r\n", b'{"items": [' + b" " * 10_000)
    assert status == 400 and json.loads(body)["error"]["code"] == "malformed_json"
    # Not a number at all.
    status, _ = raw_post(url, head + "Content-Length: lots\r\n", b"{}")
    assert status == 400
    assert terminal.states("0")["states"] == []


def test_malformed_json_is_400(relay, terminal) -> None:
    for body in (b"{", b"\xff\xfe", b"", b'{"items": [}'):
        answer = httpx.post(
            f"{relay.url}/api/v1/sync", content=body, headers=terminal.headers, timeout=5
        )
        assert is_json_error(answer, 400)["code"] == "malformed_json"
    bad_pair = httpx.post(f"{relay.url}/api/v1/pair", content=b"{nope", timeout=5)
    is_json_error(bad_pair, 400)


def test_bad_items_are_rejected_with_a_message_and_the_rest_accepted(
    relay, terminal, order_factory
) -> None:
    original = order_factory("kasir-1", 1, GOOD)
    assert terminal.sync([original])["results"][0]["status"] == "accepted"
    other = order_factory("kasir-2", 1, GOOD)
    changed = {**original, "amount_return": "1"}
    wrong_shape = {**order_factory("kasir-1", 2, GOOD), "lines": "many"}
    float_money = {**order_factory("kasir-1", 3, GOOD), "amount_total": 7000.5}
    bad_uuid = {**order_factory("kasir-1", 4, GOOD), "uuid": "ABC"}
    fine = order_factory("kasir-1", 5, GOOD)
    answer = terminal.sync([other, changed, wrong_shape, float_money, bad_uuid, 42, fine])
    results = answer["results"]
    assert [r["status"] for r in results] == ["rejected"] * 6 + ["accepted"]
    assert all(r["error"] for r in results[:6])
    assert "kasir-2" in results[0]["error"]
    assert "different content" in results[1]["error"]
    assert "lines" in results[2]["error"]
    assert "decimal strings" in results[3]["error"]
    assert "uuid" in results[4]["error"]
    # The same record again is a duplicate, never a second copy.
    assert terminal.sync([original])["results"][0]["status"] == "duplicate"


def test_one_terminal_cannot_see_anothers_items(relay, terminal, order_factory) -> None:
    mine = [order_factory("kasir-1", seq, GOOD) for seq in (1, 2)]
    terminal.sync(mine)
    other = TerminalClient(relay, *pair(relay, "kasir-2"))
    try:
        assert other.states("0")["states"] == []
        # Sending kasir-1's record with kasir-2's token: rejected, and no state of it leaks.
        answer = other.sync([mine[0]])
        assert answer["results"][0]["status"] == "rejected" and answer["states"] == []
        # Re-labelled as kasir-2's, the uuid is taken: rejected without kasir-1's state.
        stolen = {**mine[0], "terminal": "kasir-2"}
        answer = other.sync([stolen])
        assert answer["results"][0]["status"] == "rejected" and answer["states"] == []
        assert other.states("0")["states"] == []
        seen = {s["uuid"] for s in terminal.states("0")["states"]}
        assert seen == {o["uuid"] for o in mine}
    finally:
        other.http.close()


def test_pairing_codes_are_one_time_and_expire(relay) -> None:
    code = add_terminal(relay, "kasir-3")
    first = httpx.post(f"{relay.url}/api/v1/pair", json={"code": code.lower()}, timeout=5)
    assert first.status_code == 200 and first.json()["terminal"] == "kasir-3"
    again = httpx.post(f"{relay.url}/api/v1/pair", json={"code": code}, timeout=5)
    assert is_json_error(again, 403)["code"] == "invalid_code"
    journal = Journal(relay.db_path)
    try:
        expired = auth.add_terminal(journal, "kasir-4", lifetime=-1)
    finally:
        journal.close()
    late = httpx.post(f"{relay.url}/api/v1/pair", json={"code": expired}, timeout=5)
    is_json_error(late, 403)
    is_json_error(httpx.post(f"{relay.url}/api/v1/pair", json={"code": 7}, timeout=5), 422)
    guess = httpx.post(f"{relay.url}/api/v1/pair", json={"code": "AAAA-AAAA"}, timeout=5)
    is_json_error(guess, 403)


def test_tokens_are_stored_hashed(relay, paired_terminal) -> None:
    _, token = paired_terminal
    files = [Path(f"{relay.db_path}{suffix}") for suffix in ("", "-wal", "-shm")]
    stored = b"".join(f.read_bytes() for f in files if f.exists())
    assert token.encode() not in stored
    with sqlite3.connect(relay.db_path) as db:
        hashes = {row[0] for row in db.execute("SELECT token_sha256 FROM terminals")}
    assert auth.sha256(token) in hashes


def test_the_odoo_api_key_never_leaves_the_relay(sandbox, relay, terminal, order_factory) -> None:
    answers: list[httpx.Response] = []
    order = order_factory("kasir-1", 1, GOOD)
    answers.append(
        terminal.http.post("/api/v1/sync", json={"items": [order]}, headers=terminal.headers)
    )
    terminal.wait_settled([order["uuid"]])
    for path in (*API_GETS, "/api/v1/openapi.json", "/healthz", "/api/v1/nope", "/offline"):
        answers.append(terminal.get(path))
        answers.append(httpx.get(f"{relay.url}{path}", timeout=5))  # without a token
    answers.append(httpx.post(f"{relay.url}/api/v1/pair", json={"code": "x"}, timeout=5))
    # Odoo refusing, failing and gone: the relay's error texts must not carry the key either.
    poison = order_factory("kasir-1", 2, [(7, "1000", 1)])
    control = f"{sandbox.url}/sandbox/control"
    httpx.post(control, json={"action": "delete_product", "id": 7}, timeout=5).raise_for_status()
    terminal.sync([poison])
    answers.append(terminal.get("/api/v1/sync/state", params={"since": "0"}))
    sandbox.faults(down=True)
    late = order_factory("kasir-1", 3, GOOD)
    terminal.sync([late])
    deadline = time.monotonic() + 10
    while (health := httpx.get(f"{relay.url}/healthz", timeout=5).json())["odoo"] == "reachable":
        assert time.monotonic() < deadline, health
        time.sleep(0.05)
    answers.append(httpx.get(f"{relay.url}/healthz", timeout=5))
    answers.append(terminal.get("/api/v1/sync/state", params={"since": "0"}))
    sandbox.faults(reset=True)
    for answer in answers:
        assert SANDBOX_KEY not in answer.text, (answer.request.url, answer.text)
        assert SANDBOX_KEY not in str(answer.headers)
    assert terminal.wait_settled([late["uuid"]])[late["uuid"]]["status"] == "posted"


def test_nothing_accepted_is_ever_dropped(sandbox, relay, terminal, order_factory) -> None:
    accepted: list[str] = []
    for seq in range(1, 21):
        order = order_factory("kasir-1", seq, GOOD)
        junk = {**order_factory("kasir-1", 100 + seq, GOOD), "seq": "x"}
        results = terminal.sync([junk, order, order])["results"]
        assert [r["status"] for r in results] == ["rejected", "accepted", "duplicate"]
        accepted.append(order["uuid"])
        if seq == 10:
            sandbox.faults(error_500=3, drop_after_commit=2)
    states = terminal.wait_settled(accepted)
    assert {s["status"] for s in states.values()} == {"posted"}
    booked = sandbox.orders(accepted)
    assert sorted(b["uuid"] for b in booked) == sorted(accepted)  # each exactly once
